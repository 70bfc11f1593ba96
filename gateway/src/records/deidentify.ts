import { randomUUID } from 'node:crypto';
import type { FhirResource } from './fhir-validator';
import { KnownIdentifiers, scrubText } from './free-text';

/**
 * De-identification of a FHIR R4 resource or Bundle before it is stored (DESIGN trust model 2;
 * docs/records.md says what is done to each of HIPAA Safe Harbor's 18 kinds and why).
 *
 * Structure first: identifiers, contact points, photos, names of the patient and their
 * relatives, the persons' addresses below state level, narratives, attachment links and inline
 * data, record-keeping instants and meta are removed; birth dates keep the year (none at all when
 * it says the patient is over 89), dates of death the year, clinical dates the day; ages over 89
 * become "90 or more"; resource ids and references are replaced by fresh random ids, the same
 * within one record. Then every remaining string but codes and structural URIs goes through the
 * free-text scrubber with the identifying words the structure gave. Finally the output is
 * searched for any of those words: a residue (an identifier in a code, say) is reported, and
 * the upload refused, rather than stored.
 */
export interface Deidentified {
  resource: FhirResource;
  /** Paths of strings where an identifier was still found after scrubbing: the upload is refused when not empty. */
  residue: string[];
}

/** Elements of type Identifier (or holding one) in R4 resources: removed wherever they appear, their values redacted from text. */
const IDENTIFIER_KEYS = ['identifier', 'valueIdentifier', 'masterIdentifier', 'accessionIdentifier', 'groupIdentifier', 'requisition', 'distinctIdentifier'];

/** Resources that describe a person whose identifiers Safe Harbor removes: the patient and their relatives. */
const PERSONS = new Set(['Patient', 'RelatedPerson', 'Person']);
/** Removed wherever they appear (identifiers, contact points, photos, device serials, insurance ids, resource meta). */
export const ALWAYS_REMOVED = new Set([
  ...IDENTIFIER_KEYS, 'telecom', 'photo', 'valueContactPoint', 'valueHumanName', 'subscriberId', 'serialNumber', 'udiCarrier',
  'meta', 'implicitRules', 'issued', 'timestamp', 'recorded', 'lastModified', 'ifModifiedSince', 'when',
  // Where a place is, to the metre (Location.position).
  'position',
]);
/** A Bundle's links and its entries' request, response and search carry the sender's URLs and ids (`Patient/MRN…`). */
const BUNDLE_REMOVED = new Set(['link']);
const ENTRY_REMOVED = new Set(['request', 'response', 'search', 'link']);
/** Extensions that state a birth (the day, the place's time): removed with the birth date's day. */
const BIRTH_EXTENSIONS = /patient-birthTime$/;
/** LOINC 21112-8, "Birth date", as an Observation: the year only, as Patient.birthDate. */
const BIRTH_DATE_LOINC = '21112-8';
/** Record-keeping instants by resource (when a document was indexed): removed, as `issued` and `recorded` are everywhere. */
export const INSTANTS_REMOVED: Readonly<Record<string, readonly string[]>> = { DocumentReference: ['date'], Subscription: ['end'] };
/**
 * Clinical instants (FHIR's instant type needs a time): the day, at 00:00 UTC. Together with the
 * keys above this covers every instant element of R4 outside definitional resources
 * (deidentify.spec.ts checks the list against the StructureDefinitions).
 */
