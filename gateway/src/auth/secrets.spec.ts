import { generateApiKey, parseApiKey, sameHex, sha256Hex } from './secrets';

describe('secrets', () => {
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
