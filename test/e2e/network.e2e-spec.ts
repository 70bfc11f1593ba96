import { Role } from '../../gateway/src/auth/permissions';
import { NodeRpc } from '../../gateway/src/chain/node-rpc';
import { EMBEDDED_CHAIN_ID } from '../../gateway/src/config/app-config';
import { AccountFactory, TestPerson } from '../factories/account.factory';
import { embeddedChain, removeGatewayData, createTestApp, TestApp } from '../support/test-app';

const CANDIDATE = '0x8ba1f109551bD432803012645Ac136ddd64DBA72';

/**
 * What the chain under test runs: the embedded Anvil (npm test); or CHAIN_RPC_URL's node, whose
 * consensus `npm run test:compose` names in E2E_EXPECT_CONSENSUS (from the generated
 * network.json); an external node without that variable is taken to have no BFT API.
 */
const EXPECTED_CONSENSUS = embeddedChain() ? 'none (embedded Anvil)' : (process.env.E2E_EXPECT_CONSENSUS ?? 'unavailable');
const BFT = EXPECTED_CONSENSUS === 'ibft2' || EXPECTED_CONSENSUS === 'qbft';
/**
 * A validator's own JSON-RPC endpoint, when the run can reach one (the first of
 * VALIDATOR_RPC_URLS). The suite votes there alone: one vote of four can never change the set.
 */
const VALIDATOR_URL = BFT ? process.env.VALIDATOR_RPC_URLS?.split(',')[0]?.trim() : undefined;

/**
 * The consortium network module over HTTP. Without BFT consensus (Anvil) the validator
 * operations answer 501; against Besu they list the real validators.
 */
