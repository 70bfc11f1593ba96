import { Logger } from '@nestjs/common';
import { utils } from 'web3';
import { apiFailure as failure } from '../../../test/support/api-failure';
import { BesuLikeNode } from '../../../test/support/besu-like-node';
import { AccountPrincipal } from '../auth/principal';
import { Role } from '../auth/permissions';
import { loadConfig } from '../config/app-config';
import { NodeRpc } from '../chain/node-rpc';
import { BftConsensus } from './bft-consensus';
import { ValidatorVotesService } from './validator-votes.service';

const admin: AccountPrincipal = { kind: 'account', accountId: '00000000-0000-4000-8000-000000000001', role: Role.Admin, via: 'jwt' };
const CANDIDATE = '0x8ba1f109551bd432803012645ac136ddd64dba72';
const checksum = (address: string) => utils.toChecksumAddress(address);

/**
 * Against Besu-like nodes (Besu cannot run here): the gateway's RPC node, which as under compose
 * is no validator, and each of the four validators' own nodes, which sign with their addresses.
 */
describe(ValidatorVotesService.name, () => {
  let rpcNode: BesuLikeNode;
  let validatorNodes: BesuLikeNode[];
  let validators: string[];

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => {
    rpcNode = new BesuLikeNode();
    rpcNode.coinbase = '0x00000000000000000000000000000000000000aa';
    validators = rpcNode.validators;
    validatorNodes = validators.map((address) => Object.assign(new BesuLikeNode(), { coinbase: address }));
    await Promise.all([rpcNode, ...validatorNodes].map((node) => node.start()));
  });
  afterEach(() => Promise.all([rpcNode, ...validatorNodes].map((node) => node.stop())));

  /** The service as the gateway builds it; `urls` is VALIDATOR_RPC_URLS, unset when undefined. */
  const service = (urls?: string[]) => {
    const config = loadConfig({
      CHAIN_RPC_URL: rpcNode.url,
      CONSORTIUM_AUTHORITIES: '0x0000000000000000000000000000000000000001',
      ...(urls ? { VALIDATOR_RPC_URLS: urls.join(',') } : {}),
    });
    const rpc = new NodeRpc(rpcNode.url);
    return new ValidatorVotesService(rpc, new BftConsensus(rpc, config), config);
  };
  const urlsOf = (nodes: BesuLikeNode[]) => nodes.map((node) => node.url);
  const proposals = (nodes: BesuLikeNode[]) => nodes.map((node) => node.called('ibft_proposeValidatorVote'));

  describe("without VALIDATOR_RPC_URLS: at the gateway's node", () => {
    it('refuses with 409 NODE_NOT_VALIDATOR when that node is not a validator, telling the operator to set VALIDATOR_RPC_URLS', async () => {
      const res = await failure(service().propose(admin, { address: CANDIDATE, add: true }));
      expect(res).toMatchObject({ status: 409, code: 'NODE_NOT_VALIDATOR', message: expect.stringContaining('set VALIDATOR_RPC_URLS') });
      expect(res.message).toContain(checksum(rpcNode.coinbase!));
      expect(rpcNode.called('ibft_proposeValidatorVote')).toEqual([]);
    });

    it('casts the vote when that node is a validator, and says one vote of four does not pass', async () => {
      rpcNode.coinbase = validators[0];
      const res = await service().propose(admin, { address: checksum(CANDIDATE), add: true });
      expect(rpcNode.called('ibft_proposeValidatorVote')).toEqual([[CANDIDATE, true]]);
      expect(res).toEqual({
        consensus: 'ibft2',
        address: checksum(CANDIDATE),
        add: true,
        validators: 4,
        needed: 3,
        voters: 1,
        passes: false,
        nodes: [{ url: `${rpcNode.url}/`, address: checksum(validators[0]), validator: true, accepted: true, error: null }],
      });
    });

    it.each([
      ['adding a current validator', () => ({ address: validators[1], add: true }), 'VALIDATOR_ALREADY_PRESENT'],
      ['removing an address that is no validator', () => ({ address: CANDIDATE, add: false }), 'VALIDATOR_NOT_PRESENT'],
    ])('refuses a vote that would change nothing: %s', async (_name, vote, code) => {
      rpcNode.coinbase = validators[0];
      expect(await failure(service().propose(admin, vote()))).toMatchObject({ status: 409, code });
      expect(rpcNode.called('ibft_proposeValidatorVote')).toEqual([]);
    });

    it('casts no vote at a node that does not say its address, since nothing shows the vote would count', async () => {
      rpcNode.coinbase = null;
      const res = await failure(service().propose(admin, { address: CANDIDATE, add: true }));
      expect(res).toMatchObject({ status: 502, code: 'VOTE_NOT_CAST', details: { nodes: [{ address: null, accepted: false, error: { code: 'CHAIN_RPC_ERROR' } }] } });
      expect(rpcNode.called('ibft_proposeValidatorVote')).toEqual([]);
    });

    it("lists that node's pending votes, counting none while it is not a validator", async () => {
      rpcNode.pending[CANDIDATE] = true;
      expect(await service().votes()).toEqual({
        consensus: 'ibft2',
        validators: 4,
        needed: 3,
        nodes: [{ url: `${rpcNode.url}/`, address: checksum(rpcNode.coinbase!), validator: false, votes: [{ address: checksum(CANDIDATE), add: true }], error: null }],
        votes: [],
      });
    });

    it('discards a pending vote, and answers 404 VOTE_NOT_FOUND for one that is not pending', async () => {
      expect(await failure(service().discard(admin, CANDIDATE))).toMatchObject({ status: 404, code: 'VOTE_NOT_FOUND' });
      rpcNode.pending[CANDIDATE] = true;
      const res = await service().discard(admin, checksum(CANDIDATE));
      expect(res).toMatchObject({ add: null, voters: 0, passes: false, nodes: [{ accepted: true, error: null }] });
      expect(rpcNode.called('ibft_discardValidatorVote')).toEqual([[CANDIDATE]]);
    });
  });

  describe("with VALIDATOR_RPC_URLS: at each validator's own node", () => {
    it('casts the vote at every configured validator, never at the RPC node, and reports that it passes', async () => {
      const res = await service(urlsOf(validatorNodes)).propose(admin, { address: CANDIDATE, add: true });
      expect(proposals(validatorNodes)).toEqual([[[CANDIDATE, true]], [[CANDIDATE, true]], [[CANDIDATE, true]], [[CANDIDATE, true]]]);
      expect(rpcNode.called('ibft_proposeValidatorVote')).toEqual([]);
      expect(res).toMatchObject({ address: checksum(CANDIDATE), add: true, validators: 4, needed: 3, voters: 4, passes: true });
      expect(res.nodes).toEqual(validatorNodes.map((node) => ({ url: `${node.url}/`, address: checksum(node.coinbase!), validator: true, accepted: true, error: null })));
    });

    it.each([
      [1, false],
      [2, false],
      [3, true],
    ])('reports a majority only when more than half of the four validators hold the vote: %i configured', async (configured, passes) => {
      const res = await service(urlsOf(validatorNodes.slice(0, configured))).propose(admin, { address: validators[3], add: false });
      expect(res).toMatchObject({ voters: configured, needed: 3, passes });
      expect(validatorNodes.slice(0, configured).map((node) => node.pending)).toEqual(Array(configured).fill({ [validators[3]]: false }));
    });

    it('reports an unreachable validator without failing the others, and says the change may not pass', async () => {
      await validatorNodes[1].stop();
      const res = await service(urlsOf(validatorNodes.slice(0, 3))).propose(admin, { address: CANDIDATE, add: true });
      expect(res).toMatchObject({ voters: 2, needed: 3, passes: false });
      expect(res.nodes.map((node) => [node.accepted, node.error?.code ?? null])).toEqual([[true, null], [false, 'NODE_UNREACHABLE'], [true, null]]);
      expect(res.nodes[1]).toMatchObject({ address: null, validator: null });
    });

    it('reports a validator that refuses the vote, and counts the others', async () => {
      validatorNodes[0].failing.add('ibft_proposeValidatorVote');
      const res = await service(urlsOf(validatorNodes)).propose(admin, { address: CANDIDATE, add: true });
      expect(res).toMatchObject({ voters: 3, passes: true });
      expect(res.nodes[0]).toMatchObject({ validator: true, accepted: false, error: { code: 'CHAIN_RPC_ERROR', message: expect.stringContaining('Internal error') } });
    });

    it('neither votes at nor counts a URL whose node is not a current validator', async () => {
      const res = await service([rpcNode.url, ...urlsOf(validatorNodes.slice(0, 2))]).propose(admin, { address: CANDIDATE, add: true });
      expect(rpcNode.called('ibft_proposeValidatorVote')).toEqual([]);
      expect(res.nodes[0]).toMatchObject({ address: checksum(rpcNode.coinbase!), validator: false, accepted: false, error: { code: 'NODE_NOT_VALIDATOR' } });
      expect(res).toMatchObject({ voters: 2, passes: false });
    });

    it('counts a validator reached through two URLs once', async () => {
      const res = await service([validatorNodes[0].url, `${validatorNodes[0].url}/again`, validatorNodes[1].url]).propose(admin, { address: CANDIDATE, add: true });
      expect(res.nodes.map((node) => node.accepted)).toEqual([true, true, true]);
      expect(res).toMatchObject({ voters: 2, passes: false });
    });

    it('refuses with 409 NODE_NOT_VALIDATOR when no configured node is a validator', async () => {
      const res = await failure(service([rpcNode.url]).propose(admin, { address: CANDIDATE, add: true }));
      expect(res).toMatchObject({ status: 409, code: 'NODE_NOT_VALIDATOR', message: expect.stringContaining('No node in VALIDATOR_RPC_URLS is a current validator') });
      expect(res.details).toMatchObject({ nodes: [{ validator: false, error: { code: 'NODE_NOT_VALIDATOR' } }] });
    });

    it('answers 502 VOTE_NOT_CAST, with each node\'s error, when no validator could take the vote', async () => {
      await Promise.all(validatorNodes.slice(0, 2).map((node) => node.stop()));
      const res = await failure(service(urlsOf(validatorNodes.slice(0, 2))).propose(admin, { address: CANDIDATE, add: true }));
      expect(res).toMatchObject({ status: 502, code: 'VOTE_NOT_CAST' });
      expect(res.details).toEqual({ nodes: [0, 1].map((i) => expect.objectContaining({ url: `${validatorNodes[i].url}/`, error: expect.objectContaining({ code: 'NODE_UNREACHABLE' }) })) });
    });

    it('uses the QBFT methods at the validators on a QBFT network', async () => {
      for (const node of [rpcNode, ...validatorNodes]) node.namespace = 'qbft';
      const res = await service(urlsOf(validatorNodes)).propose(admin, { address: CANDIDATE, add: true });
      expect(res).toMatchObject({ consensus: 'qbft', voters: 4 });
      expect(validatorNodes.map((node) => node.called('qbft_proposeValidatorVote'))).toEqual(Array(4).fill([[CANDIDATE, true]]));
    });

    it('shows each URL without its credentials, which go to the node as basic auth', async () => {
      const url = new URL(validatorNodes[0].url);
      url.username = 'gateway';
      url.password = 's3cret';
      const res = await service([url.toString()]).propose(admin, { address: CANDIDATE, add: true });
      expect(res.nodes[0].url).toBe(`${validatorNodes[0].url}/`);
      expect(validatorNodes[0].authorization).toBe(`Basic ${Buffer.from('gateway:s3cret').toString('base64')}`);
    });

    it('tallies pending votes across the validators, counting only validators, each once', async () => {
      for (const node of validatorNodes.slice(0, 3)) node.pending[CANDIDATE] = true;
      validatorNodes[3].pending[validators[2]] = false;
      rpcNode.pending[validators[2]] = false; // a non-validator's vote: listed, never counted
      await validatorNodes[1].stop();
      const res = await service([...urlsOf(validatorNodes), rpcNode.url]).votes();
      expect(res).toMatchObject({ validators: 4, needed: 3 });
      expect(res.votes).toEqual([
        { address: checksum(CANDIDATE), add: true, voters: [checksum(validators[0]), checksum(validators[2])], passes: false },
        { address: checksum(validators[2]), add: false, voters: [checksum(validators[3])], passes: false },
      ]);
      expect(res.nodes.map((node) => [node.votes.length, node.validator, node.error?.code ?? null])).toEqual([
        [1, true, null],
        [0, null, 'NODE_UNREACHABLE'],
        [1, true, null],
        [1, true, null],
        [1, false, null],
      ]);
    });

    it('discards at every node that holds the vote, a non-validator included, and reports what remains', async () => {
      for (const node of [validatorNodes[0], validatorNodes[1], validatorNodes[2], rpcNode]) node.pending[CANDIDATE] = true;
      validatorNodes[2].failing.add('ibft_discardValidatorVote');
      const res = await service([...urlsOf(validatorNodes), rpcNode.url]).discard(admin, checksum(CANDIDATE));
      expect([...validatorNodes, rpcNode].map((node) => node.called('ibft_discardValidatorVote').length)).toEqual([1, 1, 1, 0, 1]);
      expect(res.nodes.map((node) => [node.accepted, node.error?.code ?? null])).toEqual([
        [true, null],
        [true, null],
        [false, 'CHAIN_RPC_ERROR'],
        [false, null],
        [true, null],
      ]);
      // validator 3's discard failed: its vote stays pending, one of the three needed.
      expect(res).toMatchObject({ address: checksum(CANDIDATE), add: null, voters: 1, needed: 3, passes: false });
    });

    it('answers 404 VOTE_NOT_FOUND only when every node answered and none holds the vote', async () => {
      const sut = service(urlsOf(validatorNodes));
      expect(await failure(sut.discard(admin, CANDIDATE))).toMatchObject({ status: 404, code: 'VOTE_NOT_FOUND', message: expect.stringContaining('No node in VALIDATOR_RPC_URLS') });
      await validatorNodes[0].stop();
      expect((await sut.discard(admin, CANDIDATE)).nodes[0].error).toMatchObject({ code: 'NODE_UNREACHABLE' });
    });
  });
});
