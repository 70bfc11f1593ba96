import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { addValidator } from './lib/add-validator';
import { findRepoRoot } from './lib/genesis';

export const USAGE = `Usage: npm run network:add-validator -- --network DIR

Adds the next validator's node (validator<N+1>, at the next fixed address) to a network folder
that npm run network:generate wrote: its key and config.toml, its enode in static-nodes.json
and the nodes allowlist, network.json, and DIR/docker-compose.yml with its service. It is not a
validator until more than half of the current ones vote for it (network/README.md, "Add a validator").

  --network DIR     the generated folder (e.g. network/generated)
  -h, --help        show this help`;

export async function main(argv: readonly string[], cwd = process.env.INIT_CWD ?? process.cwd()): Promise<number> {
  let dir: string;
  try {
    const { values } = parseArgs({ args: [...argv], strict: true, options: { network: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (!values.network) throw new Error('--network DIR is required');
    dir = resolve(cwd, values.network);
  } catch (error) {
    process.stderr.write(`✖ ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    const { summary, added } = await addValidator(dir, findRepoRoot(), (line) => process.stdout.write(`${line}\n`));
    const n = summary.validators.length;
    process.stdout.write(
      [
        '',
        `${added.name} (${added.address}) is a node, not yet a validator. Next, from ${dir}:`,
        '  1. restart the Besu nodes one at a time, each once healthy again, so they admit it (the allowlist is read at start):',
        '       docker compose restart validator1        … then the next, and the RPC nodes',
        `  2. docker compose up -d ${added.host}                # starts it; it syncs the chain from its peers`,
        '  3. docker compose up -d gateway                   # its VALIDATOR_RPC_URLS now names the new node too',
        `  4. vote it in on more than half of the ${n - 1} current validators, as an admin of the gateway (which asks each one):`,
        `       POST /v1/network/validator-votes {"address":"${added.address}","add":true}`,
        `  5. once GET /v1/network/validators lists it: DELETE /v1/network/validator-votes/${added.address}`,
        `Once it is in: ${n} validators tolerate f = ${summary.faultTolerance}, quorum ${summary.quorum}.`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    process.stderr.write(`✖ ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
