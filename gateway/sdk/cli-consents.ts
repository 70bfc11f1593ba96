import { signConsentLink } from '../src/chain/consent-link';
import { NO_RECORDS_ROOT, signConsentGrant, signRegistration, signRelationshipGrant, signRevocation } from '../src/chain/patient-messages';
import { coarseDeadline, coarseExpiry, LedgerScope, Relationship } from '../src/chain/relationships';
import { Category, Purpose } from '../src/chain/typed-messages';
import { ConsentView, GatewayClient, GatewayError } from './gateway-client';

/**
 * The CLI's consent commands: the patient's relationships, grants, revocations and who read
 * what. Every message is signed here, with keys derived from the patient secret; the gateway
 * relays it. Records are shared from the pseudonym of the relationship with the hospital that
 * filed them (`--hospital`).
 */
export interface LedgerKeys {
  client: GatewayClient;
  scope: LedgerScope;
  relationshipWith(counterpart: string): Relationship;
}

export class ConsentUsageError extends Error {}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const DAY = 86_400;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const deadline = () => coarseDeadline(nowSeconds() + 3600);

export function address(value: string | undefined, option: string): string {
  if (!value || !ADDRESS.test(value)) throw new ConsentUsageError(`${option} takes a 0x address`);
  return value;
}

/** A bitmask from comma-separated names of `codes` (Category or Purpose). */
export function mask(value: string, codes: Record<string, number>, option: string): number {
  return value.split(',').reduce((bits, name) => {
    const index = codes[name.trim()];
    if (index === undefined) throw new ConsentUsageError(`${option}: "${name}" is none of ${Object.keys(codes).join(', ')}`);
    return bits | (1 << index);
  }, 0);
}

/** Registers the relationship with `hospital` on chain, so that you can sign in as it and read what it files. */
export async function openRelationship(keys: LedgerKeys, hospital: string): Promise<string> {
  const relationship = keys.relationshipWith(hospital);
  try {
    await keys.client.registerRelationship(signRegistration(relationship, keys.scope, deadline()), true);
  } catch (error) {
    if (!(error instanceof GatewayError && /AlreadyRegistered/.test(error.message))) throw error;
  }
  return relationship.handle;
}

/** The consent `grantee` holds from the relationship, as the gateway reads it (signed in as it), or null before it is registered. */
async function consentOf(keys: LedgerKeys, asRecords: GatewayClient, relationship: Relationship, grantee: string): Promise<ConsentView | null> {
  const listed = (await asRecords.consents()).find((consent) => consent.relationship === relationship.handle);
  if (listed) return listed;
  try {
    return (await (await keys.client.asPseudonym(relationship)).consents()).find((consent) => consent.grantee.toLowerCase() === grantee.toLowerCase()) ?? null;
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'PSEUDONYM_UNKNOWN') return null;
    throw error;
  }
}

/** Grants `grantee` the records the hospital filed for you, for `purposes` and `categories`, for `days`. */
export async function grant(keys: LedgerKeys, hospital: string, grantee: string, values: { categories?: string; purposes?: string; days?: string }): Promise<string> {
  const days = Number(values.days ?? '30');
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new ConsentUsageError('--days is a whole number of days from 1 to 3650');
  const terms = {
    categories: values.categories ? mask(values.categories, Category, '--categories') : 0x7f,
    purposes: mask(values.purposes ?? 'CAREMGT', Purpose, '--purposes'),
    fromDate: 0, toDate: 2 ** 40 - 1, expiry: coarseExpiry(nowSeconds() + days * DAY), recordsRoot: NO_RECORDS_ROOT,
  };
  const records = keys.relationshipWith(hospital);
  const asRecords = await keys.client.asPseudonym(records);
  const relationship = keys.relationshipWith(grantee);
  const known = await consentOf(keys, asRecords, relationship, grantee);
  const message = known
    ? signConsentGrant(relationship, keys.scope, grantee, terms, known.nonce, deadline())
    : signRelationshipGrant(relationship, keys.scope, grantee, terms, deadline());
  const relayed = await asRecords.grant(message, signConsentLink(relationship, keys.scope, records.handle, grantee), { wait: true });
  return `Granted ${grantee} until ${new Date(terms.expiry * 1000).toISOString().slice(0, 10)} (transaction ${relayed.txHash}).`;
}

export async function revoke(keys: LedgerKeys, hospital: string, grantee: string): Promise<string> {
  const asRecords = await keys.client.asPseudonym(keys.relationshipWith(hospital));
  const relationship = keys.relationshipWith(grantee);
  const known = await consentOf(keys, asRecords, relationship, grantee);
  if (!known) return `${grantee} holds no consent from you.`;
  const relayed = await asRecords.revoke(signRevocation(relationship, keys.scope, grantee, known.nonce, deadline()), true);
  return `Revoked ${grantee}: refused from block ${relayed.block} on (transaction ${relayed.txHash}).`;
}

export async function listConsents(keys: LedgerKeys, hospital: string): Promise<string[]> {
  const consents = await (await keys.client.asPseudonym(keys.relationshipWith(hospital))).consents();
  if (consents.length === 0) return ['No consents cover the records this hospital filed for you.'];
  return consents.map((c) => `${c.grantee}  ${c.status.padEnd(7)}  until ${c.terms.expiry ? new Date(c.terms.expiry * 1000).toISOString().slice(0, 10) : '-'}`);
}

export async function accessLog(keys: LedgerKeys, hospital: string): Promise<string[]> {
  const entries = await (await keys.client.asPseudonym(keys.relationshipWith(hospital))).accessLog();
  if (entries.length === 0) return ['Nobody else has read the records this hospital filed for you.'];
  return entries.map((e) => `${e.accessedAt}  ${e.readerName} ${e.reader}  read ${e.recordId} for ${e.purpose}  (${e.status}${e.txHash ? ` in ${e.txHash}` : ''})`);
}
