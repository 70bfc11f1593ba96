import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Consensus, genesisExtraData } from './extra-data';

/** "Istanbul block identification" (ASCII "ctical byzantine fault tolerance"): Besu's required BFT mixHash. */
export const BFT_MIX_HASH = '0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365';
/** Besu's free-gas guide: the largest block gas limit common tooling accepts. */
export const FREE_GAS_BLOCK_GAS_LIMIT = '0x1fffffffffffff';
/** Besu's free-gas guide: the maximum contract size it supports. */
export const FREE_GAS_CONTRACT_SIZE_LIMIT = 2_147_483_647;
/** Votes are reset every epoch (Besu's documented value; do not change on a running network). */
export const EPOCH_LENGTH = 30_000;
/** Balance of each funded account: 1,000,000 ether (gas is free; this is for value transfers). */
export const FUNDED_BALANCE_WEI = 10n ** 24n;

/**
 * Besu milestones in activation order, each with the solc `evmVersion` that needs it.
 * Difficulty-bomb delays (muirGlacier, arrowGlacier, grayGlacier) change no opcode and only
 * matter for proof of work, so they are left out. `paris` adds no milestone here: on a BFT chain
 * there is no merge, and solc's `paris` only renames DIFFICULTY to PREVRANDAO (same opcode).
 */
const MILESTONES: ReadonlyArray<{ key: string; evm: string }> = [
  { key: 'homesteadBlock', evm: 'homestead' },
  { key: 'eip150Block', evm: 'tangerineWhistle' },
  { key: 'eip155Block', evm: 'spuriousDragon' },
  { key: 'eip158Block', evm: 'spuriousDragon' },
  { key: 'byzantiumBlock', evm: 'byzantium' },
  { key: 'constantinopleBlock', evm: 'constantinople' },
  { key: 'petersburgBlock', evm: 'petersburg' },
  { key: 'istanbulBlock', evm: 'istanbul' },
  { key: 'berlinBlock', evm: 'berlin' },
  { key: 'londonBlock', evm: 'london' },
  { key: 'shanghaiTime', evm: 'shanghai' },
  { key: 'cancunTime', evm: 'cancun' },
];

/** solc evmVersions this generator can express as Besu milestones, oldest first. */
export const SUPPORTED_EVM_VERSIONS = [
  'homestead', 'tangerineWhistle', 'spuriousDragon', 'byzantium', 'constantinople', 'petersburg',
  'istanbul', 'berlin', 'london', 'paris', 'shanghai', 'cancun',
] as const;

/**
 * Every milestone up to and including the one the contracts' evmVersion needs, active from
 * genesis (block 0 or timestamp 0). Later ones are absent, so Besu never runs an EVM newer than
 * the one solc compiled for. Prague and later are refused: not yet verified on Besu BFT here.
 */
export function milestonesFor(evmVersion: string): Record<string, number> {
  const rank = (SUPPORTED_EVM_VERSIONS as readonly string[]).indexOf(evmVersion);
  if (rank < 0) {
    throw new Error(
      `evmVersion "${evmVersion}" cannot be mapped to Besu milestones; supported: ${SUPPORTED_EVM_VERSIONS.join(', ')}`,
    );
  }
  const enabled = new Set(SUPPORTED_EVM_VERSIONS.slice(0, rank + 1));
  const milestones: Record<string, number> = {};
  for (const { key, evm } of MILESTONES) if (enabled.has(evm as (typeof SUPPORTED_EVM_VERSIONS)[number])) milestones[key] = 0;
  return milestones;
}

/** The repository root: the nearest ancestor holding contracts/compiler.json (works from src and dist). */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'contracts', 'compiler.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`contracts/compiler.json not found above ${from}`);
  }
}

/** The evmVersion the contracts are compiled for: the single source of truth is contracts/compiler.json. */
export function readEvmVersion(repoRoot: string = findRepoRoot()): string {
  const path = join(repoRoot, 'contracts', 'compiler.json');
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { evmVersion?: unknown };
  if (typeof parsed.evmVersion !== 'string') throw new Error(`${path} has no evmVersion`);
  return parsed.evmVersion;
}

export interface GenesisOptions {
  chainId: number;
  consensus: Consensus;
  blockPeriodSeconds: number;
  evmVersion: string;
  validators: readonly string[];
  /** The only accounts with a balance (deployer and gateway). */
  funded: readonly string[];
}

export interface BftGenesisParams {
  blockperiodseconds: number;
  epochlength: number;
  requesttimeoutseconds: number;
}

export interface Genesis {
  config: Record<string, unknown> & { chainId: number; zeroBaseFee: true; contractSizeLimit: number };
  nonce: string;
  timestamp: string;
  gasLimit: string;
  difficulty: string;
  mixHash: string;
  coinbase: string;
  /** Only when London (EIP-1559) is active at genesis. */
  baseFeePerGas?: string;
  extraData: string;
  alloc: Record<string, { balance: string }>;
}

/**
 * Besu's advice for BFT round timeouts: twice the block period, then tune down
 * (besu docs, "Configure IBFT 2.0 consensus" / "Tune block timeout").
 */
export function requestTimeoutFor(blockPeriodSeconds: number): number {
  return 2 * blockPeriodSeconds;
}

export function buildGenesis(options: GenesisOptions): Genesis {
  const bft: BftGenesisParams = {
    blockperiodseconds: options.blockPeriodSeconds,
    epochlength: EPOCH_LENGTH,
    requesttimeoutseconds: requestTimeoutFor(options.blockPeriodSeconds),
  };
  const milestones = milestonesFor(options.evmVersion);
  const alloc: Genesis['alloc'] = {};
  for (const account of options.funded) alloc[account.toLowerCase()] = { balance: `0x${FUNDED_BALANCE_WEI.toString(16)}` };
  return {
    config: {
      chainId: options.chainId,
      ...milestones,
      // Free gas after London: zero base fee on every block (Besu free-gas guide, step 4) ...
      zeroBaseFee: true,
      contractSizeLimit: FREE_GAS_CONTRACT_SIZE_LIMIT,
      [options.consensus]: bft,
    },
    nonce: '0x0',
    timestamp: '0x0',
    gasLimit: FREE_GAS_BLOCK_GAS_LIMIT,
    difficulty: '0x1',
    mixHash: BFT_MIX_HASH,
    coinbase: '0x0000000000000000000000000000000000000000',
    // ... and on the genesis block itself, which otherwise gets Besu's 1 gwei default (besu#4003).
    ...('londonBlock' in milestones ? { baseFeePerGas: '0x0' } : {}),
    extraData: genesisExtraData(options.consensus, options.validators),
    alloc,
  };
}
