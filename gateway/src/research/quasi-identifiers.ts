/**
 * Research exports (issue 14, point 7): the quasi-identifiers left in a de-identified record
 * (birth year, gender, state), generalised to an age band, a gender and a region, and a
 * k-anonymity floor over them (Sweeney 2002): a group of records whose generalised
 * quasi-identifiers fewer than k patients share is suppressed, not released.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface QuasiIdentifiers {
  /** Ten-year band of the age this year ('40-49'), '90+', or 'unknown'. */
  ageBand: string;
  gender: string;
  /** The state (Safe Harbor keeps nothing below it), or 'unknown'. */
  region: string;
}

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The resources of a record: itself, or a Bundle's entries. */
function resourcesOf(resource: JsonObject): JsonObject[] {
  if (resource.resourceType !== 'Bundle') return [resource];
  return (Array.isArray(resource.entry) ? resource.entry : []).map((entry) => (isObject(entry) ? entry.resource : undefined)).filter(isObject);
}

export function ageBand(birthYear: number | null, thisYear: number): string {
  if (birthYear === null) return 'unknown';
  const age = thisYear - birthYear;
  if (age < 0) return 'unknown';
  if (age >= 90) return '90+';
  const low = Math.floor(age / 10) * 10;
  return `${low}-${low + 9}`;
}

/** The record's quasi-identifiers, generalised, from its Patient resource (if any). */
export function quasiIdentifiersOf(resource: object, thisYear: number): QuasiIdentifiers {
  const patient = resourcesOf(resource as JsonObject).find((r) => r.resourceType === 'Patient');
  const year = typeof patient?.birthDate === 'string' ? Number(patient.birthDate.slice(0, 4)) : NaN;
  const address = Array.isArray(patient?.address) ? patient.address.find(isObject) : undefined;
  return {
    ageBand: ageBand(Number.isInteger(year) ? year : null, thisYear),
    gender: typeof patient?.gender === 'string' ? patient.gender : 'unknown',
    region: typeof address?.state === 'string' && address.state.trim() ? address.state.trim() : 'unknown',
  };
}

const DATE = /^(\d{4})(-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The record as released for research: its Patient resources removed (their quasi-identifiers
 * travel generalised beside it), every date and instant cut to its year (the stored record keeps
 * the day for care; research does not need it).
 */
export function generalised(record: object): Record<string, unknown> | null {
  const resource = record as JsonObject;
  if (resource.resourceType === 'Patient') return null;
  const cut = (value: Json): Json => {
    if (typeof value === 'string') return DATE.test(value) ? value.slice(0, 4) : value;
    if (Array.isArray(value)) return value.map(cut);
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, cut(inner)]));
    return value;
  };
  const kept = resource.resourceType === 'Bundle' && Array.isArray(resource.entry)
    ? { ...resource, entry: resource.entry.filter((entry) => !(isObject(entry) && isObject(entry.resource) && entry.resource.resourceType === 'Patient')) }
    : resource;
  return cut(kept) as JsonObject;
}

/** A record ready for release: who it is about (an id for this export only), its quasi-identifiers. */
export interface ResearchRow<T> {
  subject: string;
  qi: QuasiIdentifiers;
  item: T;
}

export interface KAnonymityReport {
  k: number;
  groups: number;
  suppressedGroups: number;
  suppressedSubjects: number;
  suppressedRecords: number;
}

/**
 * Every row of a subject with the same quasi-identifiers: each field as the subject's records
 * agree on it, 'unknown' where they differ. Otherwise a patient whose records fall into two
 * groups (two states) would carry a combination of their own, joined by the subject id.
 */
export function withSubjectQuasiIdentifiers<T>(rows: ReadonlyArray<ResearchRow<T>>): ResearchRow<T>[] {
  const bySubject = new Map<string, QuasiIdentifiers>();
  for (const { subject, qi } of rows) {
    const seen = bySubject.get(subject);
    bySubject.set(subject, seen ? {
      ageBand: seen.ageBand === qi.ageBand ? seen.ageBand : 'unknown', gender: seen.gender === qi.gender ? seen.gender : 'unknown', region: seen.region === qi.region ? seen.region : 'unknown',
    } : qi);
  }
  return rows.map((row) => ({ ...row, qi: bySubject.get(row.subject)! }));
}

/** The rows whose group (equal quasi-identifiers) holds at least `k` distinct subjects, and what was suppressed. */
export function kAnonymous<T>(rows: ReadonlyArray<ResearchRow<T>>, k: number): { released: ResearchRow<T>[]; report: KAnonymityReport } {
  const groups = new Map<string, ResearchRow<T>[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.qi.ageBand, row.qi.gender, row.qi.region]);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const released: ResearchRow<T>[] = [];
  const report: KAnonymityReport = { k, groups: groups.size, suppressedGroups: 0, suppressedSubjects: 0, suppressedRecords: 0 };
  for (const members of groups.values()) {
    const subjects = new Set(members.map((row) => row.subject)).size;
    if (subjects >= k) released.push(...members);
    else {
      report.suppressedGroups++;
      report.suppressedSubjects += subjects;
      report.suppressedRecords += members.length;
    }
  }
  return { released, report };
}
