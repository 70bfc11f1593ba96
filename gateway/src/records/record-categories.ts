/**
 * ABDM Health Information types, in the order of the consent contract's category bits
 * (contracts/ConsentGrants.sol: bit 0 OPConsultation … bit 6 WellnessRecord). A record's
 * category is its bit index; a consent names a set of them as a bitmask.
 */
export const RECORD_CATEGORIES = [
  'OPConsultation',
  'Prescription',
  'DischargeSummary',
  'DiagnosticReport',
  'ImmunizationRecord',
  'HealthDocumentRecord',
  'WellnessRecord',
] as const;

export type RecordCategory = (typeof RECORD_CATEGORIES)[number];

export const categoryIndex = (category: RecordCategory): number => RECORD_CATEGORIES.indexOf(category);

export function categoryName(index: number): RecordCategory {
  const name = RECORD_CATEGORIES[index];
  if (!name) throw new Error(`No ABDM HI type has index ${index}`);
  return name;
}
