import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnvilProcess } from './anvil-process';
import { ChainClient } from './chain-client';
import { RecordAnchors } from './record-anchors';

const CHAIN_ID = 2026_11;

async function rpc(url: string, method: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
  });
  return ((await response.json()) as { result: unknown }).result;
}

describe(AnvilProcess.name, () => {
  let dir: string;
  const started: AnvilProcess[] = [];
  const clients: ChainClient[] = [];

  async function start(stateFile?: string): Promise<AnvilProcess> {
    const anvil = await AnvilProcess.start({ port: 0, chainId: CHAIN_ID, blockTimeSeconds: 0, stateFile });
    started.push(anvil);
    return anvil;
  }

  function client(anvil: AnvilProcess, key: string): ChainClient {
    const created = new ChainClient(anvil.rpcUrl, key);
    clients.push(created);
    return created;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ehrchain-anvil-'));
  });

  afterAll(async () => {
    for (const created of clients) created.close();
    await Promise.all(started.map((anvil) => anvil.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the configured chain id on the cancun hardfork the contracts are compiled for', async () => {
    const sut = await start();

    expect(await rpc(sut.rpcUrl, 'eth_chainId')).toBe(`0x${CHAIN_ID.toString(16)}`);
    expect(await rpc(sut.rpcUrl, 'anvil_nodeInfo')).toMatchObject({ hardFork: expect.stringMatching(/^cancun$/i) });
  });

  it('keeps contracts and anchors across a stop and start on the same state file', async () => {
    const stateFile = join(dir, 'restart-state.json');
    const key = `0x${randomBytes(32).toString('hex')}`;
    const recordId = `0x${randomBytes(32).toString('hex')}`;
    const digest = createHash('sha512').update('survives restarts').digest();

    const first = await start(stateFile);
    const before = client(first, key);
    const { address } = await before.deploy('RecordAnchors', [0, `0x${randomBytes(20).toString('hex')}`, before.address]);
    await before.waitForReceipt(await new RecordAnchors(before, address).anchor(recordId, 'bafy-kept', digest), 10_000);
    const head = await before.blockNumber();
    await first.stop();
    expect(first.exitedUnexpectedly).toBe(false);

    const sut = await start(stateFile);
    const after = client(sut, key);

    expect(await after.blockNumber()).toBe(head);
    expect(await after.getCode(address)).not.toBe('0x');
    const anchor = await new RecordAnchors(after, address).anchorOf(recordId);
    expect(anchor?.digest.equals(digest)).toBe(true);
    expect(anchor?.cid).toBe('bafy-kept');
  });

  it('records an exit nobody asked for', async () => {
    const sut = await start();

    process.kill(sut.pid!, 'SIGKILL');
    const exit = await sut.whenExited();

    expect(exit.signal).toBe('SIGKILL');
    expect(sut.isRunning).toBe(false);
    expect(sut.exitedUnexpectedly).toBe(true);
  });

  it("fails to start with Anvil's own complaint when the state file is corrupt", async () => {
    const stateFile = join(dir, 'corrupt-state.json');
    await writeFile(stateFile, 'not json');

    await expect(start(stateFile)).rejects.toThrow(/Anvil exited during start.*state/s);
  });

  it('refuses a port already in use, naming ANVIL_PORT', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const address = squatter.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await expect(AnvilProcess.start({ port, chainId: CHAIN_ID, blockTimeSeconds: 0 })).rejects.toThrow(/ANVIL_PORT/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
