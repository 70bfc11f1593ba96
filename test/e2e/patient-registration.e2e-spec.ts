import { DataSource } from 'typeorm';
import { companionSchema } from '../../gateway/src/database/companion-schemas';
import { sandboxMessages } from '../../gateway/src/identity/sandbox-ekyc';
import { encryptToPersona, generatePersonaKey, newPseudonym } from '../../gateway/sdk/patient-keys';
import { Role } from '../../gateway/src/auth/permissions';
import { AccountFactory } from '../factories/account.factory';
import { dumpSchemas, PatientFactory, registrationOf } from '../factories/patient.factory';
import { PseudonymFactory } from '../factories/pseudonym.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';
import { holdsToken } from '../support/raw';

/**
 * Issue 12, points 2-4 and 6: a patient registers with Aadhaar eKYC (sandbox provider) and a
 * one-time code, reads their persona, signs in again by code, and erases it; the persona and the
 * vault keep nothing in clear.
 */
describe('Patient registration and the persona store (e2e)', () => {
  let gw: TestApp;
  let db: DataSource;
  const schemas = () => [gw.config.database.schema, companionSchema(gw.config.database.schema, 'persona'), companionSchema(gw.config.database.schema, 'aadhaar_vault')];
  const count = async (schema: 'persona' | 'aadhaar_vault', table: string): Promise<number> =>
    Number(((await db.query(`SELECT count(*)::int AS n FROM "${companionSchema(gw.config.database.schema, schema)}"."${table}"`)) as { n: number }[])[0]!.n);

  beforeAll(async () => {
    gw = await createTestApp({ env: { VERIFICATIONS_PER_NUMBER_PER_HOUR: '4' } });
    db = gw.app.get(DataSource);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('registers a resident verified by eKYC and a code to their registered mobile, and shows them their persona', async () => {
    const resident = PatientFactory.resident(0);
    const started = await gw.http.post('/v1/patients/registrations').send({ ...registrationOf(resident), email: 'aarav@example.in', birthDate: '1950-04-12' }).expect(202);
    expect(started.body.sentTo).toBe(`*********${resident.mobile.slice(-4)}`);
    const [sms] = await sandboxMessages(gw.config.dataDir, resident.mobile);
    expect(sms!.code).toMatch(/^\d{6}$/);

    const confirmed = await gw.http.post(`/v1/patients/registrations/${started.body.id}/confirm`).send({ code: sms!.code }).expect(201);
    const persona = await gw.http.get('/v1/persona').set('Authorization', `Bearer ${confirmed.body.accessToken}`).expect(200);
    expect(persona.body).toMatchObject({
      personaId: confirmed.body.personaId,
      name: resident.name,
      yearOfBirth: resident.yearOfBirth,
      gender: resident.gender,
      birthDate: '1950-04-12',
      phone: resident.mobile,
      email: 'aarav@example.in',
      address: null,
      aadhaar: `XXXX XXXX ${resident.aadhaar.slice(-4)}`,
    });

    // A database thief finds neither the number nor any identifying field, in any schema.
    const dump = await dumpSchemas(db, schemas());
    for (const secret of [resident.aadhaar, resident.name, resident.mobile, 'aarav@example.in', '1950-04-12', sms!.code]) expect({ secret, found: holdsToken(dump, secret) }).toEqual({ secret, found: false });
    expect(gw.logs.join('')).not.toContain(resident.aadhaar);
    expect(gw.logs.join('')).not.toContain(resident.name);
  });

  it('takes a VID and keeps only the Aadhaar number it stands for', async () => {
    const resident = PatientFactory.resident(1);
    const started = await gw.http.post('/v1/patients/registrations').send(registrationOf(resident, resident.vid)).expect(202);
    const confirmed = await gw.http.post(`/v1/patients/registrations/${started.body.id}/confirm`).send({ code: await PatientFactory.lastCode(gw, resident) }).expect(201);
    const persona = await gw.http.get('/v1/persona').set('Authorization', `Bearer ${confirmed.body.accessToken}`).expect(200);
    expect(persona.body.aadhaar).toBe(`XXXX XXXX ${resident.aadhaar.slice(-4)}`);
    // Signing in later with the Aadhaar number finds the same persona: the vault holds the number, not the VID.
    const token = await gw.http.post('/v1/auth/persona/token').send(await PatientFactory.signInCode(gw, resident)).expect(200);
    expect(token.body.personaId).toBe(confirmed.body.personaId);
  });

  it('refuses a malformed number with its own code, and details that do not match the record, changing nothing', async () => {
    const resident = PatientFactory.resident(2);
    const before = [await count('aadhaar_vault', 'entries'), await count('persona', 'personas'), await count('aadhaar_vault', 'attempts')];
    const mistyped = `${resident.aadhaar.slice(0, 11)}${(Number(resident.aadhaar[11]) + 1) % 10}`;
    const bad = await gw.http.post('/v1/patients/registrations').send(registrationOf(resident, mistyped)).expect(400);
    expect(bad.body).toMatchObject({ code: 'AADHAAR_CHECKSUM' });
    expect(JSON.stringify(bad.body)).not.toContain(mistyped);
    expect([await count('aadhaar_vault', 'entries'), await count('persona', 'personas'), await count('aadhaar_vault', 'attempts')]).toEqual(before);

    const wrongYear = await gw.http.post('/v1/patients/registrations').send({ ...registrationOf(resident), yearOfBirth: resident.yearOfBirth + 1 }).expect(422);
    expect(wrongYear.body.code).toBe('IDENTITY_MISMATCH');
    expect([await count('aadhaar_vault', 'entries'), await count('persona', 'personas')]).toEqual(before.slice(0, 2));
    expect(await sandboxMessages(gw.config.dataDir, resident.mobile)).toEqual([]);
  });

  it('refuses a code after three wrong tries, once expired, once used or superseded, always with the one answer', async () => {
    const resident = PatientFactory.resident(3);
    const confirm = async (id: string, code: string) => {
      const res = await gw.http.post(`/v1/patients/registrations/${id}/confirm`).send({ code });
      return `${res.status} ${res.body.code ?? ''}`.trim();
    };
    const started = await gw.http.post('/v1/patients/registrations').send(registrationOf(resident)).expect(202);
    const code = await PatientFactory.lastCode(gw, resident);
    const wrong = code === '000000' ? '000001' : '000000';
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push(await confirm(started.body.id, wrong));
    // Out of tries: the right code is refused now, with the same answer.
    tries.push(await confirm(started.body.id, code));
    expect(tries).toEqual(Array(4).fill('422 CODE_INVALID'));

    const again = await gw.http.post('/v1/patients/registrations').send(registrationOf(resident)).expect(202);
    await db.query(`UPDATE "${companionSchema(gw.config.database.schema, 'persona')}"."one_time_codes" SET "expires_at" = now() - interval '1 second' WHERE "id" = $1`, [again.body.id]);
    expect(await confirm(again.body.id, await PatientFactory.lastCode(gw, resident))).toBe('422 CODE_INVALID');

    const third = await gw.http.post('/v1/patients/registrations').send(registrationOf(resident)).expect(202);
    const thirdCode = await PatientFactory.lastCode(gw, resident);
    // The code of an earlier start stopped working when a newer one was sent.
    expect(await confirm(again.body.id, thirdCode)).toBe('422 CODE_INVALID');
    expect(await confirm(third.body.id, thirdCode)).toBe('201');
    expect(await confirm(third.body.id, thirdCode)).toBe('422 CODE_INVALID');
    // A fifth start within the hour is over VERIFICATIONS_PER_NUMBER_PER_HOUR=4.
    await gw.http.post('/v1/patients/registrations').send(registrationOf(resident)).expect(202);
    expect((await gw.http.post('/v1/patients/registrations').send(registrationOf(resident)).expect(429)).body.code).toBe('VERIFICATIONS_RATE_LIMITED');
  });

  it('ATTACK: registering a registered number again tells the caller nothing, and tells the patient', async () => {
    const patient = await PatientFactory.register(gw, PatientFactory.resident(14));
    const newcomer = PatientFactory.resident(15);
    const [forRegistered, forNewcomer] = [
      await gw.http.post('/v1/patients/registrations').send(registrationOf(patient.resident)).expect(202),
      await gw.http.post('/v1/patients/registrations').send(registrationOf(newcomer)).expect(202),
    ];
    expect(Object.keys(forRegistered.body).sort()).toEqual(Object.keys(forNewcomer.body).sort());
    expect(forRegistered.body.sentTo).toBe(`*********${patient.resident.mobile.slice(-4)}`);
    const notices = (await sandboxMessages(gw.config.dataDir, patient.resident.mobile)).filter((sms) => sms.purpose === 'already-registered');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.code).toBe('');
    // Its id confirms nothing, whatever is tried: the same answer as a wrong code.
    expect((await gw.http.post(`/v1/patients/registrations/${forRegistered.body.id}/confirm`).send({ code: '123456' }).expect(422)).body.code).toBe('CODE_INVALID');
  });

  it('signs a persona in by code, and answers the same for a number nobody registered', async () => {
    const patient = await PatientFactory.register(gw, PatientFactory.resident(4));
    const stranger = PatientFactory.resident(5);

    const unknown = await gw.http.post('/v1/auth/persona/codes').send({ aadhaar: stranger.aadhaar }).expect(202);
    const sent = await PatientFactory.signInCode(gw, patient.resident);
    expect(Object.keys(unknown.body).sort()).toEqual(['expiresAt', 'id']);
    expect(await sandboxMessages(gw.config.dataDir, stranger.mobile)).toEqual([]);
    expect((await gw.http.post('/v1/auth/persona/token').send({ id: unknown.body.id, code: '123456' }).expect(401)).body.code).toBe('CODE_INVALID');

    const token = await gw.http.post('/v1/auth/persona/token').send(sent).expect(200);
    expect(token.body.personaId).toBe(patient.personaId);
    await gw.http.get('/v1/persona').set('Authorization', `Bearer ${token.body.accessToken}`).expect(200);
  });

  it('ATTACK: probing sign-in codes tells a registered number from an unregistered one by no answer', async () => {
    const patient = await PatientFactory.register(gw, PatientFactory.resident(16));
    const stranger = PatientFactory.resident(17);
    // What a prober holding only the number can do: ask twice, then try codes on both ids, past the tries.
    const probe = async (aadhaar: string): Promise<string[]> => {
      const first = (await gw.http.post('/v1/auth/persona/codes').send({ aadhaar })).body.id as string;
      const second = (await gw.http.post('/v1/auth/persona/codes').send({ aadhaar })).body.id as string;
      const answers = [];
      for (const id of [first, first, first, first, second]) {
        const res = await gw.http.post('/v1/auth/persona/token').send({ id, code: '000000' });
        answers.push(`${res.status} ${res.body.code}`);
      }
      return answers;
    };
    const [registered, unregistered] = [await probe(patient.resident.aadhaar), await probe(stranger.aadhaar)];
    expect(registered).toEqual(unregistered);
    expect(registered).toEqual(Array(5).fill('401 CODE_INVALID'));
  });

  it('RACE: of two pseudonym hand-overs at once (the device, a stolen token), one is kept and the other refused', async () => {
    const patient = await PatientFactory.register(gw, PatientFactory.resident(18));
    const { publicKeyPem } = await generatePersonaKey();
    const bodies = [encryptToPersona(publicKeyPem, newPseudonym()), encryptToPersona(publicKeyPem, newPseudonym())].map((encryptedPseudonym) => ({ publicKey: publicKeyPem, encryptedPseudonym }));
    const answers = await Promise.all(bodies.map((body) => gw.http.put('/v1/persona/keys').set(patient.auth).send(body)));
    expect(answers.map((res) => res.status).sort()).toEqual([204, 409]);
    const kept = bodies[answers.findIndex((res) => res.status === 204)]!.encryptedPseudonym;
    expect((await gw.http.get('/v1/persona/pseudonym').set(patient.auth).expect(200)).body.encryptedPseudonym).toBe(kept);
  });

  it('forgets a registration nobody confirmed within a day: its persona, its data key, its number', async () => {
    const personas = `"${companionSchema(gw.config.database.schema, 'persona')}"`;
    const vault = `"${companionSchema(gw.config.database.schema, 'aadhaar_vault')}"."entries"`;
    const started = await gw.http.post('/v1/patients/registrations').send(registrationOf(PatientFactory.resident(19))).expect(202);
    const [{ persona_id: personaId }] = (await db.query(`SELECT "persona_id" FROM ${personas}."one_time_codes" WHERE "id" = $1`, [started.body.id])) as { persona_id: string }[];
    const [{ aadhaar_ref: reference }] = (await db.query(`SELECT "aadhaar_ref" FROM ${personas}."personas" WHERE "id" = $1`, [personaId])) as { aadhaar_ref: string }[];
    await db.query(`UPDATE ${personas}."personas" SET "created_at" = now() - interval '25 hours' WHERE "id" = $1`, [personaId]);

    // Someone else's registration is when the gateway tidies up.
    await gw.http.post('/v1/patients/registrations').send(registrationOf(PatientFactory.resident(20))).expect(202);

    expect(await db.query(`SELECT 1 FROM ${personas}."personas" WHERE "id" = $1`, [personaId])).toEqual([]);
    expect(await db.query(`SELECT 1 FROM ${personas}."data_keys" WHERE "persona_id" = $1`, [personaId])).toEqual([]);
    expect(await db.query(`SELECT 1 FROM ${vault} WHERE "reference" = $1`, [reference])).toEqual([]);
  });

  it('lets only the patient\'s persona read, hand keys to, or erase a persona: not a doctor, an administrator, a hospital or a pseudonym', async () => {
    const adminToken = await AccountFactory.adminToken(gw);
    const doctor = await AccountFactory.person(gw, adminToken, Role.Doctor);
    const hospital = await AccountFactory.hospital(gw, adminToken);
    const { token: pseudonymToken } = await PseudonymFactory.signedIn(gw, await PseudonymFactory.registered(gw));
    const callers = { doctor: doctor.auth, admin: { Authorization: `Bearer ${adminToken}` }, hospital: hospital.auth, pseudonym: { Authorization: `Bearer ${pseudonymToken}` } };
    const answers: Record<string, string[]> = {};
    for (const [who, auth] of Object.entries(callers)) {
      answers[who] = [
        await gw.http.get('/v1/persona').set(auth),
        await gw.http.get('/v1/persona/pseudonym').set(auth),
        await gw.http.put('/v1/persona/keys').set(auth).send({ publicKey: 'x'.repeat(100), encryptedPseudonym: 'x'.repeat(16) }),
        await gw.http.post('/v1/persona/erase').set(auth).send({ id: '6f1c2b9e-3d4a-4f5b-9c8d-7e6f5a4b3c2d', code: '123456' }),
      ].map((res) => `${res.status} ${res.body.code}`);
    }
    expect(answers).toEqual({
      doctor: Array(4).fill('403 FORBIDDEN'),
      admin: Array(4).fill('403 FORBIDDEN'),
      hospital: Array(4).fill('403 FORBIDDEN'),
      pseudonym: Array(4).fill('403 PRINCIPAL_NOT_ACCEPTED'),
    });
  });

  it('erases a persona with a fresh code: its data key is destroyed, its number leaves the vault, its account closes', async () => {
    const patient = await PatientFactory.register(gw, PatientFactory.resident(6));
    const personas = `"${companionSchema(gw.config.database.schema, 'persona')}"`;
    const sealed = ((await db.query(`SELECT "sealed_fields", "aadhaar_ref" FROM ${personas}."personas" WHERE "id" = $1`, [patient.personaId])) as { sealed_fields: Uint8Array; aadhaar_ref: string }[])[0]!;

    // A token alone does not erase.
    expect((await gw.http.post('/v1/persona/erase').set(patient.auth).send({ id: '6f1c2b9e-3d4a-4f5b-9c8d-7e6f5a4b3c2d', code: '123456' }).expect(422)).body.code).toBe('CODE_INVALID');
    await gw.http.post('/v1/persona/erase').set(patient.auth).send(await PatientFactory.signInCode(gw, patient.resident)).expect(204);

    await gw.http.get('/v1/persona').set(patient.auth).expect(401);
    expect(await db.query(`SELECT 1 FROM ${personas}."data_keys" WHERE "persona_id" = $1`, [patient.personaId])).toEqual([]);
    expect(await db.query(`SELECT 1 FROM "${companionSchema(gw.config.database.schema, 'aadhaar_vault')}"."entries" WHERE "reference" = $1`, [sealed.aadhaar_ref])).toEqual([]);
    const [row] = (await db.query(`SELECT "status", "sealed_fields", "aadhaar_ref" FROM ${personas}."personas" WHERE "id" = $1`, [patient.personaId])) as Record<string, unknown>[];
    expect(row).toEqual({ status: 'erased', sealed_fields: null, aadhaar_ref: null });
    // The number is free again: the same resident may register anew.
    await gw.http.post('/v1/patients/registrations').send(registrationOf(patient.resident)).expect(202);
  });
});
