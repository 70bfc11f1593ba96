import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'build-contracts.js');
const run = promisify(execFile);

interface CompilerConfig {
  solcVersion: string;
  evmVersion: string;
  optimizerRuns: number;
}

async function compilerConfig(): Promise<CompilerConfig> {
  return JSON.parse(await readFile(join(ROOT, 'contracts', 'compiler.json'), 'utf8')) as CompilerConfig;
}

/** Runs the script in a scratch project: scripts/ + contracts/ + a link to the real node_modules. */
async function scratchProject(sources: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ehrchain-build-contracts-'));
  await mkdir(join(dir, 'scripts'));
  await mkdir(join(dir, 'contracts'));
  await writeFile(join(dir, 'scripts', 'build-contracts.js'), await readFile(SCRIPT));
  await writeFile(join(dir, 'contracts', 'compiler.json'), await readFile(join(ROOT, 'contracts', 'compiler.json')));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const [name, text] of Object.entries(sources)) await writeFile(join(dir, 'contracts', name), text);
  return dir;
}

describe('scripts/build-contracts.js', () => {
  const scratch: string[] = [];

  afterAll(async () => {
    await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('builds artifacts for the pinned compiler and the EVM version the chain runs (cancun)', async () => {
    // The real contracts, built in a scratch copy: build/ belongs to the tests running beside this one.
    const project = await scratchProject({});
    scratch.push(project);
    await cp(join(ROOT, 'contracts'), join(project, 'contracts'), { recursive: true });
    await run(process.execPath, [join(project, 'scripts', 'build-contracts.js')], { cwd: project });
    const config = await compilerConfig();
    const dir = join(project, 'build', 'contracts');
    const names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
    const hash = (await readFile(join(dir, '.sources-hash'), 'utf8')).trim();

    expect(config.evmVersion).toBe('cancun');
    expect(names).toContain('RecordAnchors.json');
    const anchors = JSON.parse(await readFile(join(dir, 'RecordAnchors.json'), 'utf8')) as { bytecode: string };
    expect(anchors.bytecode.length).toBeGreaterThan(1000);
    for (const name of names) {
      const artifact = JSON.parse(await readFile(join(dir, name), 'utf8')) as Record<string, unknown>;
      expect(artifact).toMatchObject({
        contractName: name.replace(/\.json$/, ''),
        evmVersion: config.evmVersion,
        solcVersion: config.solcVersion,
        sourceHash: hash,
        // Interfaces and abstract contracts compile to an ABI with no code.
        bytecode: expect.stringMatching(/^0x([0-9a-f]+)?$/),
        deployedBytecode: expect.stringMatching(/^0x([0-9a-f]+)?$/),
      });
    }
  });

  it('compiles once, skips an unchanged tree, and recompiles after a change', async () => {
    const source = '// SPDX-License-Identifier: Apache-2.0\npragma solidity ^0.8.24;\ncontract Probe { uint256 public x; }\n';
    const dir = await scratchProject({ 'Probe.sol': source });
    scratch.push(dir);
    const script = join(dir, 'scripts', 'build-contracts.js');

    const first = await run(process.execPath, [script]);
    const second = await run(process.execPath, [script]);
    await writeFile(join(dir, 'contracts', 'Probe.sol'), source.replace('uint256 public x;', 'uint256 public y;'));
    const third = await run(process.execPath, [script]);

    expect(first.stdout).toMatch(/compiled Probe/);
    expect(second.stdout).toMatch(/up to date/);
    expect(third.stdout).toMatch(/compiled Probe/);
    const artifact = JSON.parse(await readFile(join(dir, 'build', 'contracts', 'Probe.json'), 'utf8')) as { abi: { name?: string }[] };
    expect(artifact.abi.map((item) => item.name)).toEqual(['y']);
  });

  it('exits 1 naming the file and line of a compile error', async () => {
    const dir = await scratchProject({
      'Broken.sol': '// SPDX-License-Identifier: Apache-2.0\npragma solidity ^0.8.24;\ncontract Broken { function f() external { undeclared = 1; } }\n',
    });
    scratch.push(dir);

    const failure = await run(process.execPath, [join(dir, 'scripts', 'build-contracts.js')]).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );

    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/DeclarationError: Undeclared identifier/);
    expect(failure?.stderr).toMatch(/contracts\/Broken\.sol:3/);
  });
});
