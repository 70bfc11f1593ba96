import { ageBand, generalised, kAnonymous, quasiIdentifiersOf, ResearchRow, withSubjectQuasiIdentifiers } from './quasi-identifiers';

const patient = (birthDate: string, gender: string, state: string) => ({ resourceType: 'Patient', id: 'p', birthDate, gender, address: [{ state, country: 'IN' }] });
const bundle = (...resources: object[]) => ({ resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) });

describe('research quasi-identifiers', () => {
  it('bands ages by ten years, 90 and over as one band, and says unknown when there is no birth year', () => {
    expect([ageBand(1986, 2026), ageBand(1977, 2026), ageBand(2026, 2026), ageBand(1936, 2026), ageBand(1901, 2026), ageBand(null, 2026)]).toEqual(['40-49', '40-49', '0-9', '90+', '90+', 'unknown']);
  });

  it("reads them from the record's Patient resource, generalised", () => {
    expect(quasiIdentifiersOf(bundle(patient('1981', 'female', 'Kerala'), { resourceType: 'Observation' }), 2026)).toEqual({ ageBand: '40-49', gender: 'female', region: 'Kerala' });
    expect(quasiIdentifiersOf({ resourceType: 'Observation' }, 2026)).toEqual({ ageBand: 'unknown', gender: 'unknown', region: 'unknown' });
  });

  it('releases a record without its Patient resource and with every date cut to its year', () => {
    const out = generalised(bundle(patient('1981', 'female', 'Kerala'), { resourceType: 'Observation', effectiveDateTime: '2026-03-10T09:30:00+05:30', issued: '2026-03-10', note: [{ text: 'seen 2026' }], valueString: '2026-like' }));
    expect(out).toEqual(bundle({ resourceType: 'Observation', effectiveDateTime: '2026', issued: '2026', note: [{ text: 'seen 2026' }], valueString: '2026-like' }));
    expect(generalised(patient('1981', 'female', 'Kerala'))).toBeNull();
  });

  it("gives every record of a patient the same quasi-identifiers: unknown where the patient's records differ", () => {
    const rows: ResearchRow<number>[] = [
      { subject: 'a', qi: { ageBand: '40-49', gender: 'female', region: 'Kerala' }, item: 1 },
      { subject: 'a', qi: { ageBand: '40-49', gender: 'female', region: 'Goa' }, item: 2 },
      { subject: 'b', qi: { ageBand: '30-39', gender: 'male', region: 'Goa' }, item: 3 },
    ];
    expect(withSubjectQuasiIdentifiers(rows).map((row) => [row.subject, row.qi])).toEqual([
      ['a', { ageBand: '40-49', gender: 'female', region: 'unknown' }], ['a', { ageBand: '40-49', gender: 'female', region: 'unknown' }], ['b', { ageBand: '30-39', gender: 'male', region: 'Goa' }],
    ]);
  });

  it('suppresses every group fewer than k distinct patients share, and counts what it suppressed', () => {
    const qi = (ageBand: string) => ({ ageBand, gender: 'female', region: 'Kerala' });
    const rows: ResearchRow<number>[] = [
      ...[1, 2, 3, 4, 5].map((n) => ({ subject: `s${n}`, qi: qi('40-49'), item: n })),
      // Two records of one patient and one of another: three records, two patients.
      { subject: 'r1', qi: qi('90+'), item: 6 }, { subject: 'r1', qi: qi('90+'), item: 7 }, { subject: 'r2', qi: qi('90+'), item: 8 },
      // Five records of one patient do not make a group of five.
      ...[9, 10, 11, 12, 13].map((n) => ({ subject: 'one', qi: qi('20-29'), item: n })),
    ];
    const { released, report } = kAnonymous(rows, 5);
    expect(released.map((row) => row.item)).toEqual([1, 2, 3, 4, 5]);
    expect(report).toEqual({ k: 5, groups: 3, suppressedGroups: 2, suppressedSubjects: 3, suppressedRecords: 8 });
  });
});
