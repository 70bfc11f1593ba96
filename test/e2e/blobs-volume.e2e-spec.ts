import { NodeRpc } from '../../gateway/src/chain/node-rpc';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { RecordAnchors } from '../../gateway/src/chain/record-anchors';
import { RecordAnchorHandler } from '../../gateway/src/blobs/record-anchor.handler';
import { BlobsModule } from '../../gateway/src/blobs/blobs.module';
import { OutboxService } from '../../gateway/src/outbox/outbox.service';
import { DataSource, In, Not } from 'typeorm';
import { BlobEntity } from '../../gateway/src/blobs/blob.entity';
import { AccountFactory, TestHospital } from '../factories/account.factory';
import { eventually } from '../support/eventually';
import { createTestApp, removeGatewayData, TestApp } from '../support/test-app';

const BLOBS = 2_000;
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

/** The batched path at volume: thousands of uploads, a handful of chain transactions. */
describe('blobs at volume (e2e)', () => {
  let gw: TestApp;
  let hospital: TestHospital;

  beforeAll(async () => {
    // The timer is off so that this test decides when the sender runs: after every upload.
    gw = await createTestApp({ features: [BlobsModule], env: { OUTBOX_INTERVAL_MS: '60000' } });
    hospital = await AccountFactory.hospital(gw, await AccountFactory.adminToken(gw));
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  it(`anchors ${BLOBS.toLocaleString('en-US')} uploads in a handful of transactions, each blob then read back verified against its proof and the on-chain root`, async () => {
    const node = new NodeRpc(gw.app.get(ChainClient).rpcUrl);
    const nonce = async () => Number(BigInt(await node.call<string>('eth_getTransactionCount', [gw.app.get(ChainClient).address, 'latest'])));
    const before = await nonce();

    const created = await inParallel(BLOBS, async (i) => {
      const res = await gw.http.post('/v1/blobs').set(hospital.auth).set('Content-Type', 'application/octet-stream').send(Buffer.from(`blob ${i}`)).expect(201);
      return res.body as { id: string };
    });
    await eventually(async () => {
      await gw.app.get(OutboxService).drain();
      expect(await gw.app.get(DataSource).getRepository(BlobEntity).countBy({ anchorStatus: Not('anchored') })).toBe(0);
    });

    const transactions = (await nonce()) - before;
    expect(transactions).toBe(Math.ceil(BLOBS / gw.app.get(RecordAnchorHandler).maxBatchSize));
    await inParallel(BLOBS, async (i) => {
      const content = await gw.http.get(`/v1/blobs/${created[i]!.id}/content`).set(hospital.auth).expect(200);
      expect(Buffer.from(content.body).toString()).toBe(`blob ${i}`);
    });
    const rows = await gw.app.get(DataSource).getRepository(BlobEntity).findBy({ id: In(created.map((blob) => blob.id)) });
    const batches = new Set(rows.map((row) => row.anchorBatchId));
    expect(batches.size).toBe(transactions);
    for (const batchId of batches) expect((await gw.app.get(RecordAnchors).batchOf(batchId!))?.count).toBeGreaterThan(0);
  }, 180_000);
});
