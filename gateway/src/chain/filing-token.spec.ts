import { randomBytes } from 'node:crypto';
import { eth } from 'web3';
import { checkFilingToken, filingTokenHandle, FILING_TOKEN_MAX_SECONDS, makeFilingToken } from './filing-token';
import { deriveRelationship } from './relationships';

const scope = { chainId: 202611, consentManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3' };
const hospital = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const otherHospital = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const now = 1_800_000_000;

describe('filing tokens (the pseudonym token a patient shows a hospital)', () => {
  const secret = randomBytes(32);
  const relationship = deriveRelationship(secret, scope, hospital);
  const token = makeFilingToken(relationship, scope, hospital, now + 86_400);

  it("names the patient's handle for this hospital, the hospital and the expiry, signed by the relationship's key", () => {
    const checked = checkFilingToken(token, scope, now, null);
    expect(checked).toEqual({ ok: true, permit: { patient: relationship.handle, hospital, expiresAt: now + 86_400 }, signer: relationship.signer, salt: relationship.salt });
    expect(filingTokenHandle(token)).toBe(relationship.handle);
    // Two hospitals get two unrelated handles from one patient.
    const other = makeFilingToken(deriveRelationship(secret, scope, otherHospital), scope, otherHospital, now + 86_400);
    expect(filingTokenHandle(other)).not.toBe(relationship.handle);
  });

  it('ATTACK: a hospital that changes the handle, the hospital or the expiry, or signs with its own key, is refused', () => {
    const fields = JSON.parse(Buffer.from(token.slice('ehrft1.'.length), 'base64url').toString()) as Record<string, unknown>;
    const forge = (changes: Record<string, unknown>) => `ehrft1.${Buffer.from(JSON.stringify({ ...fields, ...changes })).toString('base64url')}`;
    const stranger = deriveRelationship(randomBytes(32), scope, hospital);
    expect(checkFilingToken(forge({ hospital: otherHospital }), scope, now, null)).toEqual({ ok: false, problem: 'FILING_TOKEN_SIGNATURE' });
    expect(checkFilingToken(forge({ expiresAt: now + 2 * 86_400 }), scope, now, null)).toEqual({ ok: false, problem: 'FILING_TOKEN_SIGNATURE' });
    expect(checkFilingToken(forge({ patient: stranger.handle }), scope, now, null)).toEqual({ ok: false, problem: 'FILING_TOKEN_SIGNATURE' });
    // Its own key and a salt of its own making cannot produce this patient's handle.
    const own = makeFilingToken(stranger, scope, hospital, now + 86_400);
    const ownFields = JSON.parse(Buffer.from(own.slice(7), 'base64url').toString()) as Record<string, unknown>;
    expect(checkFilingToken(forge({ signature: ownFields.signature, salt: ownFields.salt }), scope, now, null)).toEqual({ ok: false, problem: 'FILING_TOKEN_SIGNATURE' });
    // Another deployment (chain or ConsentManager) does not accept it.
    expect(checkFilingToken(token, { ...scope, chainId: 1 }, now, null).ok).toBe(false);
  });

  it('follows the chain once the handle is registered: the signer on chain, after a rotation the new key', () => {
    expect(checkFilingToken(token, scope, now, relationship.signer).ok).toBe(true);
    const rotatedTo = eth.accounts.create();
    expect(checkFilingToken(token, scope, now, rotatedTo.address)).toEqual({ ok: false, problem: 'FILING_TOKEN_SIGNATURE' });
    const byNewKey = makeFilingToken({ ...relationship, privateKey: rotatedTo.privateKey, signer: rotatedTo.address }, scope, hospital, now + 86_400);
    expect(checkFilingToken(byNewKey, scope, now, rotatedTo.address).ok).toBe(true);
  });

  it('refuses an expired token, one that lives longer than 30 days, and anything malformed', () => {
    expect(checkFilingToken(token, scope, now + 86_401, null)).toEqual({ ok: false, problem: 'FILING_TOKEN_EXPIRED' });
    expect(checkFilingToken(makeFilingToken(relationship, scope, hospital, now + FILING_TOKEN_MAX_SECONDS + 1), scope, now, null)).toEqual({ ok: false, problem: 'FILING_TOKEN_TOO_LONG' });
    for (const bad of ['', 'ehrft1.', 'ehrft1.bm90IGpzb24', token.slice(1), `ehrft1.${Buffer.from('{"patient":"0x1"}').toString('base64url')}`, 'x'.repeat(2000)]) {
      expect(checkFilingToken(bad, scope, now, null)).toEqual({ ok: false, problem: 'FILING_TOKEN_MALFORMED' });
    }
  });
});
