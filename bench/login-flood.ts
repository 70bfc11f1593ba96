// Measures what a sign-in flood does to everyone else (issue 10): a real gateway (createApp as
// `npm start` builds it: embedded Anvil, IPFS store, PGlite), a patient reading a record (proven
// against the chain) and /health polled, before and during waves of concurrent wrong sign-ins, once with the
// password-hashing queue as shipped and once with it opened wide (as before issue 10: every
// sign-in hashed at once). Writes bench/login-flood.md. A bench, not a test: nothing here
// asserts a time. Run from the repository root: npm run bench:flood
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../gateway/src/chain/artifacts';
import { ChainClient } from '../gateway/src/chain/chain-client';
import { ChainRuntime } from '../gateway/src/chain/chain.module';
import { ConsentManager } from '../gateway/src/chain/consent-manager';
import { makeFilingToken } from '../gateway/src/chain/filing-token';
import { newRelationship, pseudonymSignIn, registerRelationship } from '../test/support/patient-registry';
import { BenchGateway, startBenchGateway } from './outbox/harness';

const FLOOD = Number(process.env.BENCH_FLOOD ?? 100);
const FLOOD_MS = Number(process.env.BENCH_FLOOD_MS ?? 10_000);
const READS = 100;

interface Run {
  name: string;
  env: Record<string, string>;
}
const RUNS: Run[] = [
  { name: 'queue as shipped (2 at once, 16 waiting)', env: {} },
  { name: 'queue opened wide (as before: every sign-in hashed at once)', env: { PASSWORD_HASH_CONCURRENCY: '64', PASSWORD_HASH_QUEUE: '10000' } },
];

const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Measured {
  readMs: number[];
  healthStatuses: Record<string, number>;
  logins: Record<string, number>;
  rssMiB: number;
}

async function measure(baseUrl: string, auth: Record<string, string>, recordId: string, flooding: boolean): Promise<Measured> {
  const logins: Record<string, number> = {};
  let stop = false;
  let rss = process.memoryUsage().rss;
  const flood = async (): Promise<void> => {
    for (let wave = 0; !stop; wave++) {
      const answers = await Promise.all(Array.from({ length: FLOOD }, (_, i) =>
        fetch(`${baseUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `flood.${wave}.${i}`, password: 'a wrong password' }) })
          .then(async (res) => (await res.text(), String(res.status)))
          .catch(() => 'error')));
      for (const status of answers) logins[status] = (logins[status] ?? 0) + 1;
      rss = Math.max(rss, process.memoryUsage().rss);
    }
  };
  const flooding$ = flooding ? flood() : Promise.resolve();
  const started = Date.now();
  const readMs: number[] = [];
  const healthStatuses: Record<string, number> = {};
  while (readMs.length < READS || (flooding && Date.now() - started < FLOOD_MS)) {
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}/v1/records/${recordId}/content`, { headers: auth });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`read answered ${res.status}`);
    readMs.push(performance.now() - t0);
    if (readMs.length % 10 === 0) {
      const health = await fetch(`${baseUrl}/health`);
      await health.text();
      healthStatuses[health.status] = (healthStatuses[health.status] ?? 0) + 1;
    }
  }
  stop = true;
  await flooding$;
  return { readMs: readMs.sort((a, b) => a - b), healthStatuses, logins, rssMiB: Math.round(rss / 2 ** 20) };
}

/** A patient's relationship registered on chain, a record the hospital filed for it, and the patient signed in as its pseudonym. */
async function aPatientsRecord(gw: BenchGateway): Promise<{ recordId: string; auth: Record<string, string> }> {
  const scope = { chainId: gw.app.get(ChainRuntime).chainId, consentManager: gw.app.get(ConsentManager).address };
  const patient = newRelationship();
  await registerRelationship({ rpcUrl: gw.app.get(ChainClient).rpcUrl, ...scope }, { key: patient.privateKey, address: patient.signer }, patient.salt);
  const token = makeFilingToken(patient, scope, gw.hospital.address, Math.floor(Date.now() / 1000) + 3600);
  const observation = { resourceType: 'Observation', status: 'final', code: { text: 'Heart rate' }, effectiveDateTime: '2026-11-30', valueQuantity: { value: 72, unit: '/min' } };
  const created = await fetch(`${gw.baseUrl}/v1/records?category=OPConsultation&wait=anchored`, {
    method: 'POST', headers: { ...gw.hospital.auth, 'content-type': 'application/fhir+json', 'x-filing-token': token }, body: JSON.stringify(observation),
  });
  if (created.status !== 201) throw new Error(`filing answered ${created.status} ${await created.text()}`);
  return { recordId: ((await created.json()) as { recordId: string }).recordId, auth: await pseudonymSignIn(gw.baseUrl, patient) };
}

async function main(): Promise<void> {
  const loadStart = loadavg()[0]!.toFixed(1);
  const rows: string[] = [];
  for (const run of RUNS) {
    log(run.name);
    const gw = await startBenchGateway({ db: 'pglite', blockTimeSeconds: 0, outboxIntervalMs: 100, maxBatchSize: 512, env: { ...run.env, RATE_LIMIT_LOGINS_PER_ADDRESS: '1000000', RATE_LIMIT_PER_ADDRESS: '1000000' } });
    try {
      const { recordId, auth } = await aPatientsRecord(gw);
      for (const flooding of [false, true]) {
        const m = await measure(gw.baseUrl, auth, recordId, flooding);
        const row = [
          run.name, flooding ? `${FLOOD} concurrent, for ${FLOOD_MS / 1000} s` : 'none',
          percentile(m.readMs, 50).toFixed(1), percentile(m.readMs, 95).toFixed(1), m.readMs.at(-1)!.toFixed(1), String(m.readMs.length),
          Object.entries(m.healthStatuses).map(([s, n]) => `${s}×${n}`).join(' '),
          Object.entries(m.logins).map(([s, n]) => `${s}×${n}`).join(' ') || '—', String(m.rssMiB),
        ];
        rows.push(`| ${row.join(' | ')} |`);
        log(`  ${rows.at(-1)}`);
      }
    } finally {
      await gw.close();
    }
  }
  const markdown = [
    '# A sign-in flood and everyone else (`npm run bench:flood`)',
    '',
    `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadStart} at the start, ${loadavg()[0]!.toFixed(1)} at the end, Node ${process.version}; one real gateway per run`,
    '(createApp: embedded Anvil, IPFS store, PGlite), on loopback, per-address limits lifted so that every sign-in reaches the password hash.',
    `A patient reads one record, proven against the chain (${READS} reads, or for the whole flood) and /health is polled every 10 reads, first with no flood, then while waves of ${FLOOD} concurrent`,
    'wrong sign-ins (distinct usernames: no back-off) run from the same process. Latencies in ms; RSS of the whole process (gateway and load generator), MiB.',
    '',
    '| password hashing | flood | read p50 | read p95 | read max | reads | /health | sign-in answers | peak RSS |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(join(findRepoRoot(), 'bench', 'login-flood.md'), markdown);
  process.stdout.write(markdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
