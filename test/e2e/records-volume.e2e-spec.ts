import { NodeRpc } from '../../gateway/src/chain/node-rpc';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { RecordAnchors } from '../../gateway/src/chain/record-anchors';
import { MAX_BATCHES_PER_CYCLE, OutboxService } from '../../gateway/src/outbox/outbox.service';
import { RecordEntity } from '../../gateway/src/records/record.entity';
import { RecordVersionAnchorHandler } from '../../gateway/src/records/record-anchor.handler';
import { RecordsModule } from '../../gateway/src/records/records.module';
import { DataSource, In, Not } from 'typeorm';
import { AccountFactory } from '../factories/account.factory';
import { FilingHospital, FilingPatient, RecordFactory } from '../factories/record.factory';
import { eventually } from '../support/eventually';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

const RECORDS = 1_200;
const CONCURRENCY = 16;

/** Runs `task` for 0..count-1, `CONCURRENCY` at a time, as a busy hospital system would. */
async function inParallel<T>(count: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

/** The batched path at volume: more than a thousand filings, a handful of chain transactions. */
describe('records at volume (e2e)', () => {
  let gw: TestApp;
  let hospital: FilingHospital;
  let patient: FilingPatient;
  let booted: number;

  beforeAll(async () => {
    // The timer ticks once a minute (the most the config allows), so that this test decides when
    // the sender runs: after every filing. A tick while the filings come (a slow, loaded machine)
    // anchors what is there: its cycle claims up to MAX_BATCHES_PER_CYCLE batches back to back,
    // each partial while filings keep arriving, which the count allows for.
    booted = Date.now();
    gw = await createTestApp({ features: [RecordsModule], env: { OUTBOX_INTERVAL_MS: '60000' } });
    hospital = await RecordFactory.hospital(gw, await AccountFactory.adminToken(gw));
    patient = await RecordFactory.patient(gw);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it(`anchors ${RECORDS.toLocaleString('en-US')} filings in a handful of transactions, each record then read back verified against its proof and the on-chain root`, async () => {
    const node = new NodeRpc(gw.app.get(ChainClient).rpcUrl);
    const nonce = async () => Number(BigInt(await node.call<string>('eth_getTransactionCount', [gw.app.get(ChainClient).address, 'latest'])));
    const before = await nonce();

    const created = await inParallel(RECORDS, (i) => RecordFactory.file(gw, hospital, patient, `record number ${i}`, { wait: false }));
    await eventually(async () => {
      await gw.app.get(OutboxService).drain();
      expect(await gw.app.get(DataSource).getRepository(RecordEntity).countBy({ anchorStatus: Not('anchored') })).toBe(0);
    });

    const transactions = (await nonce()) - before;
    const handler = gw.app.get(RecordVersionAnchorHandler);
    const full = Math.ceil(RECORDS / handler.maxBatchSize);
    const ticks = Math.floor((Date.now() - booted) / 60_000);
    expect(transactions).toBeGreaterThanOrEqual(full);
    expect(transactions).toBeLessThanOrEqual(full + ticks * (handler.batchesPerCycle ?? MAX_BATCHES_PER_CYCLE));
    await inParallel(RECORDS, async (i) => {
      expect(await RecordFactory.note(gw, patient, created[i]!.recordId)).toEqual({ status: 200, note: `record number ${i}` });
    });
    const rows = await gw.app.get(DataSource).getRepository(RecordEntity).findBy({ recordId: In(created.map((record) => record.recordId)) });
    const batches = new Set(rows.map((row) => row.anchorBatchId));
    expect(batches.size).toBe(transactions);
    for (const batchId of batches) expect((await gw.app.get(RecordAnchors).batchOf(batchId!))?.count).toBeGreaterThan(0);
  }, 180_000);
});
