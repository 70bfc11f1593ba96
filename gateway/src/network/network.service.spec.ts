import { Logger } from '@nestjs/common';
import { utils } from 'web3';
import { apiFailure as failure } from '../../../test/support/api-failure';
import { BesuLikeNode } from '../../../test/support/besu-like-node';
import { AccountPrincipal } from '../auth/principal';
import { Role } from '../auth/permissions';
import { AnvilProcess } from '../chain/anvil-process';
import { AppConfig, loadConfig } from '../config/app-config';
import { NodeRpc } from '../chain/node-rpc';
import { BftConsensus, bftThresholds, votesNeeded } from './bft-consensus';
import { NetworkService, PERIOD_SAMPLE_BLOCKS } from './network.service';
import { ValidatorVotesService } from './validator-votes.service';

const admin: AccountPrincipal = { kind: 'account', accountId: '00000000-0000-4000-8000-000000000001', role: Role.Admin, via: 'jwt' };
const AUTHORITY = '0x0000000000000000000000000000000000000001';
const external = (rpcUrl: string) => loadConfig({ CHAIN_RPC_URL: rpcUrl, CONSORTIUM_AUTHORITIES: AUTHORITY });
const network = (rpcUrl: string, config: AppConfig) => {
  const rpc = new NodeRpc(rpcUrl);
  return new NetworkService(rpc, new BftConsensus(rpc, config));
};

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

  // Besu's VoteTally: an address is added or dropped at floor(n/2) + 1 votes.
  it.each([
    [1, 1],
    [4, 3],
    [5, 3],
    [6, 4],
    [7, 4],
  ])('needs more than half of %i validators to change the set: %i', (n, needed) => {
    expect(votesNeeded(n)).toBe(needed);
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
      const sut = network(anvil.rpcUrl, loadConfig({}));
      const status = await sut.status();
      expect(status).toMatchObject({ chainId: 202611, consensus: 'none (embedded Anvil)', peers: 0, validators: null });
      expect(status.head.number).toBe(30);
      expect(status.head.hash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(status.blockPeriod).toEqual({ observedSeconds: 3, sampleBlocks: PERIOD_SAMPLE_BLOCKS });
    });

    it('answers 501 CONSENSUS_NOT_AVAILABLE for validator operations on the embedded chain', async () => {
      const rpc = new NodeRpc(anvil.rpcUrl);
      const bft = new BftConsensus(rpc, loadConfig({}));
      const votes = new ValidatorVotesService(rpc, bft, loadConfig({}));
      const calls = [new NetworkService(rpc, bft).validators(undefined), votes.votes(), votes.propose(admin, { address: AUTHORITY, add: true }), votes.discard(admin, AUTHORITY)];
      for (const call of calls) {
        expect(await failure(call)).toMatchObject({ status: 501, code: 'CONSENSUS_NOT_AVAILABLE' });
      }
    });

    it('finds no BFT API on an external node that answers "Method not found", yet reports its status', async () => {
      const sut = network(anvil.rpcUrl, external(anvil.rpcUrl));
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
      sut = network(node.url, external(node.url));
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
      expect(await failure(sut.validators('latest'))).toMatchObject({ status: 501, code: 'CONSENSUS_NOT_AVAILABLE' });
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
