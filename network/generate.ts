import { join } from 'node:path';
import { parseGenerateArgs, randomChainId, USAGE, UsageError } from './lib/args';
import { findRepoRoot, readEvmVersion } from './lib/genesis';
import { generateNetwork, NetworkSummary } from './lib/network';
import { DEFAULT_SUBNET } from './lib/subnet';
import { MIN_BFT_VALIDATORS } from './lib/topology';

/**
 * Besu's IBFT 2.0 and QBFT examples use 2 s blocks with a 4 s round timeout; we follow them
 * rather than the embedded chain's 1 s (validators of a consortium sit in different hospitals).
 */
export const DEFAULT_BLOCK_PERIOD_SECONDS = 2;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Where a relative --out is resolved: the shell's directory under npm (INIT_CWD), else cwd. */
  cwd: string;
}

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.env.INIT_CWD ?? process.cwd(),
};

/** The topology the committed top-level docker-compose.yml runs (npm run network:compose). */
export const DEFAULT_TOPOLOGY = { validators: MIN_BFT_VALIDATORS, rpcNodes: 1, subnet: DEFAULT_SUBNET } as const;

function summaryText(out: string, s: NetworkSummary, elapsedMs: number, defaultOut: boolean): string {
  const n = s.validators.length;
  const rows: Array<[string, string]> = [
    ['output', out],
    ['consensus', s.consensus === 'ibft2' ? 'IBFT 2.0 (ibft2)' : 'QBFT (qbft)'],
    ['chain id', String(s.chainId)],
    ['block period', `${s.blockPeriodSeconds} s (round timeout ${s.requestTimeoutSeconds} s)`],
    ['validators', `${n}: tolerates f = floor((N-1)/3) = ${s.faultTolerance} faulty, quorum ceil(2N/3) = ${s.quorum}`],
    ['rpc nodes', s.rpcNodes.length === 0 ? '0 (the gateway uses validator1)' : `${s.rpcNodes.length} (${s.rpcNodes.map((r) => `${r.name} as ${r.host}`).join(', ')})`],
    ['subnet', `${s.subnet} (validator1 at ${s.validators[0].ip})`],
    ['evm', `${s.evmVersion} (contracts/compiler.json)`],
    ['deployer', s.accounts.deployer],
    ['gateway', s.accounts.gateway],
  ];
  const lines = ['', `EHRChain network generated in ${(elapsedMs / 1000).toFixed(2)} s`];
  for (const [label, value] of rows) lines.push(`  ${label.padEnd(13)}${value}`);
  if (n < MIN_BFT_VALIDATORS) {
    lines.push(`⚠ ${n} validator${n === 1 ? '' : 's'} tolerate no failure: one stopped validator halts the chain (development only).`);
  }
  const isDefault =
    n === DEFAULT_TOPOLOGY.validators && s.rpcNodes.length === DEFAULT_TOPOLOGY.rpcNodes && s.subnet === DEFAULT_TOPOLOGY.subnet;
  if (defaultOut && !isDefault) {
    lines.push('⚠ The top-level docker-compose.yml runs the default topology only: start this one from its own folder.');
  }
  lines.push(
    'Keys under validator*/, rpcnode*/, accounts/ and ipfs/ are secrets: never commit them (the directory ignores itself).',
    `Next: cd ${out} && docker compose up -d --wait (docker-compose.yml is in the folder; see network/README.md).`,
    '',
  );
  return lines.join('\n');
}

/** The CLI. Returns the exit code: 0 done, 2 refused (bad arguments, unsafe or non-empty target), 1 failed. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const started = Date.now();
  try {
    const repoRoot = findRepoRoot();
    const defaultOut = join(repoRoot, 'network', 'generated');
    const options = parseGenerateArgs(argv, {
      chainId: randomChainId(),
      blockPeriodSeconds: DEFAULT_BLOCK_PERIOD_SECONDS,
      out: defaultOut,
      cwd: io.cwd,
    });
    if (!options) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const evmVersion = readEvmVersion(repoRoot);
    const summary = await generateNetwork({ ...options, evmVersion, repoRoot }, (line) => io.stdout(`${line}\n`));
    io.stdout(summaryText(options.out, summary, Date.now() - started, options.out === defaultOut));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`✖ ${error.message}\n  (npm run network:generate -- --help)\n`);
      return 2;
    }
    io.stderr(`✖ network generation failed: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
