import {
  ACCESS_ENTRY_BYTES,
  AccessEntry,
  AccessKind,
  AccessLog,
  AccessPurpose,
  accessEntriesHash,
  encodeAccessEntries,
} from '../../gateway/src/chain/access-log';
import { ChainClient, ChainReceipt } from '../../gateway/src/chain/chain-client';
import { ChainContract } from '../../gateway/src/chain/chain-contract';
import { AccessEntryFactory } from '../factories/access-entry.factory';
import { TestChain, randomBytes32, revertOf, startTestChain } from './support/chain';
import { blockTimestamp, DAY, HOUR } from './support/rpc';
import { deployWriterContract, grantRole } from './support/writers';

const RECEIPT_MS = 10_000;

/** Packed entries with byte `offset` of entry `index` replaced, to send what the encoder refuses. */
function patched(entries: readonly AccessEntry[], index: number, offset: number, bytes: string): string {
  const hex = encodeAccessEntries(entries).slice(2);
  const at = (index * ACCESS_ENTRY_BYTES + offset) * 2;
  return `0x${hex.slice(0, at)}${bytes}${hex.slice(at + bytes.length)}`;
}

describe('AccessLog (contract)', () => {
  let chain: TestChain;
  let admin: ChainClient;
  let gateway: ChainClient;
  let stranger: ChainClient;
  let contract: ChainContract;
  let sut: AccessLog;

  beforeAll(async () => {
    chain = await startTestChain();
    ({ admin, gateway, contract } = await deployWriterContract(chain, 'AccessLog'));
    stranger = chain.client();
    sut = new AccessLog(gateway, contract.address);
  });

  afterAll(async () => {
    await chain?.stop();
  });

  async function log(batchId: string, entries: readonly AccessEntry[]): Promise<ChainReceipt> {
    return gateway.waitForReceipt(await sut.logAccesses(batchId, entries), RECEIPT_MS);
  }

  /** eth_getLogs on the contract with the given topics (null = any), decoded. */
  async function logsWhere(topics: Array<string | null>) {
    const res = await fetch(chain.anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getLogs', params: [{ address: contract.address, fromBlock: '0x0', topics }] }),
    });
    const { result } = (await res.json()) as { result: ChainReceipt['logs'] };
    return sut.entriesIn(result);
  }

  const topicOf = (address: string): string => `0x${address.slice(2).toLowerCase().padStart(64, '0')}`;

  it('emits RecordAccessed for each entry in order, then AccessesLogged for the batch', async () => {
    const entries = AccessEntryFactory.many(6);
    const batchId = randomBytes32();

    const receipt = await log(batchId, entries);

    expect(receipt.success).toBe(true);
    expect(sut.entriesIn(receipt.logs)).toEqual(entries);
    expect(receipt.logs).toHaveLength(entries.length + 1);
    expect(gateway.events(contract, receipt)).toEqual([
      { name: 'AccessesLogged', address: expect.any(String), args: { batchId, entriesHash: accessEntriesHash(entries), count: 6n, logger: gateway.address } },
    ]);
    expect(receipt.logs.at(-1)?.topics[1]).toBe(batchId); // last, after the entries
  });

  it('decodes an emergency access: kind, BTG purpose and the emergency request id', async () => {
    const entry = AccessEntryFactory.create({ kind: AccessKind.Emergency, purpose: AccessPurpose.BreakTheGlass });

    const receipt = await log(randomBytes32(), [entry]);

    expect(sut.entriesIn(receipt.logs)).toEqual([entry]);
  });

  it("lets a patient list who read their records, and an auditor filter by reader, record or authorization, by topic", async () => {
    const patient = randomBytes32();
    const doctor = AccessEntryFactory.create().reader;
    const mine = [AccessEntryFactory.create({ patientHandle: patient }), AccessEntryFactory.create({ patientHandle: patient, reader: doctor })];
    const others = [AccessEntryFactory.create({ reader: doctor }), AccessEntryFactory.create()];
    await log(randomBytes32(), [mine[0]!, others[0]!]);
    await log(randomBytes32(), [others[1]!, mine[1]!]);

    expect(await logsWhere([null, null, patient])).toEqual(mine);
    expect(await logsWhere([null, topicOf(doctor)])).toEqual([others[0], mine[1]]);
    expect(await logsWhere([mine[1]!.recordId])).toEqual([mine[1]]);
    expect(await logsWhere([null, null, null, others[1]!.authorizationId])).toEqual([others[1]]);
  });

  it('reports a logged batch with the hash of its entries, and null for one never logged', async () => {
    const entries = AccessEntryFactory.many(2);
    const batchId = randomBytes32();
    await log(batchId, entries);

    expect(await sut.batchOf(batchId)).toBe(accessEntriesHash(entries));
    expect(await sut.batchOf(randomBytes32())).toBeNull();
  });

  it('treats resending the identical batch as a no-op: no revert, no duplicate events', async () => {
    const entries = AccessEntryFactory.many(3);
    const batchId = randomBytes32();
    await log(batchId, entries);

    const again = await log(batchId, entries);

    expect(again.success).toBe(true);
    expect(again.logs).toEqual([]);
    const recordId = entries[1]!.recordId;
    expect(await logsWhere([recordId])).toHaveLength(1);
  });

  it('refuses the same batch id with different entries, naming the batch and the hash sent', async () => {
    const batchId = randomBytes32();
    const entries = AccessEntryFactory.many(2);
    await log(batchId, entries);
    const changed = [entries[0]!, { ...entries[1]!, purpose: AccessPurpose.PublicHealth }];

    const error = await revertOf(sut.logAccesses(batchId, changed));

    expect(error.errorName).toBe('AccessLogBatchConflict');
    expect(error.args).toEqual([batchId, accessEntriesHash(changed)]);
    expect(await sut.batchOf(batchId)).toBe(accessEntriesHash(entries));
  });

  it.each([
    ['no entries', '0x', 0n],
    ['a partial entry', `0x${'11'.repeat(ACCESS_ENTRY_BYTES + 1)}`, BigInt(ACCESS_ENTRY_BYTES + 1)],
  ])('refuses %s, naming the length', async (_, packed, length) => {
    const error = await revertOf(gateway.send(contract, 'logAccesses', [randomBytes32(), packed]));

    expect(error.errorName).toBe('AccessLogMalformedEntries');
    expect(error.args).toEqual([length]);
  });

  it.each([
    ['a zero reader', 96, '00'.repeat(20), 'AccessLogZeroReader', []],
    ['an unknown purpose', 121, '06', 'AccessLogUnknownPurpose', [6n]],
    ['an unknown kind', 122, '02', 'AccessLogUnknownKind', [2n]],
  ])('refuses a batch with %s in one entry, naming the entry, and logs none of it', async (_, offset, bytes, errorName, values) => {
    const batchId = randomBytes32();

    const error = await revertOf(gateway.send(contract, 'logAccesses', [batchId, patched(AccessEntryFactory.many(3), 2, offset, bytes)]));

    expect(error.errorName).toBe(errorName);
    expect(error.args).toEqual([2n, ...values]);
    expect(await sut.batchOf(batchId)).toBeNull();
  });

  it('rejects an account without LOGGER_ROLE, and accepts it once the admin (not the gateway) grants the role', async () => {
    const [role] = await gateway.call(contract, 'LOGGER_ROLE', []);
    const [adminRole] = await gateway.call(contract, 'DEFAULT_ADMIN_ROLE', []);
    const strangers = new AccessLog(stranger, contract.address);
    const batchId = randomBytes32();
    const entries = AccessEntryFactory.many(1);

    const error = await revertOf(strangers.logAccesses(batchId, entries));
    expect(error.errorName).toBe('AccessControlUnauthorizedAccount');
    expect(error.args).toEqual([stranger.address, role]);
    expect(await strangers.batchOf(batchId)).toBeNull();
    const byGateway = await revertOf(gateway.send(contract, 'grantRole', [role, stranger.address]));
    expect(byGateway.args).toEqual([gateway.address, adminRole]);

    const granted = await admin.waitForReceipt((await admin.send(admin.contract('AccessLog', contract.address), 'grantRole', [role, stranger.address])).txHash, RECEIPT_MS);
    expect(granted.logs.map((entry) => entry.topics.length)).toEqual([4]); // RoleGranted: four topics too,
    expect(sut.entriesIn(granted.logs, [admin.address, stranger.address, gateway.address])).toEqual([]); // yet not taken for an access
    const receipt = await stranger.waitForReceipt(await strangers.logAccesses(batchId, entries), RECEIPT_MS);
    expect(strangers.entriesIn(receipt.logs)).toEqual(entries);
  });

  describe('a second logger (granted LOGGER_ROLE by the admin) attacking the gateway\'s log', () => {
    let attacker: ChainClient;
    let attackers: AccessLog;

    beforeAll(async () => {
      attacker = chain.client();
      attackers = new AccessLog(attacker, contract.address);
      await grantRole(admin, contract, 'LOGGER_ROLE', attacker.address);
    });

    it("ATTACK: takes the gateway's next batch id first; the gateway's batch is still logged, and its readers see only the gateway's entries", async () => {
      const batchId = randomBytes32();
      const genuine = AccessEntryFactory.many(3);
      // The attacker logs first under the id, with fake releases blaming a doctor the patient never saw.
      const planted = await attacker.waitForReceipt(await attackers.logAccesses(batchId, AccessEntryFactory.many(2)), RECEIPT_MS);
      expect(planted.success).toBe(true);

      const receipt = await log(batchId, genuine);

      expect(receipt.success).toBe(true);
      expect(sut.entriesIn(receipt.logs)).toEqual(genuine);
      expect(await sut.batchOf(batchId)).toBe(accessEntriesHash(genuine));
      // The planted entries are in the attacker's name, and a reader of the gateway's log leaves them out.
      expect(sut.entriesIn(planted.logs)).toEqual([]);
      expect(sut.entriesIn(planted.logs, [attacker.address])).toHaveLength(2);
      expect(await logsWhere([genuine[0]!.recordId])).toEqual([genuine[0]]);
    });
  });

  describe('the access time window', () => {
    /** An entry dated `offset` seconds from the latest block's time. */
    const datedFromBlock = async (offset: number) => AccessEntryFactory.create({ accessedAt: Number(await blockTimestamp(chain)) + offset });

    it('publishes the window: 7 days back, 60 seconds ahead', async () => {
      const values = await Promise.all(['MAX_ACCESS_AGE', 'MAX_CLOCK_SKEW'].map(async (name) => (await gateway.call(contract, name, []))[0]));

      expect(values).toEqual([BigInt(7 * DAY), 60n]);
    });

    it('logs entries from almost 7 days ago up to a few seconds ahead of the block (clock skew)', async () => {
      const entries = [await datedFromBlock(-7 * DAY + HOUR), await datedFromBlock(-1), await datedFromBlock(5)];

      const receipt = await log(randomBytes32(), entries);

      expect(sut.entriesIn(receipt.logs)).toEqual(entries);
    });

    it.each([
      ['ATTACK: dated an hour in the future', HOUR],
      ['ATTACK: backdated beyond 7 days', -7 * DAY - HOUR],
    ])('refuses a batch with an entry %s, naming the entry, its time and the window, and logs none of it', async (_, offset) => {
      const batchId = randomBytes32();
      const entries = [AccessEntryFactory.create(), await datedFromBlock(offset)];

      // Sent by the gateway's own key: even the trusted logger cannot date a release outside the window.
      const error = await revertOf(sut.logAccesses(batchId, entries));

      expect(error.errorName).toBe('AccessLogAccessTimeOutOfWindow');
      const [index, accessedAt, earliest, latest] = error.args as bigint[];
      expect({ index, accessedAt }).toEqual({ index: 1n, accessedAt: BigInt(entries[1]!.accessedAt) });
      expect(latest! - earliest!).toBe(BigInt(7 * DAY + 60));
      expect(BigInt(entries[1]!.accessedAt) < earliest! || BigInt(entries[1]!.accessedAt) > latest!).toBe(true);
      expect(await sut.batchOf(batchId)).toBeNull();
    });

    it('refuses an access time of zero through the same window', async () => {
      const error = await revertOf(gateway.send(contract, 'logAccesses', [randomBytes32(), patched(AccessEntryFactory.many(3), 2, 116, '00'.repeat(5))]));

      expect(error.errorName).toBe('AccessLogAccessTimeOutOfWindow');
      expect((error.args as bigint[]).slice(0, 2)).toEqual([2n, 0n]);
    });
  });

  it('publishes the layout constants the gateway encodes with', async () => {
    const names = ['ENTRY_BYTES', 'PURPOSE_COUNT', 'KIND_CONSENT', 'KIND_EMERGENCY'];
    const values = await Promise.all(names.map(async (name) => (await gateway.call(contract, name, []))[0]));

    expect(values).toEqual([BigInt(ACCESS_ENTRY_BYTES), 6n, BigInt(AccessKind.Consent), BigInt(AccessKind.Emergency)]);
  });

  describe(encodeAccessEntries.name, () => {
    it.each<[string, Partial<AccessEntry>, string]>([
      ['a zero reader', { reader: `0x${'00'.repeat(20)}` }, 'non-zero address'],
      ['an access time of zero', { accessedAt: 0 }, 'accessedAt'],
      ['an access time past uint40', { accessedAt: 2 ** 40 }, 'accessedAt'],
      ['an unknown purpose', { purpose: 6 as AccessPurpose }, 'unknown purpose 6'],
      ['an unknown kind', { kind: 2 as AccessKind }, 'unknown kind 2'],
      ['a malformed authorization id', { authorizationId: '0x12' }, 'authorization id'],
    ])('refuses %s before anything is sent', (_, overrides, message) => {
      expect(() => encodeAccessEntries([AccessEntryFactory.create(), AccessEntryFactory.create(overrides)])).toThrow(`Access entry 1: `);
      expect(() => encodeAccessEntries([AccessEntryFactory.create(overrides)])).toThrow(message);
    });

    it('refuses an empty batch', () => {
      expect(() => encodeAccessEntries([])).toThrow('at least one entry');
    });
  });
});
