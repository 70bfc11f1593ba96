import { randomBytes } from 'node:crypto';
import { Role } from '../../gateway/src/auth/permissions';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { TestApp } from '../support/test-app';

let sequence = 0;

/** A password the policy accepts: random, so it names neither the username nor the service. */
const newPassword = (): string => `pw ${randomBytes(12).toString('base64url')}`;

export interface TestPerson {
  id: string;
  username: string;
  password: string;
  token: string;
  auth: { Authorization: string };
}

export interface TestHospital {
  id: string;
  apiKeyId: string;
  apiKey: string;
  auth: { 'X-API-Key': string };
}

/** The Aadhaar number an account of `role` is created with: doctors, pharmacists and hospitals' officers give one. */
export const aadhaarFor = (role: Role): { aadhaar?: string } => ([Role.Doctor, Role.Pharmacist, Role.Hospital].includes(role) ? { aadhaar: madeUpAadhaar() } : {});

export const AccountFactory = {
  async adminToken(gw: TestApp, admin = gw.admin): Promise<string> {
    if (!admin) throw new Error('This gateway was not started on a fresh data directory');
    const res = await gw.http.post('/v1/auth/login').send(admin).expect(200);
    return res.body.accessToken as string;
  },

  /** A person with a password, signed in. */
  async person(gw: TestApp, adminToken: string, role: Role, extra: { chainAddress?: string } = {}): Promise<TestPerson> {
    const username = `${role}.${++sequence}.${process.pid}`;
    const password = newPassword();
    const created = await gw.http.post('/v1/accounts').set('Authorization', `Bearer ${adminToken}`).send({ role, username, password, ...aadhaarFor(role), ...extra }).expect(201);
    const login = await gw.http.post('/v1/auth/login').send({ username, password }).expect(200);
    const token = login.body.accessToken as string;
    return { id: created.body.id, username, password, token, auth: { Authorization: `Bearer ${token}` } };
  },

  /** A hospital system with an API key (hospital systems have no password). */
  async hospital(gw: TestApp, adminToken: string): Promise<TestHospital> {
    const username = `hospital.${++sequence}.${process.pid}`;
    const created = await gw.http
      .post('/v1/accounts')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ role: Role.Hospital, username, aadhaar: madeUpAadhaar() })
      .expect(201);
    const key = await gw.http
      .post(`/v1/accounts/${created.body.id}/api-keys`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ label: 'HIS integration' })
      .expect(201);
    return { id: created.body.id, apiKeyId: key.body.id, apiKey: key.body.key, auth: { 'X-API-Key': key.body.key } };
  },
};
