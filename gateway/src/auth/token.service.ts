import { Injectable } from '@nestjs/common';
import { createSecretKey, randomBytes } from 'node:crypto';
import { JwtModuleOptions, JwtService } from '@nestjs/jwt';
import { ADDRESS_PATTERN, BYTES32_PATTERN } from '../common/validation';
import { Role } from './permissions';

const ISSUER = 'ehrchain';
/**
 * One audience per kind of token, checked on every verification: the two kinds share the JWT
 * secret, so the audience is what keeps a pseudonym token from passing as an account token and
 * the reverse (RFC 8725, 3.12: mutually exclusive validation rules for different kinds of JWTs).
 */
export const ACCOUNT_AUDIENCE = 'ehrchain:account';
export const PSEUDONYM_AUDIENCE = 'ehrchain:pseudonym';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The JwtModule settings: HS256 only, our issuer. */
export const jwtOptions = (secret: string): JwtModuleOptions => ({
  // A KeyObject, not the string: given a string, jsonwebtoken first tries it as a PEM private
  // (or public) key and catches the failure, on every sign and every verify (4% of the gateway's
  // CPU in the registration bench). The same bytes, so tokens already issued stay valid.
  secret: createSecretKey(Buffer.from(secret, 'utf8')),
  signOptions: { algorithm: 'HS256', issuer: ISSUER },
  verifyOptions: { algorithms: ['HS256'], issuer: ISSUER },
});

/**
 * What every token carries besides its subject: its own id (`jti`, 16 random bytes: what logout
 * revokes), when it ends, and when the sign-in that started its session happened (`auth_time`,
 * OpenID Connect's claim: refreshing keeps it, so a session cannot be refreshed for ever).
 * Random per token, so an account token and a pseudonym token never share an identifier.
 */
export interface TokenSession {
  tokenId: string;
  /** Unix seconds. */
  expiresAt: number;
  /** Unix seconds. */
  sessionStartedAt: number;
}

/** What a valid token says, by kind. */
export type VerifiedToken = (
  | { kind: 'account'; accountId: string; /** the account's credentials version when the token was issued (see signAccount) */ credentialsVersion: number }
  | { kind: 'pseudonym'; handle: string; /** the consent key that signed in, checksummed */ signer: string }
) &
  TokenSession;

const TOKEN_ID = /^[0-9a-f]{32}$/;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const newTokenId = (): string => randomBytes(16).toString('hex');

interface Claims {
  exp?: unknown;
  jti?: unknown;
  auth_time?: unknown;
  cv?: unknown;
  aud?: unknown;
  sub?: unknown;
  signer?: unknown;
}

/** Issues and verifies the gateway's bearer tokens (JWT HS256). */
@Injectable()
export class TokenService {
  constructor(private readonly jwt: JwtService) {}

  /**
   * `credentialsVersion` (claim `cv`): when the account's password last changed, in ms (0: never).
   * A token whose version is not the account's current one is refused, so a password change or
   * reset ends every session opened before it, to the millisecond.
   */
  signAccount(accountId: string, role: Role, ttlSeconds: number, credentialsVersion = 0, sessionStartedAt = nowSeconds()): Promise<string> {
    return this.jwt.signAsync({ role, cv: credentialsVersion, auth_time: sessionStartedAt }, { subject: accountId, audience: ACCOUNT_AUDIENCE, expiresIn: ttlSeconds, jwtid: newTokenId() });
  }

  /** The token names the handle and the key that proved it; no account id, ever. */
  signPseudonym(handle: string, signer: string, ttlSeconds: number, sessionStartedAt = nowSeconds()): Promise<string> {
    return this.jwt.signAsync({ signer, auth_time: sessionStartedAt }, { subject: handle, audience: PSEUDONYM_AUDIENCE, expiresIn: ttlSeconds, jwtid: newTokenId() });
  }

  /** The token's kind and subject; null when it is forged, expired or without an expiry, of another issuer or audience, or malformed. */
  async verify(token: string): Promise<VerifiedToken | null> {
    let claims: Claims;
    try {
      claims = await this.jwt.verifyAsync<Claims>(token, { audience: [ACCOUNT_AUDIENCE, PSEUDONYM_AUDIENCE] });
    } catch {
      return null;
    }
    const { exp, cv, aud, sub, signer, jti, auth_time: authTime } = claims;
    // jsonwebtoken accepts a token without `exp` as never expiring: ours always carry one, and an id that logout can revoke.
    if (typeof exp !== 'number' || typeof jti !== 'string' || !TOKEN_ID.test(jti) || typeof authTime !== 'number') return null;
    const session: TokenSession = { tokenId: jti, expiresAt: exp, sessionStartedAt: authTime };
    if (aud === ACCOUNT_AUDIENCE && typeof sub === 'string' && UUID.test(sub)) {
      return { kind: 'account', accountId: sub, credentialsVersion: typeof cv === 'number' ? cv : 0, ...session };
    }
    if (aud === PSEUDONYM_AUDIENCE && typeof sub === 'string' && BYTES32_PATTERN.test(sub) && typeof signer === 'string' && ADDRESS_PATTERN.test(signer)) {
      return { kind: 'pseudonym', handle: sub, signer, ...session };
    }
    return null;
  }
}
