import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface AnvilOptions {
  /** 0 picks a free port. */
  port: number;
  chainId: number;
  /** 0 mines a block per transaction (automine). */
  blockTimeSeconds: number;
  /** Loaded at start, dumped every second and at exit; omit for a throw-away chain. */
  stateFile?: string;
  /** How long to wait for JSON-RPC to answer. */
  startTimeoutMs?: number;
  /** The genesis block's timestamp (seconds); default: now. Two chains differ in their genesis hash by it. */
  genesisTimestamp?: number;
}

export interface AnvilExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

const STDERR_TAIL_BYTES = 4096;
const DEFAULT_START_TIMEOUT_MS = 20_000;
const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/** The embedded development chain: an Anvil child process from the npm package @foundry-rs/anvil. */
export class AnvilProcess {
  readonly rpcUrl: string;
  private stderrTail = '';
  private stopping = false;
  private exit: AnvilExit | undefined;
  private readonly exited: Promise<AnvilExit>;
  // SIGTERM (not SIGKILL) if Node exits without stop(): Anvil then still dumps its state and
  // does not linger holding the port and the state file. Not a substitute for stop(): 'exit'
  // does not fire when Node dies of a signal, nor inside Jest's sandboxed `process`.
  private readonly terminateOnExit = (): void => {
    this.child.kill('SIGTERM');
  };

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.rpcUrl = `http://127.0.0.1:${port}`;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    this.exited = new Promise((resolve) => {
      const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.exit) return;
        process.removeListener('exit', this.terminateOnExit);
        this.exit = { code, signal, stderrTail: this.stderrTail };
        resolve(this.exit);
      };
      child.once('exit', exited);
      // A binary that cannot be run never emits 'exit'.
      child.on('error', (error) => {
        if (child.pid !== undefined) return;
        this.stderrTail += `could not run ${child.spawnfile}: ${error.message}`;
        exited(null, null);
      });
    });
    process.once('exit', this.terminateOnExit);
  }

  static async start(options: AnvilOptions): Promise<AnvilProcess> {
    const binary = anvilBinary();
    const port = options.port === 0 ? await freePort() : await assertPortFree(options.port);
    const args = [
      '--host', '127.0.0.1',
      '--port', String(port),
      '--chain-id', String(options.chainId),
      // Free gas like the Besu network, so the gateway account needs no funding.
      '--gas-price', '0',
      '--base-fee', '0',
      // Must match contracts/compiler.json's evmVersion and the Besu genesis milestones.
      '--hardfork', 'cancun',
      '--code-size-limit', '1048576',
      '--gas-limit', '100000000',
      // Without it Anvil prints the dev accounts' private keys.
      '--silent',
    ];
    if (options.blockTimeSeconds > 0) args.push('--block-time', String(options.blockTimeSeconds));
    if (options.genesisTimestamp !== undefined) args.push('--timestamp', String(options.genesisTimestamp));
    // The interval bounds what a SIGKILL can lose to one second; the outbox re-sends the rest.
    if (options.stateFile) args.push('--state', options.stateFile, '--state-interval', '1');

    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const anvil = new AnvilProcess(child, port);
    try {
      await anvil.waitUntilAnswering(options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    } catch (error) {
      await anvil.stop(2_000);
      throw error;
    }
    return anvil;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return this.exit === undefined;
  }

  /** Set once Anvil has exited; `isRunning` false without a `stop()` call means it crashed. */
  get exitStatus(): AnvilExit | undefined {
    return this.exit;
  }

  /** True when Anvil exited without being asked to (for health checks). */
  get exitedUnexpectedly(): boolean {
    return this.exit !== undefined && !this.stopping;
  }

  /** Resolves when the process exits, whoever ended it. */
  whenExited(): Promise<AnvilExit> {
    return this.exited;
  }

  /** SIGTERM so Anvil dumps its state, then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<void> {
    this.stopping = true;
    if (this.exit) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  private async waitUntilAnswering(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = 'no answer';
    while (Date.now() < deadline) {
      if (this.exit) {
        throw new Error(
          `Anvil exited during start (code ${this.exit.code}, signal ${this.exit.signal}): ${this.exit.stderrTail.trim() || 'no output'}`,
        );
      }
      try {
        await rpcChainId(this.rpcUrl);
        // Another process on the port could have answered; ours must still be alive.
        if (!this.exit) return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(
      `Anvil did not answer on ${this.rpcUrl} within ${timeoutMs} ms (${lastError}); stderr: ${this.stderrTail.trim() || 'empty'}`,
    );
  }
}

const ARCH: Partial<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };

/** @foundry-rs/anvil ships the binary in one optional package per platform. */
export function anvilBinary(): string {
  const arch = ARCH[process.arch] ?? process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  let packageJson: string;
  try {
    packageJson = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(`Anvil binary package ${pkg} is not installed; run npm ci (or set CHAIN_RPC_URL to an existing chain)`);
  }
  const binary = join(dirname(packageJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(binary)) throw new Error(`Anvil binary missing at ${binary}; reinstall @foundry-rs/anvil`);
  return binary;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('Could not pick a free port'))));
    });
  });
}

// A busy port would let a stranger (e.g. a leftover Anvil) answer the readiness probe.
function assertPortFree(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`Port ${port} for the embedded chain is in use (ANVIL_PORT): ${error.code ?? error.message}`)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(port)));
  });
}

/** One eth_chainId over a fresh connection (agent: false), so no socket outlives the probe. */
function rpcChainId(rpcUrl: string): Promise<string> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] });
  return new Promise((resolve, reject) => {
    const req = request(
      rpcUrl,
      { method: 'POST', agent: false, timeout: 1_000, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            const parsed = JSON.parse(text) as { result?: string };
            if (typeof parsed.result === 'string') resolve(parsed.result);
            else reject(new Error(`unexpected answer ${text.slice(0, 200)}`));
          } catch {
            reject(new Error(`unexpected answer ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
