import { newKey, ZERO_ADDRESS } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { asUints, bits, Category, consentHelpers, consentRequestHelpers, Status } from './support/consent';
import { consentManagerTestbed } from './support/consent-manager';
import { PHARMACIST } from './support/consortium';
import { HOUR } from './support/rpc';

describe('ConsentManager requests (contract)', () => {
  const bed = consentManagerTestbed('ConsentManager requests');
  const { transact, view, chainTime } = bed;
  const { patient, hospital, doctor, terms, grantArgs, revokeArgs, consentOf, mayRead } = consentHelpers(bed);
  const { requestArgs, request, approvalArgs, denialArgs, status } = consentRequestHelpers(bed);

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  describe('requestConsent', () => {
    it("files an active doctor's signed request as REQUESTED and emits ConsentRequested", async () => {
      const { handle } = await patient();
      const dr = await doctor();
      const scope = await terms();

      const { events, gasUsed } = await transact(bed.sut, 'requestConsent', await requestArgs(handle, dr, scope));
      bed.gas.requestConsent = gasUsed;

      const requestId = events[0].args.requestId as bigint;
      const { recordsRoot: _none, ...requested } = asUints(scope);
      expect(events).toEqual([{ name: 'ConsentRequested', args: { requestId, patient: handle, doctor: dr.address, ...requested } }]);
      expect(requestId).toBeGreaterThan(0n);
      expect(await status(requestId)).toBe(BigInt(Status.Requested));
      expect(await view('requestOf', [requestId])).toEqual([handle, dr.address, BigInt(scope.expiry)]);
      expect(await view('nonces', [dr.address])).toEqual([1n]);
    });

    it('numbers requests one after another', async () => {
      const { handle } = await patient();
      const dr = await doctor();

      const first = await request(handle, dr);
      const { events, gasUsed } = await transact(bed.sut, 'requestConsent', await requestArgs(handle, dr, await terms()));
      bed.gas.requestConsentAgain = gasUsed;

      expect(events[0].args.requestId).toBe(first + 1n);
    });

    it('refuses a request from a pharmacist or a deactivated doctor', async () => {
      const { handle } = await patient();
      const pharmacist = newKey();
      await transact(bed.directory, 'setPractitioner', [pharmacist.address, await hospital(), PHARMACIST]);
      const former = await doctor();
      await transact(bed.directory, 'setPractitioner', [former.address, ZERO_ADDRESS, 0]);

      for (const requester of [pharmacist, former]) {
        const error = await revertOf(bed.relayer.send(bed.sut, 'requestConsent', await requestArgs(handle, requester, await terms())));
        expect([error.errorName, error.args]).toEqual(['ConsentManagerNotDoctor', [requester.address]]);
      }
    });

    it("refuses a request the doctor did not sign (e.g. signed with the gateway's key)", async () => {
      const { handle } = await patient();
      const dr = await doctor();
      const gateway = newKey();

      const error = await revertOf(bed.relayer.send(bed.sut, 'requestConsent', await requestArgs(handle, dr, await terms(), { signer: gateway })));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(error.args).toEqual([gateway.address, dr.address]);
    });

    it('refuses a replayed request: the doctor nonce is used', async () => {
      const { handle } = await patient();
      const dr = await doctor();
      const args = await requestArgs(handle, dr, await terms());
      await transact(bed.sut, 'requestConsent', args);

      const error = await revertOf(bed.relayer.send(bed.sut, 'requestConsent', args));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(error.args[1]).toBe(dr.address);
    });

    it('refuses a request for an unknown patient, after its deadline, or with an invalid scope', async () => {
      const { handle } = await patient();
      const dr = await doctor();
      const unknown = randomBytes32();
      const past = BigInt((await chainTime()) - 1);

      const missing = await revertOf(bed.relayer.send(bed.sut, 'requestConsent', await requestArgs(unknown, dr, await terms())));
      const late = await revertOf(bed.relayer.send(bed.sut, 'requestConsent', await requestArgs(handle, dr, await terms(), { until: past })));
      const empty = await revertOf(bed.relayer.send(bed.sut, 'requestConsent', await requestArgs(handle, dr, await terms({ categories: 0 }))));

      expect([missing.errorName, missing.args]).toEqual(['ConsentManagerUnknownPatient', [unknown]]);
      expect([late.errorName, late.args]).toEqual(['ConsentManagerExpiredSignature', [past]]);
      expect([empty.errorName, empty.args]).toEqual(['ConsentManagerInvalidCategories', [0n]]);
    });
  });

  describe('grantRequest', () => {
    it('grants the doctor the terms the patient signed, marks the request GRANTED and emits both events', async () => {
      const { handle, signer } = await patient();
      const dr = await doctor();
      const requestId = await request(handle, dr);
      const scope = await terms({ categories: bits(Category.Prescription) });

      const { events, gasUsed } = await transact(bed.sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, scope, signer));
      bed.gas.grantRequest = gasUsed;

      expect(events).toEqual([
        { name: 'ConsentGranted', args: { patient: handle, grantee: dr.address, ...asUints(scope) } },
        { name: 'ConsentRequestGranted', args: { requestId, patient: handle, doctor: dr.address } },
      ]);
      expect(await status(requestId)).toBe(BigInt(Status.Granted));
      expect(await consentOf(handle, dr.address)).toEqual({ ...asUints(scope), requestId });
      expect(await mayRead(handle, dr.address)).toBe(true);
    });

    it("refuses an approval not signed by the patient (e.g. by the gateway's key)", async () => {
      const { handle, signer } = await patient();
      const dr = await doctor();
      const requestId = await request(handle, dr);

      const error = await revertOf(bed.relayer.send(bed.sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, await terms(), newKey())));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(error.args[1]).toBe(signer.address);
      expect(await status(requestId)).toBe(BigInt(Status.Requested));
    });

    it("refuses an approval the relayer redirects to another doctor's request by choosing the request numbers", async () => {
      // The relayer files the requests, so it knows the numbers first: it tells the patient that
      // request n is the trusted doctor's, but filed the other doctor's as n. Both pairs are at
      // nonce 0. The patient signs "approve n, from the trusted doctor", which n's doctor is not.
      const { handle, signer } = await patient();
      const [trusted, other] = [await doctor(), await doctor()];
      const n = await request(handle, other);
      const meant = await request(handle, trusted);

      const error = await revertOf(bed.relayer.send(bed.sut, 'grantRequest', await approvalArgs(n, handle, trusted.address, await terms(), signer)));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(await mayRead(handle, other.address)).toBe(false);
      expect(await status(n)).toBe(BigInt(Status.Requested));
      // The approval of the request that is the trusted doctor's works.
      await transact(bed.sut, 'grantRequest', await approvalArgs(meant, handle, trusted.address, await terms(), signer));
      expect(await mayRead(handle, trusted.address)).toBe(true);
    });

    it('refuses an approval after its deadline', async () => {
      const { handle, signer } = await patient();
      const dr = await doctor();
      const requestId = await request(handle, dr);
      const until = BigInt((await chainTime()) - 1);

      const error = await revertOf(bed.relayer.send(bed.sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, await terms(), signer, { until })));

      expect([error.errorName, error.args]).toEqual(['ConsentManagerExpiredSignature', [until]]);
    });

    it('refuses to approve a request twice, an unknown request, or one that expired unanswered', async () => {
      const { handle, signer } = await patient();
      const dr = await doctor();
      const answered = await request(handle, dr);
      await transact(bed.sut, 'grantRequest', await approvalArgs(answered, handle, dr.address, await terms(), signer));
      const stale = await request(handle, dr, { expiry: (await chainTime()) + HOUR });
      await bed.chain.increaseTime(HOUR);

      const twice = await revertOf(bed.relayer.send(bed.sut, 'grantRequest', await approvalArgs(answered, handle, dr.address, await terms(), signer)));
      const unknown = await revertOf(bed.relayer.send(bed.sut, 'grantRequest', await approvalArgs(10_000n, handle, dr.address, await terms(), signer)));
      const expired = await revertOf(bed.relayer.send(bed.sut, 'grantRequest', await approvalArgs(stale, handle, dr.address, await terms(), signer)));

      expect([twice.errorName, twice.args]).toEqual(['ConsentManagerRequestNotPending', [answered, BigInt(Status.Granted)]]);
      expect([unknown.errorName, unknown.args]).toEqual(['ConsentManagerUnknownRequest', [10_000n]]);
      expect([expired.errorName, expired.args]).toEqual(['ConsentManagerRequestNotPending', [stale, BigInt(Status.Expired)]]);
      expect(await status(stale)).toBe(BigInt(Status.Expired));
    });
  });

  describe('denyRequest', () => {
    it('marks the request DENIED, emits ConsentRequestDenied and leaves an existing consent alone', async () => {
      const { handle, signer } = await patient();
      const dr = await doctor();
      await transact(bed.sut, 'grant', await grantArgs(handle, dr.address, await terms(), signer));
      const requestId = await request(handle, dr, { categories: 0x7f });

      const { events } = await transact(bed.sut, 'denyRequest', await denialArgs(requestId, handle, dr.address, signer));

      expect(events).toEqual([{ name: 'ConsentRequestDenied', args: { requestId, patient: handle, doctor: dr.address } }]);
      expect(await status(requestId)).toBe(BigInt(Status.Denied));
      expect(await mayRead(handle, dr.address)).toBe(true);
    });

    it("refuses a denial the relayer redirects to another doctor's request", async () => {
      const { handle, signer } = await patient();
      const [declined, other] = [await doctor(), await doctor()];
      const n = await request(handle, other);

      const error = await revertOf(bed.relayer.send(bed.sut, 'denyRequest', await denialArgs(n, handle, declined.address, signer)));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(await status(n)).toBe(BigInt(Status.Requested));
    });

    it('refuses a denial not signed by the patient, after its deadline, or of an answered request', async () => {
      const { handle, signer } = await patient();
      const dr = await doctor();
      const requestId = await request(handle, dr);
      const past = BigInt((await chainTime()) - 1);

      const forged = await revertOf(bed.relayer.send(bed.sut, 'denyRequest', await denialArgs(requestId, handle, dr.address, newKey())));
      const late = await revertOf(bed.relayer.send(bed.sut, 'denyRequest', await denialArgs(requestId, handle, dr.address, signer, { until: past })));
      const denial = await denialArgs(requestId, handle, dr.address, signer);
      await transact(bed.sut, 'denyRequest', denial);
      const again = await revertOf(bed.relayer.send(bed.sut, 'denyRequest', denial));

      expect(forged.errorName).toBe('ConsentManagerInvalidSigner');
      expect([late.errorName, late.args]).toEqual(['ConsentManagerExpiredSignature', [past]]);
      expect([again.errorName, again.args]).toEqual(['ConsentManagerRequestNotPending', [requestId, BigInt(Status.Denied)]]);
    });
  });

  describe('requestStatus', () => {
    it('reads REVOKED once the consent the request produced is revoked', async () => {
      const { handle, signer } = await patient();
      const dr = await doctor();
      const requestId = await request(handle, dr);
      await transact(bed.sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, await terms(), signer));

      await transact(bed.sut, 'revoke', await revokeArgs(handle, dr.address, signer));

      expect(await status(requestId)).toBe(BigInt(Status.Revoked));
    });

    it('reads REVOKED once a newer consent to the same doctor replaces it', async () => {
      const { handle, signer } = await patient();
      const dr = await doctor();
      const requestId = await request(handle, dr);
      await transact(bed.sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, await terms(), signer));

      await transact(bed.sut, 'grant', await grantArgs(handle, dr.address, await terms(), signer));

      expect(await status(requestId)).toBe(BigInt(Status.Revoked));
    });

    it('reads EXPIRED once the granted consent has expired', async () => {
      const { handle, signer } = await patient();
      const dr = await doctor();
      const requestId = await request(handle, dr);
      await transact(bed.sut, 'grantRequest', await approvalArgs(requestId, handle, dr.address, await terms({ expiry: (await chainTime()) + HOUR }), signer));
      const before = await status(requestId);

      await bed.chain.increaseTime(HOUR);

      expect(before).toBe(BigInt(Status.Granted));
      expect(await status(requestId)).toBe(BigInt(Status.Expired));
    });

    it('refuses an id that was never issued', async () => {
      for (const method of ['requestStatus', 'requestOf']) {
        const error = await revertOf(view(method, [0n]));
        expect([error.errorName, error.args]).toEqual(['ConsentManagerUnknownRequest', [0n]]);
      }
    });
  });
});
