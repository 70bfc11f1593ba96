import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AuditContext, SecurityAudit } from '../audit/security-audit';
import { ChainRuntime } from '../chain/chain.module';
import { ConsentManager } from '../chain/consent-manager';
import { recoverTypedDataSigner, TypedData } from '../chain/eip712';
import { ApiError } from '../common/errors';
import { KeyStore } from '../keys/key-store';
import { TokenResponseDto } from './auth.dto';
import { PseudonymChallengeResponseDto, PseudonymSessionResponseDto, PseudonymTokenCreateDto } from './pseudonym-auth.dto';
import { ChallengeCodec } from './pseudonym-challenge';
import { pseudonymSignInTypedData } from './pseudonym-sign-in';
import { PseudonymPrincipal } from './principal';
import { TokenService } from './token.service';
import { UsedChallengeStore } from './used-challenge.store';

/**
 * Short, because a pseudonym token lets its holder act on records and consents; the patient's
 * device signs a fresh challenge when it needs another.
 */
export const PSEUDONYM_TOKEN_TTL_SECONDS = 15 * 60;

const MESSAGES = {
  CHALLENGE_INVALID: 'The challenge was not issued for this handle and expiry',
  CHALLENGE_EXPIRED: 'The challenge has expired; ask for a new one',
  CHALLENGE_USED: 'The challenge was already used; ask for a new one',
  PSEUDONYM_UNKNOWN: 'No such handle on chain',
  SIGNATURE_INVALID: "The signature is not by the handle's current signer",
} as const;
type RefusalCode = keyof typeof MESSAGES;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Sign-in as a pseudonym by challenge and response: the patient signs (EIP-712, with the consent
 * key the chain knows for the handle) a message naming the handle, a single-use challenge, this
 * consortium and a short expiry; the gateway checks the signer against the chain and issues a
 * pseudonym token. No account is involved, and no log line names the handle.
 */
@Injectable()
export class PseudonymAuthService {
  private readonly logger = new Logger(PseudonymAuthService.name);
  private readonly challenges: ChallengeCodec;

  constructor(
    keys: KeyStore,
    private readonly consentManager: ConsentManager,
    private readonly chain: ChainRuntime,
    private readonly usedChallenges: UsedChallengeStore,
    private readonly tokens: TokenService,
    private readonly audit: SecurityAudit,
  ) {
    this.challenges = ChallengeCodec.fromSecret(keys.jwtSecret());
  }

  /** Stores nothing: the challenge authenticates itself (see ChallengeCodec). */
  challenge(rawHandle: string): PseudonymChallengeResponseDto {
    const handle = rawHandle.toLowerCase();
    const { challenge, expiresAt } = this.challenges.issue(handle, nowSeconds());
    return { challenge, expiresAt, typedData: this.typedData(handle, challenge, expiresAt) };
  }

  /** Every check before the one write (marking the challenge used), so a refusal changes nothing. */
  async token(dto: PseudonymTokenCreateDto, context: AuditContext = {}): Promise<TokenResponseDto> {
    const handle = dto.handle.toLowerCase();
    const challenge = dto.challenge.toLowerCase();
    const opened = this.challenges.open(challenge, handle, dto.expiresAt, nowSeconds());
    if (!opened.ok) throw await this.refuse(opened.code, context);

    let signer: string;
    try {
      signer = recoverTypedDataSigner(this.typedData(handle, challenge, dto.expiresAt), dto.signature);
    } catch {
      throw await this.refuse('SIGNATURE_INVALID', context); // not a recoverable signature (v, r or s out of range)
    }
    const current = await this.consentManager.signerOf(handle);
    if (!current) throw await this.refuse('PSEUDONYM_UNKNOWN', context);
    if (current !== signer) throw await this.refuse('SIGNATURE_INVALID', context);
    if (!(await this.usedChallenges.markUsed(opened.id, new Date(dto.expiresAt * 1000)))) throw await this.refuse('CHALLENGE_USED', context);
    await this.usedChallenges.deleteExpired(new Date());

    const accessToken = await this.tokens.signPseudonym(handle, signer, PSEUDONYM_TOKEN_TTL_SECONDS);
    // The trail says a pseudonym signed in, from where; never which (SecurityAudit stores no handle).
    await this.audit.record({ ...context, actor: { kind: 'pseudonym', handle } }, { event: 'login.succeeded', details: { via: 'pseudonym' } });
    return { tokenType: 'Bearer', accessToken, expiresIn: PSEUDONYM_TOKEN_TTL_SECONDS };
  }

  session(principal: PseudonymPrincipal): PseudonymSessionResponseDto {
    return { kind: 'pseudonym', handle: principal.handle };
  }

  private typedData(handle: string, challenge: string, expiresAt: number): TypedData {
    return pseudonymSignInTypedData({ chainId: this.chain.chainId, consentManager: this.consentManager.address }, { handle, challenge, expiresAt });
  }

  /** 401 with a stable code, recorded (and logged) without the handle: nothing may let a handle be joined to anything. */
  private async refuse(code: RefusalCode, context: AuditContext): Promise<ApiError> {
    this.logger.warn({ event: 'pseudonym_sign_in_refused', code });
    await this.audit.recordRefusal(context, { event: 'login.failed', details: { via: 'pseudonym', code } });
    return new ApiError(HttpStatus.UNAUTHORIZED, code, MESSAGES[code]);
  }
}