describe('network (e2e)', () => {
  let gw: TestApp;
  let adminToken: string;
  let doctor: TestPerson;

  beforeAll(async () => {
    gw = await createTestApp(VALIDATOR_URL ? { env: { VALIDATOR_RPC_URLS: VALIDATOR_URL } } : {});
    adminToken = await AccountFactory.adminToken(gw);
    doctor = await AccountFactory.person(gw, adminToken, Role.Doctor);
  });
  afterAll(async () => {
    await gw?.close();
    if (gw) await removeGatewayData(gw.config);
  });

  const admin = () => ({ Authorization: `Bearer ${adminToken}` });

  it('shows an administrator the chain: id, head, peers, consensus and the observed block period', async () => {
    const res = await gw.http.get('/v1/network/status').set(admin()).expect(200);
    // The chain's own answer, not the gateway's: the embedded chain's id, or the network's under CHAIN_RPC_URL.
    expect(res.body.chainId).toBe(embeddedChain() ? EMBEDDED_CHAIN_ID : await new NodeRpc(process.env.CHAIN_RPC_URL!).chainId());
    // The contract suite was deployed at start, so there are blocks behind the head.
    expect(res.body.head.number).toBeGreaterThan(0);
    expect(res.body.head.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(Number.isNaN(Date.parse(res.body.head.timestamp))).toBe(false);
    expect(res.body.blockPeriod.sampleBlocks).toBe(Math.min(20, res.body.head.number));
    expect(res.body.blockPeriod.observedSeconds).toBeGreaterThanOrEqual(0);
    expect(res.body.consensus).toBe(EXPECTED_CONSENSUS);
    if (embeddedChain()) expect(res.body).toMatchObject({ peers: 0, validators: null });
    if (BFT) {
      expect(res.body.validators).toBeGreaterThan(0);
      expect(res.body.peers).toBeGreaterThan(0);
    }
  });

  if (!BFT) {
    it.each([
      ['list validators', () => gw.http.get('/v1/network/validators?block=latest')],
      ['list pending votes', () => gw.http.get('/v1/network/validator-votes')],
      ['propose a vote', () => gw.http.post('/v1/network/validator-votes').send({ address: CANDIDATE, add: true })],
      ['discard a vote', () => gw.http.delete(`/v1/network/validator-votes/${CANDIDATE}`)],
    ])('answers 501 CONSENSUS_NOT_AVAILABLE to "%s" without BFT consensus', async (_name, send) => {
      const res = await send().set(admin()).expect(501);
      expect(res.body).toMatchObject({ statusCode: 501, code: 'CONSENSUS_NOT_AVAILABLE' });
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    });
  } else {
    it('lists the validators at the head and at block 0, in order, with fault tolerance and quorum', async () => {
      const head = (await gw.http.get('/v1/network/validators').set(admin()).expect(200)).body;
      const genesis = (await gw.http.get('/v1/network/validators?block=0').set(admin()).expect(200)).body;
      const n = genesis.validators.length;
      expect(genesis).toMatchObject({ block: 0, consensus: EXPECTED_CONSENSUS, faultTolerance: Math.floor((n - 1) / 3), quorum: Math.ceil((2 * n) / 3) });
      expect([...genesis.validators].sort((a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase()))).toEqual(genesis.validators);
      expect(head.validators).toEqual(genesis.validators);
      expect(head.block).toBeGreaterThan(0);
    });

    if (!VALIDATOR_URL) {
      it("refuses a vote through the gateway's RPC node, which is no validator, and says to set VALIDATOR_RPC_URLS", async () => {
        const res = await gw.http.post('/v1/network/validator-votes').set(admin()).send({ address: CANDIDATE, add: true }).expect(409);
        expect(res.body).toMatchObject({ code: 'NODE_NOT_VALIDATOR', message: expect.stringContaining('set VALIDATOR_RPC_URLS') });
        const votes = (await gw.http.get('/v1/network/validator-votes').set(admin()).expect(200)).body;
        expect(votes.nodes).toEqual([expect.objectContaining({ validator: false, votes: [] })]);
        expect(votes.votes).toEqual([]);
      });
    } else {
      it("casts a vote at a validator's own node, tallies it, says one vote does not pass, and discards it", async () => {
        const cast = (await gw.http.post('/v1/network/validator-votes').set(admin()).send({ address: CANDIDATE, add: true }).expect(201)).body;
        expect(cast).toMatchObject({ address: CANDIDATE, add: true, voters: 1, passes: false, nodes: [{ validator: true, accepted: true, error: null }] });
        expect(cast.needed).toBeGreaterThan(1);
        const votes = (await gw.http.get('/v1/network/validator-votes').set(admin()).expect(200)).body;
        expect(votes.votes).toEqual([{ address: CANDIDATE, add: true, voters: [cast.nodes[0].address], passes: false }]);
        const discarded = (await gw.http.delete(`/v1/network/validator-votes/${CANDIDATE}`).set(admin()).expect(200)).body;
        expect(discarded).toMatchObject({ voters: 0, passes: false, nodes: [{ accepted: true, error: null }] });
        expect((await gw.http.get('/v1/network/validator-votes').set(admin()).expect(200)).body.votes).toEqual([]);
      });
    }
  }

  it('keeps the network to administrators', async () => {
    const hospital = await AccountFactory.hospital(gw, adminToken);
    for (const caller of [doctor.auth, hospital.auth]) {
      for (const res of [
        await gw.http.get('/v1/network/status').set(caller),
        await gw.http.get('/v1/network/validators').set(caller),
        await gw.http.post('/v1/network/validator-votes').set(caller).send({ address: CANDIDATE, add: true }),
        await gw.http.delete(`/v1/network/validator-votes/${CANDIDATE}`).set(caller),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
    }
    expect((await gw.http.get('/v1/network/status').expect(401)).body.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['an address that is not hex', { address: 'not-an-address', add: true }, ['address']],
    ['a mixed-case address with a wrong EIP-55 checksum', { address: CANDIDATE.replace('bD4', 'bd4'), add: true }, ['address']],
    ['a vote that is not a boolean', { address: CANDIDATE, add: 'yes' }, ['add']],
    ['an unknown field', { address: CANDIDATE, add: true, weight: 2 }, ['weight']],
  ])('refuses %s with 400 VALIDATION_FAILED', async (_name, body, fields) => {
    const res = await gw.http.post('/v1/network/validator-votes').set(admin()).send(body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.errors.map((e: { field: string }) => e.field)).toEqual(fields);
  });

  it.each([
    ['a malformed address in the path', () => gw.http.delete('/v1/network/validator-votes/0x1234')],
    ['a negative block number', () => gw.http.get('/v1/network/validators?block=-1')],
    ['a block that is neither a number nor latest', () => gw.http.get('/v1/network/validators?block=pending')],
  ])('refuses %s with 400 VALIDATION_FAILED before touching the chain', async (_name, send) => {
    expect((await send().set(admin()).expect(400)).body.code).toBe('VALIDATION_FAILED');
  });

  it('documents the network routes, their permission and the 501 in OpenAPI', async () => {
    const doc = (await gw.http.get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/network/status', '/v1/network/validators', '/v1/network/validator-votes', '/v1/network/validator-votes/{address}']),
    );
    const post = doc.paths['/v1/network/validator-votes'].post.responses;
    expect(Object.keys(post)).toEqual(expect.arrayContaining(['201', '409', '501', '502']));
    expect(post['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/NetworkVoteResponseDto');
    expect(Object.keys(doc.components.schemas.NetworkVoteResponseDto.properties)).toEqual(
      expect.arrayContaining(['address', 'add', 'validators', 'needed', 'voters', 'passes', 'nodes']),
    );
    expect(doc.paths['/v1/network/validator-votes'].post.responses['403'].description).toContain('network.vote');
    expect(doc.paths['/v1/network/status'].get.responses['403'].description).toContain('network.read');
  });
});
