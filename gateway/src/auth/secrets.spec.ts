import { generateApiKey, hashPassword, parseApiKey, sameHex, sha256Hex, verifyPassword } from './secrets';

describe('secrets', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(stored).not.toContain('correct horse');
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapler', stored)).resolves.toBe(false);
  });

  it('salts each hash', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });

  it('issues API keys that parse back into prefix and secret', () => {
    const { key, prefix, secret } = generateApiKey();
    expect(parseApiKey(key)).toEqual({ prefix, secret });
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });

  it.each(['', 'ehr_short_x', `Bearer ${generateApiKey().key}`, generateApiKey().key.replace('ehr_', 'xyz_')])('rejects malformed key %p', (key) => {
    expect(parseApiKey(key)).toBeNull();
  });

  it('compares hex digests exactly', () => {
    expect(sameHex(sha256Hex('a'), sha256Hex('a'))).toBe(true);
    expect(sameHex(sha256Hex('a'), sha256Hex('b'))).toBe(false);
    expect(sameHex(sha256Hex('a'), sha256Hex('a').slice(2))).toBe(false);
  });
});
