import { hkdfSync, randomBytes } from 'node:crypto';
import { utils } from 'web3';
import { accessLogRecordId, coarseDeadline, coarseExpiry, deriveGuardianKey, deriveRelationship, textCommitment } from './relationships';

const scope = { chainId: 4_242_424n, consentManager: '0x5FbDB2315678afecb367f032d93F642f64180aa3' };
const grantee = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const randomSalt = (): string => `0x${randomBytes(32).toString('hex')}`;

describe('relationship keys (patient side)', () => {
  it("derives keys as RFC 5869 HKDF-SHA-256 does (node:crypto's), so a patient's keys never change with the code that derives them", () => {
    for (let i = 0; i < 20; i++) {
      const secret = randomBytes(32 + i);
      const info = `relationship|${scope.chainId}|${scope.consentManager.toLowerCase()}|${grantee.toLowerCase()}`;
      const expectedKey = Buffer.from(hkdfSync('sha256', secret, 'EHRChain ledger keys v1', `${info}|key|0`, 32));
      const expectedSalt = Buffer.from(hkdfSync('sha256', secret, 'EHRChain ledger keys v1', `${info}|salt`, 32));
      const sut = deriveRelationship(secret, scope, grantee);
      expect({ key: sut.privateKey, salt: sut.salt }).toEqual({ key: `0x${expectedKey.toString('hex')}`, salt: `0x${expectedSalt.toString('hex')}` });
    }
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => deriveRelationship(randomBytes(16), scope, grantee)).toThrow('at least 32 bytes');
  });

  it('gives another relationship on another chain or ConsentManager: keys never repeat across deployments', () => {
    const secret = randomBytes(32);
    const here = deriveRelationship(secret, scope, grantee);

    expect(deriveRelationship(secret, { ...scope, chainId: 31_337n }, grantee).handle).not.toBe(here.handle);
    expect(deriveRelationship(secret, { ...scope, consentManager: grantee }, grantee).handle).not.toBe(here.handle);
    // Addresses in any letter case name the same grantee.
    expect(deriveRelationship(secret, scope, grantee.toLowerCase())).toEqual(here);
  });

  it("derives a guardian's key per guarded handle from the guardian's own secret", () => {
    const secret = randomBytes(32);
    const [a, b] = [deriveRelationship(randomBytes(32), scope, grantee).handle, deriveRelationship(randomBytes(32), scope, grantee).handle];

    expect(deriveGuardianKey(secret, scope, a)).toEqual(deriveGuardianKey(secret, scope, a));
    expect(deriveGuardianKey(secret, scope, a).address).not.toBe(deriveGuardianKey(secret, scope, b).address);
  });
});

describe(accessLogRecordId.name, () => {
  it('logs one record under unrelated ids for two relationships and for two entries, and the same id for the same salt', () => {
    const recordId = randomSalt();
    const [first, second, salt] = [randomSalt(), randomSalt(), randomSalt()];

    expect(accessLogRecordId(recordId, first, salt)).toBe(accessLogRecordId(recordId, first, salt));
    expect(accessLogRecordId(recordId, first, salt)).not.toBe(accessLogRecordId(recordId, second, salt));
    // Someone who knows the record id and sees the handle in the event cannot test the entry without its salt.
    expect(accessLogRecordId(recordId, first, salt)).not.toBe(accessLogRecordId(recordId, first, randomSalt()));
    expect(accessLogRecordId(recordId, first, salt)).not.toBe(recordId);
  });
});

describe(textCommitment.name, () => {
  // Council registration numbers are short: six digits in this test's registry.
  const councilNumber = '482913';
  const candidates = Array.from({ length: 2_000 }, (_, i) => String(481_500 + i));

  it('ATTACK: trying every likely number finds a bare hash at once, and not the salted commitment', () => {
    const bare = utils.keccak256(utils.utf8ToHex(councilNumber));
    const committed = textCommitment(councilNumber, randomSalt());

    // The attacker without the salt tries each number against each hash, and also with a guessed salt.
    const guessedSalt = randomSalt();
    const found = (target: string): string | undefined =>
      candidates.find((text) => utils.keccak256(utils.utf8ToHex(text)) === target || textCommitment(text, guessedSalt) === target);

    expect(found(bare)).toBe(councilNumber);
    expect(found(committed)).toBeUndefined();
  });

  it('opens to the text with its salt, and to nothing else', () => {
    const salt = randomSalt();
    const committed = textCommitment('chest pain, unresponsive', salt);

    expect(textCommitment('chest pain, unresponsive', salt)).toBe(committed);
    expect(textCommitment('chest pain, responsive', salt)).not.toBe(committed);
    expect(() => textCommitment('x', '0x1234')).toThrow('32 bytes');
  });
});

describe('coarse times', () => {
  it('rounds an expiry up to the end of its UTC day and a deadline up to the hour, never earlier than asked', () => {
    const asked = Date.UTC(2026, 11, 1, 13, 7, 5) / 1000;

    expect(new Date(coarseExpiry(asked) * 1000).toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(new Date(coarseDeadline(asked) * 1000).toISOString()).toBe('2026-12-01T14:00:00.000Z');
    expect(coarseExpiry(Date.UTC(2026, 11, 2) / 1000)).toBe(Date.UTC(2026, 11, 2) / 1000);
  });
});
