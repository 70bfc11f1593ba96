import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { utils } from 'web3';
import { ConsentManager } from '../chain/consent-manager';
import type { RecoveryMessage } from '../chain/patient-messages';
import { ApiError } from '../common/errors';
import { ConsentMessageResponseDto } from './consents.dto';
import { ConsentMessageEntity } from './consent.entities';
import { ConsentsService } from './consents.service';
import { pendingRecoveryDto } from './guardians.dto';
import { RecoveryCompletionDto, RecoveryStartDto, RecoveryStateDto } from './recoveries.dto';

/** PostgreSQL's unique_violation (PGlite reports it too). */
const UNIQUE_VIOLATION = '23505';

/**
 * Recovery, from the side of a patient who lost their keys: their guardians' signatures start
 * moving the handle to the key of a new device, and after the delay anyone completes it. Both are
 * relayed without a sign-in (the patient has no key to sign in with, and a guardian signing in
 * would tie their identity to the handle): the guardians' signatures, and the delay the chain
 * counts, are the authority. The patient's old key can veto it meanwhile (GuardiansService).
 */
@Injectable()
export class RecoveriesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly consents: ConsentsService,
    private readonly consentManager: ConsentManager,
  ) {}

  async of(handle: string): Promise<RecoveryStateDto> {
    const [nonce, { guardians, threshold }, recovery] = await Promise.all([
      this.consentManager.recoveryNonce(handle), this.consentManager.guardiansOf(handle), this.consentManager.pendingRecoveryOf(handle),
    ]);
    return {
      handle, nonce, guardians, threshold,
      recovery: pendingRecoveryDto(recovery),
    };
  }

  /**
   * The chain checks each signature is a different guardian's in force, over these fields at the
   * handle's recovery nonce, and that enough signed (the relay simulates it first). The call
   * carries no nonce, so the gateway checks the one the message names is the chain's.
   */
  start(dto: RecoveryStartDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    return this.relayOnce({ type: 'RecoveryStart', ...dto, handle: dto.handle.toLowerCase(), newSigner: utils.toChecksumAddress(dto.newSigner) }, wait);
  }

  /** The recovery waiting on the handle, completed: the chain refuses it before its delay is over, and once vetoed. */
  async complete(dto: RecoveryCompletionDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    const handle = dto.handle.toLowerCase();
    const waiting = await this.consentManager.pendingRecoveryOf(handle);
    if (!waiting) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'RECOVERY_NOT_WAITING', 'No recovery of this handle is waiting');
    return this.relayOnce({ type: 'RecoveryCompletion', handle, newSigner: waiting.newSigner, recovery: waiting.recovery }, wait);
  }

  /**
   * One start and one completion queued per handle at a time (a unique index holds it against a
   * race): open routes must not let anyone fill the queue with copies that would only revert.
   */
  private async relayOnce(message: RecoveryMessage, wait: boolean): Promise<ConsentMessageResponseDto> {
    const queued = () => new ApiError(HttpStatus.CONFLICT, 'RECOVERY_ALREADY_QUEUED', `A ${message.type} of this handle is queued already; poll it with GET /v1/consents/messages/{id}`);
    if (await this.db.manager.existsBy(ConsentMessageEntity, { patientHandle: message.handle, type: message.type, status: 'pending' })) throw queued();
    try {
      return await this.consents.relay(message, wait);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) throw queued();
      throw error;
    }
  }
}
