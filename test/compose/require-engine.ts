import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { getContainerRuntimeClient } from 'testcontainers';

/**
 * globalSetup of `npm run test:compose`: refuses, saying why, where the deployment cannot be
 * brought up, before anything is built or started. Never a silent pass: a machine without an
 * engine has not tested the compose stack.
 */
export const NO_ENGINE = 'npm run test:compose brings up the whole docker compose deployment and needs a Docker engine with the Compose v2 plugin';

export default async function requireEngine(): Promise<void> {
  try {
    await promisify(execFile)('docker', ['compose', 'version']);
  } catch (error) {
    throw new Error(`${NO_ENGINE}: \`docker compose version\` failed (${(error as Error).message.split('\n')[0]}). Nothing was run.`);
  }
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    throw new Error(`${NO_ENGINE}: no engine answers (${(error as Error).message.split('\n')[0]}; testcontainers looks at DOCKER_HOST and the default sockets). Nothing was run.`);
  }
}
