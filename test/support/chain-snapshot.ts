import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { eth } from 'web3';
import { artifactPath, findRepoRoot } from '../../gateway/src/chain/artifacts';
import { anvilBinary } from '../../gateway/src/chain/anvil-process';
import { ChainRuntime } from '../../gateway/src/chain/chain.module';
import { AppConfig, DEV_AUTHORITIES, loadConfig } from '../../gateway/src/config/app-config';
import { KeyStore } from '../../gateway/src/keys/key-store';

/**
 * The embedded chain with the contract suite deployed, saved once per build of the contracts:
 * Anvil's state file, deployments.json and the keys that deployed it (gateway and development
 * authorities). A test gateway starts from a copy instead of deploying the suite itself.
 * Kept in build/test-chain/<key>, where the key covers everything the deployment depends on.
 */
const SNAPSHOT_FILES = { state: 'anvil-state.json', deployments: 'deployments.json', keys: 'keys' } as const;

/** Settings a snapshot is made with; a test that changes one of them deploys its own suite. */
export const SNAPSHOT_SETTINGS = ['CHAIN_ID', 'CHAIN_RPC_URL', 'CONSORTIUM_AUTHORITIES', 'CONSORTIUM_THRESHOLD', 'PROPOSAL_TTL_HOURS', 'EMERGENCY_MAX_HOURS', 'EMERGENCY_APPROVAL_MINUTES'];

function snapshotKey(config: AppConfig): string {
  const hash = createHash('sha256');
  const contracts = join(findRepoRoot(), 'build', 'contracts');
  for (const file of readdirSync(contracts).filter((name) => name.endsWith('.json')).sort()) {
    hash.update(file).update(String((JSON.parse(readFileSync(join(contracts, file), 'utf8')) as { sourceHash?: string }).sourceHash));
  }
  // The code that deploys: a changed constructor argument or order must not reuse an old chain.
  for (const file of ['contract-suite.ts', 'deployments.ts', 'chain.module.ts']) {
    hash.update(readFileSync(join(findRepoRoot(), 'gateway', 'src', 'chain', file)));
  }
  const anvil = statSync(anvilBinary());
  hash.update(JSON.stringify({ chainId: config.chain.chainId, consortium: config.consortium, anvil: [anvil.size, anvil.mtimeMs] }));
  return hash.digest('hex').slice(0, 16);
}

/** The snapshot's directory, made now if this build of the contracts has none yet. */
export async function chainSnapshot(): Promise<string> {
  const base = loadConfig({ DATA_DIR: '/nonexistent', CHAIN_BLOCK_TIME: '0', ANVIL_PORT: '0' });
  if (!existsSync(artifactPath('RecordAnchors'))) throw new Error('Contracts are not built; run npm run build:contracts');
  const dir = join(findRepoRoot(), 'build', 'test-chain', snapshotKey(base));
  if (existsSync(join(dir, SNAPSHOT_FILES.deployments))) return dir;

  await mkdir(dirname(dir), { recursive: true });
  const scratch = await mkdtemp(`${dir}.tmp-`);
  const config = loadConfig({ DATA_DIR: scratch, CHAIN_BLOCK_TIME: '0', ANVIL_PORT: '0' });
  const keys = await KeyStore.open(join(scratch, SNAPSHOT_FILES.keys));
  const authorities = (await keys.devAuthorityKeys(DEV_AUTHORITIES.count)).map((key) => eth.accounts.privateKeyToAddress(key));
  const runtime = await ChainRuntime.start(config, keys.chainPrivateKey(), authorities);
  await runtime.close(); // SIGTERM: Anvil dumps its state file
  await rm(join(scratch, SNAPSHOT_FILES.keys, 'jwt.secret'), { force: true }); // each gateway makes its own
  for (const file of [SNAPSHOT_FILES.state, SNAPSHOT_FILES.deployments]) await rename(join(config.chain.dir, file), join(scratch, file));
  await rm(config.chain.dir, { recursive: true, force: true });
  // Another worker may have finished first: theirs is as good, keep it.
  await rename(scratch, dir).catch(() => rm(scratch, { recursive: true, force: true }));
  return dir;
}

/** Seeds a fresh data directory so the gateway finds its contracts deployed and its keys in place. */
export async function seedFromSnapshot(config: AppConfig): Promise<void> {
  const snapshot = await chainSnapshot();
  await mkdir(config.chain.dir, { recursive: true });
  await mkdir(config.keysDir, { recursive: true, mode: 0o700 });
  await copyFile(join(snapshot, SNAPSHOT_FILES.state), join(config.chain.dir, SNAPSHOT_FILES.state));
  await copyFile(join(snapshot, SNAPSHOT_FILES.deployments), join(config.chain.dir, SNAPSHOT_FILES.deployments));
  for (const file of await readdir(join(snapshot, SNAPSHOT_FILES.keys))) {
    await copyFile(join(snapshot, SNAPSHOT_FILES.keys, file), join(config.keysDir, file));
  }
}
