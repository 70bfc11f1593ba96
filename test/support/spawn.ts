import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The compiled entry point `npm start` runs (built by `npm test`'s pretest). */
export const MAIN_JS = join(__dirname, '..', '..', 'dist', 'gateway', 'src', 'main.js');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `node dist/gateway/src/main.js` as a child process, with everything it printed. */
export interface SpawnedGateway {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches; rejects with the output so far on timeout or early exit. */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Anvil processes whose parent is the gateway (the embedded chain), remembered once seen. */
  anvilPids(): number[];
  /** SIGTERM, then SIGKILL after `graceMs`; also SIGKILLs any remembered Anvil still alive. */
  stop(graceMs?: number): Promise<Exit>;
}

const EXTERNAL_CHAIN_ENV = /^(CHAIN_RPC_URL|CHAIN_ID|CONSORTIUM_.*|E2E_.*)$/;

/** `npm start`'s environment for a child: this process's, less an external chain given to the e2e run, plus `env`. */
const embeddedEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({ ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !EXTERNAL_CHAIN_ENV.test(name))), ...env });

/**
 * An operator's command beside a running gateway (`npm run consortium:admit`, say): the compiled
 * script under dist/gateway/src, on the same environment, run to its end.
 */
export function runGatewayScript(script: string, args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(__dirname, '..', '..', 'dist', 'gateway', 'src', script), ...args], { env: embeddedEnv(env), encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `mainJs`: the compiled entry point, when the caller is itself compiled elsewhere (the bench); `nodeArgs`: flags for node (a CPU profile). */
export function spawnGateway(env: Record<string, string>, mainJs = MAIN_JS, nodeArgs: string[] = []): SpawnedGateway {
  // `npm start` on embedded defaults: an external chain given to the e2e run (test:compose) is not this test's.
  const child = spawn(process.execPath, [...nodeArgs, mainJs], { env: embeddedEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const seenAnvils = new Set<number>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  // 'close', not 'exit': by then stdout and stderr have been read to the end.
  const exited = new Promise<Exit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const output = () => `--- stdout (tail) ---\n${out.slice(-4000)}\n--- stderr ---\n${err.slice(-4000)}`;

  const gateway: SpawnedGateway = {
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    async waitForStdout(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let exit: Exit | undefined;
      void exited.then((e) => (exit = e));
      for (;;) {
        const match = out.match(pattern);
        if (match) return match;
        if (exit) throw new Error(`Gateway exited (code ${exit.code}, signal ${exit.signal}) before printing ${pattern}\n${output()}`);
        if (Date.now() > deadline) throw new Error(`No ${pattern} on stdout within ${timeoutMs} ms\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    anvilPids() {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        const found = spawnSync('pgrep', ['-P', String(child.pid), '-f', 'anvil'], { encoding: 'utf8' }).stdout ?? '';
        for (const pid of found.split(/\s+/).filter(Boolean)) seenAnvils.add(Number(pid));
      }
      return [...seenAnvils];
    },
    async stop(graceMs = 15_000) {
      gateway.anvilPids(); // remember the chain's pid before the gateway goes
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited.finally(() => clearTimeout(timer));
      }
      // A gateway killed hard leaves its Anvil orphaned, holding a port and the state file.
      for (const pid of seenAnvils) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      return exited;
    },
  };
  return gateway;
}

/** A gateway's worker processes under GATEWAY_WORKERS: its children that are not the embedded chain's Anvil (none when it runs alone). */
export function workerPids(primary: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return []; // gone, or no children file
  }
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'anvil';
    } catch {
      return false; // exited meanwhile
    }
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
