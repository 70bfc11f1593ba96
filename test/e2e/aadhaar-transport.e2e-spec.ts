import { sandboxMessages } from '../../gateway/src/identity/sandbox-ekyc';
import { AadhaarKey, encryptAadhaar } from '../../gateway/sdk/patient-keys';
import { PatientFactory, registrationOf } from '../factories/patient.factory';
import { eventually } from '../support/eventually';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Issue 15: a patient's software sends an Aadhaar number only encrypted to the gateway's
 * transport key (`enc1.` envelopes, RSA-OAEP-256), for registration and for sign-in codes. A
 * broken or stale envelope is a 400 with its own code and sends nothing to anyone's mobile.
 */
describe('Aadhaar numbers encrypted in transit (e2e)', () => {
  let gw: TestApp;
  let key: AadhaarKey;

  beforeAll(async () => {
    gw = await createTestApp();
    key = (await gw.http.get('/v1/identity/aadhaar-key').expect(200)).body;
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it('publishes an RSA-2048 key with its id, and keeps it across restarts of the key store', async () => {
    expect(key).toEqual({ keyId: expect.stringMatching(/^[0-9a-f]{16}$/), algorithm: 'RSA-OAEP-256', publicKey: expect.stringContaining('BEGIN PUBLIC KEY') });
    expect((await gw.http.get('/v1/identity/aadhaar-key').expect(200)).body).toEqual(key);
  });

  it('registers and signs in a resident whose number arrives only encrypted', async () => {
    const resident = PatientFactory.resident(1);
    const sealed = encryptAadhaar(key, resident.aadhaar);
    expect(sealed).not.toContain(resident.aadhaar);
    const started = await gw.http.post('/v1/patients/registrations').send({ ...registrationOf(resident), aadhaar: sealed }).expect(202);
    const code = await PatientFactory.lastCode(gw, resident);
    await gw.http.post(`/v1/patients/registrations/${started.body.id}/confirm`).send({ code }).expect(201);

    const sent = await gw.http.post('/v1/auth/persona/codes').send({ aadhaar: encryptAadhaar(key, resident.aadhaar) }).expect(202);
    const signInCode = await PatientFactory.signInCodeDelivered(gw, resident);
    const token = await gw.http.post('/v1/auth/persona/token').send({ id: sent.body.id, code: signInCode }).expect(200);
    expect((await gw.http.get('/v1/persona').set('Authorization', `Bearer ${token.body.accessToken}`).expect(200)).body.aadhaar).toBe(`XXXX XXXX ${resident.aadhaar.slice(-4)}`);
  });

  it('refuses a tampered envelope, one made for another key and one that is no envelope, and sends no code', async () => {
    const resident = PatientFactory.resident(2);
    const sealed = encryptAadhaar(key, resident.aadhaar);
    const [, , ciphertext] = sealed.split('.');
    const flipped = `enc1.${key.keyId}.${ciphertext!.slice(0, 40)}${ciphertext![40] === 'A' ? 'B' : 'A'}${ciphertext!.slice(41)}`;
    const otherKey = `enc1.${'0'.repeat(16)}.${ciphertext}`;
    const cases: [string, string][] = [[flipped, 'AADHAAR_ENVELOPE_INVALID'], [otherKey, 'AADHAAR_KEY_UNKNOWN'], ['enc1.short', 'AADHAAR_ENVELOPE_INVALID']];
    for (const [aadhaar, code] of cases) {
      expect((await gw.http.post('/v1/patients/registrations').send({ ...registrationOf(resident), aadhaar }).expect(400)).body.code).toBe(code);
      expect((await gw.http.post('/v1/auth/persona/codes').send({ aadhaar }).expect(400)).body.code).toBe(code);
    }
    // The one that decrypts goes through: the refusals above were about the envelopes, not the resident.
    await gw.http.post('/v1/patients/registrations').send({ ...registrationOf(resident), aadhaar: sealed }).expect(202);
    await eventually(async () => expect(await sandboxMessages(gw.config.dataDir, resident.mobile)).toHaveLength(1));
  });
});
