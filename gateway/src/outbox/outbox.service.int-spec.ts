import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { eventually } from '../../../test/support/eventually';
import { createTestApp, removeGatewayData, TestApp } from '../../../test/support/test-app';
import { AccountPrincipal } from '../auth/principal';
import { Role } from '../auth/permissions';
import { AnvilProcess } from '../chain/anvil-process';
import { ChainClient } from '../chain/chain-client';
import { ChainRuntime } from '../chain/chain.module';
import { DEV_AUTHORITIES } from '../config/app-config';
import { KeyStore } from '../keys/key-store';
import { NodeRpc } from '../chain/node-rpc';
import { RecordAnchors } from '../chain/record-anchors';
import { BlobsModule } from '../blobs/blobs.module';
import { anchorId, BlobsService } from '../blobs/blobs.service';
import { BlobStore } from '../blobs/blob.store';
import { RecordAnchorHandler } from '../blobs/record-anchor.handler';
import { dataSourceOptions, openDataSource } from '../database/data-source';
import { ENTITIES } from '../entities';
import { OutboxBatchEntity } from './outbox-batch.entity';
import { OutboxHandlers } from './outbox-handlers';
import { OutboxMacKey } from './outbox-mac';
import { OutboxEntity } from './outbox.entity';
import { LOST_AFTER_MS, OutboxService } from './outbox.service';
import { OutboxStore } from './outbox.store';
import { PostgresSenderLock, ProcessSenderLock, senderLockKey } from './sender-lock';

const hospital: AccountPrincipal = { kind: 'account', accountId: randomUUID(), role: Role.Hospital, via: 'api-key' };

