import { Category, Purpose } from '../../src/chain/typed-messages';
import { day } from './ui';

/** What each category and purpose means to a patient: the words of the consent screen. */
export const CATEGORY_WORDS: Record<keyof typeof Category, string> = {
  OPConsultation: 'consultation notes',
  Prescription: 'prescriptions',
  DischargeSummary: 'discharge summaries',
  DiagnosticReport: 'test results and reports',
  ImmunizationRecord: 'vaccinations',
  HealthDocumentRecord: 'scanned documents',
  WellnessRecord: 'wellness readings',
};

export const PURPOSE_WORDS: Record<keyof typeof Purpose, string> = {
  CAREMGT: 'to treat you',
  BTG: 'in an emergency',
  PUBHLTH: 'for public health',
  HPAYMT: 'for insurance and payment',
  DSRCH: 'for research',
  PATRQT: 'because you asked',
};

export const ALL_CATEGORIES = (1 << Object.keys(Category).length) - 1;

export function namesIn<T extends Record<string, number>>(mask: number, codes: T, words: Record<keyof T, string>): string[] {
  return (Object.keys(codes) as (keyof T)[]).filter((name) => (mask & (1 << codes[name]!)) !== 0).map((name) => words[name]);
}

const list = (items: string[]): string => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

/** A consent's terms in one plain sentence: what is shared, for what, until when; `whose` records, as the reader of the sentence calls them. */
export function describeTerms(terms: { categories: number; purposes: number; fromDate: number; toDate: number; expiry: number }, whose: 'your' | 'their' = 'your'): string {
  const what = terms.categories === ALL_CATEGORIES ? `all ${whose} records` : `${whose} ${list(namesIn(terms.categories, Category, CATEGORY_WORDS))}`;
  const dates = terms.fromDate > 0 || terms.toDate < 2 ** 40 - 1 ? ` from care between ${day(terms.fromDate)} and ${day(terms.toDate)}` : '';
  const why = namesIn(terms.purposes, Purpose, PURPOSE_WORDS).map((words) => (whose === 'their' ? words.replace(/\byou\b/, 'them') : words));
  return `May read ${what}${dates}, ${list(why)}, until ${day(terms.expiry)}.`;
}
