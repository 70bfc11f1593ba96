import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atLeast, MIN_COMPOSE, NO_ENGINE } from '../compose/require-engine';

/**
 * `npm run test:compose` where Docker cannot run: it must refuse, saying why, and fail, never
 * pass having tested nothing. Run with a PATH that holds only `node`, so no `docker` is found
 * whatever this machine has.
 */
const ROOT = join(__dirname, '..', '..');

it('npm run test:compose refuses with a clear message, and fails, where there is no Docker', async () => {
  const bin = await mkdtemp(join(tmpdir(), 'ehr-no-docker-'));
  try {
    await symlink(process.execPath, join(bin, 'node'));
    const child = spawn(process.execPath, ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', 'node_modules/jest/bin/jest.js', '--config', 'jest.compose.config.js', '--runInBand'], {
      cwd: ROOT,
      env: { PATH: bin, HOME: process.env.HOME ?? tmpdir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).not.toBe(0);
    expect(output).toContain(`${NO_ENGINE}: \`docker compose version\` failed`);
    expect(output).toContain('Nothing was run.');
    expect(output).not.toMatch(/Tests:.*passed/);
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
});

it('wants Compose 2.23.1 or newer (configs with inline content), in whatever form the version is printed', () => {
  expect(['2.23.1', 'v2.23.1', '2.29.7', '2.24.0-desktop.1', '5.5.0'].map((v) => atLeast(v, MIN_COMPOSE))).toEqual([true, true, true, true, true]);
  expect(['2.23.0', 'v2.20.3', '1.29.2', 'garbage'].map((v) => atLeast(v, MIN_COMPOSE))).toEqual([false, false, false, false]);
});
