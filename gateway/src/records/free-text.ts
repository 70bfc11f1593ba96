/**
 * The free-text half of de-identification (deidentify.ts holds the structural half): what is
 * left of a record's prose after the identifiers the structure names are known. Patterns catch
 * the Safe Harbor kinds that have a shape (e-mail, URL, IP address, phone, fax, Aadhaar, ABHA,
 * account and record numbers, vehicle numbers, dates, ages over 89); the patient's and their
 * relatives' own names, numbers and address lines, gathered from the record's Patient and
 * RelatedPerson resources, are redacted wherever they appear as words. A name the record's
 * structure never gives (a neighbour named only in a note) is beyond any pattern: see
 * docs/records.md for what that means and what is done about it.
 */
export const REDACTED = '[redacted]';

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';

// Every repetition below is bounded: a pattern is tried at each position of a text a hospital
// sent (up to FHIR_BODY_LIMIT_BYTES), so an unbounded one could take time quadratic in its length.

/** Dates keep their year only (Safe Harbor: no element of a date but the year). Run before the number rules. */
const DATE_RULES: ReadonlyArray<[RegExp, string]> = [
  [/\b(\d{4})-\d{2}-\d{2}(?:T[\d:.]{1,15}(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d-])/g, '$1'],
  [/\b\d{1,2}[/.-]\d{1,2}[/.-](\d{4})\b/g, '$1'],
  [new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s{1,3}(?:of\\s{1,3})?${MONTH},?\\s{1,3}(\\d{4})\\b`, 'gi'), '$1'],
  [new RegExp(`\\b${MONTH}\\s{1,3}\\d{1,2}(?:st|nd|rd|th)?,?\\s{1,3}(\\d{4})\\b`, 'gi'), '$1'],
  [new RegExp(`\\b${MONTH}\\s{1,3}(\\d{4})\\b`, 'gi'), '$1'],
];

/** Shapes that are identifiers whatever they name. Order matters: an e-mail holds an @, a URL may hold an IP. */
const IDENTIFIER_RULES: readonly RegExp[] = [
  /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g, // e-mail (RFC 5321's lengths)
  /\b[A-Za-z0-9._-]{2,64}@(?:abdm|sbx)\b/gi, // ABHA address
  /\b(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>"']{1,2048}/gi, // URL
  /\b(?:\d{1,3}\.){3}\d{1,3}\b/g, // IPv4
  /\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi, // IPv6
  /\b[A-Z]{2}[ -]?\d{1,2}[ -]?[A-Z]{1,3}[ -]?\d{4}\b/g, // Indian vehicle registration (MH 12 AB 1234)
  /\+?\d(?:[ -]?\d){5,64}/g, // six digits or more: phone, fax, Aadhaar, ABHA, PIN code, record, account, licence numbers
];

/** "93-year-old", "93 years", "aged 93", "93 y/o": an age over 89 becomes 90+. */
const AGE_RULES: readonly RegExp[] = [/\b(\d{2,3})(?=(?:\s{0,3}|-)(?:years?|yrs?|y\/o|y\.o\.|year-old)\b)/gi, /(?<=\baged?\s{1,3})(\d{2,3})\b/gi];

/** A word as identifiers are written: letters and digits, joined inside by . - _ @ / ' + (an MRN, an e-mail, O'Brien). */
const WORD = /[\p{L}\p{N}]+(?:[-.@_/'+][\p{L}\p{N}]+)*/gu;
const wordsOf = (text: string): string[] => text.match(WORD) ?? [];

/**
 * The identifying words of one record (names, numbers, address lines): each value that is one
 * word, and every word of three characters or more of a longer value ("Aarav Sharma" gives
 * both names). Looked up word by word in a set, so scrubbing costs the length of the text,
 * however many identifiers a record names.
 */
export class KnownIdentifiers {
  private readonly words = new Set<string>();

  constructor(values: Iterable<string>) {
    const isWord = (text: string): boolean => wordsOf(text).length === 1 && wordsOf(text)[0] === text;
    for (const value of values) {
      const whole = value.trim().toLowerCase();
      // A single letter or digit is no identifier, and redacting it would shred the text.
      if (isWord(whole) && (whole.match(/[\p{L}\p{N}]/gu) ?? []).length >= 2) this.words.add(whole);
      // The parts of a longer value, as written between spaces and commas (a URL or a phone
      // number is no word: the patterns find those).
      for (const part of whole.split(/[\s,]+/)) if (part.length >= 3 && isWord(part)) this.words.add(part);
    }
  }

  redact(text: string): string {
    return this.words.size === 0 ? text : text.replace(WORD, (word) => (this.words.has(word.toLowerCase()) ? REDACTED : word));
  }

  /** Whether `text` still holds one of the words (the final check over the whole output). */
  foundIn(text: string): boolean {
    return this.words.size > 0 && wordsOf(text).some((word) => this.words.has(word.toLowerCase()));
  }
}

/** `text` with every identifier the patterns or `known` find replaced, dates cut to years and ages over 89 to 90+. */
export function scrubText(text: string, known: KnownIdentifiers): string {
  let out = known.redact(text);
  for (const [pattern, replacement] of DATE_RULES) out = out.replace(pattern, replacement);
  for (const pattern of AGE_RULES) out = out.replace(pattern, (age) => (Number(age) > 89 ? '90+' : age));
  for (const pattern of IDENTIFIER_RULES) out = out.replace(pattern, REDACTED);
  return out;
}
