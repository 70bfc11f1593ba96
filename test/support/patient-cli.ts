import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The compiled patient CLI (`npx ehrchain`), built by `npm test`'s pretest. */
export const CLI = join(__dirname, '..', '..', 'dist', 'gateway', 'sdk', 'cli.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `ehrchain <args>` as a patient does, with its wallet in `home()`, the keys' password given
 * in the environment, against the gateway at `baseUrl()`; the exit code and what it printed.
 */
export function patientCli(home: () => string, baseUrl: () => string, password: string): (...args: string[]) => Promise<CliRun> {
  return async (...args) => {
    const env = { ...process.env, EHRCHAIN_HOME: home(), EHRCHAIN_PASSWORD: password, EHRCHAIN_GATEWAY: baseUrl() };
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };
}
