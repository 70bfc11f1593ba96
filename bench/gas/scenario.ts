import { ChainClient, ChainContract } from '../../gateway/src/chain/chain-client';

/** One measured operation: a line of bench/GAS.md and a key of bench/gas-report.json. */
export interface GasRow {
  /** Stable key, `Contract.function` plus `[n]` for a batch of n: what the 10% check compares. */
  operation: string;
  /** What `gas` is per: 'transaction', or the unit a batch is made of ('record', 'entry'). */
  per: string;
  /** Units in the measured transaction; 1 for a single operation. */
  batchSize: number;
  /** gasUsed of the transaction divided by batchSize, rounded up. */
  gas: number;
  /** gasUsed of the whole transaction (for a view: eth_estimateGas of calling it in one). */
  txGas: number;
  /** The target for `gas`, where it sets one. */
  target?: number;
  note?: string;
}

/** What a scenario gets: one fresh chain per report, fixed keys, receipts' gasUsed. */
export interface GasContext {
  /** The deployer: admin and holder of every role the constructors grant. */
  chain: ChainClient;
  /** Another account (patient, authority, doctor…) whose key is fixed by `label`; never funded (gas is free). */
  client(label: string): ChainClient;
  deploy(artifactName: string, args?: unknown[]): Promise<ChainContract>;
  /** Sends (from the deployer unless `from`), waits for the receipt, fails unless it succeeded; the transaction's gasUsed. */
  send(contract: ChainContract, method: string, args: unknown[], from?: ChainClient): Promise<number>;
  /** eth_estimateGas of a transaction calling `method` (views included). */
  estimate(contract: ChainContract, method: string, args: unknown[]): Promise<number>;
}

/**
 * The measurements of one contract, in bench/gas/<contract>.ts and listed in bench/gas/index.ts.
 * Inputs must be fixed (no randomness, no wall-clock time) so that a run on a fresh chain
 * always gives the same numbers: the gas test compares them with the committed report.
 */
export interface GasScenario {
  contract: string;
  /** Artifacts the scenario deploys; the report fails if one is missing from build/contracts. */
  artifacts: readonly string[];
  measure(context: GasContext): Promise<GasRow[]>;
}

/** A row for a transaction carrying `batchSize` units. */
export function perUnit(operation: string, per: string, batchSize: number, txGas: number, extra: Partial<GasRow> = {}): GasRow {
  return { operation, per, batchSize, gas: Math.ceil(txGas / batchSize), txGas, ...extra };
}
