import { HttpStatus, Injectable } from '@nestjs/common';
import { utils } from 'web3';
import { ConsentManager } from '../chain/consent-manager';
import { ApiError } from '../common/errors';
import { ConsentMessageResponseDto } from './consents.dto';
import { ConsentsService } from './consents.service';
import { RecoveryCompletionDto, RecoveryStartDto, RecoveryStateDto } from './recoveries.dto';

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
    private readonly consents: ConsentsService,
    private readonly consentManager: ConsentManager,
  ) {}

  async of(handle: string): Promise<RecoveryStateDto> {
    const [nonce, { guardians, threshold }, recovery] = await Promise.all([
      this.consentManager.recoveryNonce(handle), this.consentManager.guardiansOf(handle), this.consentManager.pendingRecoveryOf(handle),
    ]);
    return {
      handle, nonce, guardians, threshold,
      recovery: recovery && { ...recovery, startedAt: new Date(recovery.startedAt * 1000), executableAt: new Date(recovery.executableAt * 1000) },
    };
  }

  /**
   * The chain checks each signature is a different guardian's in force, over these fields at the
   * handle's recovery nonce, and that enough signed (the relay simulates it first). The call
   * carries no nonce, so the gateway checks the one the message names is the chain's.
   */
  start(dto: RecoveryStartDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    return this.consents.relay({ type: 'RecoveryStart', ...dto, handle: dto.handle.toLowerCase(), newSigner: utils.toChecksumAddress(dto.newSigner) }, wait);
  }

  /** The recovery waiting on the handle, completed: the chain refuses it before its delay is over, and once vetoed. */
  async complete(dto: RecoveryCompletionDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    const handle = dto.handle.toLowerCase();
    const waiting = await this.consentManager.pendingRecoveryOf(handle);
    if (!waiting) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'RECOVERY_NOT_WAITING', 'No recovery of this handle is waiting');
    return this.consents.relay({ type: 'RecoveryCompletion', handle, newSigner: waiting.newSigner }, wait);
  }
}
