import type { ChainClient } from '../../gateway/src/chain/chain-client';
import { newKey, ZERO_BYTES32 } from './support/accounts';
import { revertOf } from './support/chain';
import { consentHelpers } from './support/consent';
import { consentManagerTestbed } from './support/consent-manager';
import { transact as sendAndWait } from './support/rpc';

describe('ConsentManager revocation (contract)', () => {
  const bed = consentManagerTestbed('ConsentManager revocation');
  const { transact, chainTime } = bed;
  const { hospital, terms, grantArgs, revokeArgs, pairNonce, consentOf, mayRead, mayReadAt, granted, patient: registered } = consentHelpers(bed);

  /** Relays `revoke` from `from`'s own account instead of the gateway's. */
  const revokeVia = (from: ChainClient, args: unknown[]) => sendAndWait(from, bed.sut, 'revoke', args);

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  describe('revoke', () => {
    it('ends the consent from the block after the revocation and emits ConsentRevoked', async () => {
      const { handle, signer, grantee } = await granted();
      const before = await bed.relayer.blockNumber();

      const { events, blockNumber, gasUsed } = await transact(bed.sut, 'revoke', await revokeArgs(handle, grantee, signer));
      bed.gas.revoke = gasUsed;
      await bed.chain.increaseTime(1);

      expect(events).toEqual([{ name: 'ConsentRevoked', args: { patient: handle, grantee } }]);
      expect(await mayReadAt(before, handle, grantee)).toBe(true);
      expect(await mayReadAt(blockNumber, handle, grantee)).toBe(false);
      expect(await bed.relayer.blockNumber()).toBeGreaterThan(blockNumber);
      expect(await mayRead(handle, grantee)).toBe(false);
      expect(await consentOf(handle, grantee)).toEqual({ categories: 0n, purposes: 0n, fromDate: 0n, toDate: 0n, expiry: 0n, recordsRoot: ZERO_BYTES32, requestId: 0n });
      expect(await pairNonce(handle, grantee)).toBe(2n);
    });

    it("refuses a revocation signed by the gateway's key", async () => {
      const { handle, signer, grantee } = await granted();

      const error = await revertOf(bed.relayer.send(bed.sut, 'revoke', await revokeArgs(handle, grantee, newKey())));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(error.args[1]).toBe(signer.address);
      expect(await mayRead(handle, grantee)).toBe(true);
    });

    it('refuses a replayed revocation after the consent was granted again', async () => {
      const { handle, signer, grantee } = await granted();
      const first = await revokeArgs(handle, grantee, signer);
      await transact(bed.sut, 'revoke', first);
      await transact(bed.sut, 'grant', await grantArgs(handle, grantee, await terms(), signer));

      const error = await revertOf(bed.relayer.send(bed.sut, 'revoke', first));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(await mayRead(handle, grantee)).toBe(true);
    });

    it('ATTACK: a gateway that withholds a revocation cannot keep the consent alive: another consortium member relays it', async () => {
      // The gateway (bed.relayer) never sends the patient's revocation; the patient's app, seeing
      // no ConsentRevoked, hands the same signed message to another member's account.
      const { handle, signer, grantee } = await granted();
      const withheld = await revokeArgs(handle, grantee, signer);
      const otherMember = bed.chain.client();

      const { receipt, events } = await revokeVia(otherMember, withheld);

      expect(otherMember.address).not.toBe(bed.relayer.address);
      expect(receipt.success).toBe(true);
      expect(events).toEqual([{ name: 'ConsentRevoked', args: { patient: handle, grantee } }]);
      expect(await mayRead(handle, grantee)).toBe(false);
      // The gateway cannot apply it a second time, nor bring the consent back.
      expect((await revertOf(bed.relayer.send(bed.sut, 'revoke', withheld))).errorName).toBe('ConsentManagerInvalidSigner');
    });

    it('cancels a grant the patient signed but nobody relayed yet: the revocation moves the pair nonce on', async () => {
      // The attack: a relayer holds a signed grant back, to apply it once the patient has changed their mind.
      const { handle, signer } = await registered();
      const grantee = await hospital();
      const withheld = await grantArgs(handle, grantee, await terms(), signer);

      const { events } = await transact(bed.sut, 'revoke', await revokeArgs(handle, grantee, signer));
      const error = await revertOf(bed.relayer.send(bed.sut, 'grant', withheld));

      expect(events).toEqual([{ name: 'ConsentRevoked', args: { patient: handle, grantee } }]);
      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(await mayRead(handle, grantee)).toBe(false);
      expect(await pairNonce(handle, grantee)).toBe(1n);
    });

    it('revokes again harmlessly: an already revoked consent stays revoked, and the old revocation cannot be replayed', async () => {
      const { handle, signer, grantee } = await granted();
      const first = await revokeArgs(handle, grantee, signer);
      await transact(bed.sut, 'revoke', first);

      await transact(bed.sut, 'revoke', await revokeArgs(handle, grantee, signer));
      const replay = await revertOf(bed.relayer.send(bed.sut, 'revoke', first));

      expect(replay.errorName).toBe('ConsentManagerInvalidSigner');
      expect(await mayRead(handle, grantee)).toBe(false);
      expect(await pairNonce(handle, grantee)).toBe(3n);
    });

    it('refuses a revocation whose deadline is more than 30 days ahead: a signature cannot wait for years', async () => {
      const { handle, signer, grantee } = await granted();
      const latest = BigInt(await chainTime()) + 30n * 86_400n;
      const until = latest + 3600n;

      const error = await revertOf(bed.relayer.send(bed.sut, 'revoke', await revokeArgs(handle, grantee, signer, { until })));

      expect(error.errorName).toBe('ConsentManagerDeadlineTooFar');
      expect(error.args[0]).toBe(until);
      expect(await mayRead(handle, grantee)).toBe(true);
    });

    it('refuses a revocation after its deadline', async () => {
      const { handle, signer, grantee } = await granted();
      const until = BigInt((await chainTime()) - 1);

      const error = await revertOf(bed.relayer.send(bed.sut, 'revoke', await revokeArgs(handle, grantee, signer, { until })));

      expect(error.errorName).toBe('ConsentManagerExpiredSignature');
      expect(error.args).toEqual([until]);
    });
  });
});