export const INSTANTS_TO_DAY: Readonly<Record<string, readonly string[]>> = {
  Appointment: ['start', 'end'], AppointmentResponse: ['start', 'end'], Slot: ['start', 'end'], '*': ['effectiveInstant', 'valueInstant', 'time'],
};
/** Removed from the person resources: names, relatives' contacts, links to other person records. */
const PERSON_REMOVED = new Set(['name', 'contact', 'link']);
/** What an address keeps (Safe Harbor: nothing below a state). */
const ADDRESS_KEPT = new Set(['use', 'type', 'state', 'country']);
/** Codes, URIs and ids: not prose, left as they are (ids and references are replaced separately). */
const STRUCTURAL = new Set(['resourceType', 'system', 'url', 'profile', 'fullUrl', 'reference', 'contentType', 'id', 'code', 'version', 'unit', 'gender', 'status', 'use', 'language']);
const AGE_UNITS = /^(a|yr|yrs|year|years)$/i;
const FHIR_DATE = /^(\d{4})(-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
/** A uuid as a value (`valueUuid`, a `urn:uuid:` URI, an identifier's value): replaced by a fresh one, never scrubbed into an invalid value. */
const UUID_VALUE = /^(urn:uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/**
 * FHIR's time (a time of day) on the elements R4 types as `time`: no date element, kept to the
 * second (a fraction could carry digits). Any other string that looks like one is prose.
 */
const FHIR_TIME = /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?$/;
const TIME_ELEMENTS = new Set(['valueTime', 'timeOfDay', 'availableStartTime', 'availableEndTime']);
const LITERAL_REFERENCE = /^(?:.*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9.-]{1,64})(?:\/_history\/[^/]+)?$/;

type Json = unknown;
type JsonObject = Record<string, Json>;
const isObject = (value: Json): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);

export function deidentify(input: FhirResource, now: Date = new Date()): Deidentified {
  const known = new KnownIdentifiers(identifyingWords(input));
  const ids = new IdMap(input);
  const output = new Walker(known, ids, now).object(structuredClone(input), null) as FhirResource;
  const residue: string[] = [];
  walkStrings(output, '', (path, text) => {
    if (known.foundIn(text)) residue.push(path);
  });
  return { resource: output, residue };
}

/** The patient's and relatives' names, identifier values, contact points and address lines, wherever the record gives them. */
function identifyingWords(root: Json): string[] {
  const words: string[] = [];
  const strings = (...values: Json[]): void => values.flat(2).forEach((value) => typeof value === 'string' && words.push(value));
  const names = (value: Json): void => [value].flat().filter(isObject).forEach((n) => strings(n.text, n.family, n.given));
  const contactPoints = (value: Json): void => [value].flat().filter(isObject).forEach((t) => strings(t.value));
  const addresses = (value: Json): void => [value].flat().filter(isObject).forEach((a) => strings(a.text, a.line, a.city, a.district, a.postalCode));
  const visit = (node: Json, person: boolean): void => {
    if (Array.isArray(node)) return node.forEach((item) => visit(item, person));
    if (!isObject(node)) return;
    const isPerson = typeof node.resourceType === 'string' ? PERSONS.has(node.resourceType) : person;
    for (const [key, value] of Object.entries(node)) {
      if (isPerson && (key === 'name' || key === 'valueHumanName')) names(value);
      if (isPerson && key === 'address') addresses(value);
      if (key === 'telecom' || key === 'valueContactPoint') contactPoints(value);
      if (key === 'valueHumanName') names(value);
      // Any identifier's value, on any resource: record, accession and licence numbers are Safe Harbor kinds too.
      if (IDENTIFIER_KEYS.includes(key)) {
        contactPoints(value);
        strings(value); // distinctIdentifier: a plain string
      }
      visit(value, isPerson);
    }
  };
  visit(root, false);
  return words.flatMap((word) => [word, ...word.split(/[\s,]+/).filter((part) => part.length >= 3)]);
}

/** Fresh random ids for every resource id and literal reference of one record, the same for the same target. */
class IdMap {
  private readonly byKey = new Map<string, string>();
  private readonly fullUrls = new Map<string, string>();
  private readonly uuids = new Map<string, string>();

  constructor(root: Json) {
    const entries = isObject(root) && root.resourceType === 'Bundle' && Array.isArray(root.entry) ? root.entry : [];
    for (const entry of entries) {
      if (!isObject(entry) || !isObject(entry.resource)) continue;
      const { resourceType, id } = entry.resource;
      const fresh = `urn:uuid:${randomUUID()}`;
      if (typeof entry.fullUrl === 'string') this.fullUrls.set(entry.fullUrl, fresh);
      if (typeof resourceType === 'string' && typeof id === 'string') this.byKey.set(`${resourceType}/${id}`, fresh);
    }
  }

  /** The new id of a resource (its entry's urn:uuid when it has one). */
  resourceId(type: string, id: string): string {
    return this.target(type, id).replace(/^urn:uuid:/, '');
  }

