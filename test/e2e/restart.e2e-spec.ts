import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { eth } from 'web3';
import { AccessLog } from '../../gateway/src/chain/access-log';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainRuntime } from '../../gateway/src/chain/chain.module';
import { RecordAnchors } from '../../gateway/src/chain/record-anchors';
import { DEV_AUTHORITIES } from '../../gateway/src/config/app-config';
import { KeyStore } from '../../gateway/src/keys/key-store';
import { RecordEntity } from '../../gateway/src/records/record.entity';
import { randomKey } from '../contracts/support/chain';
import { AccountFactory } from '../factories/account.factory';
import { FilingHospital, FilingPatient, RecordFactory } from '../factories/record.factory';
import { embeddedChain, removeGatewayData, createTestApp, TestApp } from '../support/test-app';

/**
 * Restarting loses nothing: chain state, contracts, database, IPFS blocks and keys persist, and
 * chain writes that were still waiting in the outbox are sent by the next run.
 */
describe('restart (e2e)', () => {
  let first: TestApp;
  let second: TestApp | undefined;
  let hospital: FilingHospital;
  let patient: FilingPatient;
  let anchored: { recordId: string; cid: string };
  let waiting: { recordId: string };
  let headBefore: number;
  let deploymentsBefore: string;

  beforeAll(async () => {
    // A long outbox interval keeps the second record's anchor waiting until the restart.
    first = await createTestApp({ env: { OUTBOX_INTERVAL_MS: '60000' } });
    hospital = await RecordFactory.hospital(first, await AccountFactory.adminToken(first));
    patient = await RecordFactory.patient(first);
    anchored = (await RecordFactory.file(first, hospital, patient, 'anchored before the restart')) as typeof anchored;
    waiting = (await RecordFactory.file(first, hospital, patient, 'still in the outbox at shutdown', { wait: false })) as typeof waiting;
    expect((await first.http.get(`/v1/records/${waiting.recordId}`).set(hospital.auth)).body.anchor.status).toBe('pending');
    headBefore = (await first.http.get('/health').expect(200)).body.info.chain.head;
    deploymentsBefore = await readFile(join(first.config.chain.dir, 'deployments.json'), 'utf8');
    await first.close();

    second = await createTestApp({ previous: first.config });
  });
  afterAll(async () => {
    await second?.close();
    if (first) await removeGatewayData(first.config);
  });

  it('keeps the chain: same contracts, no redeploy, head not reset', async () => {
    expect(await readFile(join(second!.config.chain.dir, 'deployments.json'), 'utf8')).toBe(deploymentsBefore);
    const head = (await second!.http.get('/health').expect(200)).body.info.chain.head;
    expect(head).toBeGreaterThanOrEqual(headBefore);
  });

  it('keeps the database and keys: no second admin, the same admin password, API key and pseudonym token work', async () => {
    expect(second!.admin).toBeNull();
    await AccountFactory.adminToken(second!, first.admin);
    await second!.http.get('/v1/auth/me').set(hospital.auth).expect(200);
    await second!.http.get('/v1/records').set(patient.auth).expect(200);
  });

  it('serves what was stored before, still verified against IPFS, its key and the chain', async () => {
    const meta = await second!.http.get(`/v1/records/${anchored.recordId}`).set(hospital.auth).expect(200);
    expect(meta.body).toMatchObject({ cid: anchored.cid, anchor: { status: 'anchored' } });
    expect(await RecordFactory.note(second!, patient, anchored.recordId)).toEqual({ status: 200, note: 'anchored before the restart' });
  });

  it('sends the chain write that was still waiting in the outbox', async () => {
    await RecordFactory.anchored(second!, hospital.auth, waiting.recordId);
    expect(await RecordFactory.note(second!, patient, waiting.recordId)).toEqual({ status: 200, note: 'still in the outbox at shutdown' });
  });

  // Only the embedded chain can be stopped from a test; against Besu (test:compose) this case is not defined.
  const onEmbeddedChain = embeddedChain() ? it : () => undefined;
  onEmbeddedChain('answers 503 naming the chain when it is down: filing (the token is checked on chain) waits, nothing half-stored; metadata still reads', async () => {
    await second!.app.get(ChainRuntime).anvil!.stop();
    const health = await second!.http.get('/health').expect(503);
    expect(health.body.code).toBe('UNHEALTHY');
    expect(health.body.details.error).toHaveProperty('chain');
    expect(health.body.details.info).toHaveProperty('database');

    const records = () => second!.app.get(DataSource).getRepository(RecordEntity).count();
    const before = await records();
    const refused = await second!.http
      .post('/v1/records?category=OPConsultation')
      .set(hospital.auth)
      .set('X-Filing-Token', RecordFactory.filingToken(second!, patient, hospital.address))
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(RecordFactory.observation('written while the chain is down')))
      .expect(503);
    expect(refused.body.code).toBe('CHAIN_UNAVAILABLE');
    expect(await records()).toBe(before);
    await second!.http.get(`/v1/records/${anchored.recordId}`).set(hospital.auth).expect(200);
  });
});

