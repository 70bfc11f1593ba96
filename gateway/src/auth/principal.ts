import { Role } from './permissions';

/**
 * Who is calling (DESIGN.md, "Who is calling"). A patient has two faces that the gateway never
 * joins: their persona is an account (identity matters), their pseudonym is not (records,
 * consents, audit). Each route states the kinds it accepts (`@Authenticated({ principals })`).
 */
export type PrincipalKind = 'account' | 'pseudonym';

/** A person or system with an account: admin, hospital system, doctor, ..., or a patient's persona. */
export interface AccountPrincipal {
  readonly kind: 'account';
  readonly accountId: string;
  readonly role: Role;
  readonly via: 'jwt' | 'api-key';
}

/**
 * A patient acting as their on-chain pseudonym, proven by a signature of the handle's consent key.
 * Carries no account id, by construction: nothing downstream can log or store one next to the handle.
 */
export interface PseudonymPrincipal {
  readonly kind: 'pseudonym';
  /** bytes32 handle, 0x + 64 lower-case hex digits. */
  readonly handle: string;
}

export type Principal = AccountPrincipal | PseudonymPrincipal;

/** The request as AuthGuard leaves it: the principal is set only once every check passed. */
export interface AuthenticatedRequest {
  principal?: Principal;
  /**
   * Whose credentials the request carried, as checked when it arrived, before its body was read
   * (early-authentication.ts); not yet whether the route accepts them (the guard decides).
   */
  credentialsOf?: Principal;
}
