import { readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TOPOLOGY } from './generate';
import { ComposeLayout, composeTopology, renderCompose, topologyFromNetworkJson } from './lib/compose';
import { findRepoRoot } from './lib/genesis';
import { composeUsage } from './lib/network';
import { parseSubnet } from './lib/subnet';

export const USAGE = `Usage: npm run network:compose [-- --network DIR]

Renders docker-compose.yml from a topology without touching any key.

  (no option)       the default topology into the repository's docker-compose.yml, mounting
                    network/generated: the committed file (test/unit/compose.spec.ts keeps it equal)
  --network DIR     DIR/network.json's topology into DIR/docker-compose.yml, after a hand edit
                    such as an added validator (network/README.md, "Add or remove a validator")
  -h, --help        show this help`;

/** The usage lines of the committed file's header: it lives at the repository root. */
export const ROOT_USAGE = [
  'npm run network:generate      # keys, genesis, node configs into network/generated (secrets, never committed)',
  '$EDITOR .env                  # POSTGRES_PASSWORD=…  CONSORTIUM_AUTHORITIES=0xA…,0xB…,0xC…',
  'docker compose up -d --wait   # the first start prints the admin password: docker compose logs gateway',
  'Any other topology: the docker-compose.yml the generator writes into its output folder.',
];

/** The committed top-level file: the default topology, rendered at the repository root. */
export function renderDefaultCompose(repoRoot: string): string {
  const layout: ComposeLayout = {
    composeDir: repoRoot,
    networkDir: join(repoRoot, 'network', 'generated'),
    repoRoot,
    generatedBy: 'npm run network:compose',
    usage: ROOT_USAGE,
  };
  return renderCompose(composeTopology({ ...DEFAULT_TOPOLOGY, subnet: parseSubnet(DEFAULT_TOPOLOGY.subnet) }), layout);
}

/** Writes through a temporary file and a rename, so compose never reads half a file. */
async function replaceFile(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content, { mode: 0o644 });
  await rename(`${path}.tmp`, path);
}

export async function main(argv: readonly string[], cwd = process.env.INIT_CWD ?? process.cwd()): Promise<number> {
  try {
    const { values } = parseArgs({ args: [...argv], strict: true, options: { network: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const repoRoot = findRepoRoot();
    if (values.network === undefined) {
      await replaceFile(join(repoRoot, 'docker-compose.yml'), renderDefaultCompose(repoRoot));
      process.stdout.write(`✔ ${join(repoRoot, 'docker-compose.yml')} (default topology)\n`);
      return 0;
    }
    const dir = resolve(cwd, values.network);
    const topology = topologyFromNetworkJson(await readFile(join(dir, 'network.json'), 'utf8'));
    const layout = { composeDir: dir, networkDir: dir, repoRoot, generatedBy: 'npm run network:compose -- --network DIR', usage: composeUsage() };
    await replaceFile(join(dir, 'docker-compose.yml'), renderCompose(topology, layout));
    process.stdout.write(`✔ ${join(dir, 'docker-compose.yml')} (${topology.nodes.length} Besu services)\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`✖ ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
