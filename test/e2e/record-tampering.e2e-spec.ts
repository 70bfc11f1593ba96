import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Role } from '../../gateway/src/auth/permissions';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainRuntime } from '../../gateway/src/chain/chain.module';
import { RecordAnchors } from '../../gateway/src/chain/record-anchors';
import { buildRecordBatch } from '../../gateway/src/chain/record-batch';
import { DEV_AUTHORITIES } from '../../gateway/src/config/app-config';
import { KeyStore } from '../../gateway/src/keys/key-store';
import { RecordEntity } from '../../gateway/src/records/record.entity';
import { chainVersionOf } from '../../gateway/src/records/record-views';
import { randomKey } from '../contracts/support/chain';
import { AccountFactory } from '../factories/account.factory';
import { FilingHospital, FilingPatient, RecordFactory } from '../factories/record.factory';
import { createTestApp, embeddedChain, removeGatewayData, TestApp } from '../support/test-app';

/**
 * Attacks on a record's proof by someone who can write the database, and on who may file: each
 * performed, each refused (DESIGN trust models 7 and 9). records.e2e-spec.ts holds the plainer
 * tampering (digest, IPFS block, status).
 */
describe('record tampering and filing rights (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let hospital: FilingHospital;
  let patient: FilingPatient;

  beforeAll(async () => {
    gw = await createTestApp();
    adminToken = await AccountFactory.adminToken(gw);
    hospital = await RecordFactory.hospital(gw, adminToken);
    patient = await RecordFactory.patient(gw);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const rows = () => gw.app.get(DataSource).getRepository(RecordEntity);
  const copy = (donor: RecordEntity) => ({
    cid: donor.cid, sha512: donor.sha512, wrappedKey: donor.wrappedKey, keyId: donor.keyId, versionHash: donor.versionHash,
    anchorBatchId: donor.anchorBatchId, anchorProof: donor.anchorProof, anchorAuthor: donor.anchorAuthor,
  });

  it("points a row at another record's content, batch and proof in vain: the leaf names the record id", async () => {
    const victim = await RecordFactory.file(gw, hospital, patient, 'the victim');
    const donor = await RecordFactory.file(gw, hospital, patient, 'the donor');
    await rows().update({ recordId: victim.recordId, version: 1 }, copy(await rows().findOneByOrFail({ recordId: donor.recordId })));
    expect(await RecordFactory.note(gw, patient, victim.recordId)).toEqual({ status: 502, code: 'INTEGRITY_MISMATCH' });
  });

  // The authorities' keys are the embedded chain's development ones; a network's authorities hold their own.
  const onEmbeddedChain = embeddedChain() ? it : () => undefined;
  onEmbeddedChain("serves nothing anchored by another writer, even one the consortium authorised (reads trust only the gateway's keys)", async () => {
    // The attack: a second key with ANCHORER_ROLE (granted by 2 of the 3 authorities, as for a
    // real second writer, or stolen) anchors a batch holding the victim's id over a donor
    // record's content, and the forger points the victim's row at that batch and content.
    const victim = await RecordFactory.file(gw, hospital, patient, 'the genuine record');
    const donor = await rows().findOneByOrFail({ recordId: (await RecordFactory.file(gw, hospital, patient, 'what the second writer wants served')).recordId });
    const chain = gw.app.get(ChainClient);
    const anchors = gw.app.get(RecordAnchors);
    const writer = new ChainClient(chain.rpcUrl, randomKey());
    const authorities = (await gw.app.get(KeyStore).devAuthorityKeys(DEV_AUTHORITIES.count)).map((key) => new ChainClient(chain.rpcUrl, key));
    try {
      const governor = chain.contract('ConsortiumRoleAdmin', gw.app.get(ChainRuntime).addresses.ConsortiumRoleAdmin!);
      const role = (await chain.call(anchors.contract, 'ANCHORER_ROLE', []))[0];
      const proposed = await authorities[0]!.waitForReceipt((await authorities[0]!.send(governor, 'proposeGrantRole', [anchors.address, role, writer.address])).txHash, 10_000);
      const [{ args }] = authorities[0]!.events(governor, proposed);
      expect((await authorities[1]!.waitForReceipt((await authorities[1]!.send(governor, 'approve', [args!.proposalId])).txHash, 10_000)).success).toBe(true);

      const victimRow = await rows().findOneByOrFail({ recordId: victim.recordId });
      const forgedRow = { ...victimRow, cid: donor.cid, sha512: donor.sha512 } as RecordEntity;
      const batch = buildRecordBatch([chainVersionOf(forgedRow)]);
      const batchId = `0x${randomBytes(32).toString('hex')}`;
      const sent = await writer.waitForReceipt(await new RecordAnchors(writer, anchors.address, 0n).anchorBatch(batchId, batch), 10_000);
      expect(sent.success).toBe(true); // the forgery is on chain, under the second writer
      await rows().update({ recordId: victim.recordId, version: 1 }, { ...copy(donor), anchorBatchId: batchId, anchorProof: batch.proofs[0]!.proof });

      expect(await RecordFactory.note(gw, patient, victim.recordId)).toEqual({ status: 502, code: 'INTEGRITY_MISMATCH' });
    } finally {
      writer.close();
      for (const authority of authorities) authority.close();
    }
  });

  it('lets no pharmacist, researcher, administrator or patient persona file a record', async () => {
    const token = RecordFactory.filingToken(gw, patient, hospital.address);
    const callers = [
      (await AccountFactory.person(gw, adminToken, Role.Pharmacist)).auth,
      (await AccountFactory.person(gw, adminToken, Role.Researcher)).auth,
      { Authorization: `Bearer ${adminToken}` },
    ];
    const before = await rows().count();
    for (const auth of callers) {
      const res = await gw.http.post('/v1/records?category=OPConsultation').set(auth).set('X-Filing-Token', token).set('Content-Type', 'application/fhir+json')
        .send(JSON.stringify(RecordFactory.observation('not theirs to file'))).expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    // The patient's pseudonym reads; it does not file.
    expect((await gw.http.post('/v1/records?category=OPConsultation').set(patient.auth).set('Content-Type', 'application/fhir+json').send('{}').expect(403)).body.code).toBe('PRINCIPAL_NOT_ACCEPTED');
    expect(await rows().count()).toBe(before);
  });
});
