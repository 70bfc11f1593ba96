// One Jest run, four projects: `npm test` runs them all; `--selectProjects unit` one of them.
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
// The contract suite is deployed once per run into a saved chain that every test app starts from.
const deployedOnce = { globalSetup: '<rootDir>/test/support/global-setup.ts' };

module.exports = {
  testTimeout: 60_000,
  projects: [
    // Beside the code, on real components, needing neither the compiled contracts nor the compiled gateway.
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/gateway/src/**/*.spec.ts', '<rootDir>/gateway/sdk/**/*.spec.ts', '<rootDir>/network/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'] },
    // Beside the code too, but on deployed contracts or the compiled gateway (npm test builds both).
    { ...common, ...deployedOnce, displayName: 'integration', testMatch: ['<rootDir>/gateway/src/**/*.int-spec.ts', '<rootDir>/test/unit/**/*.int-spec.ts'] },
    { ...common, displayName: 'contracts', testMatch: ['<rootDir>/test/contracts/**/*.spec.ts'] },
    { ...common, ...deployedOnce, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
