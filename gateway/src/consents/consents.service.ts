import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { utils } from 'web3';
import { PseudonymPrincipal } from '../auth/principal';
import { ChainRuntime } from '../chain/chain.module';
import { consentLinkSigner } from '../chain/consent-link';
import { ConsentManager } from '../chain/consent-manager';
import { GrantMessage, isHandleMessage, isRecoveryMessage, messageGrantee, messageHandle, NO_RECORDS_ROOT, PatientMessage, recordsRoot } from '../chain/patient-messages';
import { consentId } from '../chain/relationships';
import { ApiError, NotFoundError } from '../common/errors';
import { OutboxService } from '../outbox/outbox.service';
import { RecordEntity } from '../records/record.entity';
import { ConsentLinkEntity, ConsentMessageEntity, ConsentRecordSetEntity } from './consent.entities';
import { consentStatus } from './consent-status';
import { ConsentMessageResponseDto, ConsentResponseDto, GrantMessageDto, RegistrationMessageDto, RevocationMessageDto } from './consents.dto';
import { ConsentLinks, grantNonceOf, messageNonce } from './consent-links';
import { PatientMessageHandler, RegistrationRelayHandler } from './patient-message.handler';

const WAIT_MS = 30_000;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Relays what patients sign (DESIGN "Consent"): each message is simulated against the chain (a
 * bad signature, a used nonce or an expired deadline is a 422 now, and nothing is stored), then
 * queued in the outbox with a row the patient's software polls. The gateway makes no message of
 * its own: every one is checked by the contract against the relationship's key.
 */
