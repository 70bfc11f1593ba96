import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { getContainerRuntimeClient } from 'testcontainers';

/**
 * globalSetup of `npm run test:compose`: refuses, saying why, where the deployment cannot be
 * brought up, before anything is built or started. Never a silent pass: a machine without an
 * engine has not tested the compose stack.
 */
export const NO_ENGINE = 'npm run test:compose brings up the whole docker compose deployment and needs a Docker engine with the Compose v2 plugin';

/** `configs: content:` (the Kubo init script) arrived in Compose 2.23.1. */
export const MIN_COMPOSE = [2, 23, 1];

export default async function requireEngine(): Promise<void> {
  let version: string;
  try {
    version = (await promisify(execFile)('docker', ['compose', 'version', '--short'])).stdout.trim();
  } catch (error) {
    throw new Error(`${NO_ENGINE}: \`docker compose version\` failed (${(error as Error).message.split('\n')[0]}). Nothing was run.`);
  }
  if (!atLeast(version, MIN_COMPOSE)) throw new Error(`${NO_ENGINE} ${MIN_COMPOSE.join('.')} or newer (configs with content); this host has ${version}. Nothing was run.`);
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    throw new Error(`${NO_ENGINE}: no engine answers (${(error as Error).message.split('\n')[0]}; testcontainers looks at DOCKER_HOST and the default sockets). Nothing was run.`);
  }
}

export function atLeast(version: string, minimum: readonly number[]): boolean {
  const parts = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version)?.slice(1).map(Number);
  if (!parts) return false;
  for (let i = 0; i < minimum.length; i++) if (parts[i] !== minimum[i]) return parts[i] > minimum[i];
  return true;
}
