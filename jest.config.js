// One Jest run, three projects: `npm test` runs them all; `--selectProjects unit` one of them.
// Tests talk to real components (Anvil, PGlite or Postgres via DATABASE_URL, the IPFS blockstore).
// ESM-only dependencies (IPFS libraries) are loaded with dynamic import(), hence
// --experimental-vm-modules in the npm script.
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs', ignoreDynamic: true },
}];
const common = { testTimeout: 60_000, transform: { '^.+\\.ts$': swc }, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/gateway/src/**/*.spec.ts', '<rootDir>/network/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'] },
    { ...common, displayName: 'contracts', testMatch: ['<rootDir>/test/contracts/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
