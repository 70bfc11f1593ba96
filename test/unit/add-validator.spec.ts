import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addValidator, allowlistedAccounts } from '../../network/lib/add-validator';
import { topologyFromNetworkJson } from '../../network/lib/compose';
import { generateNetwork, NetworkSummary } from '../../network/lib/network';
import { parseSubnet } from '../../network/lib/subnet';
import { composeProblems, loadCompose, parseToml } from './compose-support';

/**
 * `npm run network:add-validator`: a generated network grows by one node that every other node
 * will admit and peer with, and the folder's compose file runs it; genesis stays as it was.
 */
const ROOT = join(__dirname, '..', '..');
const SUBNET = '10.66.0.0/24';
const HOSPITAL = '0x00000000000000000000000000000000000000aa';

describe('adding a validator to a generated network', () => {
  let base: string;
  let dir: string;
  let before: { genesis: string; summary: NetworkSummary };
  let after: NetworkSummary;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'ehr-add-validator-'));
    dir = join(base, 'net');
    await generateNetwork(
      { validators: 4, rpcNodes: 1, consensus: 'ibft2', chainId: 4242, blockPeriodSeconds: 2, evmVersion: 'cancun', subnet: parseSubnet(SUBNET), out: dir, force: false, repoRoot: ROOT },
      () => undefined,
    );
    // An account the operator allowlisted by hand (a hospital admitted later) must survive.
    const permissions = await readFile(join(dir, 'permissions_config.toml'), 'utf8');
    const withHospital = permissions.replace(/accounts-allowlist=\[\n/, `accounts-allowlist=[\n  "${HOSPITAL}",\n`);
    await rm(join(dir, 'permissions_config.toml'));
    await appendFile(join(dir, 'permissions_config.toml'), withHospital);
    before = { genesis: await readFile(join(dir, 'genesis.json'), 'utf8'), summary: JSON.parse(await readFile(join(dir, 'network.json'), 'utf8')) };
    after = (await addValidator(dir, ROOT, () => undefined)).summary;
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('writes validator5 at the next fixed address with its own secret key, config and enode', async () => {
    const added = after.validators[4];
    expect(added).toMatchObject({ name: 'validator5', host: 'validator5', ip: '10.66.0.15', servesGateway: false, rpcUrl: 'http://validator5:8545' });
    expect(added.enode).toBe(`enode://${(await readFile(join(dir, 'validator5', 'key.pub'), 'utf8')).slice(2)}@10.66.0.15:30303`);
    expect((await stat(join(dir, 'validator5', 'key'))).mode & 0o777).toBe(0o600);
    const config = parseToml(await readFile(join(dir, 'validator5', 'config.toml'), 'utf8'));
    expect(config).toMatchObject({ identity: 'validator5', 'p2p-host': '10.66.0.15', 'rpc-http-api': ['ETH', 'NET', 'IBFT'] });
    expect(after).toMatchObject({ faultTolerance: 1, quorum: 4 });
  });

  it('lets every node admit and dial it, and keeps every allowlisted account', async () => {
    const enodes = [...after.validators, ...after.rpcNodes].map((n) => n.enode);
    expect(JSON.parse(await readFile(join(dir, 'static-nodes.json'), 'utf8'))).toEqual(enodes);
    const permissions = await readFile(join(dir, 'permissions_config.toml'), 'utf8');
    expect(parseToml(permissions)['nodes-allowlist']).toEqual(enodes);
    expect(allowlistedAccounts(permissions)).toEqual(expect.arrayContaining([HOSPITAL, before.summary.accounts.gateway.toLowerCase(), before.summary.accounts.deployer.toLowerCase()]));
    expect(allowlistedAccounts(permissions)).toHaveLength(3);
  });

  it('leaves genesis alone: the node becomes a validator by vote, not by a new chain', async () => {
    expect(await readFile(join(dir, 'genesis.json'), 'utf8')).toBe(before.genesis);
  });

  it("renders the folder's docker-compose.yml with its service, and the gateway asks it for votes", async () => {
    const text = await readFile(join(dir, 'docker-compose.yml'), 'utf8');
    const topology = topologyFromNetworkJson(await readFile(join(dir, 'network.json'), 'utf8'));
    expect(composeProblems(text, { ...topology, composeDir: dir, filesExist: true })).toEqual([]);
    const compose = loadCompose(text);
    expect(compose.services.validator5.networks.chain.ipv4_address).toBe('10.66.0.15');
    expect(compose.services.gateway.environment.VALIDATOR_RPC_URLS.split(',')).toEqual([1, 2, 3, 4, 5].map((i) => `http://validator${i}:8545`));
  });

  it('adds the next one on a second run, and refuses a folder the generator did not write', async () => {
    const { added } = await addValidator(dir, ROOT, () => undefined);
    expect(added).toMatchObject({ name: 'validator6', ip: '10.66.0.16' });
    await expect(addValidator(base, ROOT, () => undefined)).rejects.toThrow(/network\.json is missing/);
  });
});
