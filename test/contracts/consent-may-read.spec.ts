import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { ZERO_BYTES32 } from './support/accounts';
import { randomBytes32 } from './support/chain';
import { Category, consentHelpers, FROM_DATE, Purpose, TO_DATE } from './support/consent';
import { consentManagerTestbed } from './support/consent-manager';
import { HOUR } from './support/rpc';

describe('ConsentManager mayRead (contract)', () => {
  const bed = consentManagerTestbed('ConsentManager mayRead');
  const { transact, view, chainTime } = bed;
  const { patient, hospital, terms, grantArgs, consentOf, mayRead, granted } = consentHelpers(bed);

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  describe('records root', () => {
    const ids = [randomBytes32(), randomBytes32(), randomBytes32()];
    const tree = StandardMerkleTree.of(
      ids.map((id) => [id]),
      ['bytes32'],
    );

    it('limits the consent to the record ids under the root, proven with StandardMerkleTree proofs', async () => {
      const { handle, signer } = await patient();
      const grantee = await hospital();
      const scope = await terms({ recordsRoot: tree.root });

      const { gasUsed } = await transact(bed.sut, 'grant', await grantArgs(handle, grantee, scope, signer));
      bed.gas.grantWithRoot = gasUsed;

      expect((await consentOf(handle, grantee)).recordsRoot).toBe(tree.root);
      for (const [index, id] of ids.entries()) {
        expect(await mayRead(handle, grantee, { recordId: id, proof: tree.getProof(index) })).toBe(true);
      }
      const outside = randomBytes32();
      expect(await mayRead(handle, grantee, { recordId: outside, proof: tree.getProof(0) })).toBe(false);
      expect(await mayRead(handle, grantee, { recordId: ids[0], proof: tree.getProof(1) })).toBe(false);
      expect(await mayRead(handle, grantee, { recordId: ids[0], proof: [] })).toBe(false);
    });

    it('computes the leaf exactly as StandardMerkleTree does', async () => {
      expect(await view('recordLeaf', [ids[1]])).toEqual([tree.leafHash([ids[1]])]);
    });

    it('drops the record-id restriction when a newer grant has no root', async () => {
      const { handle, signer, grantee } = await granted({ recordsRoot: tree.root });

      await transact(bed.sut, 'grant', await grantArgs(handle, grantee, await terms(), signer));

      expect((await consentOf(handle, grantee)).recordsRoot).toBe(ZERO_BYTES32);
      expect(await mayRead(handle, grantee, { recordId: randomBytes32() })).toBe(true);
    });
  });

  describe('mayRead', () => {
    it('refuses a category outside the consent', async () => {
      const { handle, grantee } = await granted();

      expect(await mayRead(handle, grantee, { category: Category.DiagnosticReport })).toBe(true);
      expect(await mayRead(handle, grantee, { category: Category.DischargeSummary })).toBe(false);
      expect(await mayRead(handle, grantee, { category: 7 })).toBe(false);
      expect(await mayRead(handle, grantee, { category: 255 })).toBe(false);
    });

    it('refuses a purpose the consent does not allow', async () => {
      const { handle, grantee } = await granted();

      expect(await mayRead(handle, grantee, { purpose: Purpose.DSRCH })).toBe(false);
      expect(await mayRead(handle, grantee, { purpose: 6 })).toBe(false);
    });

    it('covers records dated within [fromDate, toDate] only', async () => {
      const { handle, grantee } = await granted();

      expect(await mayRead(handle, grantee, { recordDate: FROM_DATE })).toBe(true);
      expect(await mayRead(handle, grantee, { recordDate: TO_DATE })).toBe(true);
      expect(await mayRead(handle, grantee, { recordDate: FROM_DATE - 1 })).toBe(false);
      expect(await mayRead(handle, grantee, { recordDate: TO_DATE + 1 })).toBe(false);
    });

    it('refuses once the consent has expired', async () => {
      const expiry = (await chainTime()) + 2 * HOUR;
      const { handle, grantee } = await granted({ expiry });
      expect(await mayRead(handle, grantee)).toBe(true);

      await bed.chain.increaseTime(2 * HOUR);

      expect(await chainTime()).toBeGreaterThanOrEqual(expiry);
      expect(await mayRead(handle, grantee)).toBe(false);
    });

    it('refuses a grantee the directory no longer counts as an active member, and allows it again when it is', async () => {
      const { handle, grantee } = await granted();

      await transact(bed.directory, 'setActiveHospital', [grantee, false]);
      const whileSuspended = await mayRead(handle, grantee);
      await transact(bed.directory, 'setActiveHospital', [grantee, true]);

      expect(whileSuspended).toBe(false);
      expect(await mayRead(handle, grantee)).toBe(true);
    });

    it('refuses anyone without a consent', async () => {
      const { handle } = await granted();

      expect(await mayRead(handle, await hospital())).toBe(false);
    });
  });
});
