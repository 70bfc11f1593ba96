import { DataSource } from 'typeorm';
import { companionSchema } from '../../gateway/src/database/companion-schemas';
import { encryptToPersona, generatePersonaKey, newPatientSecret, newPseudonym } from '../../gateway/sdk/patient-keys';
import { deriveRelationship } from '../../gateway/src/chain/relationships';
import { AccountFactory } from '../factories/account.factory';
import { dumpSchemas, PatientFactory } from '../factories/patient.factory';
import { generatedBundle } from '../factories/fhir-bundle.factory';
import { PseudonymFactory } from '../factories/pseudonym.factory';
import { RecordFactory } from '../factories/record.factory';
import { allFiles } from '../support/raw';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';
import { admitHospital } from '../../gateway/src/consortium/admission';
import { randomBytes32 } from '../contracts/support/chain';
import { consortiumOf } from '../support/consortium-members';

/**
 * Issue 12, "Done when" (DESIGN trust model 1, unlinkable stores): patients register (persona,
 * vault), their software hands over keys, opens a relationship with each of two hospitals
 * (handle registered on chain), signs in as each pseudonym and acts; hospitals store data. Then
 * a full dump of the database, every table of every schema, is searched: no handle, consent key,
 * salt or pseudonym is in it (so nothing joins a persona to them), no identifying field in clear,
 * and the audit trail of a pseudonym's sign-in carries no address a persona's sign-in could be
 * matched by. Issue 13 files a record under every handle, by a hospital that knows the patient by
 * name and Aadhaar number: the record store holds handles (it is keyed by them) and nothing that
 * names or leads to a persona; the persona side holds no handle.
 */
describe('Unlinkable stores: a full dump joins no persona to a pseudonym (e2e)', () => {
  let gw: TestApp;
  const hospitals = ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'];
  /** The record store's tables: keyed by handles by design. Every other table is the persona side or shared plumbing. */
  const RECORD_STORE = ['records', 'chain_outbox', 'chain_outbox_batches', 'idempotency_keys'];

  beforeAll(async () => {
    gw = await createTestApp();
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('finds no handle, consent key, salt or pseudonym outside the record store, nothing of a persona in it, and no identifier in clear', async () => {
    const scope = (await gw.http.get('/v1/ledger').expect(200)).body as { chainId: number; consentManager: string };
    const adminToken = await AccountFactory.adminToken(gw);
    const consortium = await consortiumOf(gw);
    for (const address of hospitals) await admitHospital(consortium, address, randomBytes32());
    const filers = await Promise.all(hospitals.map((address) => RecordFactory.hospital(gw, adminToken, address)));
    const secrets: string[] = [];
    const identifiers: string[] = [];
    const personaIds: string[] = [];

    for (const index of [11, 12, 13]) {
      const patient = await PatientFactory.register(gw, PatientFactory.resident(index));
      identifiers.push(patient.resident.aadhaar, patient.resident.vid, patient.resident.name, patient.resident.mobile.slice(3));
      personaIds.push(patient.personaId);
      const { publicKeyPem } = await generatePersonaKey();
      const pseudonym = newPseudonym();
      await gw.http.put('/v1/persona/keys').set(patient.auth).send({ publicKey: publicKeyPem, encryptedPseudonym: encryptToPersona(publicKeyPem, pseudonym) }).expect(204);
      secrets.push(pseudonym);

      const patientSecret = Buffer.from(newPatientSecret().slice(2), 'hex');
      for (const [h, grantee] of hospitals.entries()) {
        const relationship = deriveRelationship(patientSecret, scope, grantee);
        const registered = await PseudonymFactory.registeredAs(gw, { key: relationship.privateKey, address: relationship.signer }, relationship.salt);
        const session = await PseudonymFactory.signedIn(gw, registered);
        const refreshed = await gw.http.post('/v1/auth/refresh').set(session.auth).expect(200);
        secrets.push(relationship.handle, relationship.signer, relationship.salt);
        // The hospital knows its patient: the bundle it files names them, with their Aadhaar number and mobile.
        const { bundle } = generatedBundle({ patient: { name: patient.resident.name, aadhaar: patient.resident.aadhaar, mobile: patient.resident.mobile } });
        await gw.http.post('/v1/records?category=OPConsultation').set(filers[h]!.auth).set('X-Filing-Token', RecordFactory.filingToken(gw, { relationship }, grantee))
          .set('Content-Type', 'application/fhir+json').send(JSON.stringify(bundle)).expect(201);
        const mine = await gw.http.get('/v1/records').set('Authorization', `Bearer ${refreshed.body.accessToken}`).expect(200);
        expect(mine.body.records).toHaveLength(1);
      }
      // The persona face acts too, in between.
      await gw.http.get('/v1/persona').set(patient.auth).expect(200);
    }

    const db = gw.app.get(DataSource);
    const main = gw.config.database.schema;
    const personaSide = (await dumpSchemas(db, [main, companionSchema(main, 'persona'), companionSchema(main, 'aadhaar_vault')], { except: RECORD_STORE })).toLowerCase();
    const recordStore = (await dumpSchemas(db, [main], { only: RECORD_STORE })).toLowerCase();
    const blocks = (await allFiles(gw.config.ipfs.blocksDir)).map((block) => block.toString('latin1')).join('\n').toLowerCase();
    const logs = gw.logs.join('').toLowerCase();
    expect(recordStore).toContain(secrets[1]!.slice(2).toLowerCase()); // a handle: the record store is keyed by them
    for (const value of secrets) {
      const hex = value.slice(2).toLowerCase();
      expect({ value, inPersonaSide: personaSide.includes(hex), inLogs: logs.includes(hex) }).toEqual({ value, inPersonaSide: false, inLogs: false });
    }
    for (const value of [...identifiers, ...personaIds]) {
      const text = value.toLowerCase();
      expect({ value, inRecordStore: recordStore.includes(text), inBlocks: blocks.includes(text) }).toEqual({ value, inRecordStore: false, inBlocks: false });
    }
    for (const value of identifiers) expect({ value, inPersonaSide: personaSide.includes(value.toLowerCase()) }).toEqual({ value, inPersonaSide: false });

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
