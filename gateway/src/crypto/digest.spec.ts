import { newSalt, saltedSha512, sha512 } from './digest';

describe(sha512.name, () => {
  // FIPS 180-4 examples (NIST CSRC "Cryptographic Standards and Guidelines: Examples with
  // Intermediate Values", SHA512.pdf): the one-block and the two-block message.
  it.each([
    ['abc', 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'],
    [
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
      '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
    ],
  ])('matches the FIPS 180-4 example for %p', (message, digest) => {
    expect(sha512(Buffer.from(message)).toString('hex')).toBe(digest);
  });
});

describe(saltedSha512.name, () => {
  const salt = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

  it('is SHA-512 over salt then bytes, as computed independently', () => {
    // `openssl dgst -sha512` (OpenSSL 3.0.19) over the 35 bytes 00 01 .. 1f 61 62 63, and
    // node-forge's sha512 over the same bytes, both gave this digest.
    expect(saltedSha512(salt, Buffer.from('abc')).toString('hex')).toBe(
      'dea809954e4cd32f34aca579da2ccc65e7d9c4bc05833ee4e0c882376b9fd1df977fe26759fe8ad33b427d2694a0bffb88f74b6f510afb97a71bf6c063f8f3b2',
    );
  });

  it('gives unrelated digests of the same record under two salts, neither the bare hash', () => {
    const record = Buffer.from('{"code":"HbA1c","value":7.2}');
    const first = saltedSha512(newSalt(), record);
    const second = saltedSha512(newSalt(), record);
    expect(first).not.toEqual(second);
    expect(first).not.toEqual(sha512(record));
  });

  it('makes salts of 32 random bytes', () => {
    expect(newSalt()).toHaveLength(32);
    expect(newSalt()).not.toEqual(newSalt());
  });

  it.each([0, 16, 64])('refuses a %i-byte salt', (length) => {
    expect(() => saltedSha512(Buffer.alloc(length), Buffer.from('abc'))).toThrow(`needs a 32-byte salt, got ${length} bytes`);
  });
});
