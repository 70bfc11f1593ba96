import { ConfigError, EMBEDDED_CHAIN_ID, loadConfig } from './app-config';

describe(loadConfig.name, () => {
  it('gives embedded defaults under ./data when nothing is set', () => {
    const sut = loadConfig({}, '/srv/ehr');
    expect(sut.dataDir).toBe('/srv/ehr/data');
    expect(sut.keysDir).toBe('/srv/ehr/data/keys');
    expect(sut.database.url).toBeUndefined();
    expect(sut.database.pgliteDir).toBe('/srv/ehr/data/pglite');
    expect(sut.chain).toMatchObject({ rpcUrl: undefined, chainId: EMBEDDED_CHAIN_ID, blockTimeSeconds: 1, dir: '/srv/ehr/data/chain' });
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
    ['DATABASE_SCHEMA', 'a'.repeat(49), /at most 48 characters/],
    ['DATABASE_SCHEMA', 'persona', /must not be or end in "persona"/],
    ['DATABASE_SCHEMA', 'tenant_aadhaar_vault', /must not be or end in "persona" or "aadhaar_vault"/],
    ['EKYC_PROVIDER', 'uidai', /EKYC_PROVIDER must be one of sandbox, none/],
    ['ONE_TIME_CODE_TTL_SECONDS', '3600', /ONE_TIME_CODE_TTL_SECONDS must be between 60 and 900/],
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
    // The network's id is whatever its node reports (genesis.json holds it); CHAIN_ID only checks it.
    expect(sut.chain.chainId).toBeUndefined();
    expect(loadConfig({ CHAIN_RPC_URL: 'http://rpcnode:8545', CHAIN_ID: '4242424', CONSORTIUM_AUTHORITIES: '0x1111111111111111111111111111111111111111' }).chain.chainId).toBe(4242424);
  });
});

describe('identity verification (issue 12)', () => {
  it('uses the sandbox eKYC provider in development, and none in production unless told', () => {
    expect(loadConfig({}).identity).toEqual({ ekycProvider: 'sandbox', codeTtlSeconds: 300, codeAttempts: 3, verificationsPerNumberPerHour: 5 });
    expect(loadConfig({ NODE_ENV: 'production' }).identity.ekycProvider).toBe('none');
  });

  it('refuses the sandbox provider in production: it verifies made-up residents', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', EKYC_PROVIDER: 'sandbox' })).toThrow(/EKYC_PROVIDER sandbox is refused with NODE_ENV=production/);
  });
});

