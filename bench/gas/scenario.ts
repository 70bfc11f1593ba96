import { utils } from 'web3';
import { ChainClient } from '../../gateway/src/chain/chain-client';
import { ChainContract } from '../../gateway/src/chain/chain-contract';
import { Eip712Domain } from '../../gateway/src/chain/eip712';

/** One measured operation: a line of bench/GAS.md and a key of bench/gas-report.json. */
export interface GasRow {
  /**
   * Stable key, `Contract.function` plus `[n]` for a batch of n, or plus ` (case)` where one function
   * is measured in several cases (`ConsentManager.grant (first)`): what the 10% check compares.
   */
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
  /** The fixed key of `label` (the one client(label) sends with), for off-chain EIP-712 signatures. */
  key(label: string): FixedKey;
  deploy(artifactName: string, args?: unknown[]): Promise<ChainContract>;
  /** Sends (from the deployer unless `from`), waits for the receipt, fails unless it succeeded; the transaction's gasUsed. */
  send(contract: ChainContract, method: string, args: unknown[], from?: ChainClient): Promise<number>;
  /** eth_estimateGas of a transaction calling `method` (views included). */
  estimate(contract: ChainContract, method: string, args: unknown[]): Promise<number>;
  /** Moves the chain's clock on by `seconds` and mines a block (delays; scenarios that use it run last). */
  increaseTime(seconds: number): Promise<void>;
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

/** A key held off chain: a patient's consent key, a doctor's device key, a guardian's. */
export interface FixedKey {
  privateKey: string;
  address: string;
}

/**
 * Deadline of every signed message and expiry of every consent (2100-01-01): far ahead so that any
 * run accepts it, and fixed so that calldata and signatures are the same on every run.
 */
export const FAR_FUTURE = 4_102_444_800;

/** A fixed bytes32 (handle, hash, root) named by `label`. */
export const fixedBytes32 = (label: string): string => utils.keccak256(Buffer.from(`gas/${label}`, 'utf8'));

/** The EIP-712 domain of a deployed EHRChain contract (OpenZeppelin EIP712: name, version "1"). */
export async function eip712Domain(chain: ChainClient, contract: ChainContract, name: string): Promise<Eip712Domain> {
  return { name, version: '1', chainId: await chain.chainId(), verifyingContract: contract.address };
}

/** A row for a transaction carrying `batchSize` units. */
export function perUnit(operation: string, per: string, batchSize: number, txGas: number, extra: Partial<GasRow> = {}): GasRow {
  return { operation, per, batchSize, gas: Math.ceil(txGas / batchSize), txGas, ...extra };
}
