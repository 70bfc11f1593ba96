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
    });
    expect(sut.database.url).toBe('postgres://ehr@db:5432/ehr');
    expect(sut.chain.rpcUrl).toBe('http://rpcnode:8545');
    expect(sut.ipfs.apiUrl).toBe('http://kubo:5001');
    expect(sut.chain.blockTimeSeconds).toBe(0);
  });
});