describe('consortium configuration', () => {
  const a = (n: number) => `0x${String(n).repeat(40).slice(0, 40)}`;

  it('defaults to the development authorities on the embedded chain', () => {
    expect(loadConfig({}).consortium).toMatchObject({ authorities: undefined, threshold: 2, proposalTtlSeconds: 168 * 3600, emergencyMaxSeconds: 24 * 3600, emergencyApprovalSeconds: 2 * 3600 });
  });

  it('keeps the emergency approval window within a day and within the longest access', () => {
    expect(loadConfig({ EMERGENCY_MAX_HOURS: '1' }).consortium.emergencyApprovalSeconds).toBe(3600);
    expect(loadConfig({ EMERGENCY_APPROVAL_MINUTES: '15' }).consortium.emergencyApprovalSeconds).toBe(15 * 60);
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
    [{ EMERGENCY_APPROVAL_MINUTES: '1441' }, /EMERGENCY_APPROVAL_MINUTES must be between 1 and 1440/],
    [{ EMERGENCY_MAX_HOURS: '2', EMERGENCY_APPROVAL_MINUTES: '121' }, /EMERGENCY_APPROVAL_MINUTES must be between 1 and 120/],
    [{ PROPOSAL_TTL_HOURS: '721' }, /PROPOSAL_TTL_HOURS must be between 1 and 720/],
    [{ CONTRACTS_ADMIN: '0x1234' }, /CONTRACTS_ADMIN must be 0x addresses/],
    [{ CONTRACTS_ADMIN: `${a(1)},${a(2)}` }, /CONTRACTS_ADMIN is one address/],
    [{ CHAIN_FORMER_WRITERS: `${a(1)},${a(1)}` }, /CHAIN_FORMER_WRITERS lists an address twice/],
  ])('refuses %p', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('takes the contracts\' admin and the gateway\'s former writer keys when given, none by default', () => {
    expect(loadConfig({}).consortium.contractsAdmin).toBeUndefined();
    expect(loadConfig({}).chain.formerWriters).toEqual([]);

    const sut = loadConfig({ CONTRACTS_ADMIN: a(5), CHAIN_FORMER_WRITERS: `${a(6)}, ${a(7)}` });

    expect(sut.consortium.contractsAdmin).toBe(a(5));
    expect(sut.chain.formerWriters).toEqual([a(6), a(7)]);
  });
});

describe('validator RPC endpoints (VALIDATOR_RPC_URLS)', () => {
  const besu = { CHAIN_RPC_URL: 'http://rpcnode:8545', CONSORTIUM_AUTHORITIES: '0x1111111111111111111111111111111111111111' };

  it('is unset by default: votes go to the CHAIN_RPC_URL node', () => {
    expect(loadConfig(besu).chain.validatorRpcUrls).toBeUndefined();
  });

  it('takes comma-separated http(s) URLs in order, spaces trimmed', () => {
    const sut = loadConfig({ ...besu, VALIDATOR_RPC_URLS: ' http://validator1:8545, http://validator2:8545 ,https://gw:s3cret@validator3.example:443/rpc' });
    expect(sut.chain.validatorRpcUrls).toEqual(['http://validator1:8545', 'http://validator2:8545', 'https://gw:s3cret@validator3.example:443/rpc']);
  });

  it.each([
    ['a relative entry', 'http://validator1:8545,validator2:8545', /VALIDATOR_RPC_URLS entry 2 must use http: or https:, got validator2:/],
    ['an entry that is no URL', 'http://validator1:8545,::', /VALIDATOR_RPC_URLS entry 2 must be a URL/],
    ['a WebSocket entry', 'ws://validator1:8546', /VALIDATOR_RPC_URLS entry 1 must use http: or https:, got ws:/],
    ['an empty entry', 'http://validator1:8545,,http://validator2:8545', /VALIDATOR_RPC_URLS entry 2 is empty/],
    ['a trailing comma', 'http://validator1:8545,', /VALIDATOR_RPC_URLS entry 2 is empty/],
    ['the same URL twice', 'http://validator1:8545,http://validator2:8545,http://VALIDATOR1:8545/', /VALIDATOR_RPC_URLS lists one URL twice \(entries 1 and 3\)/],
  ])('refuses %s naming the variable', (_name, value, message) => {
    const attempt = () => loadConfig({ ...besu, VALIDATOR_RPC_URLS: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('never quotes an entry in its error, since a URL may carry credentials', () => {
    expect(() => loadConfig({ ...besu, VALIDATOR_RPC_URLS: 'ftp://gw:s3cret@validator1' })).toThrow(/^(?!.*s3cret).*entry 1 must use http: or https:, got ftp:$/);
  });

  it('refuses the setting on the embedded chain, which has no validators', () => {
    expect(() => loadConfig({ VALIDATOR_RPC_URLS: 'http://validator1:8545' })).toThrow(/VALIDATOR_RPC_URLS needs CHAIN_RPC_URL/);
  });
});

describe('limits (issue 10)', () => {
  it('defaults to limits a hospital can run with, documented in README "Rate limits"', () => {
    expect(loadConfig({}).limits).toEqual({
      requestsPerAddressPerMinute: 1_200,
      loginsPerAddressPerMinute: 20,
      authFailuresPerAddressPerMinute: 30,
      writesPerAccountPerMinute: 600,
      loginFailuresBeforeBackoff: 5,
      loginMaxBackoffSeconds: 900,
      passwordHashConcurrency: 2,
      passwordHashQueue: 16,
      requestTimeoutMs: 60_000,
      headersTimeoutMs: 10_000,
      jsonBodyLimitBytes: 65_536,
      fhirBodyLimitBytes: 4_194_304,
      trustProxyHops: false,
    });
  });

  it.each([
    ['RATE_LIMIT_PER_ADDRESS', '0', /RATE_LIMIT_PER_ADDRESS must be between 1 and/],
    ['PASSWORD_HASH_CONCURRENCY', '0', /PASSWORD_HASH_CONCURRENCY must be between 1 and 64/],
    ['TRUST_PROXY_HOPS', 'yes', /TRUST_PROXY_HOPS must be a whole number/],
    ['HEADERS_TIMEOUT_MS', '120000', /HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS/],
  ])('refuses %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('trusts X-Forwarded-For only from as many proxies as TRUST_PROXY_HOPS says', () => {
    expect(loadConfig({ TRUST_PROXY_HOPS: '2' }).limits.trustProxyHops).toBe(2);
  });
});
