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
    const session = { tokenId: expect.stringMatching(/^[0-9a-f]{32}$/), expiresAt: expect.any(Number), sessionStartedAt: expect.any(Number) };
    await expect(sut.verify(await sut.signAccount(accountId, Role.Doctor, 60))).resolves.toEqual({ kind: 'account', accountId, credentialsVersion: 0, ...session });
    await expect(sut.verify(await sut.signAccount(accountId, Role.Doctor, 60, 1_796_130_000_123))).resolves.toEqual({ kind: 'account', accountId, credentialsVersion: 1_796_130_000_123, ...session });
    await expect(sut.verify(await sut.signPseudonym(handle, signer, 60))).resolves.toEqual({ kind: 'pseudonym', handle, signer, ...session });
  });

  it('gives every token an id of its own and keeps the session start a refresh passes on', async () => {
    const [a, b] = [await sut.verify(await sut.signAccount(accountId, Role.Doctor, 60)), await sut.verify(await sut.signPseudonym(handle, signer, 60))];
    expect(a!.tokenId).not.toBe(b!.tokenId);
    const refreshed = await sut.verify(await sut.signPseudonym(handle, signer, 60, 1_800_000_000));
    expect(refreshed!.sessionStartedAt).toBe(1_800_000_000);
  });

  it('puts no account id or role in a pseudonym token', async () => {
    const claims = jwt.decode(await sut.signPseudonym(handle, signer, 60));
    expect(Object.keys(claims).sort()).toEqual(['aud', 'auth_time', 'exp', 'iat', 'iss', 'jti', 'signer', 'sub']);
    expect(claims).toMatchObject({ aud: PSEUDONYM_AUDIENCE, sub: handle });
  });

  // Every other claim right (an id, a session start, an expiry), so each case is refused for the reason it names.
  const valid = { auth_time: 1_800_000_000 };
  const id = () => randomBytes(16).toString('hex');

  // Same secret, swapped audiences: the subject of one kind never passes as the other's.
  it('refuses a pseudonym-audience token whose subject is an account id', async () => {
    await expect(sut.verify(await jwt.signAsync({ signer, ...valid }, { subject: accountId, audience: PSEUDONYM_AUDIENCE, expiresIn: 60, jwtid: id() }))).resolves.toBeNull();
  });

  it('refuses an account-audience token whose subject is a handle', async () => {
    await expect(sut.verify(await jwt.signAsync({ signer, ...valid }, { subject: handle, audience: ACCOUNT_AUDIENCE, expiresIn: 60, jwtid: id() }))).resolves.toBeNull();
  });

  it('accepts the well-formed token these cases start from', async () => {
    await expect(sut.verify(await jwt.signAsync({ ...valid }, { subject: accountId, audience: ACCOUNT_AUDIENCE, expiresIn: 60, jwtid: id() }))).resolves.toMatchObject({ kind: 'account', accountId });
  });

  it.each([
    ['no audience (a token from before audiences)', () => jwt.signAsync({ role: Role.Admin, ...valid }, { subject: accountId, expiresIn: 60, jwtid: id() })],
    ['another audience', () => jwt.signAsync({ ...valid }, { subject: accountId, audience: 'someone-else', expiresIn: 60, jwtid: id() })],
    ['another issuer', () => jwt.signAsync({ ...valid }, { subject: accountId, audience: ACCOUNT_AUDIENCE, issuer: 'not-ehrchain', expiresIn: 60, jwtid: id() })],
    ['another secret', () => new TokenService(new JwtService(jwtOptions('other'))).signAccount(accountId, Role.Admin, 60)],
    ['an expired one', () => jwt.signAsync({ ...valid }, { subject: accountId, audience: ACCOUNT_AUDIENCE, expiresIn: -1, jwtid: id() })],
    // jsonwebtoken would take a token without `exp` as valid for ever.
    ['no expiry', () => jwt.signAsync({ role: Role.Admin, ...valid }, { subject: accountId, audience: ACCOUNT_AUDIENCE, jwtid: id() })],
    ['no token id (logout could not revoke it)', () => jwt.signAsync({ ...valid }, { subject: accountId, audience: ACCOUNT_AUDIENCE, expiresIn: 60 })],
    ['no session start (a refresh could extend it for ever)', () => jwt.signAsync({}, { subject: accountId, audience: ACCOUNT_AUDIENCE, expiresIn: 60, jwtid: id() })],
    ['a subject that is not an account id', () => jwt.signAsync({ ...valid }, { subject: 'admin', audience: ACCOUNT_AUDIENCE, expiresIn: 60, jwtid: id() })],
    ['alg none', async () => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: accountId, aud: ACCOUNT_AUDIENCE, iss: 'ehrchain', jti: id(), ...valid, exp: 9_999_999_999 })).toString('base64url')}.`],
  ])('refuses a token with %s', async (_name, make) => {
    await expect(sut.verify(await make())).resolves.toBeNull();
  });

  it('accepts a token signed with the same secret as a plain string (tokens issued before the key became a KeyObject)', async () => {
    const plain = new JwtService({ ...jwtOptions(secret), secret });
    await expect(sut.verify(await plain.signAsync({ auth_time: 1_800_000_000 }, { subject: accountId, audience: ACCOUNT_AUDIENCE, expiresIn: 60, jwtid: randomBytes(16).toString('hex') }))).resolves.toMatchObject({ kind: 'account', accountId });
  });

  it('refuses a tampered token', async () => {
    const token = await sut.signPseudonym(handle, signer, 60);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...jwt.decode(token), sub: `0x${'00'.repeat(32)}` })).toString('base64url');
    await expect(sut.verify(`${header}.${payload}.${signature}`)).resolves.toBeNull();
  });
});
