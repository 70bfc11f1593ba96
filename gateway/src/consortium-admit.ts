import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig, DEV_AUTHORITIES, loadConfigOrExit } from './config/app-config';
import { readDeployments } from './chain/deployments';
import { admitHospital } from './consortium/admission';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * `npm run consortium:admit -- <address>`: on the embedded chain, the development authorities
 * (`data/keys/dev-authority-*.key`) admit a hospital's address, k of them, as a consortium's
 * authorities would (one proposes, the others approve). Only an admitted hospital files records.
 * Run it while the gateway runs (its Anvil is the chain). A real consortium's authorities hold
 * their own keys and decide in their portal (Authorities → Propose a decision); with
 * CONSORTIUM_AUTHORITIES set, this refuses.
 */
export async function admitWithDevAuthorities(config: AppConfig, hospital: string): Promise<'admitted' | 'already admitted'> {
  if (config.consortium.authorities) throw new Error("CONSORTIUM_AUTHORITIES is set: this consortium's authorities admit hospitals with their own keys, in their portal");
  const deployments = await readDeployments(join(config.chain.dir, 'deployments.json'));
  const registry = deployments?.contracts.ConsortiumRegistry?.address;
  if (!registry) throw new Error(`No ConsortiumRegistry in ${config.chain.dir}: start the gateway once (npm start) first`);
  const authorityKeys = await Promise.all(
    Array.from({ length: DEV_AUTHORITIES.count }, (_, i) => readFile(join(config.keysDir, `dev-authority-${i + 1}.key`), 'utf8').then((key) => key.trim())),
  );
  const rpcUrl = config.chain.rpcUrl ?? `http://127.0.0.1:${config.chain.anvilPort}`;
  return admitHospital({ rpcUrl, registry, authorityKeys, threshold: config.consortium.threshold }, hospital, `0x${randomBytes(32).toString('hex')}`);
}

async function main(): Promise<void> {
  const [hospital, ...rest] = process.argv.slice(2);
  if (!hospital || rest.length > 0 || !ADDRESS.test(hospital)) {
    process.stderr.write('Usage: npm run consortium:admit -- 0x<the hospital\'s 40 hex digits>\n');
    process.exit(64);
  }
  const outcome = await admitWithDevAuthorities(loadConfigOrExit(), hospital);
  process.stdout.write(`${JSON.stringify({ event: 'hospital_admitted', hospital, outcome })}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`EHRChain admission failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