  /** A reference rewritten to the target's fresh id; contained (#) references stay. */
  reference(reference: string): string {
    if (reference.startsWith('#')) return reference;
    const mapped = this.fullUrls.get(reference);
    if (mapped) return mapped;
    const literal = LITERAL_REFERENCE.exec(reference);
    if (!literal) return `urn:uuid:${randomUUID()}`; // an unknown form: keep nothing of it
    const target = this.target(literal[1]!, literal[2]!);
    return target.startsWith('urn:') ? target : `${literal[1]}/${target}`;
  }

  private target(type: string, id: string): string {
    const key = `${type}/${id}`;
    let fresh = this.byKey.get(key);
    if (!fresh) this.byKey.set(key, (fresh = randomUUID()));
    return fresh;
  }

  fullUrl(fullUrl: string): string {
    return this.fullUrls.get(fullUrl) ?? `urn:uuid:${randomUUID()}`;
  }

  /**
   * A uuid given as a value: the fresh fullUrl of the entry it names, if it names one, or else
   * a fresh uuid, the same wherever the record repeats it; in the form it came (urn:uuid: or bare).
   */
  uuid(value: string): string {
    const [, urn = '', uuid] = UUID_VALUE.exec(value)!;
    const key = uuid!.toLowerCase();
    let fresh = (this.fullUrls.get(`urn:uuid:${uuid}`) ?? this.fullUrls.get(`urn:uuid:${key}`))?.replace(/^urn:uuid:/, '') ?? this.uuids.get(key);
    if (!fresh) this.uuids.set(key, (fresh = randomUUID()));
    return urn + fresh;
  }
}

class Walker {
  constructor(
    private readonly known: KnownIdentifiers,
    private readonly ids: IdMap,
    private readonly now: Date,
  ) {}

  object(node: JsonObject, resourceType: string | null): JsonObject | undefined {
    const type = typeof node.resourceType === 'string' ? node.resourceType : null;
    const inResource = type ?? resourceType;
    const person = type !== null && PERSONS.has(type);
    const out: JsonObject = {};
    const entry = type === null && 'resource' in node;
    for (const [key, value] of Object.entries(node)) {
      if (ALWAYS_REMOVED.has(key) || (person && PERSON_REMOVED.has(key)) || (type && INSTANTS_REMOVED[type]?.includes(key))) continue;
      if ((type === 'Bundle' && BUNDLE_REMOVED.has(key)) || (entry && ENTRY_REMOVED.has(key))) continue;
      // Primitive extensions (`_birthDate`) may hold anything, identifiers included.
      if (key.startsWith('_')) continue;
      if (key === 'extension' && Array.isArray(value) && person) {
        const kept = value.filter((ext) => !(isObject(ext) && typeof ext.url === 'string' && BIRTH_EXTENSIONS.test(ext.url)));
        if (kept.length === 0) continue;
        out[key] = this.value(kept, key, inResource);
        continue;
      }
      if (key === 'text' && isObject(value) && 'div' in value) continue; // narrative: free text no pattern can vouch for
      const kept = this.field(node, key, value, type, inResource, person);
      if (kept !== undefined) out[key] = kept;
    }
    if (isAge(out)) capAge(out);
    // What is stored is the content, not the sender's instructions to its server: without its
    // requests (their URLs carry the sender's ids) a transaction or batch is a collection.
    if (type === 'Bundle' && typeof out.type === 'string' && /^(transaction|batch|history)/.test(out.type)) out.type = 'collection';
    if (type === 'Observation' && codes(node).includes(BIRTH_DATE_LOINC)) {
      for (const key of ['valueDateTime', 'valueString']) if (typeof out[key] === 'string') out[key] = this.birthYear(out[key] as string);
    }
    // An extension whose value was an identifier is nothing without it (and invalid FHIR: ext-1).
    if (typeof out.url === 'string' && isExtension(node) && !isExtension(out)) return undefined;
    return out;
  }