@Injectable()
export class ConsentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
    private readonly consentManager: ConsentManager,
    private readonly chain: ChainRuntime,
  ) {}

  /** A relationship's registration: needed before the patient can sign in as it. */
  register(dto: RegistrationMessageDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    return this.relay({ type: 'Registration', ...dto }, wait);
  }

  /**
   * Withdraws a message the caller sent, before it is sent to the chain: its outbox row goes, a
   * grant's link with it. Once sent, only the chain can cancel it: a revocation at the same nonce
   * (which any consortium member can relay) makes the grant fail if it has not been mined.
   */
  async withdraw(principal: PseudonymPrincipal, id: string): Promise<ConsentMessageResponseDto> {
    const row = await this.db.manager.findOneBy(ConsentMessageEntity, { id });
    if (!row || row.submittedBy !== principal.handle) throw new NotFoundError('MESSAGE_NOT_FOUND', 'No such message of yours');
    await this.db.transaction(async (manager) => {
      const handler = row.type === 'Registration' ? RegistrationRelayHandler : PatientMessageHandler;
      if (row.status !== 'pending' || !(await this.outbox.withdraw(manager, handler, id))) {
        throw new ApiError(HttpStatus.CONFLICT, 'MESSAGE_ALREADY_SENT', 'The message is on its way to the chain (or there): to cancel a grant not mined yet, sign a revocation at the same nonce');
      }
      await manager.update(ConsentMessageEntity, { id }, { status: 'cancelled' });
      await ConsentLinks.abandoned(manager, id);
    });
    return this.message(id);
  }

  /**
   * A grant, sent by the patient signed in as the pseudonym whose records it shares: the
   * relationship it is granted under is linked to those records (consent_links), and a records
   * root is checked to name only records filed under that pseudonym.
   */
  grant(principal: PseudonymPrincipal, dto: GrantMessageDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    return this.relayGrant(principal, grantMessage(dto), { recordIds: dto.recordIds, recordsSalt: dto.recordsSalt, link: dto.link }, wait);
  }

  /**
   * A grant or an approval of a request, relayed with the link that tells which records it covers:
   * the caller's pseudonym proves the records' handle, and the link signature, by the key the
   * grant is signed with, names that handle (a grant seen on its way cannot be attached by
   * someone else to their records).
   */
  async relayGrant(principal: PseudonymPrincipal, message: GrantMessage, proof: { recordIds?: string[]; recordsSalt?: string; link: string }, wait: boolean): Promise<ConsentMessageResponseDto> {
    const recordSet = await this.checkedRecordSet(principal.handle, message.terms.recordsRoot, proof.recordIds, proof.recordsSalt);
    const grantee = messageGrantee(message)!;
    const checkLink = async () => {
      const expected = message.type === 'RelationshipGrant' ? message.signer : await this.consentManager.signerOf(message.patient);
      const scope = { chainId: this.chain.chainId, consentManager: this.consentManager.address };
      if (!expected || consentLinkSigner(scope, { relationship: message.patient, records: principal.handle, grantee }, proof.link) !== expected) {
        throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'CONSENT_LINK_SIGNATURE', "link is not a ConsentLink naming this relationship, your pseudonym and the grantee, signed with the relationship's key");
      }
    };
    return this.relay(message, wait, checkLink, async (manager, messageId) => {
      await ConsentLinks.propose(manager, { relationshipHandle: message.patient, recordHandle: principal.handle, grantee }, messageId, grantNonceOf(message));
      if (recordSet) {
        await manager.createQueryBuilder().insert().into(ConsentRecordSetEntity).values({ recordsRoot: message.terms.recordsRoot, ...recordSet }).orIgnore().execute();
      }
    }, principal.handle);
  }

  /** A revocation: the signature by the relationship's key is what authorises it, whoever sends it. */
  revoke(principal: PseudonymPrincipal, dto: RevocationMessageDto, wait: boolean): Promise<ConsentMessageResponseDto> {
    return this.relay({ type: 'ConsentRevocation', ...dto, patient: dto.patient.toLowerCase(), grantee: utils.toChecksumAddress(dto.grantee) }, wait, undefined, undefined, principal.handle);
  }

  async message(id: string): Promise<ConsentMessageResponseDto> {
    const row = await this.db.manager.findOneBy(ConsentMessageEntity, { id });
    if (!row) throw new NotFoundError('MESSAGE_NOT_FOUND', 'No such relayed message');
    return describeMessage(row);
  }

  /**
   * The consents that cover the caller's records, and the one granted under the caller's own
   * handle when it is a grantee's relationship, each as the chain says it now.
   */
  async list(principal: PseudonymPrincipal): Promise<ConsentResponseDto[]> {
    const links = await this.db.manager.find(ConsentLinkEntity, {
      where: [{ recordHandle: principal.handle }, { relationshipHandle: principal.handle }], order: { createdAt: 'ASC' },
    });
    const pairs = new Map(links.map(({ relationshipHandle, grantee }) => [`${relationshipHandle}:${grantee}`, { relationshipHandle, grantee }]));
    return Promise.all(
      [...pairs.values()].map(async ({ relationshipHandle, grantee }) => {
        const state = await this.consentManager.consentOf(relationshipHandle, grantee);
        const status = consentStatus(state, nowSeconds());
        return {
          relationship: relationshipHandle, grantee, status, terms: state.terms, nonce: Number(state.nonce),
          consentId: status === 'none' || status === 'revoked' ? null : await this.consentIdOf(relationshipHandle, grantee, state.nonce),
        };
      }),
    );
  }

  /** Simulates the message, runs `check` (what else it needs proven), then stores and queues it with what goes `alongside`. */
  async relay(
    message: PatientMessage, wait: boolean, check?: () => Promise<void>, alongside?: (manager: EntityManager, messageId: string) => Promise<void>, submittedBy: string | null = null,
  ): Promise<ConsentMessageResponseDto> {
    const handler = relayOf(message);
    await this.outbox.simulate(handler, message);
    await this.checkNonce(message);
    await check?.();
    const id = randomUUID();
    await this.db.transaction(async (manager) => {
      await manager.insert(ConsentMessageEntity, {
        id, type: message.type, patientHandle: messageHandle(message).toLowerCase(), grantee: messageGrantee(message), submittedBy, status: 'pending',
      });
      await this.outbox.enqueue(manager, handler, id, message);
      await alongside?.(manager, id);
    });
    if (wait && (await this.outbox.waitFor(handler, id, WAIT_MS)) === 'timeout') {
      throw new ApiError(HttpStatus.GATEWAY_TIMEOUT, 'MESSAGE_PENDING', `Queued as ${id} but not mined yet; poll GET /v1/consents/messages/${id}`);
    }
    return this.message(id);
  }

  /**
   * The message's nonce is the pair's on chain now (for a guardian set or a veto, the handle's). The contract reads the nonce from its own
   * storage (the call does not carry it), so a message claiming another would pass the simulation;
   * the gateway orders links and consent ids by it, so it must be the one the signature is for.
   */
  private async checkNonce(message: PatientMessage): Promise<void> {
    if (message.type === 'RecoveryStart') {
      const onChain = await this.consentManager.recoveryNonce(message.handle);
      if (message.nonce !== onChain) {
        throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'NONCE_NOT_CURRENT', `The guardians signed recovery ${message.nonce}; the handle's next recovery on chain is ${onChain}`);
      }
      return;
    }
    if (isHandleMessage(message)) {
      const onChain = await this.consentManager.patientNonce(message.handle);
      if (message.nonce !== onChain) {
        throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'NONCE_NOT_CURRENT', `The message is signed at nonce ${message.nonce}; the handle's nonce on chain is ${onChain}`);
      }
      return;
    }
    const nonce = messageNonce(message);
    if (nonce === null || message.type === 'RelationshipGrant') return;
    const { nonce: onChain } = await this.consentManager.consentOf(messageHandle(message), messageGrantee(message)!);
    if (BigInt(nonce) !== onChain) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'NONCE_NOT_CURRENT', `The message is signed at nonce ${nonce}; the pair's nonce on chain is ${onChain}`);
    }
  }

  /** The id of the consent in force on a pair: its latest grant's, when the chain holds no change this gateway did not see applied. */
  async consentIdOf(relationshipHandle: string, grantee: string, chainNonce: bigint): Promise<string | null> {
    const pair = await ConsentLinks.pair(this.db.manager, relationshipHandle, grantee);
    if (!pair || pair.lastGrantNonce === null || BigInt(pair.nonce) !== chainNonce) return null;
    return consentId(relationshipHandle, grantee, BigInt(pair.lastGrantNonce));
  }

  /** The record ids a records root names, once checked: they make that root, and each is the caller's. */
  private async checkedRecordSet(handle: string, root: string, recordIds: string[] | undefined, salt: string | undefined): Promise<{ recordIds: string[]; salt: string } | null> {
    if (root.toLowerCase() === NO_RECORDS_ROOT) {
      if (recordIds) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'RECORDS_ROOT_MISSING', 'recordIds were given but terms.recordsRoot is zero: a consent limited to records names them by their root');
      return null;
    }
    if (!recordIds) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'RECORD_IDS_REQUIRED', 'A consent with a records root needs the record ids it was built from (recordIds)');
    const ids = recordIds.map((id) => id.toLowerCase());
    if (recordsRoot(ids, salt!) !== root.toLowerCase()) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'RECORDS_ROOT_MISMATCH', 'terms.recordsRoot is not the root of recordIds and recordsSalt (OpenZeppelin StandardMerkleTree over the bytes32 record ids and the salt)');
    }
    const own = await this.db.manager.createQueryBuilder(RecordEntity, 'r').select('DISTINCT r.record_id', 'id')
      .where({ recordId: In(ids), patientHandle: handle }).getRawMany<{ id: string }>();
    // The same answer for a record that does not exist and another patient's: ids cannot be probed.
    if (own.length !== new Set(ids).size) throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'RECORDS_NOT_FOUND', 'recordIds must be records filed under your pseudonym');
    return { recordIds: ids, salt: salt!.toLowerCase() };
  }
}

/** Registrations go through a queue of their own: a flood of them (the route is public) never delays a revocation. */
/** Messages sent without a sign-in (registrations, recoveries) go through a queue of their own. */
const relayOf = (message: PatientMessage) => (message.type === 'Registration' || isRecoveryMessage(message) ? RegistrationRelayHandler : PatientMessageHandler);

function grantMessage(dto: GrantMessageDto): GrantMessage {
  const common = { patient: dto.patient.toLowerCase(), grantee: utils.toChecksumAddress(dto.grantee), deadline: dto.deadline, signature: dto.signature };
  const terms = { ...dto.terms, recordsRoot: dto.terms.recordsRoot.toLowerCase() };
  return dto.type === 'RelationshipGrant'
    ? { type: 'RelationshipGrant', ...common, signer: utils.toChecksumAddress(dto.signer!), salt: dto.salt!, terms }
    : { type: 'ConsentGrant', ...common, nonce: dto.nonce!, terms };
}

function describeMessage(row: ConsentMessageEntity): ConsentMessageResponseDto {
  return { id: row.id, type: row.type, status: row.status, txHash: row.txHash, block: row.block === null ? null : Number(row.block), error: row.error };
}
