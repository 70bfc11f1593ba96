import { createHash } from 'node:crypto';
import { AccessLog } from '../../gateway/src/chain/access-log';
import { loadArtifact } from '../../gateway/src/chain/artifacts';
import type { ChainClient } from '../../gateway/src/chain/chain-client';
import type { ChainContract } from '../../gateway/src/chain/chain-contract';
import { ChainRevertError, decodeRevert } from '../../gateway/src/chain/chain-errors';
import { RecordAnchors } from '../../gateway/src/chain/record-anchors';
import { AccessEntryFactory } from '../factories/access-entry.factory';
import { ZERO_ADDRESS, ZERO_BYTES32 } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { deployRegistry } from './support/consortium';
import { DAY, transact } from './support/rpc';
import { testbed } from './support/testbed';
import { ADMIN_DELAY, deployGovernedWriters, proposeRoleAction } from './support/writers';

const RECEIPT_MS = 10_000;
const sha512 = (text: string): Buffer => createHash('sha512').update(text).digest();

/** What a revert of the target (bubbled up by the governor) says, decoded with the target's ABI. */
const targetError = (error: ChainRevertError, target: 'RecordAnchors' | 'AccessLog'): ChainRevertError => decodeRevert(error.data, loadArtifact(target).abi);

describe('ConsortiumRoleAdmin (contract)', () => {
  const bed = testbed(async (chain) => ({ ...(await deployGovernedWriters(chain)), stranger: chain.client() }));

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  const view = async (contract: ChainContract, method: string, args: unknown[] = []): Promise<unknown> => (await bed.gateway.call(contract, method, args))[0];
  const role = async (contract: ChainContract, name: string): Promise<string> => (await view(contract, name)) as string;
  const hasRole = async (contract: ChainContract, roleName: string, account: string): Promise<boolean> =>
    (await view(contract, 'hasRole', [await role(contract, roleName), account])) as boolean;
  const pendingAdmin = async (contract: ChainContract): Promise<string> => ((await bed.gateway.call(contract, 'pendingDefaultAdmin', []))[0] as string);

  /** `approvers` approve `proposalId` on `governor` in turn (the default governor unless given). */
  async function approveBy(proposalId: bigint, approvers: ChainClient[], governor = bed.governor): Promise<void> {
    for (const authority of approvers) await transact(authority, governor, 'approve', [proposalId]);
  }

  /** Authorities 0 and 1 (2 of 3) have the governor grant `roleName` on `contract` to `account`. */
  async function grantByConsortium(contract: ChainContract, roleName: string, account: string): Promise<void> {
    const { proposalId } = await proposeRoleAction(bed.authorities[0]!, bed.governor, 'proposeGrantRole', [contract.address, await role(contract, roleName), account]);
    await approveBy(proposalId, [bed.authorities[1]!]);
  }

  describe('deployment', () => {
    it("takes the registry's authorities, threshold and proposal lifetime, and is the only admin of RecordAnchors and AccessLog", async () => {
      const { governor, registry, authorities, gateway, anchors, log } = bed;

      expect(String(await view(governor, 'registry')).toLowerCase()).toBe(registry.address.toLowerCase());
      expect(await view(governor, 'authorityThreshold')).toBe(2n);
      expect(await view(governor, 'proposalTtl')).toBe(BigInt(DAY));
      for (const authority of authorities.slice(0, 3)) expect(await view(governor, 'isAuthority', [authority.address])).toBe(true);
      expect(await view(governor, 'isAuthority', [authorities[3]!.address])).toBe(false);
      expect(await view(governor, 'isAuthority', [gateway.address])).toBe(false);
      for (const [contract, writerRole] of [[anchors, 'ANCHORER_ROLE'], [log, 'LOGGER_ROLE']] as const) {
        expect(await view(contract, 'defaultAdmin')).toBe(governor.address);
        expect(await hasRole(contract, 'DEFAULT_ADMIN_ROLE', gateway.address)).toBe(false);
        expect(await hasRole(contract, writerRole, gateway.address)).toBe(true);
        for (const authority of authorities) expect(await hasRole(contract, 'DEFAULT_ADMIN_ROLE', authority.address)).toBe(false);
      }
    });

    it('refuses a registry that is not a contract', async () => {
      const error = await revertOf(bed.gateway.deploy('ConsortiumRoleAdmin', [bed.stranger.address]));

      expect(error.errorName).toBe('ConsortiumRoleAdminInvalidRegistry');
    });
  });

  describe('attacks', () => {
    it('ATTACK: one authority alone cannot grant a writer role, neither on the contract nor through the governor', async () => {
      const [lone] = bed.authorities;
      const rogue = bed.stranger.address;
      const anchorerRole = await role(bed.anchors, 'ANCHORER_ROLE');
      const adminRole = await role(bed.anchors, 'DEFAULT_ADMIN_ROLE');

      const direct = await revertOf(lone!.send(bed.anchors, 'grantRole', [anchorerRole, rogue]));
      expect(direct.errorName).toBe('AccessControlUnauthorizedAccount');
      expect(direct.args).toEqual([lone!.address, adminRole]);

      const { proposalId } = await proposeRoleAction(lone!, bed.governor, 'proposeGrantRole', [bed.anchors.address, anchorerRole, rogue]);
      const again = await revertOf(lone!.send(bed.governor, 'approve', [proposalId]));
      expect(again.errorName).toBe('ConsortiumRoleAdminAlreadyApproved');
      expect(await hasRole(bed.anchors, 'ANCHORER_ROLE', rogue)).toBe(false);
      // The rogue is still refused as a writer.
      const write = await revertOf(new RecordAnchors(bed.stranger, bed.anchors.address).anchor(randomBytes32(), 'bafy-rogue', sha512('rogue')));
      expect(write.errorName).toBe('AccessControlUnauthorizedAccount');
    });

    it('ATTACK: one authority alone cannot start a handover of the admin role', async () => {
      const [lone] = bed.authorities;
      const adminRole = await role(bed.log, 'DEFAULT_ADMIN_ROLE');

      const direct = await revertOf(lone!.send(bed.log, 'beginDefaultAdminTransfer', [lone!.address]));
      expect(direct.errorName).toBe('AccessControlUnauthorizedAccount');
      expect(direct.args).toEqual([lone!.address, adminRole]);

      await proposeRoleAction(lone!, bed.governor, 'proposeBeginDefaultAdminTransfer', [bed.log.address, lone!.address]);
      expect(await pendingAdmin(bed.log)).toBe(ZERO_ADDRESS);
      expect(await view(bed.log, 'defaultAdmin')).toBe(bed.governor.address);
    });

    it("ATTACK: the gateway's key can neither grant a role nor start a handover, on the contracts or through the governor", async () => {
      const { gateway, governor } = bed;
      for (const [contract, writerRole] of [[bed.anchors, 'ANCHORER_ROLE'], [bed.log, 'LOGGER_ROLE']] as const) {
        const adminRole = await role(contract, 'DEFAULT_ADMIN_ROLE');
        for (const [method, args] of [['grantRole', [await role(contract, writerRole), bed.stranger.address]], ['beginDefaultAdminTransfer', [gateway.address]]] as const) {
          const error = await revertOf(gateway.send(contract, method, [...args]));
          expect(error.errorName).toBe('AccessControlUnauthorizedAccount');
          expect(error.args).toEqual([gateway.address, adminRole]);
        }
        const proposal = await revertOf(gateway.send(governor, 'proposeGrantRole', [contract.address, await role(contract, writerRole), bed.stranger.address]));
        expect(proposal.errorName).toBe('ConsortiumRoleAdminNotAuthority');
        expect(proposal.args).toEqual([gateway.address]);
        const handover = await revertOf(gateway.send(governor, 'proposeBeginDefaultAdminTransfer', [contract.address, gateway.address]));
        expect(handover.errorName).toBe('ConsortiumRoleAdminNotAuthority');
        expect(await pendingAdmin(contract)).toBe(ZERO_ADDRESS);
      }
      // Nor can it add the missing approval to an authority's proposal.
      const { proposalId } = await proposeRoleAction(bed.authorities[0]!, governor, 'proposeGrantRole', [bed.anchors.address, await role(bed.anchors, 'ANCHORER_ROLE'), bed.stranger.address]);
      const approval = await revertOf(gateway.send(governor, 'approve', [proposalId]));
      expect(approval.errorName).toBe('ConsortiumRoleAdminNotAuthority');
      expect(await hasRole(bed.anchors, 'ANCHORER_ROLE', bed.stranger.address)).toBe(false);
    });

    it('ATTACK: a non-authority (a stranger, an authority of another registry) can neither propose nor approve', async () => {
      const outsiders = [bed.stranger, bed.authorities[3]!];
      const anchorerRole = await role(bed.anchors, 'ANCHORER_ROLE');
      const { proposalId } = await proposeRoleAction(bed.authorities[2]!, bed.governor, 'proposeGrantRole', [bed.anchors.address, anchorerRole, bed.stranger.address]);

      for (const outsider of outsiders) {
        const proposal = await revertOf(outsider.send(bed.governor, 'proposeGrantRole', [bed.anchors.address, anchorerRole, outsider.address]));
        expect(proposal.errorName).toBe('ConsortiumRoleAdminNotAuthority');
        expect(proposal.args).toEqual([outsider.address]);
        const approval = await revertOf(outsider.send(bed.governor, 'approve', [proposalId]));
        expect(approval.errorName).toBe('ConsortiumRoleAdminNotAuthority');
      }
      expect(await hasRole(bed.anchors, 'ANCHORER_ROLE', bed.stranger.address)).toBe(false);
    });

    it('ATTACK: a cancelled proposal never executes, and only its proposer can cancel it', async () => {
      const [proposer, second] = bed.authorities;
      const { proposalId } = await proposeRoleAction(proposer!, bed.governor, 'proposeGrantRole', [bed.log.address, await role(bed.log, 'LOGGER_ROLE'), bed.stranger.address]);

      const byOther = await revertOf(second!.send(bed.governor, 'cancel', [proposalId]));
      expect(byOther.errorName).toBe('ConsortiumRoleAdminNotProposer');
      const { events } = await transact(proposer!, bed.governor, 'cancel', [proposalId]);
      expect(events.map((event) => event.name)).toEqual(['ProposalCancelled']);

      const approval = await revertOf(second!.send(bed.governor, 'approve', [proposalId]));
      expect(approval.errorName).toBe('ConsortiumRoleAdminProposalCancelled');
      expect(await hasRole(bed.log, 'LOGGER_ROLE', bed.stranger.address)).toBe(false);
    });

    it('ATTACK: an expired proposal never executes (the approval that would have is refused)', async () => {
      const [proposer, second] = bed.authorities;
      const { proposalId } = await proposeRoleAction(proposer!, bed.governor, 'proposeGrantRole', [bed.log.address, await role(bed.log, 'LOGGER_ROLE'), bed.stranger.address]);
      const [, , , , , , , expiresAt] = (await bed.gateway.call(bed.governor, 'proposal', [proposalId])) as unknown[];

      await bed.chain.increaseTime(DAY);

      const approval = await revertOf(second!.send(bed.governor, 'approve', [proposalId]));
      expect(approval.errorName).toBe('ConsortiumRoleAdminProposalExpired');
      expect(approval.args).toEqual([proposalId, expiresAt]);
      expect(await hasRole(bed.log, 'LOGGER_ROLE', bed.stranger.address)).toBe(false);
    });
  });

  describe('what k authorities can do', () => {
    it("rotate the gateway's writer key on RecordAnchors and AccessLog: the new key anchors and logs, the old one is refused", async () => {
      const oldKey = bed.chain.client();
      const newKey = bed.chain.client();
      await grantByConsortium(bed.anchors, 'ANCHORER_ROLE', oldKey.address);
      await grantByConsortium(bed.log, 'LOGGER_ROLE', oldKey.address);
      const earlier = randomBytes32();
      await oldKey.waitForReceipt(await new RecordAnchors(oldKey, bed.anchors.address).anchor(earlier, 'bafy-before', sha512('before')), RECEIPT_MS);

      // Steps 1 and 3 of the rotation in docs/decisions.md, each a 2-of-3 proposal.
      await grantByConsortium(bed.anchors, 'ANCHORER_ROLE', newKey.address);
      await grantByConsortium(bed.log, 'LOGGER_ROLE', newKey.address);
      for (const [contract, roleName] of [[bed.anchors, 'ANCHORER_ROLE'], [bed.log, 'LOGGER_ROLE']] as const) {
        const { proposalId } = await proposeRoleAction(bed.authorities[2]!, bed.governor, 'proposeRevokeRole', [contract.address, await role(contract, roleName), oldKey.address]);
        const { events } = await transact(bed.authorities[0]!, bed.governor, 'approve', [proposalId]);
        expect(events.map((event) => event.name)).toEqual(['ProposalApproved', 'ProposalExecuted']);
      }

      const anchored = await newKey.waitForReceipt(await new RecordAnchors(newKey, bed.anchors.address).anchor(randomBytes32(), 'bafy-after', sha512('after')), RECEIPT_MS);
      expect(anchored.success).toBe(true);
      const logged = await newKey.waitForReceipt(await new AccessLog(newKey, bed.log.address).logAccesses(randomBytes32(), AccessEntryFactory.many(2)), RECEIPT_MS);
      expect(logged.success).toBe(true);
      const anchorRefused = await revertOf(new RecordAnchors(oldKey, bed.anchors.address).anchor(randomBytes32(), 'bafy-late', sha512('late')));
      expect(anchorRefused.errorName).toBe('AccessControlUnauthorizedAccount');
      const logRefused = await revertOf(new AccessLog(oldKey, bed.log.address).logAccesses(randomBytes32(), AccessEntryFactory.many(1)));
      expect(logRefused.errorName).toBe('AccessControlUnauthorizedAccount');
      // What the old key anchored before stays readable under it.
      expect(await new RecordAnchors(bed.gateway, bed.anchors.address).anchorOf(earlier, oldKey.address)).toMatchObject({ cid: 'bafy-before' });
    });

    it('hand the admin role over to another governor (a 3-of-4 consortium): begin, wait the delay, and the new admin accepts by its own k', async () => {
      const { authorities, anchors } = bed;
      const wider = await deployRegistry(bed.gateway, authorities.map((a) => a.address), 3);
      const { address } = await bed.gateway.deploy('ConsortiumRoleAdmin', [wider.address]);
      const next = bed.gateway.contract('ConsortiumRoleAdmin', address);

      const { proposalId: begin } = await proposeRoleAction(authorities[0]!, bed.governor, 'proposeBeginDefaultAdminTransfer', [anchors.address, next.address]);
      await approveBy(begin, [authorities[1]!]);
      expect(await pendingAdmin(anchors)).toBe(next.address);

      // The new admin's own 3 of 4 accept; before the delay the target refuses, and the proposal stays open.
      const { proposalId: accept } = await proposeRoleAction(authorities[3]!, next, 'proposeAcceptDefaultAdminTransfer', [anchors.address]);
      await approveBy(accept, [authorities[2]!], next);
      const early = await revertOf(authorities[1]!.send(next, 'approve', [accept]));
      expect(targetError(early, 'RecordAnchors').errorName).toBe('AccessControlEnforcedDefaultAdminDelay');
      expect(await view(anchors, 'defaultAdmin')).toBe(bed.governor.address);

      await bed.chain.increaseTime(ADMIN_DELAY + 1);
      const { events } = await transact(authorities[1]!, next, 'approve', [accept]);

      expect(events.map((event) => event.name)).toEqual(['ProposalApproved', 'ProposalExecuted']);
      expect(await view(anchors, 'defaultAdmin')).toBe(next.address);
      expect(await pendingAdmin(anchors)).toBe(ZERO_ADDRESS);
      // The former governor is now refused by the target: its executing approval reverts.
      const { proposalId: stale } = await proposeRoleAction(authorities[0]!, bed.governor, 'proposeGrantRole', [anchors.address, await role(anchors, 'ANCHORER_ROLE'), bed.stranger.address]);
      const refused = await revertOf(authorities[1]!.send(bed.governor, 'approve', [stale]));
      expect(targetError(refused, 'RecordAnchors').errorName).toBe('AccessControlUnauthorizedAccount');
      expect(await hasRole(anchors, 'ANCHORER_ROLE', bed.stranger.address)).toBe(false);
    });

    it('cancel a handover started by mistake, and change the admin delay', async () => {
      const { authorities, log, governor } = bed;
      const { proposalId: begin } = await proposeRoleAction(authorities[0]!, governor, 'proposeBeginDefaultAdminTransfer', [log.address, bed.stranger.address]);
      await approveBy(begin, [authorities[2]!]);
      expect(await pendingAdmin(log)).toBe(bed.stranger.address);

      const { proposalId: cancel } = await proposeRoleAction(authorities[1]!, governor, 'proposeCancelDefaultAdminTransfer', [log.address]);
      await approveBy(cancel, [authorities[2]!]);
      expect(await pendingAdmin(log)).toBe(ZERO_ADDRESS);

      const { proposalId: delay } = await proposeRoleAction(authorities[1]!, governor, 'proposeChangeDefaultAdminDelay', [log.address, 2 * ADMIN_DELAY]);
      await approveBy(delay, [authorities[0]!]);
      const [newDelay] = (await bed.gateway.call(log, 'pendingDefaultAdminDelay', [])) as [bigint, bigint];
      expect(newDelay).toBe(BigInt(2 * ADMIN_DELAY));
    });
  });

  describe('what cannot be proposed', () => {
    it('refuses DEFAULT_ADMIN_ROLE in a grant or revocation, a zero account, and a target that is not a contract', async () => {
      const [authority] = bed.authorities;
      const anchorerRole = await role(bed.anchors, 'ANCHORER_ROLE');
      const cases: Array<[string, unknown[], string]> = [
        ['proposeGrantRole', [bed.anchors.address, ZERO_BYTES32, bed.stranger.address], 'ConsortiumRoleAdminDefaultAdminRole'],
        ['proposeRevokeRole', [bed.anchors.address, ZERO_BYTES32, bed.governor.address], 'ConsortiumRoleAdminDefaultAdminRole'],
        ['proposeGrantRole', [bed.anchors.address, anchorerRole, ZERO_ADDRESS], 'ConsortiumRoleAdminInvalidAccount'],
        ['proposeBeginDefaultAdminTransfer', [bed.anchors.address, ZERO_ADDRESS], 'ConsortiumRoleAdminInvalidAccount'],
        ['proposeGrantRole', [bed.stranger.address, anchorerRole, bed.stranger.address], 'ConsortiumRoleAdminInvalidTarget'],
      ];
      for (const [method, args, errorName] of cases) {
        expect({ method, error: (await revertOf(authority!.send(bed.governor, method, args))).errorName }).toEqual({ method, error: errorName });
      }
    });
  });
});
