// The three measurements: a backlog drained by hand on an automine chain, a steady load on
// 1-second blocks with the outbox timer on, and verified blob reads.
import { statSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { NodeRpc } from '../../gateway/src/chain/node-rpc';
import { OutboxService } from '../../gateway/src/outbox/outbox.service';
import { BenchGateway, Db, enqueueBlobs, startBenchGateway, unanchored } from './harness';
import { probeOutbox, probeReads, Timings } from './probes';

export interface DrainResult {
  db: Db;
  batchSize: number;
  records: number;
  batches: number;
  cycles: number;
  wallMs: number;
  gasPerRecord: number;
  gasPerTx: number;
  timings: Timings;
}

export interface SteadyResult {
  db: Db;
  batchSize: number;
  targetRate: number;
  enqueued: number;
  enqueueRate: number;
  anchoredInWindow: number;
  backlogAtEnd: number;
  tailMs: number;
  /** Rows not anchored when the tail ran out; their latencies are lower bounds. */
  unanchored: number;
  latenciesMs: number[];
  /** Event-loop delay (monitorEventLoopDelay) over the window and the tail: how long HTTP and RPC replies waited. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  timings: Timings;
}

export interface ReadResult {
  db: Db;
  blockHeight: number;
  /** Size of the embedded Anvil's state file after the reads, bytes. */
  stateFileBytes: number;
  reads: number;
  totalMs: number[];
  timings: Timings;
}

const CHUNK = 512; // rows per enqueue transaction
const WARMUP_ROWS = 64;
const MAX_CYCLES = 500;

/**
 * N rows enqueued before the clock starts, then drain() called until every blob is anchored,
 * with the timer at 60 s (out of the way). A 64-row warm-up batch first, so JIT and
 * connection set-up do not fall on the first measured batch.
 */
export async function measureDrain(db: Db, batchSize: number, records: number, then?: (gw: BenchGateway) => Promise<void>): Promise<DrainResult> {
  const gw = await startBenchGateway({ db, blockTimeSeconds: 0, outboxIntervalMs: 60_000, maxBatchSize: batchSize });
  try {
    const timings = new Timings();
    probeOutbox(gw.app, timings);
    await enqueueBlobs(gw, WARMUP_ROWS);
    await drainAll(gw, timings);
    const warmupTxs = new Set(await doneTxHashes(gw));
    for (let done = 0; done < records; done += CHUNK) await enqueueBlobs(gw, Math.min(CHUNK, records - done));
    timings.clear();
    const { wallMs, cycles } = await drainAll(gw, timings);
    const txs = (await doneTxHashes(gw)).filter((hash) => !warmupTxs.has(hash));
    const gas = await gasUsed(gw, txs);
    // A copy: whatever `then` runs on this gateway is timed by the same probes.
    const result = { db, batchSize, records, batches: txs.length, cycles, wallMs, gasPerRecord: gas / records, gasPerTx: gas / txs.length, timings: timings.copy() };
    await then?.(gw);
    return result;
  } finally {
    await gw.close();
  }
}

/** drain() until no blob is pending; the wall time counts the cycles only, not this check. */
async function drainAll(gw: BenchGateway, timings: Timings): Promise<{ wallMs: number; cycles: number }> {
  const outbox = gw.app.get(OutboxService);
  let wallMs = 0;
  for (let cycles = 1; cycles <= MAX_CYCLES; cycles++) {
    const start = performance.now();
    await outbox.drain();
    wallMs += performance.now() - start;
    const { pending, failed } = await unanchored(gw);
    if (failed > 0) throw new Error(`${failed} blobs failed to anchor: see the gateway's warnings`);
    if (pending === 0) return { wallMs, cycles };
  }
  throw new Error(`Still pending after ${MAX_CYCLES} cycles (${timings.count('cycle')} timed)`);
}

async function doneTxHashes(gw: BenchGateway): Promise<string[]> {
  const rows: { tx_hash: string }[] = await gw.app.get(DataSource).query(`SELECT tx_hash FROM chain_outbox_batches WHERE status = 'done'`);
  return rows.map((row) => row.tx_hash);
}

/** The receipts' gasUsed, summed (ChainReceipt does not carry it; asked outside the probes). */
async function gasUsed(gw: BenchGateway, txHashes: string[]): Promise<number> {
  const rpc = new NodeRpc(gw.app.get(ChainClient).rpcUrl);
  let gas = 0;
  for (const hash of txHashes) gas += Number(BigInt((await rpc.call<{ gasUsed: string }>('eth_getTransactionReceipt', [hash])).gasUsed));
  return gas;
}

/**
 * 1-second blocks and the 1000 ms timer, as `npm start` runs: rows enqueued at `rate` per
 * second for `windowMs` (every 20 ms, what is due, in one transaction), then up to
 * `maxTailMs` for the backlog to clear. Latency: from the commit of a row's enqueue to the
 * commit of its batch's confirmation.
 */
export async function measureSteady(db: Db, batchSize: number, rate: number, windowMs: number, maxTailMs: number): Promise<SteadyResult> {
  const gw = await startBenchGateway({ db, blockTimeSeconds: 1, outboxIntervalMs: 1_000, maxBatchSize: batchSize });
  try {
    const enqueuedAt = new Map<string, number>();
    const latenciesMs: number[] = [];
    let windowEnd = Infinity;
    let anchoredInWindow = 0;
    const timings = new Timings();
    probeOutbox(gw.app, timings, (refs, at) => {
      for (const ref of refs) {
        const from = enqueuedAt.get(ref);
        if (from === undefined) continue;
        enqueuedAt.delete(ref);
        latenciesMs.push(at - from);
        if (at <= windowEnd) anchoredInWindow++;
      }
    });
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const start = performance.now();
    let enqueued = 0;
    for (let now = start; now - start < windowMs; now = performance.now()) {
      // At most half a second's worth per transaction when catching up after a stall: on
      // PGlite one INSERT of many thousands of rows would itself stall the event loop.
      const due = Math.min(Math.floor(((now - start) * rate) / 1000) - enqueued, rate / 2);
      if (due > 0) {
        const ids = await enqueueBlobs(gw, due);
        const committed = performance.now();
        for (const id of ids) enqueuedAt.set(id, committed);
        enqueued += due;
      }
      await sleep(20);
    }
    windowEnd = performance.now();
    const enqueueRate = enqueued / ((windowEnd - start) / 1000);
    const backlogAtEnd = enqueued - anchoredInWindow;
    while (enqueuedAt.size > 0 && performance.now() - windowEnd < maxTailMs) await sleep(100);
    const end = performance.now();
    loopDelay.disable();
    // Rows still waiting count with the time they have waited so far: a lower bound.
    const unanchored = enqueuedAt.size;
    for (const from of enqueuedAt.values()) latenciesMs.push(end - from);
    return { db, batchSize, targetRate: rate, enqueued, enqueueRate, anchoredInWindow, backlogAtEnd, tailMs: end - windowEnd, unanchored, latenciesMs, loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6, timings: timings.copy() };
  } finally {
    await gw.close();
  }
}

/**
 * `blobs` blobs of 1 KB uploaded through POST /v1/blobs and anchored, then, for each entry of
 * `extraBlocks`, that many empty blocks mined (anvil_mine) and `reads` sequential
 * GET /v1/blobs/:id/content over the blobs (round robin), timed at the client and split by
 * probes. A read is one eth_call against its batch's root, whatever the chain's age: the
 * extra blocks show that it stays so.
 */
export async function measureReads(gw: BenchGateway, blobs: number, reads: number, extraBlocks: readonly number[]): Promise<ReadResult[]> {
  const rpc = new NodeRpc(gw.app.get(ChainClient).rpcUrl);
  const ids: string[] = [];
  for (let i = 0; i < blobs; i++) {
    const body = Buffer.alloc(1024, `bench read ${i} `);
    const res = await fetch(`${gw.baseUrl}/v1/blobs`, { method: 'POST', headers: { ...gw.hospital.auth, 'content-type': 'application/octet-stream' }, body });
    if (res.status !== 201) throw new Error(`POST /v1/blobs: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  await drainAll(gw, new Timings());
  const timings = new Timings();
  probeReads(gw.app, timings);
  const results: ReadResult[] = [];
  for (const extra of extraBlocks) {
    // In steps: one anvil_mine of many blocks outlasts NodeRpc's 10-second timeout.
    for (let mined = 0; mined < extra; mined += 1_000) await rpc.call('anvil_mine', [`0x${Math.min(1_000, extra - mined).toString(16)}`]);
    timings.clear();
    const totalMs: number[] = [];
    for (let i = 0; i < reads; i++) {
      const start = performance.now();
      const res = await fetch(`${gw.baseUrl}/v1/blobs/${ids[i % ids.length]}/content`, { headers: gw.hospital.auth });
      const bytes = Buffer.from(await res.arrayBuffer());
      totalMs.push(performance.now() - start);
      if (res.status !== 200 || bytes.length !== 1024) throw new Error(`GET content: ${res.status}, ${bytes.length} bytes`);
    }
    results.push({ db: gw.db, blockHeight: await rpc.blockNumber(), stateFileBytes: statSync(gw.anvilStateFile).size, reads, totalMs, timings: timings.copy() });
  }
  return results;
}
