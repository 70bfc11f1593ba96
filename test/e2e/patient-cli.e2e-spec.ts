import { execFile } from 'node:child_process';
import forge from 'node-forge';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { companionSchema } from '../../gateway/src/database/companion-schemas';
import { SANDBOX_RESIDENTS } from '../../gateway/src/identity/sandbox-ekyc';
import { decryptWithPersonaKey, importPersonaKey } from '../../gateway/sdk/patient-keys';
import { checkFilingToken } from '../../gateway/src/chain/filing-token';
import { deriveRelationship } from '../../gateway/src/chain/relationships';
import { dumpSchemas, PatientFactory } from '../factories/patient.factory';
import { CLI, patientCli } from '../support/patient-cli';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

const PASSWORD = 'a patient passphrase';

/**
 * Issue 12, "Done when": the CLI (`npx ehrchain`, built from gateway/sdk) walks a patient
 * through key generation, registration and decrypting their pseudonym, against a running
 * gateway over HTTP. The gateway ends up with the public key and the pseudonym encrypted to it,
 * never the pseudonym in clear.
 */
describe('npx ehrchain, the patient CLI (e2e)', () => {
  let gw: TestApp;
  let home: string;
  let baseUrl: string;
  const resident = SANDBOX_RESIDENTS[9]!;

  const ehrchain = patientCli(() => home, () => baseUrl, PASSWORD);

  beforeAll(async () => {
    gw = await createTestApp();
    await gw.app.listen(0, '127.0.0.1');
    baseUrl = await gw.app.getUrl();
    home = await mkdtemp(join(tmpdir(), 'ehr-patient-'));
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
    await rm(home, { recursive: true, force: true });
  });

  it('makes keys, registers, hands over only the public key and encrypted pseudonym, and decrypts the pseudonym locally', async () => {
    expect(await ehrchain('keys', 'init')).toMatchObject({ code: 0 });
    expect((await stat(join(home, 'patient.json'))).mode & 0o777).toBe(0o600);
    const wallet = JSON.parse(await readFile(join(home, 'patient.json'), 'utf8')) as { privateKey: string; encryptedPseudonym: string; publicKey: string };
    // Encrypted PKCS#8: forge reads it as an EncryptedPrivateKeyInfo, and it opens only with the password.
    expect(() => forge.pki.encryptedPrivateKeyFromPem(wallet.privateKey)).not.toThrow();
    const pseudonym = decryptWithPersonaKey(await importPersonaKey(wallet.privateKey, PASSWORD), wallet.encryptedPseudonym);
    // Making keys again would lose them: refused.
    expect((await ehrchain('keys', 'init')).code).toBe(1);

    const registered = await ehrchain('register', '--aadhaar', resident.aadhaar, '--name', resident.name, '--year-of-birth', String(resident.yearOfBirth), '--gender', resident.gender);
    expect(registered).toMatchObject({ code: 0, stdout: expect.stringContaining(`A code was sent to *********${resident.mobile.slice(-4)}`) });
    expect((await ehrchain('confirm', '--code', '12345')).code).toBe(64);
    const confirmed = await ehrchain('confirm', '--code', await PatientFactory.lastCode(gw, resident));
    expect(confirmed).toMatchObject({ code: 0, stdout: expect.stringContaining('Registered.') });

    const shown = await ehrchain('pseudonym');
    expect(shown).toMatchObject({ code: 0, stdout: `${pseudonym}\n` });

    // The gateway keeps the public key and the ciphertext the CLI made, and the pseudonym nowhere in clear.
    const db = gw.app.get(DataSource);
    const schemas = ['persona', 'aadhaar_vault'].map((which) => companionSchema(gw.config.database.schema, which as 'persona'));
    const dump = await dumpSchemas(db, [gw.config.database.schema, ...schemas]);
    expect(dump).not.toContain(pseudonym.slice(2));
    expect(gw.logs.join('')).not.toContain(pseudonym.slice(2));
    const token = (JSON.parse(await readFile(join(home, 'patient.json'), 'utf8')) as { session: { accessToken: string } }).session.accessToken;
    expect((await gw.http.get('/v1/persona/pseudonym').set('Authorization', `Bearer ${token}`).expect(200)).body).toEqual({ encryptedPseudonym: wallet.encryptedPseudonym });
    expect((await gw.http.get('/v1/persona').set('Authorization', `Bearer ${token}`).expect(200)).body.keysSet).toBe(true);
    // Once only: a persona token cannot swap the pseudonym.
    const swap = await gw.http.put('/v1/persona/keys').set('Authorization', `Bearer ${token}`).send({ publicKey: wallet.publicKey, encryptedPseudonym: wallet.encryptedPseudonym }).expect(409);
    expect(swap.body.code).toBe('PERSONA_KEYS_SET');
    // Handing over again is harmless: the CLI finds its own ciphertext there.
    expect(await ehrchain('keys', 'upload')).toMatchObject({ code: 0, stdout: 'The gateway holds your public key and pseudonym already.\n' });
  });

  it("makes the filing token a hospital files records with: the patient's handle for that hospital only, nothing the gateway stores", async () => {
    const hospitals = ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'];
    const scope = (await gw.http.get('/v1/ledger').expect(200)).body as { chainId: number; consentManager: string };
    const wallet = JSON.parse(await readFile(join(home, 'patient.json'), 'utf8')) as { privateKey: string; encryptedSecret: string; encryptedPseudonym: string };
    const key = await importPersonaKey(wallet.privateKey, PASSWORD);
    const secret = Buffer.from(decryptWithPersonaKey(key, wallet.encryptedSecret).slice(2), 'hex');
    const now = Math.floor(Date.now() / 1000);

    const tokens = [];
    for (const hospital of hospitals) {
      const made = await ehrchain('filing-token', '--hospital', hospital, '--days', '2');
      expect(made.code).toBe(0);
      const token = made.stdout.trim();
      const checked = checkFilingToken(token, scope, now, null);
      const relationship = deriveRelationship(secret, scope, hospital);
      expect(checked).toMatchObject({ ok: true, permit: { patient: relationship.handle, hospital }, signer: relationship.signer });
      if (checked.ok) expect(checked.permit.expiresAt - now).toBeGreaterThanOrEqual(2 * 86_400);
      tokens.push({ token, relationship });
    }
    expect(tokens[0]!.relationship.handle).not.toBe(tokens[1]!.relationship.handle);

    // Unlinkable stores (trust model 1): nothing the gateway keeps about this persona equals anything
    // the ledger or a hospital will see: no handle, consent key, salt or pseudonym, in any schema or log.
    const pseudonym = decryptWithPersonaKey(key, wallet.encryptedPseudonym);
    const dump = (await dumpSchemas(gw.app.get(DataSource), [gw.config.database.schema, companionSchema(gw.config.database.schema, 'persona'), companionSchema(gw.config.database.schema, 'aadhaar_vault')])).toLowerCase();
    const logs = gw.logs.join('').toLowerCase();
    for (const { relationship } of tokens) {
      for (const value of [relationship.handle, relationship.signer, relationship.salt, pseudonym]) {
        const hex = value.slice(2).toLowerCase();
        expect({ value, inDump: dump.includes(hex), inLogs: logs.includes(hex) }).toEqual({ value, inDump: false, inLogs: false });
      }
    }
  });

  it('signs in again by code, and says what is wrong in words and an exit code', async () => {
    expect(await ehrchain('sign-in', '--aadhaar', resident.aadhaar)).toMatchObject({ code: 0 });
    const code = await PatientFactory.signInCodeDelivered(gw, resident);
    expect(await ehrchain('sign-in', '--code', code)).toMatchObject({ code: 0, stdout: 'Signed in.\n' });

    const wrongPassword = await promisify(execFile)(process.execPath, [CLI, 'pseudonym'], { env: { ...process.env, EHRCHAIN_HOME: home, EHRCHAIN_PASSWORD: 'not the password at all', EHRCHAIN_GATEWAY: baseUrl } }).catch((error: { code: number; stderr: string }) => error);
    expect(wrongPassword).toMatchObject({ code: 1, stderr: expect.stringContaining('Wrong password') });
    const bad = await ehrchain('register', '--aadhaar', '2345 6789 0123', '--name', 'X', '--year-of-birth', '1990', '--gender', 'F');
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ehrchain: AADHAAR_/) });
    expect((await ehrchain('no-such-command')).code).toBe(64);
  });
});
