import type { FhirResource } from './fhir-validator';

/** Where a resource says when the care happened, most specific first. */
const DATE_PATHS: ReadonlyArray<readonly string[]> = [
  ['effectiveDateTime'], ['effectivePeriod', 'start'], ['effectiveInstant'], ['occurrenceDateTime'], ['occurrencePeriod', 'start'],
  ['performedDateTime'], ['performedPeriod', 'start'], ['authoredOn'], ['onsetDateTime'], ['recordedDate'], ['period', 'start'],
  ['context', 'period', 'start'], ['date'], ['issued'],
];

/** The day of care a resource states (YYYY-MM-DD), or null. A Bundle: its Composition's, else its first entry's that has one. */
export function clinicalDateOf(resource: FhirResource): string | null {
  if (resource.resourceType === 'Bundle') {
    const resources = ((resource.entry as Array<{ resource?: FhirResource }> | undefined) ?? []).map((e) => e.resource).filter((r): r is FhirResource => !!r);
    const ordered = [...resources.filter((r) => r.resourceType === 'Composition'), ...resources.filter((r) => r.resourceType !== 'Composition' && r.resourceType !== 'Patient')];
    for (const entry of ordered) {
      const date = clinicalDateOf(entry);
      if (date) return date;
    }
    return null;
  }
  for (const path of DATE_PATHS) {
    let value: unknown = resource;
    for (const key of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  }
  return null;
}
