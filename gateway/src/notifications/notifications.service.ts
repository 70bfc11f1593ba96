import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, MoreThan } from 'typeorm';
import { AccessEntryEntity } from '../access/access-entry.entity';
import { purposeCode } from '../access/purposes';
import { accountNames } from '../accounts/chain-address';
import { ConsentManager } from '../chain/consent-manager';
import { EmergencyAccess } from '../chain/emergency-access';
import { ConsentLinkEntity, ConsentMessageEntity } from '../consents/consent.entities';
import { ConsentRequestEntity } from '../consents/consent-request.entity';
import { consentStatus } from '../consents/consent-status';
import { EmergencyRequestEntity } from '../emergencies/emergency-request.entity';
import { RecordEntity } from '../records/record.entity';
import { NotificationDto } from './notifications.dto';

const WEEK_MS = 7 * 86_400_000;
const EPOCH = new Date(0);
const GRANTS = ['RelationshipGrant', 'ConsentGrant', 'ConsentApproval'] as const;

/**
 * A patient's feed (issue 14, point 6): what happened to the records filed under the signed-in
 * pseudonym and to the relationships linked to it, newest first: consents granted, revoked or
 * about to expire, requests received and denied, emergencies asked and granted, and every read.
 * Computed from what the gateway and the chain hold, so it cannot drift from them; a client polls
 * it with `since`.
 */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly consentManager: ConsentManager,
    private readonly emergencies: EmergencyAccess,
  ) {}

  async feed(handle: string, since: Date = EPOCH, limit = 100): Promise<NotificationDto[]> {
    const links = await this.db.manager.find(ConsentLinkEntity, { where: [{ recordHandle: handle }, { relationshipHandle: handle }] });
    const handles = [...new Set([handle, ...links.map((link) => link.relationshipHandle)])];
    const after = MoreThan(since);
    const [messages, requests, emergencies, reads, recoveries] = await Promise.all([
      this.db.manager.find(ConsentMessageEntity, { where: { patientHandle: In(handles), status: 'applied', createdAt: after } }),
      this.db.manager.find(ConsentRequestEntity, { where: { patientHandle: In(handles), status: 'requested', createdAt: after } }),
      this.db.manager.find(EmergencyRequestEntity, { where: { recordHandle: handle, status: 'requested' } }),
      this.readsOf(handle, since),
      this.recoveriesOf(handles),
    ]);
    const names = await accountNames(this.db, [...requests.map((r) => r.doctorAccount), ...emergencies.map((e) => e.doctorAccount), ...reads.map((r) => r.readerAccount)]);
    const name = (id: string) => names.get(id) ?? 'an account';
    const items: NotificationDto[] = [
      ...messages.flatMap((m) => this.fromMessage(m)),
      ...requests.map((r) => ({
        kind: 'consent_request.received' as const, at: r.createdAt, text: `${name(r.doctorAccount)} asks for your consent`,
        refs: { requestId: r.chainRequestId === null ? null : Number(r.chainRequestId), doctor: r.doctor, relationship: r.patientHandle },
      })),
      ...(await this.fromEmergencies(emergencies, name)),
      ...reads.map((e) => ({
        kind: 'record.read' as const, at: e.accessedAt, text: `${name(e.readerAccount)} read record ${e.recordId} for ${purposeCode(e.purpose)}${e.kind === 1 ? ' (emergency)' : ''}`,
        refs: { recordId: e.recordId, reader: e.reader, txHash: e.txHash },
      })),
      ...(await this.expiring(links.filter((link) => link.status === 'active'))),
    ];
    // A recovery waiting heads the feed whatever `since` and `limit` say: a client that polled
    // past the block it started in must still be told, until it completes or is vetoed.
    return [...recoveries, ...items.filter((item) => item.at > since).sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit)];
  }

  private fromMessage(m: ConsentMessageEntity): NotificationDto[] {
    const refs = { grantee: m.grantee, relationship: m.patientHandle, txHash: m.txHash };
    if ((GRANTS as readonly string[]).includes(m.type)) return [{ kind: 'consent.granted', at: m.createdAt, text: `You granted ${m.grantee} a consent`, refs }];
    if (m.type === 'ConsentRevocation') return [{ kind: 'consent.revoked', at: m.createdAt, text: `You revoked ${m.grantee}'s consent`, refs }];
    if (m.type === 'ConsentDenial') return [{ kind: 'consent_request.denied', at: m.createdAt, text: `You denied ${m.grantee}'s request`, refs }];
    return [];
  }

  /** An emergency is news when it is asked, and again when k authorities grant it. */
  private async fromEmergencies(rows: EmergencyRequestEntity[], name: (id: string) => string): Promise<NotificationDto[]> {
    const items: NotificationDto[] = [];
    for (const e of rows) {
      const refs = { requestId: e.chainRequestId === null ? null : Number(e.chainRequestId), doctor: e.doctor, reason: e.reason };
      items.push({ kind: 'emergency.requested', at: e.createdAt, text: `${name(e.doctorAccount)} asked for emergency access: ${e.reason}`, refs });
      if (e.chainRequestId === null) continue;
      const onChain = await this.emergencies.requestOf(BigInt(e.chainRequestId));
      if (onChain.startsAt > 0) items.push({ kind: 'emergency.granted', at: new Date(onChain.startsAt * 1000), text: `Emergency access granted to ${name(e.doctorAccount)} until ${new Date(onChain.expiresAt * 1000).toISOString()}`, refs });
    }
    return items;
  }

  /**
   * A recovery the guardians started and that waits: the patient who did not ask for it must see
   * it before it completes, to veto it (POST /v1/guardians/recovery/veto).
   */
  private async recoveriesOf(handles: string[]): Promise<NotificationDto[]> {
    const pending = await Promise.all(handles.map(async (handle) => ({ handle, recovery: await this.consentManager.pendingRecoveryOf(handle) })));
    return pending.flatMap(({ handle, recovery }) => {
      if (!recovery) return [];
      const due = new Date(recovery.executableAt * 1000).toISOString();
      const text = recovery.vetoable
        ? `Your guardians started a recovery: from ${due} ${recovery.newSigner} signs for you instead of your key, unless you veto it before then`
        : `All your guardians started a recovery: from ${due} ${recovery.newSigner} signs for you instead of your key`;
      return [{
        kind: 'recovery.started' as const, at: new Date(recovery.startedAt * 1000), text,
        refs: { relationship: handle, newSigner: recovery.newSigner, recovery: recovery.recovery, executableAt: recovery.executableAt },
      }];
    });
  }

  /** Reads of records filed under `handle`, or made under it. */
  private readsOf(handle: string, since: Date): Promise<AccessEntryEntity[]> {
    const own = this.db.manager.createQueryBuilder(RecordEntity, 'r').select('r.record_id').where('r.patient_handle = :handle').getQuery();
    return this.db.manager.createQueryBuilder(AccessEntryEntity, 'e')
      .where(`(e.record_id IN (${own}) OR e.relationship_handle = :handle)`, { handle })
      .andWhere('e.accessed_at > :since', { since })
      .getMany();
  }

  /** Consents in force that end within a week, dated a week before their end. */
  private async expiring(links: ConsentLinkEntity[]): Promise<NotificationDto[]> {
    const now = Date.now();
    const states = await Promise.all(links.map(async (link) => ({ link, state: await this.consentManager.consentOf(link.relationshipHandle, link.grantee) })));
    return states
      .filter(({ state }) => consentStatus(state, Math.floor(now / 1000)) === 'active' && state.terms.expiry * 1000 - now < WEEK_MS)
      .map(({ link, state }) => ({
        kind: 'consent.expiring' as const, at: new Date(state.terms.expiry * 1000 - WEEK_MS), text: `${link.grantee}'s consent ends ${new Date(state.terms.expiry * 1000).toISOString().slice(0, 10)}`,
        refs: { grantee: link.grantee, relationship: link.relationshipHandle, expiry: state.terms.expiry },
      }));
  }
}
