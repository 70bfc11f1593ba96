import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessFactory, AdmittedHospital, Practitioner } from '../factories/access.factory';
import { AccountFactory } from '../factories/account.factory';
import { RecordFactory } from '../factories/record.factory';
import { eventually } from '../support/eventually';
import { patientCli } from '../support/patient-cli';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

const PASSWORD = 'a patient passphrase';

/**
 * Issue 14, point 2: patients grant and revoke with messages their own software signs. The CLI
 * (`npx ehrchain`) registers the relationship with a hospital, grants a doctor, lists consents and
 * who read what, revokes and grants again, against a running gateway over HTTP.
 */
describe('npx ehrchain grant / revoke / access-log (e2e)', () => {
  let gw: TestApp;
  let home: string;
  let baseUrl: string;
  let hospital: AdmittedHospital;
  let doctor: Practitioner;

  const ehrchain = patientCli(() => home, () => baseUrl, PASSWORD);

  beforeAll(async () => {
    gw = await createTestApp();
    await gw.app.listen(0, '127.0.0.1');
    baseUrl = await gw.app.getUrl();
    home = await mkdtemp(join(tmpdir(), 'ehr-patient-'));
    const adminToken = await AccountFactory.adminToken(gw);
    hospital = await AccessFactory.hospital(gw, adminToken);
    doctor = await AccessFactory.practitioner(gw, adminToken, hospital);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
    await rm(home, { recursive: true, force: true });
  });

  const read = (recordId: string) => AccessFactory.read(gw, doctor, recordId);

  it('opens the relationship, grants, shows the read, revokes and grants again, every message signed by the CLI', async () => {
    expect(await ehrchain('keys', 'init')).toMatchObject({ code: 0 });
    expect(await ehrchain('relationship', '--hospital', hospital.address)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Relationship registered: 0x[0-9a-f]{64}\n$/) });
    // Again: already registered, said the same way.
    expect((await ehrchain('relationship', '--hospital', hospital.address)).code).toBe(0);

    const token = (await ehrchain('filing-token', '--hospital', hospital.address)).stdout.trim();
    const filed = await gw.http.post('/v1/records?category=Prescription&wait=anchored').set(hospital.auth).set('X-Filing-Token', token)
      .set('Content-Type', 'application/fhir+json').send(JSON.stringify(RecordFactory.observation('paracetamol 650 mg'))).expect(201);
    const recordId: string = filed.body.recordId;
    expect((await read(recordId).expect(403)).body.code).toBe('CONSENT_REQUIRED');

    const granted = await ehrchain('grant', '--hospital', hospital.address, '--to', doctor.address, '--categories', 'Prescription,DiagnosticReport', '--days', '7');
    expect(granted).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Granted 0x[0-9a-fA-F]{40} until \d{4}-\d{2}-\d{2} \(transaction 0x[0-9a-f]{64}\)\.\n$/) });
    expect((await read(recordId).expect(200)).body.resource.note[0].text).toBe('paracetamol 650 mg');

    expect((await ehrchain('consents', '--hospital', hospital.address)).stdout).toContain(`${doctor.address}  active`);
    const log = await eventually(async () => {
      const listed = await ehrchain('access-log', '--hospital', hospital.address);
      expect(listed.stdout).toContain('(logged in 0x');
      return listed.stdout;
    });
    expect(log).toContain(`read ${recordId} for CAREMGT`);

    expect(await ehrchain('revoke', '--hospital', hospital.address, '--to', doctor.address)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Revoked .* refused from block \d+/) });
    expect((await read(recordId).expect(403)).body.code).toBe('CONSENT_REVOKED');
    expect((await ehrchain('consents', '--hospital', hospital.address)).stdout).toContain(`${doctor.address}  revoked`);

    // The relationship is open now: a second grant is a ConsentGrant at the pair's nonce.
    expect((await ehrchain('grant', '--hospital', hospital.address, '--to', doctor.address)).code).toBe(0);
    await read(recordId).expect(200);
  });

  it('says what is wrong with a consent command in words and exit code 64', async () => {
    expect(await ehrchain('grant', '--hospital', hospital.address, '--to', 'nobody')).toMatchObject({ code: 64, stderr: 'ehrchain: --to takes a 0x address\n' });
    expect(await ehrchain('grant', '--hospital', hospital.address, '--to', doctor.address, '--purposes', 'FUN')).toMatchObject({ code: 64, stderr: expect.stringContaining('"FUN" is none of CAREMGT') });
  });
});
