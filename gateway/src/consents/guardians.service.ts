import { HttpStatus, Injectable } from '@nestjs/common';
import { utils } from 'web3';
import { PseudonymPrincipal } from '../auth/principal';
import { ChainClient } from '../chain/chain-client';
import { ConsentManager } from '../chain/consent-manager';
import { ApiError } from '../common/errors';
import { ConsentMessageResponseDto } from './consents.dto';
import { ConsentsService } from './consents.service';
import { GuardianSetMessageDto, GuardiansDto, pendingRecoveryDto, RecoveryVetoMessageDto } from './guardians.dto';

/**
 * A patient's guardians, per handle: what the chain holds (the set in force, one proposed, a
 * recovery waiting), and the messages the patient signed about them, relayed: a new set, and the
 * veto of a recovery they did not ask for.
 */
@Injectable()
export class GuardiansService {
  constructor(
    private readonly consents: ConsentsService,
    private readonly consentManager: ConsentManager,
    private readonly chain: ChainClient,
  ) {}

  async of(handle: string): Promise<GuardiansDto> {
    const [inForce, [proposed, proposedThreshold, effectiveAt], nonce, recovery] = await Promise.all([
      this.consentManager.guardiansOf(handle), this.chain.call(this.consentManager.contract, 'proposedGuardiansOf', [handle]),
      this.consentManager.patientNonce(handle), this.consentManager.pendingRecoveryOf(handle),
    ]);
    return {
      handle,
      nonce,
      inForce,
      proposed: Number(effectiveAt) === 0 ? null : { guardians: proposed as string[], threshold: Number(proposedThreshold), effectiveAt: new Date(Number(effectiveAt) * 1000) },
      recovery: pendingRecoveryDto(recovery),
    };
  }

  set(principal: PseudonymPrincipal, dto: GuardianSetMessageDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    assertOwnHandle(principal, dto.handle);
    return this.consents.relay({ type: 'GuardianSet', ...dto, handle: dto.handle.toLowerCase(), guardians: dto.guardians.map((g) => utils.toChecksumAddress(g)) }, wait, undefined, undefined, principal.handle);
  }

  /**
   * The chain checks the key's signature, that the recovery is not due and not unanimous (the
   * relay simulates it first). The call carries no new signer or number: the contract signs over
   * the recovery waiting. So the gateway checks that the message names that one, as the nonce is
   * checked, and what it stores (and finds the veto's transaction by) is what the patient signed.
   */
  veto(principal: PseudonymPrincipal, dto: RecoveryVetoMessageDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    assertOwnHandle(principal, dto.handle);
    const handle = dto.handle.toLowerCase();
    const namesTheWaitingOne = async () => {
      const waiting = await this.consentManager.pendingRecoveryOf(handle);
      if (!waiting || waiting.newSigner.toLowerCase() !== dto.newSigner.toLowerCase() || waiting.recovery !== dto.recovery) {
        throw new ApiError(
          HttpStatus.UNPROCESSABLE_ENTITY,
          'RECOVERY_NOT_WAITING',
          waiting ? `The veto names recovery ${dto.recovery} to ${dto.newSigner}; the one waiting is recovery ${waiting.recovery} to ${waiting.newSigner}` : 'No recovery of this handle is waiting',
        );
      }
    };
    return this.consents.relay({ type: 'RecoveryVeto', ...dto, handle, newSigner: utils.toChecksumAddress(dto.newSigner) }, wait, namesTheWaitingOne, undefined, principal.handle);
  }
}

function assertOwnHandle(principal: PseudonymPrincipal, handle: string): void {
  if (handle.toLowerCase() !== principal.handle.toLowerCase()) {
    throw new ApiError(HttpStatus.FORBIDDEN, 'GUARDIANS_NOT_YOURS', "Sign about the guardians and recoveries of the handle you are signed in as");
  }
}
