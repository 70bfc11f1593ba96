import { utils } from 'web3';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { deployConsortium } from './consortium-registry';
import { GasScenario, perUnit } from './scenario';

const ANCHORER_ROLE = utils.keccak256(Buffer.from('ANCHORER_ROLE', 'utf8'));

export const consortiumRoleAdminScenario: GasScenario = {
  contract: 'ConsortiumRoleAdmin',
  artifacts: ['ConsortiumRoleAdmin', 'ConsortiumRegistry', 'RecordAnchors'],
  async measure(context) {
    const { chain, deploy, send, key } = context;
    // As the gateway deploys it: over the 2-of-3 registry, admin of RecordAnchors (the deployer anchors).
    const { registry, authorities } = await deployConsortium(context);
    const [first, second, third] = authorities as [ChainClient, ChainClient, ChainClient];
    const governor = await deploy('ConsortiumRoleAdmin', [registry.address]);
    const anchors = await deploy('RecordAnchors', [0, governor.address, chain.address]);
    const grant = (writer: string) => [anchors.address, ANCHORER_ROLE, key(writer).address];

    // Proposal 1 grants a first writer: every measured proposal finds the proposal counter non-zero.
    await send(governor, 'proposeGrantRole', grant('writer-1'), first);
    await send(governor, 'approve', [1], second);

    // A key rotation: grant the new writer key, revoke the old one.
    const proposeGrant = await send(governor, 'proposeGrantRole', grant('writer-2'), second);
    const approveGrant = await send(governor, 'approve', [2], third);
    const proposeRevoke = await send(governor, 'proposeRevokeRole', grant('writer-1'), third);
    const approveRevoke = await send(governor, 'approve', [3], first);

    const proposeHandover = await send(governor, 'proposeBeginDefaultAdminTransfer', [anchors.address, key('next admin').address], first);
    const cancel = await send(governor, 'cancel', [4], first);

    return [
      perUnit('ConsortiumRoleAdmin.proposeGrantRole', 'transaction', 1, proposeGrant, { note: "4 new slots; the proposer's approval counts" }),
      perUnit('ConsortiumRoleAdmin.approve (grants)', 'transaction', 1, approveGrant, { note: 'the 2nd approval of 2 of 3: RecordAnchors.grantRole' }),
      perUnit('ConsortiumRoleAdmin.proposeRevokeRole', 'transaction', 1, proposeRevoke),
      perUnit('ConsortiumRoleAdmin.approve (revokes)', 'transaction', 1, approveRevoke, { note: 'the 2nd approval of 2 of 3: RecordAnchors.revokeRole' }),
      perUnit('ConsortiumRoleAdmin.proposeBeginDefaultAdminTransfer', 'transaction', 1, proposeHandover, { note: '3 new slots (no role)' }),
      perUnit('ConsortiumRoleAdmin.cancel', 'transaction', 1, cancel, { note: 'by its proposer, an open proposal' }),
    ];
  },
};
