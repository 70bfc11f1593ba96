import { ConfigError, EHRCHAIN_CHAIN_ID, loadConfig } from './app-config';

describe(loadConfig.name, () => {
  it('gives embedded defaults under ./data when nothing is set', () => {
    const sut = loadConfig({}, '/srv/ehr');
    expect(sut.dataDir).toBe('/srv/ehr/data');
    expect(sut.keysDir).toBe('/srv/ehr/data/keys');
    expect(sut.database.url).toBeUndefined();
    expect(sut.database.pgliteDir).toBe('/srv/ehr/data/pglite');
    expect(sut.chain).toMatchObject({ rpcUrl: undefined, chainId: EHRCHAIN_CHAIN_ID, blockTimeSeconds: 1, dir: '/srv/ehr/data/chain' });
    expect(sut.ipfs).toEqual({ apiUrl: undefined, blocksDir: '/srv/ehr/data/ipfs' });
  });

  it('moves everything persisted when DATA_DIR changes', () => {
    const sut = loadConfig({ DATA_DIR: '/var/lib/ehr' });
    expect([sut.keysDir, sut.database.pgliteDir, sut.chain.dir, sut.ipfs.blocksDir]).toEqual([
      '/var/lib/ehr/keys', '/var/lib/ehr/pglite', '/var/lib/ehr/chain', '/var/lib/ehr/ipfs',
    ]);
  });

  it.each([
    ['PORT', 'eighty', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
    ['CHAIN_BLOCK_TIME', '-1', /CHAIN_BLOCK_TIME must be a whole number/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must use postgres: or postgresql:/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL must be a URL/],
    ['CHAIN_RPC_URL', 'ws://besu:8546', /CHAIN_RPC_URL must use http: or https:/],
    ['IPFS_API_URL', '::', /IPFS_API_URL must be a URL/],
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL must be one of/],
    ['DATABASE_SCHEMA', 'Robert"); DROP', /DATABASE_SCHEMA must be a lower-case SQL identifier/],
  ])('refuses %s=%s naming the variable', (name, value, message) => {
    const attempt = () => loadConfig({ [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('takes the production endpoints when given', () => {
    const sut = loadConfig({
      DATABASE_URL: 'postgres://ehr@db:5432/ehr',
      CHAIN_RPC_URL: 'http://rpcnode:8545',
      IPFS_API_URL: 'http://kubo:5001',
      CHAIN_BLOCK_TIME: '0',
      CONSORTIUM_AUTHORITIES: '0x1111111111111111111111111111111111111111',
    });
    expect(sut.database.url).toBe('postgres://ehr@db:5432/ehr');
    expect(sut.chain.rpcUrl).toBe('http://rpcnode:8545');
    expect(sut.ipfs.apiUrl).toBe('http://kubo:5001');
    expect(sut.chain.blockTimeSeconds).toBe(0);
  });
});

describe('consortium configuration', () => {
  const a = (n: number) => `0x${String(n).repeat(40).slice(0, 40)}`;

  it('defaults to the development authorities on the embedded chain', () => {
    expect(loadConfig({}).consortium).toMatchObject({ authorities: undefined, threshold: 2, emergencyMaxSeconds: 24 * 3600 });
  });

  it('takes the authorities and a majority threshold by default', () => {
    const sut = loadConfig({ CONSORTIUM_AUTHORITIES: `${a(1)}, ${a(2)},${a(3)},${a(4)}` });
    expect(sut.consortium.authorities).toEqual([a(1), a(2), a(3), a(4)]);
    expect(sut.consortium.threshold).toBe(3);
  });

  it.each([
    [{ CHAIN_RPC_URL: 'http://besu:8545' }, /CONSORTIUM_AUTHORITIES is required when CHAIN_RPC_URL is set/],
    [{ CONSORTIUM_AUTHORITIES: '0x1234' }, /CONSORTIUM_AUTHORITIES must be comma-separated 0x addresses/],
    [{ CONSORTIUM_AUTHORITIES: `${a(1)},${a(1)}` }, /CONSORTIUM_AUTHORITIES lists an address twice/],
    [{ CONSORTIUM_AUTHORITIES: `${a(1)},${a(2)}`, CONSORTIUM_THRESHOLD: '3' }, /CONSORTIUM_THRESHOLD must be between 1 and 2/],
    [{ EMERGENCY_MAX_HOURS: '100' }, /EMERGENCY_MAX_HOURS must be between 1 and 72/],
  ])('refuses %p', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
