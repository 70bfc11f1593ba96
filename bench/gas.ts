import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eth, utils } from 'web3';
import { AnvilProcess } from '../gateway/src/chain/anvil-process';
import { findRepoRoot, loadArtifact } from '../gateway/src/chain/artifacts';
import { ChainClient } from '../gateway/src/chain/chain-client';
import { EMBEDDED_CHAIN_ID } from '../gateway/src/config/app-config';
import { GAS_SCENARIOS } from './gas/index';
import { FAR_FUTURE, FixedKey, GasContext, GasRow, GasScenario } from './gas/scenario';
import { NodeRpc } from '../gateway/src/chain/node-rpc';

export type { GasRow } from './gas/scenario';

/** bench/gas-report.json: the committed gas table. */
export interface GasReport {
  regenerate: string;
  solcVersion: string;
  evmVersion: string;
  operations: Record<string, Omit<GasRow, 'operation'>>;
}

/** How much an operation may grow over the committed report before test/contracts/gas.spec.ts fails. */
export const ALLOWED_GROWTH = 0.1;

export const REGENERATE_COMMAND = 'npm run bench:gas';

export const reportPaths = () => ({
  json: join(findRepoRoot(), 'bench', 'gas-report.json'),
  markdown: join(findRepoRoot(), 'bench', 'GAS.md'),
});

// Fixed, so every run sends the same transactions from the same accounts with the same nonces.
const keyFor = (label: string): string => utils.keccak256(Buffer.from(`ehrchain gas bench/${label}`, 'utf8'));
const RECEIPT_MS = 30_000;

/**
 * Measures every scenario on a fresh automine Anvil (cancun, free gas, like the product's
 * chains): each operation is a transaction's receipt gasUsed, divided per record or entry.
 */
export async function measureGas(scenarios: readonly GasScenario[] = GAS_SCENARIOS): Promise<GasRow[]> {
  for (const scenario of scenarios) scenario.artifacts.forEach((name) => loadArtifact(name)); // fail before starting a chain
  // Chain time a week before FAR_FUTURE, the signatures' fixed deadline: a deadline is accepted at
  // most MAX_SIGNATURE_LIFETIME (30 days) ahead, and a fixed one keeps calldata and gas the same on every run.
  const anvil = await AnvilProcess.start({ port: 0, chainId: EMBEDDED_CHAIN_ID, blockTimeSeconds: 0, genesisTimestamp: FAR_FUTURE - 7 * 24 * 3600 });
  const chain = new ChainClient(anvil.rpcUrl, keyFor('deployer'));
  // One client per label: two clients with one key would race for nonces.
  const clients = new Map<string, ChainClient>([['deployer', chain]]);
  try {
    const context = benchContext(
      chain,
      (label) => {
        if (!clients.has(label)) clients.set(label, new ChainClient(anvil.rpcUrl, keyFor(label)));
        return clients.get(label)!;
      },
      (label) => {
        const privateKey = keyFor(label);
        return { privateKey, address: eth.accounts.privateKeyToAddress(privateKey) };
      },
    );
    const rows: GasRow[] = [];
    for (const scenario of scenarios) rows.push(...(await scenario.measure(context)));
    const duplicate = rows.find((row, index) => rows.findIndex((other) => other.operation === row.operation) !== index);
    if (duplicate) throw new Error(`Two gas rows are named ${duplicate.operation}`);
    return rows;
  } finally {
    for (const client of clients.values()) client.close();
    await anvil.stop();
  }
}

function benchContext(chain: ChainClient, client: (label: string) => ChainClient, key: (label: string) => FixedKey): GasContext {
  return {
    chain,
    client,
    key,
    async deploy(artifactName, args = []) {
      const { address } = await chain.deploy(artifactName, args);
      return chain.contract(artifactName, address);
    },
    async send(contract, method, args, from = chain) {
      const { txHash } = await from.send(contract, method, args);
      const receipt = await from.waitForReceipt(txHash, RECEIPT_MS);
      if (!receipt.success) throw new Error(`${method} reverted in ${txHash}`);
      // ChainReceipt carries no gasUsed; read it from the raw receipt.
      const raw = (await rpc(chain.rpcUrl, 'eth_getTransactionReceipt', [txHash])) as { gasUsed: string };
      return Number(BigInt(raw.gasUsed));
    },
    async estimate(contract, method, args) {
      const data = contract.encodeCall(method, args);
      return Number(BigInt((await rpc(chain.rpcUrl, 'eth_estimateGas', [{ from: chain.address, to: contract.address, data }])) as string));
    },
    async increaseTime(seconds) {
      await rpc(chain.rpcUrl, 'evm_increaseTime', [seconds]);
      await rpc(chain.rpcUrl, 'evm_mine', []);
    },
  };
}

