// Timers wrapped around methods of the running gateway's instances, from the bench only: the
// gateway code is unchanged. The sender is one sequential loop, so a "phase" variable says
// whether a tree build or RPC belongs to the send or to the confirmation.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { performance } from 'node:perf_hooks';
import { BlobStore } from '../../gateway/src/blobs/blob.store';
import { RecordAnchorHandler } from '../../gateway/src/blobs/record-anchor.handler';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { RecordAnchors } from '../../gateway/src/chain/record-anchors';
import { IpfsStore } from '../../gateway/src/ipfs/ipfs-store';
import { OutboxService } from '../../gateway/src/outbox/outbox.service';
import { OutboxStore } from '../../gateway/src/outbox/outbox.store';

/** Durations in ms, by probe name. */
export class Timings {
  readonly samples = new Map<string, number[]>();
  add(name: string, ms: number): void {
    if (!this.samples.has(name)) this.samples.set(name, []);
    this.samples.get(name)!.push(ms);
  }
  all(name: string): number[] {
    return this.samples.get(name) ?? [];
  }
  sum(name: string): number {
    return this.all(name).reduce((a, b) => a + b, 0);
  }
  count(name: string): number {
    return this.all(name).length;
  }
  clear(): void {
    this.samples.clear();
  }
  copy(): Timings {
    const copy = new Timings();
    for (const [name, samples] of this.samples) copy.samples.set(name, [...samples]);
    return copy;
  }
}

type AnyFn = (...args: any[]) => any;
let phase: 'send' | 'confirm' | 'other' = 'other';

/**
 * Replaces `target[method]` with a timed call. `name` may depend on the result (a claim that
 * found nothing is not a batch's claim); `after` sees the result and the end time.
 */
function wrap(target: object, method: string, name: (result: unknown) => string | null, timings: Timings, after?: (args: any[], result: unknown, end: number) => void): void {
  const holder = target as Record<string, AnyFn>;
  const original = holder[method]!.bind(target);
  holder[method] = async (...args: any[]) => {
    const start = performance.now();
    const result = await original(...args);
    const end = performance.now();
    const label = name(result);
    if (label) timings.add(label, end - start);
    after?.(args, result, end);
    return result;
  };
}

/**
 * Times every step of a batch: claim, item loads, tree builds, the RPCs of a send, the hash
 * recorded before broadcast, the receipt and the confirmation transaction (and its UPDATE).
 * `onDone` gets each confirmed batch's refs and when its confirmation committed.
 */
export function probeOutbox(app: NestFastifyApplication, timings: Timings, onDone?: (refs: string[], at: number) => void): void {
  const store = app.get(OutboxStore);
  const handler = app.get(RecordAnchorHandler);
  const outbox = app.get(OutboxService);
  wrap(store, 'claim', (batch) => (batch ? 'claim' : 'claim (empty)'), timings);
  wrap(store, 'items', () => 'items', timings);
  wrap(store, 'markSent', () => 'markSent', timings);
  // `tree` is private: every send and every confirmation builds the batch's tree.
  wrapSync(handler, 'tree', () => `tree (${phase})`, timings);
  wrapPhase(handler, 'send', 'send', timings);
  wrapPhase(handler, 'confirmed', 'confirm', timings);
  wrap(app.get(BlobStore), 'markAnchored', () => 'markAnchored', timings);
  wrap(outbox, 'runCycle', () => 'cycle', timings);
  // `complete` (private): the confirmation transaction, from its BEGIN to its COMMIT.
  wrap(outbox, 'complete', () => 'confirm tx', timings, (args, _result, end) => onDone?.((args[2] as { ref: string }[]).map((item) => item.ref), end));
  probeRpc(app.get(ChainClient), timings);
}

/** The reads' steps: database row, IPFS, eth_call verifyRecord. */
export function probeReads(app: NestFastifyApplication, timings: Timings): void {
  wrap(app.get(BlobStore), 'find', () => 'read: db row', timings);
  wrap(app.get(IpfsStore), 'get', () => 'read: ipfs get', timings);
  wrap(app.get(RecordAnchors), 'verifyRecord', () => 'read: verifyRecord', timings);
}

function wrapSync(target: object, method: string, name: () => string, timings: Timings): void {
  const holder = target as Record<string, AnyFn>;
  const original = holder[method]!.bind(target);
  holder[method] = (...args: any[]) => {
    const start = performance.now();
    try {
      return original(...args);
    } finally {
      timings.add(name(), performance.now() - start);
    }
  };
}

function wrapPhase(target: object, method: string, label: 'send' | 'confirm', timings: Timings): void {
  const holder = target as Record<string, AnyFn>;
  const original = holder[method]!.bind(target);
  holder[method] = async (...args: any[]) => {
    const start = performance.now();
    phase = label;
    try {
      return await original(...args);
    } finally {
      phase = 'other';
      timings.add(`handler.${method}`, performance.now() - start);
    }
  };
}

/** Every JSON-RPC request of the gateway's ChainClient, by method (its web3 is private). */
function probeRpc(chain: ChainClient, timings: Timings): void {
  const manager = (chain as unknown as { web3: { requestManager: { send: AnyFn } } }).web3.requestManager;
  const original = manager.send.bind(manager);
  manager.send = async (request: { method: string }) => {
    const start = performance.now();
    try {
      return await original(request);
    } finally {
      timings.add(`rpc ${request.method}${phase === 'other' ? '' : ` (${phase})`}`, performance.now() - start);
    }
  };
}
