import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ContractAbi } from 'web3';

/** What scripts/build-contracts.js writes to build/contracts/<contractName>.json. */
export interface ContractArtifact {
  contractName: string;
  sourceName: string;
  abi: ContractAbi;
  /** Creation bytecode, 0x-prefixed. */
  bytecode: string;
  /** Runtime bytecode, 0x-prefixed. */
  deployedBytecode: string;
  evmVersion: string;
  solcVersion: string;
  /** sha256 over every contract source, compiler.json and the solc/OpenZeppelin versions. */
  sourceHash: string;
}

export class ArtifactMissingError extends Error {
  constructor(readonly contractName: string, path: string) {
    super(`Contract artifact ${contractName} not found at ${path}; run npm run build:contracts`);
    this.name = 'ArtifactMissingError';
  }
}

/**
 * The directory holding package.json. This file runs from gateway/src/chain (ts via jest) and
 * from dist/gateway/src/chain (compiled), so a fixed number of `..` would be wrong in one of them.
 */
export function findRepoRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${start}; cannot locate build/contracts`);
  }
}

export function artifactPath(contractName: string): string {
  return join(findRepoRoot(), 'build', 'contracts', `${contractName}.json`);
}

const cache = new Map<string, ContractArtifact>();

/** Reads build/contracts/<contractName>.json once per process. */
export function loadArtifact(contractName: string): ContractArtifact {
  const cached = cache.get(contractName);
  if (cached) return cached;
  // Names come from code, never from requests; refuse anything that could leave the directory.
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(contractName)) throw new Error(`Invalid contract name "${contractName}"`);
  const path = artifactPath(contractName);
  if (!existsSync(path)) throw new ArtifactMissingError(contractName, path);
  const artifact = JSON.parse(readFileSync(path, 'utf8')) as ContractArtifact;
  if (artifact.contractName !== contractName || !artifact.bytecode?.startsWith('0x') || !Array.isArray(artifact.abi)) {
    throw new Error(`Contract artifact ${path} is malformed; run npm run build:contracts`);
  }
  cache.set(contractName, artifact);
  return artifact;
}