function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  return new NodeRpc(url).call(method, params);
}

export function toReport(rows: readonly GasRow[]): GasReport {
  const { solcVersion, evmVersion } = JSON.parse(readFileSync(join(findRepoRoot(), 'contracts', 'compiler.json'), 'utf8')) as Record<string, string>;
  const operations: GasReport['operations'] = {};
  for (const { operation, ...row } of rows) operations[operation] = row;
  return { regenerate: REGENERATE_COMMAND, solcVersion: solcVersion!, evmVersion: evmVersion!, operations };
}

export function readCommittedReport(path = reportPaths().json): GasReport {
  return JSON.parse(readFileSync(path, 'utf8')) as GasReport;
}

/** What is wrong with `rows` against the committed report: growth past the allowance, rows added or gone. */
export function compareWithCommitted(committed: GasReport, rows: readonly GasRow[], allowedGrowth = ALLOWED_GROWTH): string[] {
  const problems: string[] = [];
  const measured = new Map(rows.map((row) => [row.operation, row]));
  for (const [operation, { gas }] of Object.entries(committed.operations)) {
    const row = measured.get(operation);
    if (!row) {
      problems.push(`${operation}: in bench/gas-report.json but no longer measured; regenerate the report`);
    } else if (row.gas > gas * (1 + allowedGrowth)) {
      const growth = ((row.gas / gas - 1) * 100).toFixed(1);
      problems.push(`${operation}: ${row.gas} gas per ${row.per}, ${growth}% over the committed ${gas} (allowed: ${allowedGrowth * 100}%)`);
    }
  }
  for (const operation of measured.keys()) {
    if (!(operation in committed.operations)) problems.push(`${operation}: measured but not in bench/gas-report.json; regenerate the report`);
  }
  return problems;
}

export function toMarkdown(report: GasReport): string {
  const lines = [
    '# Gas per operation',
    '',
    `Measured by \`bench/gas-report.ts\` on a fresh Anvil (hardfork cancun as the gateway runs it; contracts built by solc ${report.solcVersion}, evmVersion ${report.evmVersion}),`,
    'one transaction per row: the receipt\'s gasUsed, including the 21,000 of the transaction itself, divided by the records or',
    'entries it carries. Inputs are fixed, and every id in a batch is distinct (the dearest case for calldata).',
    'EIP-712 messages are signed with fixed keys and a fixed deadline (2100-01-01); a proposal or request is never the',
    'contract\'s first (its id counter is already non-zero, as on a chain in use); the notes say what else a case assumes.',
    `\`test/contracts/gas.spec.ts\` fails when an operation grows more than ${ALLOWED_GROWTH * 100}% over \`bench/gas-report.json\`.`,
    '',
    'Regenerate after a contract change:',
    '',
    '```sh',
    report.regenerate,
    '```',
    '',
    '| operation | batch | gas per unit | transaction gas | target | result | note |',
    '|---|--:|--:|--:|--:|---|---|',
  ];
  for (const [operation, row] of Object.entries(report.operations)) {
    const target = row.target === undefined ? '—' : `≤ ${fmt(row.target)}`;
    const result = row.target === undefined ? '' : row.gas <= row.target ? 'pass' : '**FAIL**';
    lines.push(`| \`${operation}\` | ${row.batchSize} | ${fmt(row.gas)} / ${row.per} | ${fmt(row.txGas)} | ${target} | ${result} | ${row.note ?? ''} |`);
  }
  return `${lines.join('\n')}\n`;
}

const fmt = (n: number): string => n.toLocaleString('en-US');
