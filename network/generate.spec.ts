import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eth, utils } from 'web3';
import { RESERVED_CHAIN_IDS } from '../gateway/src/config/app-config';
import { main } from './generate';
import { findRepoRoot } from './lib/genesis';
import { parseToml } from '../test/unit/compose-support';

const run = promisify(execFile);
const repoRoot = findRepoRoot();

interface Result {
  code: number;
  out: string;
  err: string;
}

async function generate(args: string[]): Promise<Result> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: repoRoot });
  return { code, out, err };
}

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
const text = (path: string): Promise<string> => readFile(path, 'utf8');
const json = async <T>(path: string): Promise<T> => JSON.parse(await text(path)) as T;

interface Genesis {
  config: Record<string, unknown>;
  extraData: string;
  alloc: Record<string, { balance: string }>;
  [field: string]: unknown;
}

describe('network:generate', () => {
  let base: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'ehr-net-'));
  });

  afterAll(() => rm(base, { recursive: true, force: true }));

  describe('with the defaults (4 validators, IBFT 2.0, one RPC node)', () => {
    let dir: string;
    let result: Result;
    let genesis: Genesis;
    const validators = ['validator1', 'validator2', 'validator3', 'validator4'];
    const nodes = [...validators, 'rpcnode1'];
    /** Compose service names: directory names, except the single RPC node is `rpcnode`. */
    const host = (name: string): string => (name === 'rpcnode1' ? 'rpcnode' : name);
    /** The fixed address plan of the default subnet 172.16.231.0/24: validators from .11, RPC nodes from .101. */
    const ip = (name: string): string => (name === 'rpcnode1' ? '172.16.231.101' : `172.16.231.${10 + Number(name.slice('validator'.length))}`);

    beforeAll(async () => {
      dir = join(base, 'default');
      result = await generate(['--out', dir]);
      genesis = await json<Genesis>(join(dir, 'genesis.json'));
    });

    it('succeeds, showing one line per step and a summary with fault tolerance and quorum', () => {
      expect(result).toMatchObject({ code: 0, err: '' });
      for (const name of [...nodes, 'deployer', 'gateway']) expect(result.out).toMatch(new RegExp(`✔ keys ${name} +0x[0-9a-f]{40}\\n`));
      expect(result.out).toContain('✔ genesis.json');
      expect(result.out).toContain('✔ permissions_config.toml');
      for (const name of nodes) expect(result.out).toContain(`✔ config ${name}`);
      expect(result.out).toContain('✔ ipfs/swarm.key');
      expect(result.out).toMatch(/rpc nodes +1 \(rpcnode1 as rpcnode\)/);
      expect(result.out).toMatch(/validators +4: tolerates f = floor\(\(N-1\)\/3\) = 1 faulty, quorum ceil\(2N\/3\) = 3/);
      expect(result.out).toMatch(/consensus +IBFT 2\.0 \(ibft2\)/);
      expect(result.out).toMatch(new RegExp(`chain id +${genesis.config.chainId}\\n`));
      expect(result.out).toMatch(/block period +2 s \(round timeout 4 s\)/);
      expect(result.out).toContain(`output       ${dir}`);
    });

    it('writes a key pair per node in Besu format whose address is keccak256 of the public key', async () => {
      for (const name of nodes) {
        const key = await text(join(dir, name, 'key'));
        const pub = await text(join(dir, name, 'key.pub'));
        const address = await text(join(dir, name, 'address'));
        expect(key).toMatch(/^0x[0-9a-f]{64}$/);
        expect(pub).toMatch(/^0x[0-9a-f]{128}$/);
        expect(address).toMatch(/^0x[0-9a-f]{40}$/);
        expect(eth.accounts.privateKeyToPublicKey(key, false).toLowerCase()).toBe(pub);
        expect(`0x${utils.keccak256(utils.hexToBytes(pub)).slice(-40)}`).toBe(address);
        expect(eth.accounts.privateKeyToAddress(key).toLowerCase()).toBe(address);
      }
      const keys = await Promise.all(nodes.map((n) => text(join(dir, n, 'key'))));
      expect(new Set(keys).size).toBe(nodes.length);
    });

    it('writes the deployer and gateway account keys the way the gateway key store reads them', async () => {
      for (const name of ['deployer', 'gateway']) {
        const key = await text(join(dir, 'accounts', `${name}.key`));
        const address = await text(join(dir, 'accounts', `${name}.address`));
        expect(key).toMatch(/^0x[0-9a-f]{64}\n$/);
        expect(address).toMatch(/^0x[0-9a-f]{40}\n$/);
        expect(eth.accounts.privateKeyToAddress(key.trim()).toLowerCase()).toBe(address.trim());
      }
    });

    it('makes every secret and identity file 0600 and their directories 0700', async () => {
      for (const name of nodes) {
        expect(await mode(join(dir, name))).toBe(0o700);
        for (const file of ['key', 'key.pub', 'address']) expect(await mode(join(dir, name, file))).toBe(0o600);
      }
      expect(await mode(join(dir, 'accounts'))).toBe(0o700);
      expect(await mode(join(dir, 'ipfs'))).toBe(0o700);
      expect(await mode(join(dir, 'ipfs', 'swarm.key'))).toBe(0o600);
      for (const file of await readdir(join(dir, 'accounts'))) expect(await mode(join(dir, 'accounts', file))).toBe(0o600);
      expect((await readdir(join(dir, 'accounts'))).sort()).toEqual(['deployer.address', 'deployer.key', 'gateway.address', 'gateway.key']);
    });

    it('writes a private IPFS swarm key (libp2p PSK v1) for the Kubo nodes', async () => {
      expect(await text(join(dir, 'ipfs', 'swarm.key'))).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/);
    });

    it('writes a genesis with Cancun milestones (contracts/compiler.json), free gas and the BFT constants', async () => {
      const { evmVersion } = await json<{ evmVersion: string }>(join(repoRoot, 'contracts', 'compiler.json'));
      expect(evmVersion).toBe('cancun'); // if this changes, the expected milestones below must too
      const { extraData, alloc, config, ...header } = genesis;
      expect(config).toEqual({
        chainId: expect.any(Number),
        homesteadBlock: 0,
        eip150Block: 0,
        eip155Block: 0,
        eip158Block: 0,
        byzantiumBlock: 0,
        constantinopleBlock: 0,
        petersburgBlock: 0,
        istanbulBlock: 0,
        berlinBlock: 0,
        londonBlock: 0,
        shanghaiTime: 0,
        cancunTime: 0,
        zeroBaseFee: true,
        contractSizeLimit: 2147483647,
        ibft2: { blockperiodseconds: 2, epochlength: 30000, requesttimeoutseconds: 4 },
      });
      expect(header).toEqual({
        nonce: '0x0',
        timestamp: '0x0',
        gasLimit: '0x1fffffffffffff',
        difficulty: '0x1',
        mixHash: '0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365',
        coinbase: '0x0000000000000000000000000000000000000000',
        baseFeePerGas: '0x0',
      });
      expect(extraData).toMatch(/^0x[0-9a-f]+$/);
      expect(Buffer.from('63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365', 'hex').toString()).toBe(
        'ctical byzantine fault tolerance',
      );
    });

    it('funds the deployer and gateway accounts and nobody else', async () => {
      const deployer = (await text(join(dir, 'accounts', 'deployer.address'))).trim();
      const gateway = (await text(join(dir, 'accounts', 'gateway.address'))).trim();
      expect(Object.keys(genesis.alloc).sort()).toEqual([deployer, gateway].sort());
      for (const account of Object.values(genesis.alloc)) expect(BigInt(account.balance)).toBe(10n ** 24n);
      for (const name of nodes) expect(genesis.alloc).not.toHaveProperty(await text(join(dir, name, 'address')));
    });

    it('allowlists every node by enode and exactly the deployer and gateway accounts', async () => {
      const permissions = parseToml(await text(join(dir, 'permissions_config.toml')));
      const enodes = await Promise.all(nodes.map(async (n) => `enode://${(await text(join(dir, n, 'key.pub'))).slice(2)}@${ip(n)}:30303`));
      const accounts = await Promise.all(['deployer', 'gateway'].map(async (a) => (await text(join(dir, 'accounts', `${a}.address`))).trim()));
      expect(permissions).toEqual({ 'accounts-allowlist': accounts.sort(), 'nodes-allowlist': enodes });
    });

    it('lists every node, by its fixed address (no host names, so no DNS), in the one static-nodes.json all nodes share', async () => {
      const nodesAllowlist = parseToml(await text(join(dir, 'permissions_config.toml')))['nodes-allowlist'] as string[];
      const staticNodes = await json<string[]>(join(dir, 'static-nodes.json'));
      expect(staticNodes).toEqual(nodesAllowlist);
      expect(staticNodes.map((e) => e.split('@')[1])).toEqual(nodes.map((n) => `${ip(n)}:30303`));
    });

    it('configures each node field by field, with RPC APIs limited to its role', async () => {
      const common = (name: string, address: string) => ({
        identity: name,
        logging: 'INFO',
        'data-path': '/opt/besu/data',
        'genesis-file': '/opt/besu/genesis.json',
        'node-private-key-file': '/opt/besu/node/key',
        'min-gas-price': 0,
        'p2p-interface': '0.0.0.0',
        'p2p-port': 30303,
        'discovery-enabled': false,
        'p2p-host': address,
        'nat-method': 'NONE',
        'static-nodes-file': '/opt/besu/static-nodes.json',
        'rpc-http-enabled': true,
        'rpc-http-host': '0.0.0.0',
        'rpc-http-port': 8545,
        'host-allowlist': ['localhost', '127.0.0.1', name, address],
        'rpc-http-cors-origins': ['none'],
        'rpc-ws-enabled': false,
        'graphql-http-enabled': false,
        'metrics-enabled': true,
        'metrics-host': '0.0.0.0',
        'metrics-port': 9545,
        'permissions-nodes-config-file-enabled': true,
        'permissions-nodes-config-file': '/opt/besu/permissions_config.toml',
        'permissions-accounts-config-file-enabled': true,
        'permissions-accounts-config-file': '/opt/besu/permissions_config.toml',
      });
      for (const name of validators) {
        expect(parseToml(await text(join(dir, name, 'config.toml')))).toEqual({ ...common(name, ip(name)), 'rpc-http-api': ['ETH', 'NET', 'IBFT'] });
      }
      expect(parseToml(await text(join(dir, 'rpcnode1', 'config.toml')))).toEqual({
        ...common('rpcnode', ip('rpcnode1')),
        'revert-reason-enabled': true,
        'rpc-http-api': ['ETH', 'NET', 'WEB3', 'IBFT', 'TXPOOL'],
      });
    });

    it('records the network without any secret in network.json, and keeps the directory out of git', async () => {
      const raw = await text(join(dir, 'network.json'));
      const summary = JSON.parse(raw) as { validators: Array<{ name: string; address: string }>; faultTolerance: number; quorum: number };
      expect(summary.validators.map((v) => v.name)).toEqual(validators);
      expect(summary).toMatchObject({ faultTolerance: 1, quorum: 3, chainId: genesis.config.chainId, consensus: 'ibft2', evmVersion: 'cancun' });
      for (const name of nodes) expect(raw).not.toContain((await text(join(dir, name, 'key'))).slice(2));
      expect(await text(join(dir, '.gitignore'))).toMatch(/^\*$/m);
    });
  });

  it('writes QBFT genesis parameters and API names, and numbers several RPC nodes', async () => {
    const dir = join(base, 'qbft');
    const result = await generate(['--out', dir, '--consensus', 'qbft', '--validators', '7', '--rpc-nodes', '2', '--block-period', '1', '--chain-id', '4242']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/validators +7: tolerates f = floor\(\(N-1\)\/3\) = 2 faulty, quorum ceil\(2N\/3\) = 5/);
    const genesis = await json<Genesis>(join(dir, 'genesis.json'));
    expect(genesis.config).toMatchObject({ chainId: 4242, qbft: { blockperiodseconds: 1, epochlength: 30000, requesttimeoutseconds: 2 } });
    expect(genesis.config).not.toHaveProperty('ibft2');
    expect((await readdir(dir)).filter((n) => n.startsWith('rpcnode')).sort()).toEqual(['rpcnode1', 'rpcnode2']);
    expect(parseToml(await text(join(dir, 'rpcnode2', 'config.toml')))['host-allowlist']).toEqual(['localhost', '127.0.0.1', 'rpcnode2', '172.16.231.102']);
    expect((await json<string[]>(join(dir, 'static-nodes.json'))).map((e) => e.split('@')[1])).toEqual([
      ...[11, 12, 13, 14, 15, 16, 17].map((n) => `172.16.231.${n}:30303`),
      '172.16.231.101:30303',
      '172.16.231.102:30303',
    ]);
    expect(parseToml(await text(join(dir, 'validator7', 'config.toml')))['rpc-http-api']).toEqual(['ETH', 'NET', 'QBFT']);
    expect(parseToml(await text(join(dir, 'rpcnode2', 'config.toml')))['rpc-http-api']).toEqual(['ETH', 'NET', 'WEB3', 'QBFT', 'TXPOOL']);
    expect(parseToml(await text(join(dir, 'permissions_config.toml')))['nodes-allowlist']).toHaveLength(9);
  });

  it('gives every network a chain id of its own, never a development chain\'s, unless --chain-id names one', async () => {
    const ids = [];
    for (const name of ['own-1', 'own-2']) {
      expect((await generate(['--out', join(base, name)])).code).toBe(0);
      ids.push((await json<Genesis>(join(base, name, 'genesis.json'))).config.chainId);
    }
    expect(ids[0]).not.toBe(ids[1]); // 1 in ~2 billion that this is wrong by chance
    for (const id of ids) expect(id).toBeGreaterThanOrEqual(1_000_000);
    expect((await generate(['--out', join(base, 'chosen'), '--chain-id', '4242'])).code).toBe(0);
    expect((await json<Genesis>(join(base, 'chosen', 'genesis.json'))).config.chainId).toBe(4242);
  });

  describe('refuses', () => {
    it.each(RESERVED_CHAIN_IDS)('--chain-id %i: a development chain\'s id, whose signatures would replay on the network', async (id) => {
      const dir = join(base, `reserved-${id}`);
      const refused = await generate(['--out', dir, '--chain-id', String(id)]);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain(`--chain-id ${id} is reserved for development chains`);
      expect(existsSync(dir)).toBe(false);
    });

    it('fewer than 4 validators under BFT unless --allow-unsafe, and accepts them with it', async () => {
      const dir = join(base, 'three');
      const refused = await generate(['--out', dir, '--validators', '3']);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain('Refusing 3 validators');
      expect(refused.err).toContain('floor((N-1)/3) = 0');
      expect(refused.err).toContain('--allow-unsafe');
      expect(existsSync(dir)).toBe(false);

      const accepted = await generate(['--out', dir, '--validators', '3', '--allow-unsafe']);
      expect(accepted.code).toBe(0);
      expect(accepted.out).toMatch(/validators +3: tolerates f = floor\(\(N-1\)\/3\) = 0 faulty, quorum ceil\(2N\/3\) = 2/);
      expect(accepted.out).toContain('⚠ 3 validators tolerate no failure');
      expect((await readdir(dir)).filter((n) => n.startsWith('validator'))).toHaveLength(3);
    });

    it('a non-empty output directory unless --force, which replaces only earlier output', async () => {
      const dir = join(base, 'occupied');
      await mkdir(dir);
      await writeFile(join(dir, 'notes.txt'), 'operator notes');
      const refused = await generate(['--out', dir]);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain('not empty');
      expect(await readdir(dir)).toEqual(['notes.txt']);

      expect((await generate(['--out', dir, '--force'])).code).toBe(0);
      const firstKey = await text(join(dir, 'validator1', 'key'));
      expect((await generate(['--out', dir])).code).toBe(2);
      const again = await generate(['--out', dir, '--force', '--validators', '5']);
      expect(again.code).toBe(0);
      expect(again.out).toContain('removed earlier output (--force)');
      expect(await text(join(dir, 'validator1', 'key'))).not.toBe(firstKey);
      expect(await text(join(dir, 'notes.txt'))).toBe('operator notes');
      expect((await readdir(dir)).filter((n) => n.startsWith('validator'))).toHaveLength(5);
    });

    it.each<[string[], RegExp]>([
      [['--validators', 'four'], /--validators must be a whole number, got "four"/],
      [['--validators', '0'], /--validators must be between 1 and 64, got 0/],
      [['--validators', '65'], /--validators must be between 1 and 64/],
      [['--rpc-nodes=-1'], /--rpc-nodes must be a whole number, got "-1"/],
      [['--rpc-nodes', '17'], /--rpc-nodes must be between 0 and 16/],
      [['--consensus', 'clique'], /--consensus must be one of ibft2, qbft, got "clique"/],
      [['--chain-id', '0'], /--chain-id must be between 1 and 2147483647/],
      [['--block-period', '1.5'], /--block-period must be a whole number/],
      [['--out'], /Option '--out <value>' argument missing/],
      [['--out', ''], /--out must name a directory/],
      [['--validator', '4'], /Unknown option '--validator'/],
      [['validators=4'], /does not take positional arguments/],
    ])('bad arguments %j with exit code 2 and a message', async (args, message) => {
      const result = await generate(args);
      expect(result.code).toBe(2);
      expect(result.out).toBe('');
      expect(result.err).toMatch(message);
      expect(result.err).toContain('--help');
    });
  });

  it('prints usage for --help', async () => {
    const result = await generate(['--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Usage: npm run network:generate');
    expect(result.out).toContain('--allow-unsafe');
  });

  it('runs end to end through `npm run network:generate` (tsc build, then node)', async () => {
    const dir = join(base, 'cli');
    const { stdout } = await run('npm', ['run', '--silent', 'network:generate', '--', '--out', dir, '--consensus', 'qbft'], { cwd: repoRoot });
    expect(stdout).toContain('✔ keys validator4');
    expect(stdout).toMatch(/consensus +QBFT \(qbft\)/);
    const genesis = await json<Genesis>(join(dir, 'genesis.json'));
    expect(genesis.config).toHaveProperty('qbft');
    expect(await mode(join(dir, 'validator1', 'key'))).toBe(0o600);

    // The built CLI sets the process exit code to 2 on a refused request.
    const refused = run(process.execPath, [join(repoRoot, 'dist', 'network', 'network', 'generate.js'), '--validators', '2', '--out', join(base, 'cli2')]);
    await expect(refused).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Refusing 2 validators') });
  });
});
