import { randomBytes } from 'node:crypto';
import { AccessLog } from '../../gateway/src/chain/access-log';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { signConsentLink } from '../../gateway/src/chain/consent-link';
import { makeFilingToken } from '../../gateway/src/chain/filing-token';
import { NO_RECORDS_ROOT, signRegistration, signRelationshipGrant } from '../../gateway/src/chain/patient-messages';
import { recordIdOnChain } from '../../gateway/src/chain/record-id';
import { accessLogRecordId, coarseDeadline, coarseExpiry, deriveRelationship, LedgerScope, Relationship } from '../../gateway/src/chain/relationships';
import { madeUpAadhaar } from '../../gateway/src/identity/sandbox-ekyc';
import { Key } from '../contracts/support/accounts';
import { randomKey } from '../contracts/support/chain';
import { admittedHospital, registeredPractitioner } from '../support/consortium-members';
import { eventually } from '../support/eventually';
import { GatewayOnAnvil } from '../support/gateway-on-anvil';
import { pseudonymSignIn } from '../support/patient-registry';
import { NETWORK_TEST_CHAIN_ID } from '../support/test-app';

/**
 * Trust model 6 against the failure an in-process test cannot stage: the gateway killed (SIGKILL)
 * right after a read under consent returned the record, before the access entry reached the
 * chain. After a restart the entry is on chain, exactly once (issue 14, "Done when").
 */
