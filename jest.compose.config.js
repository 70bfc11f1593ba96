// `npm run test:compose`: the deployment itself (docker-compose.yml on a Docker engine), brought
// up by testcontainers; not part of `npm test`, which needs no engine. One file, in band: one
// stack per run, its tests in the order they are written (the fault tests stop validators).
const { projects } = require('./jest.config');

const unit = projects.find((p) => p.displayName === 'unit');

module.exports = {
  ...unit,
  displayName: 'compose',
  testMatch: ['<rootDir>/test/compose/**/*.compose-spec.ts'],
  globalSetup: '<rootDir>/test/compose/require-engine.ts',
  testTimeout: 30 * 60_000,
  maxWorkers: 1,
};
