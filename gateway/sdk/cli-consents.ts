import { Category, Purpose } from '../src/chain/typed-messages';
import { consentTerms, grantConsent, LedgerKeys, revokeConsent } from './consents';

export { openRelationship } from './consents';
export type { LedgerKeys } from './consents';

/**
 * The CLI's consent commands: the patient's relationships, grants, revocations and who read
 * what. Every message is signed here, with keys derived from the patient secret; the gateway
 * relays it. Records are shared from the pseudonym of the relationship with the hospital that
 * filed them (`--hospital`).
 */
export class ConsentUsageError extends Error {}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

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

/** Grants `grantee` the records the hospital filed for you, for `purposes` and `categories`, for `days`. */
export async function grant(keys: LedgerKeys, hospital: string, grantee: string, values: { categories?: string; purposes?: string; days?: string }): Promise<string> {
  const days = Number(values.days ?? '30');
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new ConsentUsageError('--days is a whole number of days from 1 to 3650');
  const terms = consentTerms(values.categories ? mask(values.categories, Category, '--categories') : 0x7f, mask(values.purposes ?? 'CAREMGT', Purpose, '--purposes'), days);
  const relayed = await grantConsent(keys, hospital, grantee, terms);
  return `Granted ${grantee} until ${new Date(terms.expiry * 1000).toISOString().slice(0, 10)} (transaction ${relayed.txHash}).`;
}

export async function revoke(keys: LedgerKeys, hospital: string, grantee: string): Promise<string> {
  const relayed = await revokeConsent(keys, hospital, grantee);
  if (!relayed) return `${grantee} holds no consent from you.`;
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
