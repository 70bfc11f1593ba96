import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../common/atomic-file';
import { canonicalJson } from '../common/canonical-json';
import { loadArtifact } from './artifacts';
import { ChainClient } from './chain-client';

/** `<chain.dir>/deployments.json`: where the gateway's contracts live on this chain. */
export interface DeploymentsFile {
  chainId: number;
  /**
   * Block 0's hash: the chain itself. Two chains may share an id (a network regenerated with the
   * same one, a development chain restarted); contracts at the same addresses on another chain
   * would make the same EIP-712 domains, so a start on another genesis stops. Networks only
   * (CHAIN_RPC_URL); added to files written before it on their next start.
   */
  genesisHash?: string;
  contracts: Record<string, DeploymentRecord>;
}

export interface DeploymentRecord {
  address: string;
  txHash: string;
  blockNumber: number;
  /** sha256 of the creation bytecode deployed, to notice a contract that changed since. */
  bytecodeHash: string;
  /**
   * sha256 of its ABI (canonical JSON): the interface the gateway calls. A changed ABI means
   * the gateway would call functions the deployed contract does not have. Absent in files
   * written before it was recorded.
   */
  abiHash?: string;
}

/**
 * The chain does not hold what deployments.json says it should. Redeploying would silently
 * orphan every anchor and consent in the old contracts, so the start stops for a person.
 */
export class ChainStateMismatchError extends Error {
  readonly code = 'CHAIN_STATE_MISMATCH';
  constructor(message: string) {
    super(message);
    this.name = 'ChainStateMismatchError';
  }
}

const logger = new Logger('Deployments');

/** A contract to deploy: its artifact name and constructor arguments, which may use earlier addresses. */
export interface ContractSpec {
  name: string;
  args?: (deployed: Readonly<Record<string, string>>) => unknown[];
}

/** Where a contract lives and the block that created it (no log of it is older). */
export interface DeployedContract {
  address: string;
  blockNumber: bigint;
}

/**
 * Deploys on first start, remembers addresses in `file`, never redeploys on restart.
 * Contracts deploy in the order given, so a spec's `args` can name the ones before it.
 * Returns each contract's address and deployment block.
 */
export async function ensureDeployed(
  client: ChainClient,
  file: string,
  contracts: (string | ContractSpec)[],
  /**
   * Tell chains apart by their genesis block (a network). Not for the embedded Anvil: its state
   * file does not keep block 0 across restarts, and its chain is the gateway's own (own key).
   */
  options: { byGenesis?: boolean } = {},
): Promise<Record<string, DeployedContract>> {
  const chainId = await client.chainId();
  const existing = await readDeployments(file);
  if (existing && existing.chainId !== chainId) {
    throw new ChainStateMismatchError(
      `${file} records contracts on chain ${existing.chainId}, but the chain at ${client.rpcUrl} is ${chainId}`,
    );
  }
  const genesisHash = options.byGenesis ? await client.genesisHash() : undefined;
  if (genesisHash !== undefined && existing?.genesisHash !== undefined && existing.genesisHash !== genesisHash) {
    throw new ChainStateMismatchError(
      `${file} records contracts on the chain whose genesis block is ${existing.genesisHash}, but the chain at ${client.rpcUrl} ` +
        `(id ${chainId} too) starts from ${genesisHash}: another chain with the same id. Point the gateway at its own chain, or move the file away to start over`,
    );
  }
  const deployments: DeploymentsFile = existing ?? { chainId, contracts: {} };
  if (genesisHash !== undefined && deployments.genesisHash === undefined) {
    deployments.genesisHash = genesisHash;
    if (existing) await writeFileAtomically(file, `${JSON.stringify(deployments, null, 2)}\n`);
  }
  const addresses: Record<string, string> = {};
  const deployed: Record<string, DeployedContract> = {};

  for (const spec of contracts) {
    const { name, args } = typeof spec === 'string' ? { name: spec, args: undefined } : spec;
    const artifact = loadArtifact(name);
    const bytecodeHash = sha256(artifact.bytecode);
    const abiHash = createHash('sha256').update(canonicalJson(artifact.abi)).digest('hex');
    const remembered = deployments.contracts[name];
    if (remembered) {
      const code = await client.getCode(remembered.address);
      if (code === '0x' || code === '') {
        throw new ChainStateMismatchError(
          `${name} is recorded at ${remembered.address} in ${file}, but the chain at ${client.rpcUrl} has no code there ` +
            '(chain state lost or a different chain); restore the chain state, or move the file away to start over',
        );
      }
      const interfaceChanged = remembered.abiHash === undefined ? remembered.bytecodeHash !== bytecodeHash : remembered.abiHash !== abiHash;
      if (interfaceChanged) {
        // The gateway would call what the deployed code does not have: every write would revert.
        throw new ChainStateMismatchError(
          `${name} at ${remembered.address} was deployed from another version of the contract (its interface changed since, ` +
            `or ${file} predates interface records and its code differs): the gateway cannot use it. In development, move the data ` +
            'directory away to start over (its records are anchored in the old contracts); in production, a contract change needs a migration',
        );
      }
      if (remembered.bytecodeHash !== bytecodeHash) {
        // Same interface, other code (a comment changes the metadata hash): usable, but said.
        logger.warn({ event: 'contract_changed_since_deploy', contract: name, address: remembered.address });
      }
      if (remembered.abiHash === undefined) {
        deployments.contracts[name] = { ...remembered, abiHash };
        await writeFileAtomically(file, `${JSON.stringify(deployments, null, 2)}\n`);
      }
      addresses[name] = remembered.address;
      deployed[name] = { address: remembered.address, blockNumber: BigInt(remembered.blockNumber) };
      continue;
    }
    const created = await client.deploy(name, args?.(addresses) ?? []);
    deployments.contracts[name] = {
      address: created.address,
      txHash: created.txHash,
      blockNumber: Number(created.blockNumber),
      bytecodeHash,
      abiHash,
    };
    // Written after each deployment so a crash between two cannot forget the first.
    await writeFileAtomically(file, `${JSON.stringify(deployments, null, 2)}\n`);
    logger.log({ event: 'contract_deployed', contract: name, address: created.address, txHash: created.txHash });
    addresses[name] = created.address;
    deployed[name] = { address: created.address, blockNumber: created.blockNumber };
  }
  return deployed;
}

export async function readDeployments(file: string): Promise<DeploymentsFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: Partial<DeploymentsFile>;
  try {
    parsed = JSON.parse(text) as Partial<DeploymentsFile>;
  } catch {
    throw new ChainStateMismatchError(`${file} is not valid JSON; restore it rather than redeploying`);
  }
  if (typeof parsed.chainId !== 'number' || typeof parsed.contracts !== 'object' || parsed.contracts === null) {
    throw new ChainStateMismatchError(`${file} lacks chainId or contracts; restore it rather than redeploying`);
  }
  if (parsed.genesisHash !== undefined && typeof parsed.genesisHash !== 'string') {
    throw new ChainStateMismatchError(`${file} has a genesisHash that is not a string; restore it rather than redeploying`);
  }
  return { chainId: parsed.chainId, genesisHash: parsed.genesisHash, contracts: parsed.contracts };
}

function sha256(hex: string): string {
  return createHash('sha256').update(Buffer.from(hex.replace(/^0x/, ''), 'hex')).digest('hex');
}