describe(OutboxService.name, () => {
  let app: TestApp;
  let sut: OutboxService;
  let node: NodeRpc;

  beforeAll(async () => {
    // The timer is off: each test drives the sender with drain(), one cycle at a time.
    app = await createTestApp({ features: [BlobsModule], env: { OUTBOX_INTERVAL_MS: '60000' } });
    sut = app.app.get(OutboxService);
    node = new NodeRpc(app.app.get(ChainClient).rpcUrl);
  });
  afterAll(async () => {
    await app?.close();
    if (app) await removeGatewayData(app.config);
  });

  const upload = (text: string) => app.app.get(BlobsService).create(hospital, Buffer.from(text), false);
  const blob = (id: string) => app.app.get(BlobStore).find(id);
  const batchOf = async (blobId: string) => {
    const row = await app.app.get(DataSource).getRepository(OutboxEntity).findOneByOrFail({ kind: 'record-anchor', ref: blobId });
    return app.app.get(DataSource).getRepository(OutboxBatchEntity).findOneByOrFail({ id: row.batchId! });
  };
  /** The BatchAnchored events of `batchId` on chain: exactly one means applied exactly once. */
  const batchAnchoredEvents = async (batchId: string) => {
    const anchors = app.app.get(RecordAnchors);
    return node.call<unknown[]>('eth_getLogs', [{ address: anchors.address, fromBlock: '0x0', topics: [anchors.contract.eventTopic('BatchAnchored'), batchId] }]);
  };
  /** Runs cycles until `check` passes: an automining chain's block may come a moment after the send. */
  const drainUntil = <T>(check: () => Promise<T>) =>
    eventually(async () => {
      await sut.drain();
      return check();
    });
  const anchored = (ids: string[]) =>
    drainUntil(async () => expect((await Promise.all(ids.map(blob))).map((row) => row!.anchorStatus)).toEqual(ids.map(() => 'anchored')));
  const gatewayNonce = async () => Number(BigInt(await node.call<string>('eth_getTransactionCount', [app.app.get(ChainClient).address, 'latest'])));

  it('sends many rows of a kind as one transaction, and each blob keeps a proof the chain accepts', async () => {
    const nonceBefore = await gatewayNonce();
    const blobs = await Promise.all(Array.from({ length: 40 }, (_, i) => upload(`row ${i}`)));

    await anchored(blobs.map((b) => b.id));

    expect(await gatewayNonce()).toBe(nonceBefore + 1);
    const batchIds = new Set<string>();
    for (const { id } of blobs) {
      const row = (await blob(id))!;
      expect(row).toMatchObject({ anchorStatus: 'anchored', anchorError: null });
      batchIds.add(row.anchorBatchId!);
      const content = await app.app.get(BlobsService).content(hospital, id);
      expect(content.toString()).toMatch(/^row \d+$/);
    }
    expect(batchIds.size).toBe(1);
    expect(await batchAnchoredEvents([...batchIds][0]!)).toHaveLength(1);
    // What an operator (and the bench's records per transaction) reads: 40 rows done by one transaction.
    const metrics = (await app.http.get('/metrics').set('Authorization', `Bearer ${app.app.get(KeyStore).metricsToken()}`).expect(200)).text;
    expect(metrics).toMatch(/^ehrchain_outbox_rows\{kind="record-anchor",status="done"\} 40$/m);
    expect(metrics).toMatch(/^ehrchain_outbox_batches\{kind="record-anchor",status="done"\} 1$/m);
  });

  it('marks the batch and its blobs failed, with the reason, when the contract refuses the write', async () => {
    const anchors = app.app.get(RecordAnchors);
    const chain = app.app.get(ChainClient);
    const [role] = await chain.call(anchors.contract, 'ANCHORER_ROLE', []);
    // The gateway is no admin (the consortium is): it can only give up its own role, and 2 of the 3 authorities grant it back.
    await chain.waitForReceipt((await chain.send(anchors.contract, 'renounceRole', [role, chain.address])).txHash, 10_000);
    try {
      const { id } = await upload('refused by the contract');
      const waiting = sut.waitFor(RecordAnchorHandler, id, 10_000);

      await sut.drain();

      expect(await waiting).toBe('failed');
      const row = (await blob(id))!;
      expect(row.anchorStatus).toBe('failed');
      expect(row.anchorError).toContain('AccessControlUnauthorizedAccount');
      expect(await batchOf(id)).toMatchObject({ status: 'failed', sends: 0 });
      // What an operator's alert sees.
      const metrics = (await app.http.get('/metrics').set('Authorization', `Bearer ${app.app.get(KeyStore).metricsToken()}`).expect(200)).text;
      expect(metrics).toMatch(/^ehrchain_outbox_rows\{kind="record-anchor",status="failed"\} [1-9]/m);
    } finally {
      const authorities = (await app.app.get(KeyStore).devAuthorityKeys(DEV_AUTHORITIES.count)).map((key) => new ChainClient(chain.rpcUrl, key));
      const governor = chain.contract('ConsortiumRoleAdmin', app.app.get(ChainRuntime).addresses.ConsortiumRoleAdmin!);
      try {
        const proposed = await authorities[0]!.waitForReceipt((await authorities[0]!.send(governor, 'proposeGrantRole', [anchors.address, role, chain.address])).txHash, 10_000);
        const [{ args }] = authorities[0]!.events(governor, proposed);
        const approved = await authorities[1]!.waitForReceipt((await authorities[1]!.send(governor, 'approve', [args!.proposalId])).txHash, 10_000);
        expect(approved.success).toBe(true);
      } finally {
        for (const authority of authorities) authority.close();
      }
    }
  });

  it('never sends a row edited or planted in the table: only that row fails, the rest of its batch is anchored', async () => {
    const db = app.app.get(DataSource);
    const [honest, edited] = await Promise.all([upload('queued honestly'), upload('edited in the table')]);
    // A forger points a queued anchor at other content, and plants a row of their own.
    const forged = await upload('what the forger wants anchored');
    const forgedPayload = (await db.getRepository(OutboxEntity).findOneByOrFail({ ref: forged.id })).payload as Record<string, unknown>;
    await db.getRepository(OutboxEntity).update({ ref: edited.id }, { payload: { ...forgedPayload, recordId: anchorId(edited.id) } });
    await db.getRepository(OutboxEntity).delete({ ref: forged.id });
    const planted = randomUUID();
    await db.getRepository(OutboxEntity).insert({ kind: 'record-anchor', ref: planted, payload: { ...forgedPayload, recordId: anchorId(planted) }, mac: 'ab'.repeat(32) });

    await anchored([honest.id]);

    expect(await blob(edited.id)).toMatchObject({ anchorStatus: 'failed', anchorError: expect.stringContaining('does not match its MAC') });
    const plantedRow = await db.getRepository(OutboxEntity).findOneByOrFail({ ref: planted });
    expect(plantedRow).toMatchObject({ status: 'failed', lastError: expect.stringContaining('does not match its MAC') });
    expect((await batchOf(honest.id)).id).toBe(plantedRow.batchId); // the same batch, sent without them
  });

  it('sends the same batch again, once, when the chain loses its transaction', async () => {
    await node.call('evm_setAutomine', [false]);
    try {
      const { id } = await upload('lost in the pool');
      await sut.drain(); // sent; no block yet
      const first = await batchOf(id);
      expect(first).toMatchObject({ status: 'sent', sends: 1 });
      await node.call('anvil_dropTransaction', [first.txHash]);

      // Unknown to the chain for longer than a node may lag: the same batch goes out again.
      const resent = await eventually(async () => {
        await sut.drain();
        const batch = await batchOf(id);
        expect(batch).toMatchObject({ id: first.id, status: 'sent', sends: 2 });
        return batch;
      }, { timeoutMs: LOST_AFTER_MS + 5_000, intervalMs: 250 });
      // Same batch, same nonce, same data: the node holds the very transaction it lost.
      expect(await app.app.get(ChainClient).isKnownTransaction(resent.txHash!)).toBe(true);
      await node.call('evm_mine', []);
      await drainUntil(async () => expect(await batchOf(id)).toMatchObject({ id: first.id, status: 'done', sends: 2 }));
      await sut.drain(); // a further cycle sends nothing more
      expect(await batchOf(id)).toMatchObject({ id: first.id, status: 'done', sends: 2 });
      expect((await blob(id))!.anchorBatchId).toBe(first.id);
      expect(await batchAnchoredEvents(first.id)).toHaveLength(1);
    } finally {
      await node.call('evm_setAutomine', [true]);
    }
  });

  it('pauses while the chain is down, loses nothing, and drains when it is back', async () => {
    const runtime = app.app.get(ChainRuntime);
    const port = runtime.anvil!.port;
    await runtime.anvil!.stop();
    let restarted: AnvilProcess | undefined;
    try {
      const { id } = await upload('written while the chain is down');
      await sut.drain();
      await sut.drain();
      expect((await blob(id))!.anchorStatus).toBe('pending');
      expect(app.logs.join('\n')).toContain('"event":"outbox_paused"');

      restarted = await AnvilProcess.start({ port, chainId: app.app.get(ChainRuntime).chainId, blockTimeSeconds: 0, stateFile: `${app.config.chain.dir}/anvil-state.json` });
      // A pooled socket to the old process may cost the first cycle; the timer would run the next.
      await anchored([id]);
      expect((await app.app.get(BlobsService).content(hospital, id)).toString()).toBe('written while the chain is down');
    } finally {
      // The app's runtime still holds the stopped process; this one is the test's to stop.
      await restarted?.stop();
    }
  });
});