/**
 * The gateway's key rotation as docs/decisions.md ("Rotating the gateway's key") tells an
 * operator to do it: k authorities grant the new key the writer roles, the gateway restarts with
 * the new key and the old one in CHAIN_FORMER_WRITERS, and what the old key anchored stays
 * readable. Embedded chain only: the authorities' keys are the development ones.
 */
// Registered on the embedded chain only: on a network the authorities hold their own keys (the
// contract tests prove the governance there).
if (embeddedChain()) describe('restart with a rotated gateway chain key (e2e)', () => {
  let first: TestApp;
  let rotated: TestApp | undefined;
  let hospital: FilingHospital;
  let patient: FilingPatient;
  let before: { recordId: string };
  const newKey = randomKey();
  const newAddress = eth.accounts.privateKeyToAddress(newKey);
  let oldAddress: string;

  /** Authorities 1 and 2 (2 of 3) grant `account` the writer role `roleName` of `contract`, through the ConsortiumRoleAdmin. */
  async function grantWriterRole(gw: TestApp, contract: { address: string; contract: Parameters<ChainClient['call']>[0] }, roleName: string, account: string) {
    const chain = gw.app.get(ChainClient);
    const authorities = (await gw.app.get(KeyStore).devAuthorityKeys(DEV_AUTHORITIES.count)).map((key) => new ChainClient(chain.rpcUrl, key));
    try {
      const governor = chain.contract('ConsortiumRoleAdmin', gw.app.get(ChainRuntime).addresses.ConsortiumRoleAdmin!);
      const [role] = await chain.call(contract.contract, roleName, []);
      const proposed = await authorities[0]!.waitForReceipt((await authorities[0]!.send(governor, 'proposeGrantRole', [contract.address, role, account])).txHash, 10_000);
      const [{ args }] = authorities[0]!.events(governor, proposed);
      const approved = await authorities[1]!.waitForReceipt((await authorities[1]!.send(governor, 'approve', [args!.proposalId])).txHash, 10_000);
      expect(approved.success).toBe(true);
      expect((await chain.call(contract.contract, 'hasRole', [role, account]))[0]).toBe(true);
    } finally {
      for (const authority of authorities) authority.close();
    }
  }

  beforeAll(async () => {
    first = await createTestApp();
    hospital = await RecordFactory.hospital(first, await AccountFactory.adminToken(first));
    patient = await RecordFactory.patient(first);
    before = (await RecordFactory.file(first, hospital, patient, 'anchored by the old key')) as typeof before;
    oldAddress = first.app.get(ChainClient).address;
    // Step 1: the consortium makes the new key a writer of both contracts.
    await grantWriterRole(first, first.app.get(RecordAnchors), 'ANCHORER_ROLE', newAddress);
    await grantWriterRole(first, first.app.get(AccessLog), 'LOGGER_ROLE', newAddress);
    // Step 2: the outbox is drained (every upload waited for its anchor); stop, install the new key.
    await first.close();
    await writeFile(join(first.config.keysDir, 'chain-account.key'), `${newKey}\n`, { mode: 0o600 });
  });
  afterAll(async () => {
    await rotated?.close();
    if (first) await removeGatewayData(first.config);
  });

  it('reads what the old key anchored while it is listed in CHAIN_FORMER_WRITERS, and anchors new records under the new key', async () => {
    rotated = await createTestApp({ previous: first.config, env: { CHAIN_FORMER_WRITERS: oldAddress } });
    expect(rotated.app.get(ChainClient).address).toBe(newAddress);

    expect(await RecordFactory.note(rotated, patient, before.recordId)).toEqual({ status: 200, note: 'anchored by the old key' });
    const after = await RecordFactory.file(rotated, hospital, patient, 'anchored by the new key');
    expect(after).toMatchObject({ anchor: { status: 'anchored' } });
    expect(await RecordFactory.note(rotated, patient, after.recordId)).toEqual({ status: 200, note: 'anchored by the new key' });
    await rotated.close();
    rotated = undefined;
  });

  it('refuses what the old key anchored once it is dropped from CHAIN_FORMER_WRITERS (a leaked key is no longer trusted)', async () => {
    rotated = await createTestApp({ previous: first.config });

    expect(await RecordFactory.note(rotated, patient, before.recordId)).toEqual({ status: 502, code: 'INTEGRITY_MISMATCH' });
  });
});
