import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Between, DataSource, EntityManager, FindOptionsWhere, LessThan, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import type { Principal } from '../auth/principal';
import { SecurityEventEntity, SecurityEventName } from './security-event.entity';
import { scrubAadhaar } from '../identity/aadhaar';

/** Where an event happened: who was calling (if anyone had signed in), from where, in which request. */
export interface AuditContext {
  actor?: Principal;
  clientAddress?: string;
  requestId?: string;
}

export interface SecurityEventInput {
  event: SecurityEventName;
  username?: string;
  target?: { type: string; id: string };
  details?: Record<string, unknown>;
}

export interface SecurityEventQuery {
  event?: SecurityEventName;
  actorAccountId?: string;
  username?: string;
  since?: Date;
  until?: Date;
  /** Only events older than this id (the previous page's `next`). */
  before?: string;
  limit: number;
}

/**
 * The security audit trail (issue 10): every sign-in, every refused credential or permission,
 * every administrator's act, as a row in `security_events` and a structured log line
 * (`event: security_event`). Administrators read it through GET /v1/security-events.
 */
@Injectable()
export class SecurityAudit {
  private readonly logger = new Logger('SecurityAudit');

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Records the event, in `manager`'s transaction when given (an administrator's act and its record commit together). */
  async record(context: AuditContext, input: SecurityEventInput, manager?: EntityManager): Promise<void> {
    const { actor } = context;
    const row: Partial<SecurityEventEntity> = {
      event: input.event,
      actorKind: actor?.kind ?? 'anonymous',
      actorAccountId: actor?.kind === 'account' ? actor.accountId : null,
      // A username is what someone typed, and people type their Aadhaar number where a username goes.
      username: input.username === undefined ? null : scrubAadhaar(input.username.slice(0, 64)),
      targetType: input.target?.type ?? null,
      targetId: input.target?.id ?? null,
      // A pseudonym's events keep neither address nor request id: matched with a persona's
      // sign-in from the same address (or its log lines), they would join the two faces.
      clientAddress: actor?.kind === 'pseudonym' ? null : (context.clientAddress ?? null),
      requestId: actor?.kind === 'pseudonym' ? null : (context.requestId ?? null),
      details: input.details ?? null,
    };
    const { event, details, ...fields } = row;
    this.logger.log({ event: 'security_event', securityEvent: event, ...fields });
    const em = manager ?? this.db.manager;
    await em.save(em.create(SecurityEventEntity, { ...row, details }));
  }

  /** For refusals: a failure to record is logged, and never turns the refusal into a 500. */
  async recordRefusal(context: AuditContext, input: SecurityEventInput): Promise<void> {
    try {
      await this.record(context, input);
    } catch (error) {
      this.logger.error({ event: 'security_event_not_recorded', securityEvent: input.event, err: String(error) });
    }
  }

  /** A page of events, newest first, and the cursor of the next page (null on the last). */
  async list(query: SecurityEventQuery): Promise<{ events: SecurityEventEntity[]; next: string | null }> {
    const where: FindOptionsWhere<SecurityEventEntity> = {};
    if (query.event) where.event = query.event;
    if (query.actorAccountId) where.actorAccountId = query.actorAccountId;
    if (query.username) where.username = query.username;
    if (query.since && query.until) where.at = Between(query.since, query.until);
    else if (query.since) where.at = MoreThanOrEqual(query.since);
    else if (query.until) where.at = LessThanOrEqual(query.until);
    if (query.before) where.id = LessThan(query.before);
    const rows = await this.db.manager.find(SecurityEventEntity, { where, order: { id: 'DESC' }, take: query.limit + 1 });
    const events = rows.slice(0, query.limit);
    return { events, next: rows.length > query.limit ? events[events.length - 1]!.id : null };
  }
}
