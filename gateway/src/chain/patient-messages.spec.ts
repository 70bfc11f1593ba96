import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { randomBytes, randomUUID } from 'node:crypto';
import { consentLinkSigner, signConsentLink } from './consent-link';
import { recoverTypedDataSigner } from './eip712';
import { NO_RECORDS_ROOT, patientMessageTypedData, recordsRoot, recordsTree, signRecoveryVeto, signRelationshipGrant, signRevocation } from './patient-messages';
import { recordIdOnChain } from './record-id';
import { deriveRelationship } from './relationships';

const scope = { chainId: 202611, consentManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3' };
const salt = () => `0x${randomBytes(32).toString('hex')}`;
const relationship = deriveRelationship(new Uint8Array(randomBytes(32)), scope, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
const terms = { categories: 1, purposes: 1, fromDate: 0, toDate: 1, expiry: 2_000_000_000, recordsRoot: NO_RECORDS_ROOT };

describe('patient messages', () => {
  it("are signed by the relationship's key over every field the contract checks", () => {
    const grant = signRelationshipGrant(relationship, scope, '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', terms, 1_900_000_000);
    expect(recoverTypedDataSigner(patientMessageTypedData(scope, grant), grant.signature)).toBe(relationship.signer);
    // Another grantee, wider terms or another nonce is another message: the signature no longer recovers the key.
    for (const altered of [{ ...grant, grantee: '0x90F79bf6EB2c4f870365E785982E1f101E93b906' }, { ...grant, terms: { ...terms, purposes: 0x3f } }]) {
      expect(recoverTypedDataSigner(patientMessageTypedData(scope, altered), grant.signature)).not.toBe(relationship.signer);
    }
    const revocation = signRevocation(relationship, scope, grant.grantee, 3, 1_900_000_000);
    expect(recoverTypedDataSigner(patientMessageTypedData(scope, { ...revocation, nonce: 4 }), revocation.signature)).not.toBe(relationship.signer);
    // A veto names the recovery it stops: it does not stop another number, or one to another key.
    const veto = signRecoveryVeto(relationship, scope, { newSigner: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', recovery: 2 }, 5, 1_900_000_000);
    expect(recoverTypedDataSigner(patientMessageTypedData(scope, veto), veto.signature)).toBe(relationship.signer);
    for (const altered of [{ ...veto, recovery: 3 }, { ...veto, newSigner: grant.grantee }, { ...veto, nonce: 6 }]) {
      expect(recoverTypedDataSigner(patientMessageTypedData(scope, altered), veto.signature)).not.toBe(relationship.signer);
    }
  });

  it('make records roots that prove their records, and differ for the same records under another salt', () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const first = salt();
    const tree = recordsTree(ids, first);
    const proof = tree.getProof([recordIdOnChain(ids[1]!)]);
    expect(StandardMerkleTree.verify(recordsRoot(ids, first), ['bytes32'], [recordIdOnChain(ids[1]!)], proof)).toBe(true);
    // Someone who knows the ids (the filing hospital) cannot compute the root; two consents over them do not share it.
    expect(recordsRoot(ids, salt())).not.toBe(recordsRoot(ids, first));
    expect(() => recordsRoot([], first)).toThrow('at least one record');
  });

  it('link a consent to records by a signature that names the records, the relationship and the grantee', () => {
    const records = salt();
    const link = signConsentLink(relationship, scope, records, '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC');
    expect(consentLinkSigner(scope, { relationship: relationship.handle, records, grantee: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' }, link)).toBe(relationship.signer);
    expect(consentLinkSigner(scope, { relationship: relationship.handle, records: salt(), grantee: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' }, link)).not.toBe(relationship.signer);
    expect(consentLinkSigner(scope, { relationship: relationship.handle, records, grantee: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' }, '0x1234')).toBeNull();
  });
});