describe('two senders on one database', () => {
  let app: TestApp;
  let second: { sut: OutboxService; store: OutboxStore; close(): Promise<void> };

  beforeAll(async () => {
    app = await createTestApp({ features: [BlobsModule], env: { OUTBOX_INTERVAL_MS: '60000' } });
    const config = app.config;
    // Another replica: its own connection to the same database (PGlite has one per process).
    const db = config.database.url ? await openDataSource(dataSourceOptions(config.database, ENTITIES)) : app.app.get(DataSource);
    const lock = config.database.url ? new PostgresSenderLock(db, senderLockKey(config.database.schema)) : new ProcessSenderLock(config.database.pgliteDir);
    const store = new OutboxStore(db);
    const handlers = OutboxHandlers.of([app.app.get(RecordAnchorHandler) as never]);
    const sut = new OutboxService(store, app.app.get(ChainClient), handlers, lock, config, app.app.get(OutboxMacKey));
    second = {
      sut,
      store,
      close: async () => {
        await sut.onModuleDestroy();
        if (config.database.url) await db.destroy();
      },
    };
  });
  afterAll(async () => {
    await second?.close();
    await app?.close();
    if (app) await removeGatewayData(app.config);
  });

  const uploadMany = (label: string) =>
    Promise.all(Array.from({ length: 8 }, (_, i) => app.app.get(BlobsService).create(hospital, Buffer.from(`${label} ${i}`), false)));
  const anchorStatuses = async (blobs: { id: string }[]) => Promise.all(blobs.map(async ({ id }) => (await app.app.get(BlobStore).find(id))!.anchorStatus));

  it('lets only the lock holder send, and the other take over once it stops', async () => {
    const senders = [
      { sut: app.app.get(OutboxService), sends: jest.spyOn(app.app.get(OutboxStore), 'markSent') }, // observed, not replaced
      { sut: second.sut, sends: jest.spyOn(second.store, 'markSent') },
    ];
    const racing: { id: string }[] = [];
    for (let round = 0; round < 5; round++) {
      racing.push(...(await uploadMany(`round ${round}`)));
      await Promise.all(senders.map(({ sut }) => sut.drain()));
    }
    await eventually(async () => {
      await Promise.all(senders.map(({ sut }) => sut.drain()));
      expect(await anchorStatuses(racing)).toEqual(racing.map(() => 'anchored'));
    });
    // Whichever took the lock first sent every batch; the other sent none.
    const [holder, standby] = senders[0]!.sends.mock.calls.length > 0 ? senders : [senders[1]!, senders[0]!];
    expect(standby!.sends).not.toHaveBeenCalled();
    const batches = await app.app.get(DataSource).getRepository(OutboxBatchEntity).find();
    expect(holder!.sends).toHaveBeenCalledTimes(batches.length);
    expect(batches.map((b) => [b.status, b.sends])).toEqual(batches.map(() => ['done', 1]));

    await holder!.sut.onModuleDestroy(); // the holder stops (its session, and the lock, would end with it)
    const later = await uploadMany('after the takeover');
    await eventually(async () => {
      await standby!.sut.drain();
      expect(await anchorStatuses(later)).toEqual(later.map(() => 'anchored'));
    });
    expect(standby!.sends).toHaveBeenCalled();
  });
});
