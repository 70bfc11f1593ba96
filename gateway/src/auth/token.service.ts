import { Injectable } from '@nestjs/common';
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
  secret,
  signOptions: { algorithm: 'HS256', issuer: ISSUER },
  verifyOptions: { algorithms: ['HS256'], issuer: ISSUER },
});

/** What a valid token says, by kind. */
export type VerifiedToken =
  | { kind: 'account'; accountId: string; /** the account's credentials version when the token was issued (see signAccount) */ credentialsVersion: number }
  | { kind: 'pseudonym'; handle: string; /** the consent key that signed in, checksummed */ signer: string };

interface Claims {
  exp?: unknown;
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
  signAccount(accountId: string, role: Role, ttlSeconds: number, credentialsVersion = 0): Promise<string> {
    return this.jwt.signAsync({ role, cv: credentialsVersion }, { subject: accountId, audience: ACCOUNT_AUDIENCE, expiresIn: ttlSeconds });
  }

  /** The token names the handle and the key that proved it; no account id, ever. */
  signPseudonym(handle: string, signer: string, ttlSeconds: number): Promise<string> {
    return this.jwt.signAsync({ signer }, { subject: handle, audience: PSEUDONYM_AUDIENCE, expiresIn: ttlSeconds });
  }

  /** The token's kind and subject; null when it is forged, expired or without an expiry, of another issuer or audience, or malformed. */
  async verify(token: string): Promise<VerifiedToken | null> {
    let claims: Claims;
    try {
      claims = await this.jwt.verifyAsync<Claims>(token, { audience: [ACCOUNT_AUDIENCE, PSEUDONYM_AUDIENCE] });
    } catch {
      return null;
    }
    const { exp, cv, aud, sub, signer } = claims;
    // jsonwebtoken accepts a token without `exp` as never expiring: ours always carry one.
    if (typeof exp !== 'number') return null;
    if (aud === ACCOUNT_AUDIENCE && typeof sub === 'string' && UUID.test(sub)) {
      return { kind: 'account', accountId: sub, credentialsVersion: typeof cv === 'number' ? cv : 0 };
    }
    if (aud === PSEUDONYM_AUDIENCE && typeof sub === 'string' && BYTES32_PATTERN.test(sub) && typeof signer === 'string' && ADDRESS_PATTERN.test(signer)) {
      return { kind: 'pseudonym', handle: sub, signer };
    }
    return null;
  }
}
