import { DataSource } from 'typeorm';
import { SandboxResident, sandboxMessages, sandboxResident } from '../../gateway/src/identity/sandbox-ekyc';
import { eventually } from '../support/eventually';
import { TestApp } from '../support/test-app';

export interface RegisteredPatient {
  resident: SandboxResident;
  personaId: string;
  token: string;
  auth: { Authorization: string };
}

/** What a resident types into the registration form: their details as on the Aadhaar record. */
export const registrationOf = (resident: SandboxResident, number = resident.aadhaar) => ({
  aadhaar: number.replace(/(\d{4})(?=\d)/g, '$1 '),
  name: resident.name,
  yearOfBirth: resident.yearOfBirth,
  gender: resident.gender,
});

const signIns = async (gw: TestApp, resident: SandboxResident) => (await sandboxMessages(gw.config.dataDir, resident.mobile)).filter((sms) => sms.purpose === 'sign-in');

export const PatientFactory = {
  /** The latest code the sandbox "sent" to the resident's mobile. */
  async lastCode(gw: TestApp, resident: SandboxResident): Promise<string> {
    const messages = await sandboxMessages(gw.config.dataDir, resident.mobile);
    if (messages.length === 0) throw new Error(`No code was sent to resident ${resident.name}`);
    return messages[messages.length - 1]!.code;
  },

  /**
   * Asks for a persona sign-in code for the resident and returns its id and the code the sandbox
   * delivered (after the answer: the gateway does not wait for the SMS).
   */
  async signInCode(gw: TestApp, resident: SandboxResident): Promise<{ id: string; code: string }> {
    const before = (await signIns(gw, resident)).length;
    const sent = await gw.http.post('/v1/auth/persona/codes').send({ aadhaar: resident.aadhaar }).expect(202);
    return { id: sent.body.id as string, code: await PatientFactory.signInCodeDelivered(gw, resident, before) };
  },

  /** The sign-in code the sandbox delivered after `before` sign-in messages (default: the latest, waiting for one). */
  async signInCodeDelivered(gw: TestApp, resident: SandboxResident, before = 0): Promise<string> {
    return eventually(async () => {
      const messages = await signIns(gw, resident);
      if (messages.length <= before) throw new Error(`No sign-in code reached ${resident.name}'s mobile`);
      return messages[messages.length - 1]!.code;
    }, { timeoutMs: 30_000 });
  },

  /** A sandbox resident registered as a patient (eKYC, code, confirm), signed in as their persona. */
  async register(gw: TestApp, resident: SandboxResident): Promise<RegisteredPatient> {
    const started = await gw.http.post('/v1/patients/registrations').send(registrationOf(resident)).expect(202);
    const code = await PatientFactory.lastCode(gw, resident);
    const confirmed = await gw.http.post(`/v1/patients/registrations/${started.body.id}/confirm`).send({ code }).expect(201);
    const token = confirmed.body.accessToken as string;
    return { resident, personaId: confirmed.body.personaId, token, auth: { Authorization: `Bearer ${token}` } };
  },

  /** Sandbox resident `index`: each test file starts on its own data directory, so an index serves once per file. */
  resident(index: number): SandboxResident {
    return sandboxResident(index);
  },
};

/** Every row of every table in `schemas` (or `only` those tables, or all `except` those), as text: what a thief with a dump would read. */
export async function dumpSchemas(db: DataSource, schemas: string[], { only, except }: { only?: string[]; except?: string[] } = {}): Promise<string> {
  const all = (await db.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE'`, [schemas])) as { table_schema: string; table_name: string }[];
  const tables = all.filter(({ table_name }) => (!only || only.includes(table_name)) && !except?.includes(table_name));
  const parts: string[] = [];
  for (const { table_schema, table_name } of tables) {
    const rows = (await db.query(`SELECT * FROM "${table_schema}"."${table_name}"`)) as Record<string, unknown>[];
    // Bytes both as text and as hex (a number or a handle kept in bytea must not hide behind an encoding), the rest as JSON.
    for (const row of rows) {
      for (const value of Object.values(row)) parts.push(value instanceof Uint8Array ? `${Buffer.from(value).toString('latin1')} ${Buffer.from(value).toString('hex')}` : JSON.stringify(value));
    }
  }
  return parts.join('\n');
}
