import { HttpException, Logger } from '@nestjs/common';
import { once } from 'node:events';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { utils } from 'web3';
import { AccountPrincipal } from '../auth/principal';
import { Role } from '../auth/permissions';
import { AnvilProcess } from '../chain/anvil-process';
import { loadConfig } from '../config/app-config';
import { NodeRpc } from '../chain/node-rpc';
import { bftThresholds, NetworkService, PERIOD_SAMPLE_BLOCKS } from './network.service';

const admin: AccountPrincipal = { kind: 'account', accountId: '00000000-0000-4000-8000-000000000001', role: Role.Admin, via: 'jwt' };
const AUTHORITY = '0x0000000000000000000000000000000000000001';
const external = (rpcUrl: string) => loadConfig({ CHAIN_RPC_URL: rpcUrl, CONSORTIUM_AUTHORITIES: AUTHORITY });

/** What a rejected call answered: status and stable code. */
async function failure(call: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const body = error.getResponse() as { code: string; message: string };
    return { status: error.getStatus(), code: body.code, message: body.message };
  }
  throw new Error('expected the call to fail');
}

/**
 * A node answering JSON-RPC the way Besu documents its IBFT 2.0 / QBFT API
 * (`<ns>_getValidatorsByBlockNumber`, `_getPendingVotes`, `_proposeValidatorVote`,
 * `_discardValidatorVote`). Besu cannot run on this machine; what can run (Anvil) is used below.
 */
class BesuLikeNode {
  head = 40;
  namespace: 'ibft' | 'qbft' | null = 'ibft';
  validators = ['0x1e1a1c8f6f7b3a6d4d2f0b2c8e9a7d6c5b4a3f21', '0x2b5ad5c4795c026514f8317c7a215e218dccd6cf', '0x6813eb9362372eef6200f3b1dbc3f819671cba69', '0xe1ab8145f7e55dc933d51a18c793f901a3a0b276'];
  coinbase: string | null = this.validators[0];
  pending: Record<string, boolean> = {};
  /** Besu's answer for a namespace it does not serve: -32601, or -32604 when not enabled. */
  missingCode = -32601;
  readonly calls: { method: string; params: unknown[] }[] = [];
  private server!: Server;
  url = '';
  authorization: string | undefined;

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req).then((body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  called(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }

  private async handle(req: IncomingMessage): Promise<unknown> {
    this.authorization = req.headers.authorization;
    let text = '';
    for await (const chunk of req) text += chunk;
    const { id, method, params } = JSON.parse(text) as { id: number; method: string; params: unknown[] };
    this.calls.push({ method, params });
    const ok = (result: unknown) => ({ jsonrpc: '2.0', id, result });
    const [ns, name] = method.split('_');
    if ((ns === 'ibft' || ns === 'qbft') && ns !== this.namespace) {
      return { jsonrpc: '2.0', id, error: { code: this.missingCode, message: this.missingCode === -32604 ? 'Method not enabled' : 'Method not found' } };
    }
    switch (ns === 'ibft' || ns === 'qbft' ? name : method) {
      case 'eth_chainId':
        return ok('0x31773');
      case 'eth_blockNumber':
        return ok(`0x${this.head.toString(16)}`);
      case 'eth_getBlockByNumber': {
        const n = Number(params[0]);
        return ok(n > this.head ? null : { number: params[0], hash: `0x${n.toString(16).padStart(64, '0')}`, timestamp: `0x${(1_800_000_000 + 2 * n).toString(16)}` });
      }
      case 'net_peerCount':
        return ok('0x4');
      case 'eth_coinbase':
        return this.coinbase ? ok(this.coinbase) : { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } };
      case 'getValidatorsByBlockNumber':
        if (params[0] !== 'latest' && !/^0x[0-9a-f]+$/.test(String(params[0]))) return { jsonrpc: '2.0', id, error: { code: -32602, message: 'Invalid params' } };
        return ok(params[0] !== 'latest' && Number(params[0]) > this.head ? null : this.validators);
      case 'getPendingVotes':
        return ok(this.pending);
      case 'proposeValidatorVote':
        this.pending[String(params[0])] = Boolean(params[1]);
        return ok(true);
      case 'discardValidatorVote':
        delete this.pending[String(params[0])];
        return ok(true);
      default:
        return { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } };
    }
  }
}

