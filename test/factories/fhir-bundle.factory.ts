import { randomInt, randomUUID } from 'node:crypto';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';

/**
 * Synthea-like FHIR R4 bundles of one patient's care (Patient, Encounter, Observation,
 * Condition, MedicationRequest, DiagnosticReport, DocumentReference), made up at random, with
 * the patient's identifiers where hospital systems leave them: in the structure, and also in
 * narratives, notes, extensions, display texts and conclusions. `identifiers` lists every one
 * of them as written, for tests that search stored data for them.
 */
export interface GeneratedBundle {
  bundle: { resourceType: 'Bundle' } & Record<string, unknown>;
  /** Strings that must not survive de-identification (searched case-insensitively). */
  identifiers: string[];
  /** Clinical facts that must survive it. */
  clinical: { loinc: string; heartRate: number; snomed: string; rxnorm: string; encounterDate: string };
}

const GIVEN = ['Aarav', 'Vihaan', 'Ishaan', 'Ananya', 'Diya', 'Saanvi', 'Kavya', 'Rohan', 'Meera', 'Arjun', 'Nandini', 'Farhan', 'Gurpreet', 'Lakshmi'];
const FAMILY = ['Sharma', 'Iyer', 'Reddy', 'Banerjee', 'Patil', 'Nair', 'Khan', 'Fernandes', 'Gill', 'Menon', 'Chatterjee', 'Deshpande'];
const CITIES: Array<[string, string]> = [['Pune', 'Maharashtra'], ['Kochi', 'Kerala'], ['Mysuru', 'Karnataka'], ['Indore', 'Madhya Pradesh'], ['Guwahati', 'Assam']];
const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;
const digits = (n: number): string => Array.from({ length: n }, () => randomInt(10)).join('');
/** A made-up word of letters only, so names are unique to one bundle and never an ordinary word. */
const syllables = (n: number): string => Array.from({ length: n }, () => pick(['ka', 'ri', 'mo', 'zu', 've', 'la', 'no', 'shi', 'ta', 'pu'])).join('');
const cap = (word: string): string => word[0]!.toUpperCase() + word.slice(1);

/** Who the bundle is about, when a test has a person in mind (a registered patient); made up otherwise. */
export interface BundlePatient {
  /** "Given Family". */
  name: string;
  aadhaar: string;
  /** +91… */
  mobile: string;
}