describe('a gateway killed right after a read under consent (compiled gateway, child process)', () => {
  const stack = new GatewayOnAnvil();
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  let admin: Record<string, string>;
  let hospital: { key: Key; apiKey: string };
  let doctor: { address: string; headers: Record<string, string> };
  let scope: LedgerScope;
  let accessLog: AccessLog;
  let reader: ChainClient;

  const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    stack.call(path, { method: 'POST', headers, body: JSON.stringify(body) });

  beforeAll(async () => {
    admin = await stack.signedIn('admin', await stack.begin());
    const deployments = await stack.deployments();
    scope = { chainId: NETWORK_TEST_CHAIN_ID, consentManager: deployments.ConsentManager!.address };
    reader = new ChainClient(stack.rpcUrl, randomKey());
    accessLog = new AccessLog(reader, deployments.AccessLog!.address);

    const consortium = await stack.consortium();
    const hospitalKey = await admittedHospital(consortium);
    const doctorKey = await registeredPractitioner(consortium, hospitalKey);
    const account = await post('/v1/accounts', { role: 'hospital', username: 'crash.access.hospital', aadhaar: madeUpAadhaar(), chainAddress: hospitalKey.address }, admin);
    hospital = { key: hospitalKey, apiKey: (await post(`/v1/accounts/${account.body.id}/api-keys`, { label: 'HIS' }, admin)).body.key };
    const password = `pw ${randomBytes(12).toString('base64url')}`;
    await post('/v1/accounts', { role: 'doctor', username: 'crash.access.doctor', password, aadhaar: madeUpAadhaar(), hospitalId: account.body.id, chainAddress: doctorKey.address }, admin);
    doctor = { address: doctorKey.address, headers: await stack.signedIn('crash.access.doctor', password) };
  });
  afterAll(() => stack.end());

  /** A patient with one anchored record at the hospital and a consent to the doctor (relayed by the gateway); the record id and the doctor relationship. */
  async function patientWhoGranted(): Promise<{ recordId: string; relationship: Relationship; authorization: string }> {
    const secret = new Uint8Array(randomBytes(32));
    const withHospital = deriveRelationship(secret, scope, hospital.key.address);
    const deadline = coarseDeadline(nowSeconds() + 3600);
    expect(await post('/v1/relationships?wait=applied', withoutType(signRegistration(withHospital, scope, deadline)))).toMatchObject({ status: 201, body: { status: 'applied' } });
    const { authorization } = await pseudonymSignIn(stack.baseUrl, withHospital);
    const filed = await stack.call('/v1/records?category=OPConsultation&wait=anchored', {
      method: 'POST',
      headers: { 'x-api-key': hospital.apiKey, 'content-type': 'application/fhir+json', 'x-filing-token': makeFilingToken(withHospital, scope, hospital.key.address, nowSeconds() + 600) },
      body: JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'Heart rate' }, effectiveDateTime: '2026-11-30', valueQuantity: { value: 70, unit: '/min' } }),
    });
    expect(filed.status).toBe(201);
    const relationship = deriveRelationship(secret, scope, doctor.address);
    const terms = { categories: 0x7f, purposes: 1, fromDate: 0, toDate: 2 ** 40 - 1, expiry: coarseExpiry(nowSeconds() + 86_400), recordsRoot: NO_RECORDS_ROOT };
    const grant = signRelationshipGrant(relationship, scope, doctor.address, terms, deadline);
    const link = signConsentLink(relationship, scope, withHospital.handle, doctor.address);
    expect(await post('/v1/consents?wait=applied', { ...grant, link }, { authorization, 'content-type': 'application/json' })).toMatchObject({ status: 201, body: { status: 'applied' } });
    return { recordId: filed.body.recordId, relationship, authorization };
  }

  const read = (recordId: string) => stack.call(`/v1/access/records/${recordId}?purpose=CAREMGT`, { headers: doctor.headers });
  const entriesOnChain = async (relationship: Relationship) =>
    accessLog.entriesIn(await reader.logs({ address: accessLog.address, topics: [null, null, relationship.handle], fromBlock: 0n }), [await stack.gatewayAddress()]);

  async function expectLoggedOnce({ recordId, relationship, authorization }: { recordId: string; relationship: Relationship; authorization: string }): Promise<void> {
    const entries = await eventually(async () => {
      const found = await entriesOnChain(relationship);
      expect(found).toHaveLength(1);
      return found;
    }, { timeoutMs: 20_000 });
    // The record id is blinded with the entry's salt, which the patient reads in their access log.
    const [shown] = (await stack.call('/v1/access-log', { headers: { authorization } })).body as unknown as Array<{ blindingSalt: string; status: string }>;
    expect(entries[0]).toMatchObject({ recordId: accessLogRecordId(recordIdOnChain(recordId), relationship.handle, shown!.blindingSalt), reader: doctor.address, purpose: 0, kind: 0 });
  }

  it('logs the read on chain after a restart when the gateway dies before the entry is sent', async () => {
    const patient = await patientWhoGranted();
    const { recordId, relationship } = patient;
    await stack.node.call('evm_setAutomine', [false]);

    expect((await read(recordId)).status).toBe(200);
    await stack.kill();
    // Whatever the sender had done (nothing, or a transaction in the pool), the chain holds no entry.
    await stack.node.call('anvil_dropAllTransactions', []);
    await stack.node.call('evm_setAutomine', [true]);
    expect(await entriesOnChain(relationship)).toEqual([]);

    await stack.start();

    await expectLoggedOnce(patient);
  });

  it('logs the read once when its batch was mined while the gateway was down', async () => {
    const patient = await patientWhoGranted();
    const { recordId } = patient;
    await stack.node.call('evm_setAutomine', [false]);

    expect((await read(recordId)).status).toBe(200);
    await eventually(async () => expect(Number(BigInt((await stack.node.call<{ pending: string }>('txpool_status')).pending))).toBe(1));
    await stack.kill();
    await stack.node.call('evm_mine', []);
    await stack.node.call('evm_setAutomine', [true]);
    const sent = await stack.gatewayNonce();

    await stack.start();

    await expectLoggedOnce(patient);
    expect(await stack.gatewayNonce()).toBe(sent); // confirmed from its receipt: not sent again
  });
});

function withoutType<T extends { type: string }>(message: T): Omit<T, 'type'> {
  const { type: _type, ...body } = message;
  return body;
}
