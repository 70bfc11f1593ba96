import { hashPassword, PASSWORD_SCRYPT, scryptKdf, verifyPassword } from './password';

describe(scryptKdf.name, () => {
  // RFC 7914 §12, the first three vectors (the fourth, N=2^20, needs 1 GiB).
  it.each([
    {
      password: '', salt: '', params: { N: 16, r: 1, p: 1 },
      key: '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906',
    },
    {
      password: 'password', salt: 'NaCl', params: { N: 1024, r: 8, p: 16 },
      key: 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
    },
    {
      password: 'pleaseletmein', salt: 'SodiumChloride', params: { N: 16384, r: 8, p: 1 },
      key: '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
    },
  ])('matches RFC 7914 for P=$password S=$salt', async ({ password, salt, params, key }) => {
    expect((await scryptKdf(password, Buffer.from(salt), 64, params)).toString('hex')).toBe(key);
  });
});

describe('password hashing', () => {
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

  it('still verifies a hash stored by the code before it moved to crypto/ (auth/secrets.ts at fca527a)', async () => {
    const stored = 'scrypt$131072$8$1$G5K3cnqtATn9QN1mJYVNRw==$cE4weKf+5NzUhVc3q8pQpkmqu01eMKKBtF+w8DaUaek=';
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapl', stored)).resolves.toBe(false);
  });

  it('verifies with the parameters stored in the hash, not the current ones', async () => {
    // RFC 7914's third vector, truncated to 32 bytes, written in the stored format.
    const salt = Buffer.from('SodiumChloride').toString('base64');
    const hash = Buffer.from('7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2', 'hex').toString('base64');
    expect(PASSWORD_SCRYPT.N).not.toBe(16384);
    await expect(verifyPassword('pleaseletmein', `scrypt$16384$8$1$${salt}$${hash}`)).resolves.toBe(true);
  });

  it.each(['', 'bcrypt$2b$10$abc', 'scrypt$131072$8$1$c2FsdA=='])('refuses stored value %p', async (stored) => {
    await expect(verifyPassword('anything', stored)).resolves.toBe(false);
  });
});
