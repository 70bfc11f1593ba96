import { JwtService } from '@nestjs/jwt';
import { randomBytes, randomUUID } from 'node:crypto';
import { Role } from './permissions';
import { ACCOUNT_AUDIENCE, jwtOptions, PSEUDONYM_AUDIENCE, TokenService } from './token.service';

describe(TokenService.name, () => {
  const secret = randomBytes(48).toString('base64');
  const jwt = new JwtService(jwtOptions(secret));
  const sut = new TokenService(jwt);
  const accountId = randomUUID();
  const handle = `0x${randomBytes(32).toString('hex')}`;
  const signer = '0x8ba1f109551bD432803012645Ac136ddd64DBA72';

  it('verifies an account token as an account and a pseudonym token as a pseudonym', async () => {
    await expect(sut.verify(await sut.signAccount(accountId, Role.Doctor, 60))).resolves.toEqual({ kind: 'account', accountId, credentialsVersion: 0 });
    await expect(sut.verify(await sut.signAccount(accountId, Role.Doctor, 60, 1_796_130_000_123))).resolves.toEqual({ kind: 'account', accountId, credentialsVersion: 1_796_130_000_123 });
    await expect(sut.verify(await sut.signPseudonym(handle, signer, 60))).resolves.toEqual({ kind: 'pseudonym', handle, signer });
  });

  it('puts no account id or role in a pseudonym token', async () => {
    const claims = jwt.decode(await sut.signPseudonym(handle, signer, 60));
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'signer', 'sub']);
    expect(claims).toMatchObject({ aud: PSEUDONYM_AUDIENCE, sub: handle });
  });

  // Same secret, swapped audiences: the subject of one kind never passes as the other's.
  it('refuses a pseudonym-audience token whose subject is an account id', async () => {
    await expect(sut.verify(await jwt.signAsync({ signer }, { subject: accountId, audience: PSEUDONYM_AUDIENCE }))).resolves.toBeNull();
  });

  it('refuses an account-audience token whose subject is a handle', async () => {
    await expect(sut.verify(await jwt.signAsync({ signer }, { subject: handle, audience: ACCOUNT_AUDIENCE }))).resolves.toBeNull();
  });

  it.each([
    ['no audience (a token from before audiences)', () => jwt.signAsync({ role: Role.Admin }, { subject: accountId })],
    ['another audience', () => jwt.signAsync({}, { subject: accountId, audience: 'someone-else' })],
    ['another issuer', () => jwt.signAsync({}, { subject: accountId, audience: ACCOUNT_AUDIENCE, issuer: 'not-ehrchain' })],
    ['another secret', () => new TokenService(new JwtService(jwtOptions('other'))).signAccount(accountId, Role.Admin, 60)],
    ['an expired one', () => jwt.signAsync({}, { subject: accountId, audience: ACCOUNT_AUDIENCE, expiresIn: -1 })],
    // jsonwebtoken would take a token without `exp` as valid for ever.
    ['no expiry', () => jwt.signAsync({ role: Role.Admin }, { subject: accountId, audience: ACCOUNT_AUDIENCE })],
    ['a subject that is not an account id', () => jwt.signAsync({}, { subject: 'admin', audience: ACCOUNT_AUDIENCE, expiresIn: 60 })],
    ['alg none', async () => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: accountId, aud: ACCOUNT_AUDIENCE, iss: 'ehrchain' })).toString('base64url')}.`],
  ])('refuses a token with %s', async (_name, make) => {
    await expect(sut.verify(await make())).resolves.toBeNull();
  });

  it('refuses a tampered token', async () => {
    const token = await sut.signPseudonym(handle, signer, 60);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...jwt.decode(token), sub: `0x${'00'.repeat(32)}` })).toString('base64url');
    await expect(sut.verify(`${header}.${payload}.${signature}`)).resolves.toBeNull();
  });
});
