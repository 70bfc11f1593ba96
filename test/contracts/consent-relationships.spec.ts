import { randomBytes } from 'node:crypto';
import { deriveRelationship, Relationship } from '../../gateway/src/chain/relationships';
import { CONSENT_MANAGER_TYPES } from '../../gateway/src/chain/typed-messages';
import { Key, newKey } from './support/accounts';
import { randomBytes32, revertOf } from './support/chain';
import { asUints, consentHelpers, Terms } from './support/consent';
import { consentManagerTestbed } from './support/consent-manager';
import { patientHelpers } from './support/patients';

/** The ceiling for a first grant that also registers the relationship's handle, transaction included. */
const RELATIONSHIP_GRANT_GAS_LIMIT = 90_000;

describe('ConsentManager relationships: registerAndGrant (contract)', () => {
  const bed = consentManagerTestbed('ConsentManager relationships');
  const { transact } = bed;
  const { hospital, terms, grantArgs, revokeArgs, pairNonce, consentOf, mayRead } = consentHelpers(bed);
  const { registrationArgs, signerOf } = patientHelpers(bed);

  beforeAll(() => bed.start());
  afterAll(() => bed.stop());

  /** A patient's secret, as their software keeps it. */
  const patientSecret = (): Buffer => randomBytes(32);
  const relationshipWith = (secret: Uint8Array, grantee: string): Relationship =>
    deriveRelationship(secret, { chainId: bed.domain.chainId, consentManager: bed.domain.verifyingContract }, grantee);
  const keyOf = (relationship: Relationship): Key => ({ key: relationship.privateKey, address: relationship.signer });

  /** Arguments of `registerAndGrant` opening `relationship` with `grantee`, signed by `signedBy` (the relationship's key). */
  async function openingArgs(relationship: Relationship, grantee: string, scope: Terms, signedBy: Key = keyOf(relationship)) {
    const until = await bed.deadline();
    const { handle, signer, salt } = relationship;
    const message = { patient: handle, signer, grantee, ...scope, deadline: until };
    const signature = bed.sign('RelationshipGrant', CONSENT_MANAGER_TYPES.RelationshipGrant, signedBy, message);
    return [handle, signer, grantee, scope, salt, until, signature];
  }

  it('registers the handle and grants the first consent in one transaction, within 90,000 gas', async () => {
    const grantee = await hospital();
    const relationship = relationshipWith(patientSecret(), grantee);
    const scope = await terms();

    const { events, gasUsed } = await transact(bed.sut, 'registerAndGrant', await openingArgs(relationship, grantee, scope));
    bed.gas.registerAndGrant = gasUsed;

    expect(events).toEqual([
      { name: 'HandleRegistered', args: { handle: relationship.handle, signer: relationship.signer } },
      { name: 'ConsentGranted', args: { patient: relationship.handle, grantee, ...asUints(scope) } },
    ]);
    expect(await signerOf(relationship.handle)).toBe(relationship.signer);
    expect(await consentOf(relationship.handle, grantee)).toEqual({ ...asUints(scope), requestId: 0n });
    expect(await mayRead(relationship.handle, grantee)).toBe(true);
    expect(gasUsed).toBeLessThanOrEqual(RELATIONSHIP_GRANT_GAS_LIMIT);
  });

  it('leaves the relationship like any other handle: later grants and revocations use its key at the next nonces', async () => {
    const grantee = await hospital();
    const relationship = relationshipWith(patientSecret(), grantee);
    await transact(bed.sut, 'registerAndGrant', await openingArgs(relationship, grantee, await terms()));
    const key = keyOf(relationship);

    expect(await pairNonce(relationship.handle, grantee)).toBe(1n);
    const wider = await terms({ categories: 0x7f });
    await transact(bed.sut, 'grant', await grantArgs(relationship.handle, grantee, wider, key));
    expect((await consentOf(relationship.handle, grantee)).categories).toBe(0x7fn);
    await transact(bed.sut, 'revoke', await revokeArgs(relationship.handle, grantee, key));
    expect(await mayRead(relationship.handle, grantee)).toBe(false);
  });

  it('derives one relationship per grantee: the same secret gives the same handle again, another grantee another handle and key', async () => {
    const secret = patientSecret();
    const [first, second] = [await hospital(), await hospital()];

    const again = relationshipWith(secret, first);
    expect(relationshipWith(secret, first)).toEqual(again);
    const other = relationshipWith(secret, second);
    expect(other.handle).not.toBe(again.handle);
    expect(other.signer).not.toBe(again.signer);
    expect(other.salt).not.toBe(again.salt);
    expect(relationshipWith(patientSecret(), first).handle).not.toBe(again.handle);
  });

  it('ATTACK: a relayer that changes the grantee, the terms, the signer or the handle of an opening gets a revert and changes nothing', async () => {
    const grantee = await hospital();
    const relationship = relationshipWith(patientSecret(), grantee);
    const args = await openingArgs(relationship, grantee, await terms());
    const [handle, signer, , scope, salt, until, signature] = args;
    const thief = newKey();
    const otherSalt = randomBytes32();

    const attempts: Array<{ args: unknown[]; error: string }> = [
      { args: [handle, signer, await hospital(), scope, salt, until, signature], error: 'ConsentManagerInvalidSigner' },
      { args: [handle, signer, grantee, { ...(scope as Terms), categories: 0x7f }, salt, until, signature], error: 'ConsentManagerInvalidSigner' },
      { args: [handle, signer, grantee, { ...(scope as Terms), expiry: (scope as Terms).expiry + 86_400 }, salt, until, signature], error: 'ConsentManagerInvalidSigner' },
      // The thief's own key under the patient's handle: the handle commits to the patient's signer.
      { args: [handle, thief.address, grantee, scope, salt, until, signature], error: 'PatientRegistryHandleMismatch' },
      // A handle of the thief's own, with the patient's signature: signed for another handle.
      { args: [relationshipWith(patientSecret(), grantee).handle, signer, grantee, scope, otherSalt, until, signature], error: 'PatientRegistryHandleMismatch' },
    ];
    for (const attempt of attempts) {
      expect((await revertOf(bed.relayer.send(bed.sut, 'registerAndGrant', attempt.args))).errorName).toBe(attempt.error);
    }
    expect(await signerOf(relationship.handle)).toMatch(/^0x0{40}$/);
    expect(await mayRead(relationship.handle, grantee)).toBe(false);
  });

  it('ATTACK: a squatter who saw the opening before it was mined cannot capture the handle with a key of its own', async () => {
    const grantee = await hospital();
    const relationship = relationshipWith(patientSecret(), grantee);
    const opening = await openingArgs(relationship, grantee, await terms());
    const squatter = newKey();

    // The squatter's own opening for the patient's handle, signed with its key and the seen salt.
    const squat = await openingArgs({ ...relationship, signer: squatter.address, privateKey: squatter.key }, grantee, await terms({ categories: 0x7f }));
    expect((await revertOf(bed.relayer.send(bed.sut, 'registerAndGrant', squat))).errorName).toBe('PatientRegistryHandleMismatch');
    const register = await registrationArgs(relationship.salt, squatter, { handle: relationship.handle });
    expect((await revertOf(bed.relayer.send(bed.sut, 'register', register))).errorName).toBe('PatientRegistryHandleMismatch');

    await transact(bed.sut, 'registerAndGrant', opening);
    expect(await signerOf(relationship.handle)).toBe(relationship.signer);
  });

  it('ATTACK: an opening cannot be replayed, nor reopen a handle already registered (its consent nonce would restart at 0)', async () => {
    const grantee = await hospital();
    const relationship = relationshipWith(patientSecret(), grantee);
    const opening = await openingArgs(relationship, grantee, await terms());
    await transact(bed.sut, 'registerAndGrant', opening);
    await transact(bed.sut, 'revoke', await revokeArgs(relationship.handle, grantee, keyOf(relationship)));

    const error = await revertOf(bed.relayer.send(bed.sut, 'registerAndGrant', opening));

    expect(error.errorName).toBe('PatientRegistryAlreadyRegistered');
    expect(await mayRead(relationship.handle, grantee)).toBe(false);

    const registeredFirst = relationshipWith(patientSecret(), grantee);
    await transact(bed.sut, 'register', await registrationArgs(registeredFirst.salt, keyOf(registeredFirst)));
    const late = await openingArgs(registeredFirst, grantee, await terms());
    expect((await revertOf(bed.relayer.send(bed.sut, 'registerAndGrant', late))).errorName).toBe('PatientRegistryAlreadyRegistered');
  });

  it('refuses an opening for the zero grantee, with invalid terms or past its deadline', async () => {
    const grantee = await hospital();
    const relationship = relationshipWith(patientSecret(), grantee);
    const zero = await openingArgs(relationship, '0x0000000000000000000000000000000000000000', await terms());
    const empty = await openingArgs(relationship, grantee, await terms({ categories: 0 }));
    const [handle, signer, , scope, salt] = await openingArgs(relationship, grantee, await terms());
    const pastDeadline = await bed.deadline(-1);
    const message = { patient: handle, signer, grantee, ...(scope as Terms), deadline: pastDeadline };
    const expired = [handle, signer, grantee, scope, salt, pastDeadline, bed.sign('RelationshipGrant', CONSENT_MANAGER_TYPES.RelationshipGrant, keyOf(relationship), message)];

    expect((await revertOf(bed.relayer.send(bed.sut, 'registerAndGrant', zero))).errorName).toBe('ConsentManagerInvalidGrantee');
    expect((await revertOf(bed.relayer.send(bed.sut, 'registerAndGrant', empty))).errorName).toBe('ConsentManagerInvalidCategories');
    expect((await revertOf(bed.relayer.send(bed.sut, 'registerAndGrant', expired))).errorName).toBe('ConsentManagerExpiredSignature');
    expect(await signerOf(relationship.handle)).toMatch(/^0x0{40}$/);
  });
});
