import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DependencyUnavailableError } from '../common/errors';
import { AnvilProcess } from './anvil-process';
import { ChainClient } from './chain-client';
import { ChainStateMismatchError, ContractSpec, DeploymentsFile, ensureDeployed } from './deployments';

const CHAIN_ID = 2026_11;
const someAddress = (): string => `0x${randomBytes(20).toString('hex')}`;
/** Any contract will do; RecordAnchors with an admin and an anchorer nobody uses here. */
const ANCHORS: ContractSpec = { name: 'RecordAnchors', args: () => [0, someAddress(), someAddress()] };

function randomKey(): string {
  return `0x${randomBytes(32).toString('hex')}`;
}

async function readDeployments(file: string): Promise<DeploymentsFile> {
  return JSON.parse(await readFile(file, 'utf8')) as DeploymentsFile;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe(ensureDeployed.name, () => {
  let dir: string;
  const started: AnvilProcess[] = [];
  const clients: ChainClient[] = [];

  async function chain(stateFile?: string, genesisTimestamp?: number): Promise<{ anvil: AnvilProcess; client: (key: string) => ChainClient }> {
    const anvil = await AnvilProcess.start({ port: 0, chainId: CHAIN_ID, blockTimeSeconds: 0, stateFile, genesisTimestamp });
    started.push(anvil);
    return {
      anvil,
      client: (key) => {
        const created = new ChainClient(anvil.rpcUrl, key);
        clients.push(created);
        return created;
      },
    };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ehrchain-deployments-'));
  });

  afterAll(async () => {
    for (const created of clients) created.close();
    await Promise.all(started.map((anvil) => anvil.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('deploys once, remembers the address, and reuses it on later starts without a transaction', async () => {
    const file = join(dir, 'once', 'deployments.json');
    const { client } = await chain();
    const sut = client(randomKey());

    const first = await ensureDeployed(sut, file, [ANCHORS]);
    const written = await readDeployments(file);
    const head = await sut.blockNumber();
    const again = await ensureDeployed(sut, file, [ANCHORS]);

    expect(written.chainId).toBe(CHAIN_ID);
    expect(written.contracts.RecordAnchors).toMatchObject({
      address: first.RecordAnchors.address,
      txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      bytecodeHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await sut.getCode(first.RecordAnchors.address)).not.toBe('0x');
    expect(again).toEqual(first);
    expect(await sut.blockNumber()).toBe(head);
    expect(await readDeployments(file)).toEqual(written);
  });

  it('does not redeploy after the embedded chain restarts on its state file', async () => {
    const file = join(dir, 'restart', 'deployments.json');
    const stateFile = join(dir, 'restart', 'anvil-state.json');
    const key = randomKey();
    const before = await chain(stateFile);
    const first = await ensureDeployed(before.client(key), file, [ANCHORS]);
    await before.anvil.stop();

    const after = await chain(stateFile);
    const sut = after.client(key);
    const head = await sut.blockNumber();

    expect(await ensureDeployed(sut, file, [ANCHORS])).toEqual(first);
    expect(await sut.blockNumber()).toBe(head);
  });

  it('stops with CHAIN_STATE_MISMATCH when the remembered contract has no code, instead of redeploying', async () => {
    const file = join(dir, 'lost', 'deployments.json');
    const key = randomKey();
    const before = await chain();
    await ensureDeployed(before.client(key), file, [ANCHORS]);
    const written = await readFile(file, 'utf8');

    // A chain without the state file: what a deleted data/chain/anvil-state.json looks like.
    const fresh = await chain();
    const sut = fresh.client(key);
    const error = await rejection(ensureDeployed(sut, file, [ANCHORS]));

    expect(error).toBeInstanceOf(ChainStateMismatchError);
    expect((error as ChainStateMismatchError).code).toBe('CHAIN_STATE_MISMATCH');
    expect(await sut.blockNumber()).toBe(0n);
    expect(await readFile(file, 'utf8')).toBe(written);
  });

  it('stops with CHAIN_STATE_MISMATCH when the file belongs to another chain id', async () => {
    const file = join(dir, 'other-chain', 'deployments.json');
    const { client } = await chain();
    const sut = client(randomKey());
    await ensureDeployed(sut, file, [ANCHORS]);
    const recorded = await readDeployments(file);
    await writeFile(file, JSON.stringify({ ...recorded, chainId: 1 }));
    const head = await sut.blockNumber();

    await expect(ensureDeployed(sut, file, [ANCHORS])).rejects.toMatchObject({ code: 'CHAIN_STATE_MISMATCH' });
    expect(await sut.blockNumber()).toBe(head);
  });

  it('stops with CHAIN_STATE_MISMATCH on another chain with the same id, even with the same contracts at the same addresses', async () => {
    // The replay setting: one deployer key on two chains that share an id gives identical EIP-712
    // domains, so a signature made for one applies on the other. The genesis block tells them apart.
    const file = join(dir, 'twin', 'deployments.json');
    const key = randomKey();
    const now = Math.floor(Date.now() / 1000);
    const original = await chain(undefined, now - 3600);
    const deployed = await ensureDeployed(original.client(key), file, [ANCHORS], { byGenesis: true });
    const twin = await chain(undefined, now - 7200);
    const sut = twin.client(key);
    expect((await sut.deploy('RecordAnchors', ANCHORS.args!({}))).address).toBe(deployed.RecordAnchors.address);
    expect(await sut.genesisHash()).not.toBe(await original.client(key).genesisHash());

    const error = await rejection(ensureDeployed(sut, file, [ANCHORS], { byGenesis: true }));
    expect(error).toBeInstanceOf(ChainStateMismatchError);
    expect((error as Error).message).toMatch(/genesis block .* another chain with the same id/);
  });

  it("records a network's genesis hash, and adds it to a file written before it was recorded", async () => {
    const file = join(dir, 'genesis', 'deployments.json');
    const { client } = await chain();
    const sut = client(randomKey());
    await ensureDeployed(sut, file, [ANCHORS], { byGenesis: true });
    const recorded = await readDeployments(file);
    expect(recorded.genesisHash).toBe(await sut.genesisHash());

    const { genesisHash: _dropped, ...older } = recorded;
    await writeFile(file, JSON.stringify(older));
    await ensureDeployed(sut, file, [ANCHORS], { byGenesis: true });
    expect(await readDeployments(file)).toEqual(recorded);
  });

  it("stops with CHAIN_STATE_MISMATCH when the contract's interface changed since it was deployed, rather than calling what is not there", async () => {
    const file = join(dir, 'interface', 'deployments.json');
    const { client } = await chain();
    const sut = client(randomKey());
    await ensureDeployed(sut, file, [ANCHORS]);
    const recorded = await readDeployments(file);
    expect(recorded.contracts.RecordAnchors.abiHash).toMatch(/^[0-9a-f]{64}$/);

    // Deployed from another version: its ABI differs from the one built now.
    await writeFile(file, JSON.stringify({ ...recorded, contracts: { RecordAnchors: { ...recorded.contracts.RecordAnchors, abiHash: '0'.repeat(64) } } }));
    await expect(ensureDeployed(sut, file, [ANCHORS])).rejects.toThrow(/RecordAnchors .* was deployed from another version of the contract/);

    // A file from before interface records: other code means unknown interface, refused too.
    const { abiHash: _unknown, ...older } = recorded.contracts.RecordAnchors;
    await writeFile(file, JSON.stringify({ ...recorded, contracts: { RecordAnchors: { ...older, bytecodeHash: '0'.repeat(64) } } }));
    await expect(ensureDeployed(sut, file, [ANCHORS])).rejects.toMatchObject({ code: 'CHAIN_STATE_MISMATCH' });

    // Same interface, other code (a changed comment changes the metadata hash): used, as before.
    await writeFile(file, JSON.stringify({ ...recorded, contracts: { RecordAnchors: { ...recorded.contracts.RecordAnchors, bytecodeHash: '0'.repeat(64) } } }));
    await expect(ensureDeployed(sut, file, [ANCHORS])).resolves.toMatchObject({ RecordAnchors: { address: recorded.contracts.RecordAnchors.address } });
  });

  it('reports an unreachable chain as DependencyUnavailableError', async () => {
    const { anvil, client } = await chain();
    const sut = client(randomKey());
    await anvil.stop();

    const error = await rejection(ensureDeployed(sut, join(dir, 'down', 'deployments.json'), [ANCHORS]));

    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).code).toBe('CHAIN_UNAVAILABLE');
    await expect(sut.receipt(`0x${'00'.repeat(32)}`)).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
