import { DataSource } from 'typeorm';
import { companionSchema } from '../../gateway/src/database/companion-schemas';
import { encryptToPersona, generatePersonaKey, newPatientSecret, newPseudonym } from '../../gateway/sdk/patient-keys';
import { deriveRelationship } from '../../gateway/src/chain/relationships';
import { AccountFactory } from '../factories/account.factory';
import { dumpSchemas, PatientFactory } from '../factories/patient.factory';
import { PseudonymFactory } from '../factories/pseudonym.factory';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Issue 12, "Done when" (DESIGN trust model 1, unlinkable stores): patients register (persona,
 * vault), their software hands over keys, opens a relationship with each of two hospitals
 * (handle registered on chain), signs in as each pseudonym and acts; hospitals store data. Then
 * a full dump of the database, every table of every schema, is searched: no handle, consent key,
 * salt or pseudonym is in it (so nothing joins a persona to them), no identifying field in clear,
 * and the audit trail of a pseudonym's sign-in carries no address a persona's sign-in could be
 * matched by. The records issue extends this with records filed under the handles.
 */
describe('Unlinkable stores: a full dump joins no persona to a pseudonym (e2e)', () => {
  let gw: TestApp;
  const hospitals = ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'];

  beforeAll(async () => {
    gw = await createTestApp();
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('finds in the dump no handle, consent key, salt or pseudonym, and no identifier in clear', async () => {
    const scope = (await gw.http.get('/v1/ledger').expect(200)).body as { chainId: number; consentManager: string };
    const adminToken = await AccountFactory.adminToken(gw);
    const hospital = await AccountFactory.hospital(gw, adminToken);
    const secrets: string[] = [];
    const identifiers: string[] = [];

    for (const index of [11, 12, 13]) {
      const patient = await PatientFactory.register(gw, PatientFactory.resident(index));
      identifiers.push(patient.resident.aadhaar, patient.resident.vid, patient.resident.name, patient.resident.mobile.slice(3));
      const { publicKeyPem } = await generatePersonaKey();
      const pseudonym = newPseudonym();
      await gw.http.put('/v1/persona/keys').set(patient.auth).send({ publicKey: publicKeyPem, encryptedPseudonym: encryptToPersona(publicKeyPem, pseudonym) }).expect(204);
      secrets.push(pseudonym);

      const patientSecret = Buffer.from(newPatientSecret().slice(2), 'hex');
      for (const grantee of hospitals) {
        const relationship = deriveRelationship(patientSecret, scope, grantee);
        const registered = await PseudonymFactory.registeredAs(gw, { key: relationship.privateKey, address: relationship.signer }, relationship.salt);
        const session = await PseudonymFactory.signedIn(gw, registered);
        await gw.http.post('/v1/auth/refresh').set(session.auth).expect(200);
        secrets.push(relationship.handle, relationship.signer, relationship.salt);
      }
      // The persona face acts too, in between.
      await gw.http.get('/v1/persona').set(patient.auth).expect(200);
      await gw.http.post('/v1/blobs').set(hospital.auth).set('content-type', 'application/octet-stream').send(Buffer.from(`note ${index}`)).expect(201);
    }

    const db = gw.app.get(DataSource);
    const main = gw.config.database.schema;
    const dump = (await dumpSchemas(db, [main, companionSchema(main, 'persona'), companionSchema(main, 'aadhaar_vault')])).toLowerCase();
    const logs = gw.logs.join('').toLowerCase();
    for (const value of secrets) {
      const hex = value.slice(2).toLowerCase();
      expect({ value, inDump: dump.includes(hex), inLogs: logs.includes(hex) }).toEqual({ value, inDump: false, inLogs: false });
    }
    for (const value of identifiers) expect({ value, inDump: dump.includes(value.toLowerCase()) }).toEqual({ value, inDump: false });

    // No request log line carries a client address, and no audit line of a pseudonym does: a persona's
    // and a pseudonym's requests from one address could be matched by it (accounts' audit lines keep theirs).
    expect(gw.logs.filter((line) => line.includes('remoteAddress'))).toEqual([]);
    expect(gw.logs.filter((line) => line.includes('"actorKind":"pseudonym"') && !line.includes('"clientAddress":null'))).toEqual([]);
    expect(gw.logs.filter((line) => line.includes('"actorKind":"pseudonym"')).length).toBeGreaterThanOrEqual(12);
    // The audit trail keeps the address of a persona's sign-in, never of a pseudonym's: the two could be matched by it.
    const pseudonymEvents = (await db.query(`SELECT "client_address", "actor_account_id" FROM "security_events" WHERE "actor_kind" = 'pseudonym'`)) as { client_address: string | null; actor_account_id: string | null }[];
    expect(pseudonymEvents.length).toBeGreaterThanOrEqual(12);
    expect(pseudonymEvents.filter((row) => row.client_address !== null || row.actor_account_id !== null)).toEqual([]);
  });
});
