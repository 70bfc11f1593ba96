import { encryptWithNonce, GCM_NONCE_BYTES, newAesKey, open, seal } from './aes-gcm';
import { DecryptionError } from './decryption-error';

const hex = (value: string) => Buffer.from(value, 'hex');

// D. McGrew, J. Viega, "The Galois/Counter Mode of Operation (GCM)", the specification
// submitted to NIST for SP 800-38D, Appendix B: the AES-256 test cases with 96-bit IVs.
const GCM_SPEC_CASES = [
  {
    name: 'Test Case 13 (zero key, empty plaintext, no AAD)',
    key: '00'.repeat(32),
    nonce: '00'.repeat(12),
    aad: '',
    plaintext: '',
    ciphertext: '',
    tag: '530f8afbc74536b9a963b4f1c4cb738b',
  },
  {
    name: 'Test Case 14 (zero key, one zero block)',
    key: '00'.repeat(32),
    nonce: '00'.repeat(12),
    aad: '',
    plaintext: '00'.repeat(16),
    ciphertext: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  {
    name: 'Test Case 16 (60-byte plaintext, 20-byte AAD)',
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
    nonce: 'cafebabefacedbaddecaf888',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    plaintext:
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' + '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    ciphertext:
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' + '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

describe('AES-256-GCM', () => {
  it.each(GCM_SPEC_CASES)('matches the GCM specification, $name', (vector) => {
    const out = encryptWithNonce(hex(vector.key), hex(vector.nonce), hex(vector.plaintext), hex(vector.aad));
    expect(out.ciphertext.toString('hex')).toBe(vector.ciphertext);
    expect(out.tag.toString('hex')).toBe(vector.tag);
  });

  it('opens a sealed value built by hand from the Test Case 16 vector', () => {
    const vector = GCM_SPEC_CASES[2];
    const sealed = Buffer.concat([Buffer.of(1), hex(vector.nonce), hex(vector.tag), hex(vector.ciphertext)]);
    expect(open(hex(vector.key), sealed, hex(vector.aad)).toString('hex')).toBe(vector.plaintext);
  });

  describe('seal and open', () => {
    const key = newAesKey();
    const aad = Buffer.from('record:7f3e');
    const plaintext = Buffer.from('{"resourceType":"Observation","valueQuantity":{"value":7.2}}');

    it('round-trips and writes version 1, a 12-byte nonce and a 16-byte tag before the ciphertext', () => {
      const sealed = seal(key, plaintext, aad);
      expect(sealed[0]).toBe(1);
      expect(sealed).toHaveLength(1 + 12 + 16 + plaintext.length);
      expect(sealed.includes(plaintext)).toBe(false);
      expect(open(key, sealed, aad)).toEqual(plaintext);
    });

    it('draws a fresh nonce for every seal of the same plaintext', () => {
      const nonces = new Set<string>();
      for (let i = 0; i < 10_000; i++) nonces.add(seal(key, plaintext, aad).subarray(1, 1 + GCM_NONCE_BYTES).toString('hex'));
      expect(nonces.size).toBe(10_000);
    });

    it.each([
      ['ciphertext', 1 + 12 + 16 + 3],
      ['tag', 1 + 12 + 5],
      ['nonce', 1 + 2],
    ])('refuses a value whose %s was altered', (_part, offset) => {
      const sealed = seal(key, plaintext, aad);
      sealed[offset] ^= 0x01;
      expect(() => open(key, sealed, aad)).toThrow(DecryptionError);
    });

    it('refuses other additional data, including none', () => {
      const sealed = seal(key, plaintext, aad);
      expect(() => open(key, sealed, Buffer.from('record:7f3f'))).toThrow(DecryptionError);
      expect(() => open(key, sealed, Buffer.alloc(0))).toThrow(DecryptionError);
    });

    it('refuses another key, and says nothing about key or plaintext when it does', () => {
      const sealed = seal(key, plaintext, aad);
      expect(() => open(newAesKey(), sealed, aad)).toThrow(DecryptionError);
      // The whole message, so nothing from key or plaintext can be in it.
      expect(() => open(newAesKey(), sealed, aad)).toThrow(/^Sealed data could not be decrypted: wrong key, wrong context, or altered data$/);
    });

    it('refuses a truncated value and an unknown format version', () => {
      const sealed = seal(key, plaintext, aad);
      expect(() => open(key, sealed.subarray(0, 28), aad)).toThrow(/too short/);
      expect(() => open(key, Buffer.concat([Buffer.of(2), sealed.subarray(1)]), aad)).toThrow(/format version 2/);
    });

    it.each([16, 24, 33])('refuses a %i-byte key, naming only its length', (length) => {
      const shortKey = Buffer.alloc(length, 0xab);
      expect(() => seal(shortKey, plaintext, aad)).toThrow(new RegExp(`^AES-256-GCM needs a 32-byte key, got ${length} bytes$`));
      expect(() => open(shortKey, seal(key, plaintext, aad), aad)).toThrow(RangeError);
    });

    it('refuses a nonce that is not 96 bits', () => {
      expect(() => encryptWithNonce(key, Buffer.alloc(16), plaintext, aad)).toThrow(/12-byte nonce/);
    });
  });
});
