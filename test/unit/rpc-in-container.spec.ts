import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AnvilProcess } from '../../gateway/src/chain/anvil-process';
import { rpcCommand, rpcResult } from '../compose/rpc-in-container';

/**
 * The command `npm run test:compose` runs inside a validator container to read its chain
 * (test/compose/rpc-in-container.ts), run here with the same bash against a real JSON-RPC server.
 */
const run = promisify(execFile);

async function call<T>(port: number, method: string, params: unknown[] = []): Promise<T> {
  const [file, ...args] = rpcCommand(port, method, params);
  const { stdout } = await run(file, args);
  return rpcResult<T>(stdout);
}

describe('JSON-RPC through bash (what test:compose runs in a validator container)', () => {
  let anvil: AnvilProcess;
  beforeAll(async () => {
    anvil = await AnvilProcess.start({ port: 0, chainId: 202611, blockTimeSeconds: 0 });
  });
  afterAll(() => anvil?.stop());

  it('reads the head and a block by number, with the same hash the node gives over HTTP', async () => {
    await fetch(anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'evm_mine', params: [] }) });
    const head = await call<string>(anvil.port, 'eth_blockNumber');
    expect(BigInt(head)).toBeGreaterThanOrEqual(1n);
    const viaBash = await call<{ hash: string; number: string }>(anvil.port, 'eth_getBlockByNumber', [head, false]);
    const viaHttp = await fetch(anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: [head, false] }),
    }).then(async (r) => ((await r.json()) as { result: { hash: string } }).result);
    expect(viaBash).toMatchObject({ number: head, hash: viaHttp.hash });
  });

  it('says what went wrong: a JSON-RPC error, a non-200 status, a closed port', async () => {
    await expect(call(anvil.port, 'no_suchMethod')).rejects.toThrow(/JSON-RPC error -32601/);
    expect(() => rpcResult('HTTP/1.1 403 Forbidden\r\ncontent-length: 9\r\n\r\nforbidden')).toThrow('HTTP/1.1 403 Forbidden: forbidden');
    await expect(call(1, 'eth_blockNumber')).rejects.toThrow(/Connection refused|connect/i);
  });
});
