import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { RESERVED_CHAIN_IDS } from '../../gateway/src/config/app-config';
import { parseArgs } from 'node:util';
import { CONSENSUS_PROTOCOLS, Consensus } from './extra-data';
import { DEFAULT_SUBNET, parseSubnet, Subnet } from './subnet';
import { faultTolerance, MAX_RPC_NODES, MAX_VALIDATORS, MIN_BFT_VALIDATORS } from './topology';

/** A request the generator refuses as given; the CLI prints the message and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface GenerateOptions {
  validators: number;
  rpcNodes: number;
  consensus: Consensus;
  chainId: number;
  blockPeriodSeconds: number;
  subnet: Subnet;
  out: string;
  force: boolean;
  allowUnsafe: boolean;
}

export interface OptionDefaults {
  chainId: number;
  blockPeriodSeconds: number;
  /** Absolute default output directory. */
  out: string;
  /** Directory a relative --out is resolved against. */
  cwd: string;
}

export const USAGE = `Usage: npm run network:generate -- [options]

Generates keys, genesis.json (extraData computed), per-node config.toml, static nodes and
permissioning allowlists for a Besu IBFT 2.0 / QBFT consortium network.

  --validators N      validators (default 4; BFT needs >= 4 to survive one failure)
  --rpc-nodes M       non-validator RPC nodes the gateway talks to (default 1)
  --consensus C       ibft2 | qbft (default ibft2)
  --chain-id ID       chain id (default: a random one of this network's own, >= 1,000,000;
                      the development ids ${RESERVED_CHAIN_IDS.join(', ')} are refused)
  --block-period S    seconds between blocks (default 2)
  --subnet CIDR       the compose network, a private /16../24 (default ${DEFAULT_SUBNET});
                      each Besu node gets a fixed address in it
  --out DIR           output directory (default network/generated)
  --force             write into a non-empty DIR, replacing earlier generator output
  --allow-unsafe      accept fewer than 4 validators (development only)
  -h, --help          show this help`;

/**
 * A chain id of the network's own: the chain id is part of every EIP-712 domain, so two networks
 * (staging and production, or two consortia) with one id could replay each other's signatures
 * wherever a deployer key and nonce coincide. Random from 1,000,000 up, clear of the reserved ids.
 */
export function randomChainId(): number {
  return randomInt(1_000_000, 2 ** 31 - 1);
}

function whole(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Parses and checks the CLI arguments; returns undefined when help was asked for. */
export function parseGenerateArgs(argv: readonly string[], defaults: OptionDefaults): GenerateOptions | undefined {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;

  const consensus = values.consensus ?? 'ibft2';
  if (!(CONSENSUS_PROTOCOLS as readonly string[]).includes(consensus)) {
    throw new UsageError(`--consensus must be one of ${CONSENSUS_PROTOCOLS.join(', ')}, got "${consensus}"`);
  }
  const validators = whole('validators', values.validators, MIN_BFT_VALIDATORS, 1, MAX_VALIDATORS);
  const allowUnsafe = values['allow-unsafe'] ?? false;
  if (validators < MIN_BFT_VALIDATORS && !allowUnsafe) {
    throw new UsageError(
      `Refusing ${validators} validator${validators === 1 ? '' : 's'}: ${consensus} with N validators tolerates ` +
        `floor((N-1)/3) = ${faultTolerance(validators)} faulty ones, so a single stopped validator halts the chain. ` +
        `Use --validators ${MIN_BFT_VALIDATORS} or more, or --allow-unsafe for a development network.`,
    );
  }
  if (values.out === '') throw new UsageError('--out must name a directory');
  const chainId = whole('chain-id', values['chain-id'], defaults.chainId, 1, 2 ** 31 - 1);
  if (RESERVED_CHAIN_IDS.includes(chainId)) {
    throw new UsageError(`--chain-id ${chainId} is reserved for development chains (${RESERVED_CHAIN_IDS.join(', ')}): their signatures would replay on this network; omit --chain-id for an id of its own`);
  }
  let subnet: Subnet;
  try {
    subnet = parseSubnet(values.subnet ?? DEFAULT_SUBNET);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    validators,
    rpcNodes: whole('rpc-nodes', values['rpc-nodes'], 1, 0, MAX_RPC_NODES),
    consensus: consensus as Consensus,
    chainId,
    blockPeriodSeconds: whole('block-period', values['block-period'], defaults.blockPeriodSeconds, 1, 600),
    subnet,
    out: values.out === undefined ? defaults.out : resolve(defaults.cwd, values.out),
    force: values.force ?? false,
    allowUnsafe,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      validators: { type: 'string' },
      'rpc-nodes': { type: 'string' },
      consensus: { type: 'string' },
      'chain-id': { type: 'string' },
      'block-period': { type: 'string' },
      subnet: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      'allow-unsafe': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
