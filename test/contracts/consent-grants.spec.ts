import { newKey, randomAddress, ZERO_ADDRESS } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { asUints, bits, Category, CONSENT_TYPES, consentHelpers, FROM_DATE, Purpose, Terms, TO_DATE } from './support/consent';
import { consentManagerTestbed } from './support/consent-manager';
import { patientHelpers } from './support/patients';

/** The target for one consent grant, transaction included (a published design costs ~78,000). */
const GRANT_GAS_TARGET = 60_000;

describe('ConsentManager grants (contract)', () => {
  const bed = consentManagerTestbed('ConsentManager grants');
  const { transact, view, deadline, chainTime } = bed;
  const { patient, hospital, terms, grantArgs, revokeArgs, pairNonce, consentOf, mayRead, granted } = consentHelpers(bed);
  const { rotationArgs } = patientHelpers(bed);

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  describe('grant', () => {
    it('stores the patient-signed consent, emits ConsentGranted and lets the grantee read in scope', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const scope = await terms();

      const { events, gasUsed } = await transact(bed.sut, 'grant', await grantArgs(handle, grantee, scope, signer));
      bed.gas.grantFirst = gasUsed;

      expect(events).toEqual([{ name: 'ConsentGranted', args: { patient: handle, grantee, ...asUints(scope) } }]);
      expect(await consentOf(handle, grantee)).toEqual({ ...asUints(scope), requestId: 0n });
      expect(await pairNonce(handle, grantee)).toBe(1n);
      expect(await mayRead(handle, grantee)).toBe(true);
      expect(gasUsed).toBeLessThanOrEqual(GRANT_GAS_TARGET);
    });

    it('replaces the consent with a newer grant to the same grantee', async () => {
      const { handle, signer, grantee } = await granted();
      const narrower = await terms({ categories: bits(Category.DiagnosticReport), purposes: bits(Purpose.CAREMGT, Purpose.PUBHLTH) });

      const { gasUsed } = await transact(bed.sut, 'grant', await grantArgs(handle, grantee, narrower, signer));
      bed.gas.grantUpdate = gasUsed;

      expect(await consentOf(handle, grantee)).toEqual({ ...asUints(narrower), requestId: 0n });
      expect(await mayRead(handle, grantee, { category: Category.Prescription })).toBe(false);
      expect(await mayRead(handle, grantee, { category: Category.DiagnosticReport, purpose: Purpose.PUBHLTH })).toBe(true);
      expect(gasUsed).toBeLessThanOrEqual(GRANT_GAS_TARGET);
    });

    it("refuses a grant signed by the gateway's own key: the relayer cannot forge consent", async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();

      const error = await revertOf(bed.relayer.send(bed.sut, 'grant', await grantArgs(handle, grantee, await terms(), bed.gatewayKey)));

      expect(bed.relayer.address).toBe(bed.gatewayKey.address);
      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(error.args).toEqual([bed.gatewayKey.address, signer.address]);
      expect(await mayRead(handle, grantee)).toBe(false);
    });

    it('refuses a signed grant whose terms, grantee or patient the relayer changed', async () => {
      const { handle, signer } = await patient();
      const other = await patient();
      const grantee = await hospital();
      const [, , scope, until, signature] = await grantArgs(handle, grantee, await terms(), signer);
      const widened = { ...(scope as Terms), categories: 0x7f };

      const attempts = [
        [handle, grantee, widened, until, signature],
        [handle, await hospital(), scope, until, signature],
        [other.handle, grantee, scope, until, signature],
      ];
      for (const args of attempts) {
        const error = await revertOf(bed.relayer.send(bed.sut, 'grant', args));
        expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      }
      expect(await mayRead(handle, grantee)).toBe(false);
    });

    it('refuses a replayed grant: a revoked consent cannot be brought back with its old signature', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const args = await grantArgs(handle, grantee, await terms(), signer);
      await transact(bed.sut, 'grant', args);
      await transact(bed.sut, 'revoke', await revokeArgs(handle, grantee, signer));

      const error = await revertOf(bed.relayer.send(bed.sut, 'grant', args));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(error.args[1]).toBe(signer.address);
      expect(await mayRead(handle, grantee)).toBe(false);
    });

    it("refuses a grant signed with the patient's previous key after a rotation", async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const stale = await grantArgs(handle, grantee, await terms(), signer);
      const next = newKey();
      await transact(bed.sut, 'rotateSigner', await rotationArgs(handle, signer, next));

      const error = await revertOf(bed.relayer.send(bed.sut, 'grant', stale));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
      expect(error.args).toEqual([signer.address, next.address]);
    });

    it('refuses a truncated signature and the malleable (high-s) twin of a valid one', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const [, , scope, until, signature] = await grantArgs(handle, grantee, await terms(), signer);
      const hex = (signature as string).slice(2);
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const highS = (n - BigInt(`0x${hex.slice(64, 128)}`)).toString(16).padStart(64, '0');
      const flippedV = hex.slice(128) === '1b' ? '1c' : '1b';

      const short = await revertOf(bed.relayer.send(bed.sut, 'grant', [handle, grantee, scope, until, `0x${hex.slice(0, 128)}`]));
      const twin = await revertOf(bed.relayer.send(bed.sut, 'grant', [handle, grantee, scope, until, `0x${hex.slice(0, 64)}${highS}${flippedV}`]));

      expect([short.errorName, short.args]).toEqual(['ECDSAInvalidSignatureLength', [64n]]);
      expect([twin.errorName, twin.args]).toEqual(['ECDSAInvalidSignatureS', [`0x${highS}`]]);
      expect(await mayRead(handle, grantee)).toBe(false);
    });

    it('refuses a grant after its deadline', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const until = BigInt((await chainTime()) - 1);

      const error = await revertOf(bed.relayer.send(bed.sut, 'grant', await grantArgs(handle, grantee, await terms(), signer, { until })));

      expect(error.errorName).toBe('ConsentManagerExpiredSignature');
      expect(error.args).toEqual([until]);
    });

    it('refuses a grant for a handle that is not registered', async () => {
      const handle = randomBytes32();
      const grantee = await hospital();

      const error = await revertOf(bed.relayer.send(bed.sut, 'grant', await grantArgs(handle, grantee, await terms(), newKey())));

      expect(error.errorName).toBe('ConsentManagerUnknownPatient');
      expect(error.args).toEqual([handle]);
    });

    it.each([
      ['no category', { categories: 0 }, 'ConsentManagerInvalidCategories', [0n]],
      ['a category bit beyond WellnessRecord', { categories: 0x80 | 1 }, 'ConsentManagerInvalidCategories', [0x81n]],
      ['no purpose', { purposes: 0 }, 'ConsentManagerInvalidPurposes', [0n]],
      ['a purpose bit beyond PATRQT', { purposes: 0x40 }, 'ConsentManagerInvalidPurposes', [0x40n]],
      ['a date range ending before it starts', { fromDate: TO_DATE, toDate: FROM_DATE }, 'ConsentManagerInvalidDateRange', [BigInt(TO_DATE), BigInt(FROM_DATE)]],
      ['an expiry in the past', { expiry: 1_000 }, 'ConsentManagerInvalidExpiry', [1_000n]],
    ])('refuses a grant with %s', async (_case, overrides: Partial<Terms>, errorName, args) => {
      const { handle, signer } = await patient();
      const grantee = await hospital();

      const error = await revertOf(bed.relayer.send(bed.sut, 'grant', await grantArgs(handle, grantee, await terms(overrides), signer)));

      expect(error.errorName).toBe(errorName);
      expect(error.args).toEqual(args);
    });

    it('refuses a grant to the zero address', async () => {
      const { handle, signer } = await patient();

      const error = await revertOf(bed.relayer.send(bed.sut, 'grant', await grantArgs(handle, ZERO_ADDRESS, await terms(), signer)));

      expect(error.errorName).toBe('ConsentManagerInvalidGrantee');
      expect(error.args).toEqual([ZERO_ADDRESS]);
    });
  });

  describe('views', () => {
    it('names the directory it consults and publishes its EIP-712 domain', async () => {
      const [, name, version, chainId, verifyingContract] = await view('eip712Domain', []);

      expect(await view('directory', [])).toEqual([bed.directory.address]);
      expect({ name, version, chainId, verifyingContract }).toEqual({ ...bed.domain, chainId: BigInt(bed.domain.chainId) });
    });

    it('refuses a grant signed under another domain (another deployment or chain)', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const scope = await terms();
      const until = await deadline();
      const elsewhere = { ...bed.domain, verifyingContract: randomAddress() };
      const message = { patient: handle, grantee, ...scope, nonce: 0n, deadline: until };
      const signature = bed.sign('ConsentGrant', CONSENT_TYPES.ConsentGrant, signer, message, elsewhere);

      const error = await revertOf(bed.relayer.send(bed.sut, 'grant', [handle, grantee, scope, until, signature]));

      expect(error.errorName).toBe('ConsentManagerInvalidSigner');
    });
  });
});