  private field(node: JsonObject, key: string, value: Json, type: string | null, inResource: string | null, person: boolean): Json | undefined {
    if (type && key === 'id' && typeof value === 'string') return this.ids.resourceId(type, value);
    if (key === 'fullUrl' && typeof value === 'string') return this.ids.fullUrl(value);
    if (key === 'reference' && typeof value === 'string') return this.ids.reference(value);
    if (key === 'display' && isReference(node)) return refersToPerson(node) ? undefined : this.value(value, key, inResource);
    if ((key === 'address' || key === 'valueAddress') && typeof value === 'string') return undefined; // Endpoint.address: a URL
    if (key === 'address' || key === 'valueAddress') return [value].flat().filter(isObject).map(keepAddress) as Json;
    if (isAttachment(node) && (key === 'url' || key === 'data' || key === 'hash')) return undefined; // the attachment route carries files
    if (person && key === 'birthDate' && typeof value === 'string') return this.birthYear(value);
    if (key === 'deceasedDateTime' && typeof value === 'string') return value.slice(0, 4);
    if (typeof value === 'string' && FHIR_DATE.test(value) && value.length > 10 && (INSTANTS_TO_DAY['*']!.includes(key) || (type && INSTANTS_TO_DAY[type]?.includes(key)))) {
      return `${value.slice(0, 10)}T00:00:00Z`;
    }
    return this.value(value, key, inResource);
  }

  private value(value: Json, key: string, inResource: string | null): Json | undefined {
    if (Array.isArray(value)) {
      const kept = value.map((item) => this.value(item, key, inResource)).filter((item) => item !== undefined);
      return kept.length > 0 ? kept : undefined;
    }
    if (isObject(value)) return this.object(value, inResource);
    if (typeof value !== 'string' || STRUCTURAL.has(key)) return value;
    if (UUID_VALUE.test(value)) return this.ids.uuid(value);
    if (TIME_ELEMENTS.has(key) && FHIR_TIME.test(value)) return value.slice(0, 8);
    const date = FHIR_DATE.exec(value);
    if (date) return value.slice(0, 10); // a clinical date keeps its day, never its time
    return scrubText(value, this.known);
  }

  /** The birth year, or nothing when it says the patient is over 89 (Safe Harbor aggregates them into 90 or older). */
  private birthYear(birthDate: string): string | undefined {
    const year = Number(birthDate.slice(0, 4));
    return this.now.getUTCFullYear() - year > 89 ? undefined : String(year);
  }
}

/** The codes of a resource's `code` (Coding.code), to recognise an observation by its LOINC. */
function codes(node: JsonObject): string[] {
  const code = node.code;
  return isObject(code) && Array.isArray(code.coding) ? code.coding.filter(isObject).map((c) => String(c.code)) : [];
}

function keepAddress(address: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(address).filter(([key]) => ADDRESS_KEPT.has(key)));
}

const isReference = (node: JsonObject): boolean => typeof node.reference === 'string' || (typeof node.display === 'string' && Object.keys(node).every((k) => ['display', 'type', 'identifier', 'reference'].includes(k)));
/** A reference to the patient or a relative, or one whose target cannot be told: its display is likely a name. */
function refersToPerson(node: JsonObject): boolean {
  const type = typeof node.type === 'string' ? node.type : typeof node.reference === 'string' ? LITERAL_REFERENCE.exec(node.reference)?.[1] : undefined;
  return type === undefined || PERSONS.has(type);
}
const isExtension = (node: JsonObject): boolean => Object.keys(node).some((key) => key === 'extension' || key.startsWith('value'));
const isAttachment = (node: JsonObject): boolean => 'contentType' in node || 'data' in node || 'creation' in node || ('title' in node && 'url' in node);
const isAge = (node: JsonObject): boolean =>
  typeof node.value === 'number' && ((typeof node.code === 'string' && AGE_UNITS.test(node.code)) || (typeof node.unit === 'string' && AGE_UNITS.test(node.unit)));

/** An age over 89 becomes ">= 90" (FHIR Quantity's comparator), as Safe Harbor aggregates them. */
function capAge(age: JsonObject): void {
  if ((age.value as number) > 89) {
    age.value = 90;
    age.comparator = '>=';
  }
}

function walkStrings(node: Json, path: string, visit: (path: string, text: string) => void): void {
  if (typeof node === 'string') return visit(path, node);
  if (Array.isArray(node)) return node.forEach((item, i) => walkStrings(item, `${path}[${i}]`, visit));
  if (isObject(node)) for (const [key, value] of Object.entries(node)) walkStrings(value, path ? `${path}.${key}` : key, visit);
}