export function generatedBundle(options: { age?: number; heartRate?: number; patient?: BundlePatient } = {}): GeneratedBundle {
  const [givenOf, ...familyOf] = options.patient?.name.split(' ') ?? [];
  const given = givenOf ?? `${pick(GIVEN)}${cap(syllables(2))}`;
  const family = familyOf.length > 0 ? familyOf.join(' ') : `${pick(FAMILY)}${syllables(2)}`;
  const relative = `${pick(GIVEN)}${cap(syllables(2))}`;
  const [city, state] = pick(CITIES);
  const street = `${randomInt(1, 400)} ${cap(syllables(3))} Nagar Road`;
  const pin = `4${digits(5)}`;
  const mrn = `MRN-${digits(7)}`;
  const aadhaar = options.patient?.aadhaar ?? madeUpAadhaar();
  const aadhaarSpaced = aadhaar.replace(/(\d{4})(?=\d)/g, '$1 ');
  const abha = `91-${digits(4)}-${digits(4)}-${digits(4)}`;
  const abhaAddress = `${given.toLowerCase()}.${digits(4)}@sbx`;
  const mobile = options.patient?.mobile ?? `+91 9${digits(9)}`;
  const fax = `+91-20-${digits(8)}`;
  const email = `${given.toLowerCase()}.${family.toLowerCase()}@example.in`;
  const url = `https://${family.toLowerCase()}-family.example.org/profile`;
  const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  const vehicle = `MH ${randomInt(10, 50)} AB ${digits(4)}`;
  const serial = `SN-${digits(9)}`;
  const insurance = `POL${digits(10)}`;
  const age = options.age ?? randomInt(20, 85);
  const year = new Date().getUTCFullYear() - age;
  const birthDate = `${year}-0${randomInt(1, 10)}-1${randomInt(0, 10)}`;
  const encounterDate = `2026-0${randomInt(1, 10)}-1${randomInt(0, 10)}`;
  const heartRate = options.heartRate ?? randomInt(55, 110);
  const fullName = `${given} ${family}`;

  const ids = { patient: randomUUID(), encounter: randomUUID(), observation: randomUUID(), condition: randomUUID(), medication: randomUUID(), report: randomUUID(), document: randomUUID(), age: randomUUID() };
  const patientRef = { reference: `urn:uuid:${ids.patient}`, display: fullName };
  const narrative = (text: string) => ({ status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${text}</div>` });
  const entry = (id: string, resource: Record<string, unknown>) => ({ fullUrl: `urn:uuid:${id}`, resource: { id, ...resource } });

  const bundle = {
    resourceType: 'Bundle' as const,
    type: 'collection',
    timestamp: `${encounterDate}T09:30:00+05:30`,
    entry: [
      entry(ids.patient, {
        resourceType: 'Patient',
        text: narrative(`${fullName}, MRN ${mrn}, Aadhaar ${aadhaarSpaced}, lives at ${street}, ${city}`),
        extension: [
          { url: 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName', valueString: `${relative} ${family}` },
          { url: 'https://example.in/fhir/StructureDefinition/abha-address', valueString: abhaAddress },
          { url: 'https://example.in/fhir/StructureDefinition/national-id', valueIdentifier: { system: 'https://uidai.gov.in', value: aadhaar } },
        ],
        identifier: [
          { system: 'https://hospital.example.in/mrn', value: mrn },
          { system: 'https://healthid.abdm.gov.in', value: abha },
        ],
        name: [{ use: 'official', family, given: [given], text: fullName }],
        telecom: [{ system: 'phone', value: mobile, use: 'mobile' }, { system: 'email', value: email }, { system: 'fax', value: fax }, { system: 'url', value: url }],
        gender: pick(['male', 'female']),
        birthDate,
        address: [{ use: 'home', line: [street], city, district: city, state, postalCode: pin, country: 'IN' }],
        contact: [{ name: { text: `${relative} ${family}` }, telecom: [{ system: 'phone', value: `+91 8${digits(9)}` }] }],
      }),
      entry(ids.encounter, {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        subject: patientRef,
        period: { start: `${encounterDate}T09:00:00+05:30`, end: `${encounterDate}T09:40:00+05:30` },
        identifier: [{ value: `ENC-${digits(8)}` }],
      }),
      entry(ids.observation, {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
        subject: patientRef,
        encounter: { reference: `urn:uuid:${ids.encounter}` },
        effectiveDateTime: `${encounterDate}T09:10:00+05:30`,
        issued: `${encounterDate}T09:12:00+05:30`,
        valueQuantity: { value: heartRate, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
        note: [{ text: `Measured for ${given}; call back on ${mobile} or ${email}. Device ${serial} from ${ip}.` }],
        device: { display: `Monitor ${serial}` },
      }),
      entry(ids.age, {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '30525-0', display: 'Age' }] },
        subject: patientRef,
        effectiveDateTime: encounterDate,
        valueQuantity: { value: age, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' },
      }),
      entry(ids.condition, {
        resourceType: 'Condition',
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
        code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertensive disorder' }], text: 'Hypertension' },
        subject: patientRef,
        onsetDateTime: `${year + 40}-05-01`,
        note: [{ text: `${age}-year-old ${given} ${family}, came by car ${vehicle}; insurance ${insurance}; first seen ${encounterDate}.` }],
      }),
      entry(ids.medication, {
        resourceType: 'MedicationRequest',
        status: 'active',
        intent: 'order',
        medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '197361', display: 'Amlodipine 5 MG Oral Tablet' }] },
        subject: patientRef,
        authoredOn: `${encounterDate}T09:35:00+05:30`,
        dosageInstruction: [{ text: `One tablet daily. Pharmacy to call ${mobile}.` }],
      }),
      entry(ids.report, {
        resourceType: 'DiagnosticReport',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '58410-2', display: 'CBC panel' }] },
        subject: patientRef,
        effectiveDateTime: `${encounterDate}T08:00:00+05:30`,
        result: [{ reference: `urn:uuid:${ids.observation}` }],
        conclusion: `Normal for ${family} (ABHA ${abha}, ${abhaAddress}); see ${url}.`,
      }),
      entry(ids.document, {
        resourceType: 'DocumentReference',
        status: 'current',
        subject: patientRef,
        date: `${encounterDate}T10:00:00+05:30`,
        description: `Discharge letter for ${fullName}, PIN ${pin}`,
        content: [{ attachment: { contentType: 'application/pdf', url: `${url}/letter.pdf`, title: `Letter ${fullName}`, data: Buffer.from(`letter for ${fullName}`).toString('base64') } }],
      }),
    ],
  };
  return {
    bundle,
    identifiers: [given, family, fullName, relative, street, city, pin, mrn, aadhaar, aadhaarSpaced, abha, abhaAddress, mobile, fax, email, url, ip, vehicle, serial, insurance, birthDate],
    clinical: { loinc: '8867-4', heartRate, snomed: '38341003', rxnorm: '197361', encounterDate },
  };
}