describe(NetworkService.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  it.each([
    [1, 0, 1],
    [3, 0, 2],
    [4, 1, 3],
    [5, 1, 4],
    [7, 2, 5],
  ])('derives fault tolerance and quorum for %i validators', (n, faultTolerance, quorum) => {
    expect(bftThresholds(n)).toEqual({ faultTolerance, quorum });
  });

  describe('on Anvil', () => {
    let anvil: AnvilProcess;

    beforeAll(async () => {
      anvil = await AnvilProcess.start({ port: 0, chainId: 202611, blockTimeSeconds: 0 });
      // 30 blocks, 3 s apart: the observed period must come out as 3 s from the timestamps.
      await new NodeRpc(anvil.rpcUrl).call('anvil_mine', ['0x1e', '0x3']);
    });
    afterAll(() => anvil?.stop());

    it('reports the embedded chain: head, chain id, no peers, the observed block period', async () => {
      const sut = new NetworkService(new NodeRpc(anvil.rpcUrl), loadConfig({}));
      const status = await sut.status();
      expect(status).toMatchObject({ chainId: 202611, consensus: 'none (embedded Anvil)', peers: 0, validators: null });
      expect(status.head.number).toBe(30);
      expect(status.head.hash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(status.blockPeriod).toEqual({ observedSeconds: 3, sampleBlocks: PERIOD_SAMPLE_BLOCKS });
    });

    it('answers 501 CONSENSUS_NOT_AVAILABLE for validator operations on the embedded chain', async () => {
      const sut = new NetworkService(new NodeRpc(anvil.rpcUrl), loadConfig({}));
      for (const call of [sut.validators(undefined), sut.votes(), sut.propose(admin, { address: AUTHORITY, add: true }), sut.discard(admin, AUTHORITY)]) {
        expect(await failure(call)).toMatchObject({ status: 501, code: 'CONSENSUS_NOT_AVAILABLE' });
      }
    });

    it('finds no BFT API on an external node that answers "Method not found", yet reports its status', async () => {
      const sut = new NetworkService(new NodeRpc(anvil.rpcUrl), external(anvil.rpcUrl));
      expect(await failure(sut.validators('latest'))).toMatchObject({ status: 501, code: 'CONSENSUS_NOT_AVAILABLE', message: expect.stringContaining('neither the IBFT nor the QBFT API') });
      expect(await sut.status()).toMatchObject({ chainId: 202611, consensus: 'unavailable', peers: null, validators: null });
    });
  });

  describe('on a Besu IBFT 2.0 / QBFT node', () => {
    let node: BesuLikeNode;
    let sut: NetworkService;

    beforeEach(async () => {
      node = new BesuLikeNode();
      await node.start();
      sut = new NetworkService(new NodeRpc(node.url), external(node.url));
    });
    afterEach(() => node.stop());

    it('lists the validators at the head, checksummed, with fault tolerance and quorum', async () => {
      const res = await sut.validators('latest');
      expect(res).toEqual({ block: 40, consensus: 'ibft2', validators: node.validators.map((a) => utils.toChecksumAddress(a)), faultTolerance: 1, quorum: 3 });
      // `latest` is resolved first, so the answer names the block it describes; numbers go as hex.
      expect(node.called('ibft_getValidatorsByBlockNumber').at(-1)).toEqual(['0x28']);
    });

    it('reads the validators at an earlier block and refuses one past the head', async () => {
      expect((await sut.validators('7')).block).toBe(7);
      expect(node.called('ibft_getValidatorsByBlockNumber').at(-1)).toEqual(['0x7']);
      expect(await failure(sut.validators('41'))).toMatchObject({ status: 404, code: 'BLOCK_NOT_FOUND' });
    });

    it('falls back to the QBFT namespace on a QBFT network', async () => {
      node.namespace = 'qbft';
      expect((await sut.validators(undefined)).consensus).toBe('qbft');
      expect(node.called('qbft_getValidatorsByBlockNumber').length).toBeGreaterThan(0);
    });

    it('answers 501 when the node has the BFT API switched off ("Method not enabled")', async () => {
      node.namespace = null;
      node.missingCode = -32604;
      expect(await failure(sut.votes())).toMatchObject({ status: 501, code: 'CONSENSUS_NOT_AVAILABLE' });
    });

    it('reports status with peers, validator count and the observed period', async () => {
      expect(await sut.status()).toMatchObject({
        chainId: 202611,
        consensus: 'ibft2',
        peers: 4,
        validators: 4,
        head: { number: 40, timestamp: new Date((1_800_000_000 + 80) * 1000) },
        blockPeriod: { observedSeconds: 2, sampleBlocks: 20 },
      });
    });

    it('casts a vote to add a validator at a validator node and lists it as pending', async () => {
      const candidate = utils.toChecksumAddress('0x8ba1f109551bd432803012645ac136ddd64dba72');
      const res = await sut.propose(admin, { address: candidate, add: true });
      expect(node.called('ibft_proposeValidatorVote')).toEqual([[candidate.toLowerCase(), true]]);
      expect(res).toEqual({ consensus: 'ibft2', node: utils.toChecksumAddress(node.validators[0]), votes: [{ address: candidate, add: true }] });
    });

    it('casts a vote to remove a validator', async () => {
      await sut.propose(admin, { address: node.validators[3], add: false });
      expect(node.pending).toEqual({ [node.validators[3]]: false });
    });

    it.each([
      ['adding a current validator', (n: BesuLikeNode) => ({ address: n.validators[1], add: true }), 'VALIDATOR_ALREADY_PRESENT'],
      ['removing an address that is no validator', () => ({ address: '0x8ba1f109551bd432803012645ac136ddd64dba72', add: false }), 'VALIDATOR_NOT_PRESENT'],
    ])('refuses a vote that would change nothing: %s', async (_name, vote, code) => {
      expect(await failure(sut.propose(admin, vote(node)))).toMatchObject({ status: 409, code });
      expect(node.called('ibft_proposeValidatorVote')).toEqual([]);
    });

    it('refuses to vote through a node that is not a validator, whose vote would never be counted', async () => {
      node.coinbase = '0x00000000000000000000000000000000000000aa';
      const res = await failure(sut.propose(admin, { address: '0x8ba1f109551bd432803012645ac136ddd64dba72', add: true }));
      expect(res).toMatchObject({ status: 409, code: 'NODE_NOT_VALIDATOR' });
      expect(node.called('ibft_proposeValidatorVote')).toEqual([]);
    });

    it('still votes when the node does not report its own address (the validator check needs it)', async () => {
      node.coinbase = null;
      const res = await sut.propose(admin, { address: '0x8ba1f109551bd432803012645ac136ddd64dba72', add: true });
      expect(res.node).toBeNull();
      expect(node.called('ibft_proposeValidatorVote')).toHaveLength(1);
    });

    it('discards a pending vote, and answers 404 for one that is not pending', async () => {
      const candidate = '0x8ba1f109551bd432803012645ac136ddd64dba72';
      expect(await failure(sut.discard(admin, candidate))).toMatchObject({ status: 404, code: 'VOTE_NOT_FOUND' });
      node.pending[candidate] = true;
      expect((await sut.discard(admin, utils.toChecksumAddress(candidate))).votes).toEqual([]);
      expect(node.called('ibft_discardValidatorVote')).toEqual([[candidate]]);
    });

    it('turns other JSON-RPC errors into 502 CHAIN_RPC_ERROR and an unreachable node into 503', async () => {
      const rpc = new NodeRpc(node.url);
      expect(await failure(rpc.call('ibft_getValidatorsByBlockNumber', ['seven']))).toMatchObject({ status: 502, code: 'CHAIN_RPC_ERROR' });
      await node.stop();
      expect(await failure(sut.status())).toMatchObject({ status: 503, code: 'CHAIN_UNAVAILABLE' });
      await node.start(); // afterEach stops it again
    });

    it('sends credentials in the RPC URL as basic auth, never in the URL', async () => {
      const url = new URL(node.url);
      url.username = 'gateway';
      url.password = 's3cret';
      await new NodeRpc(url.toString()).blockNumber();
      expect(node.authorization).toBe(`Basic ${Buffer.from('gateway:s3cret').toString('base64')}`);
    });
  });
});
