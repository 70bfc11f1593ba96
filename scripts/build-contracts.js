#!/usr/bin/env node
// Compiles contracts/**/*.sol with the pinned solc-js into build/contracts/<Name>.json.
// Plain CommonJS because it runs before TypeScript is compiled (npm pretest / prestart).
'use strict';

const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CONTRACTS_DIR = path.join(ROOT, 'contracts');
const COMPILER_FILE = path.join(CONTRACTS_DIR, 'compiler.json');
const OUT_DIR = path.join(ROOT, 'build', 'contracts');
const HASH_FILE = path.join(OUT_DIR, '.sources-hash');

class BuildError extends Error {}

function listSources(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return listSources(full);
      return entry.isFile() && entry.name.endsWith('.sol') ? [full] : [];
    })
    .sort();
}

function readCompilerConfig() {
  const config = JSON.parse(fs.readFileSync(COMPILER_FILE, 'utf8'));
  for (const key of ['solcVersion', 'evmVersion', 'optimizerRuns']) {
    if (config[key] === undefined) throw new BuildError(`${path.relative(ROOT, COMPILER_FILE)} lacks "${key}"`);
  }
  return config;
}

function packageVersion(name) {
  return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [ROOT] }), 'utf8')).version;
}

// The installed solc and OpenZeppelin versions are part of the hash: an upgrade of either
// changes the bytecode even when no source of ours changed.
function sourcesHash(files, compilerConfigText) {
  const hash = createHash('sha256');
  hash.update(compilerConfigText);
  hash.update(`solc@${packageVersion('solc')}\0@openzeppelin/contracts@${packageVersion('@openzeppelin/contracts')}\0`);
  for (const file of files) {
    hash.update(path.relative(ROOT, file).split(path.sep).join('/'));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function findImports(importPath) {
  // Only package imports (@openzeppelin/...) reach here; our own files are all in the input.
  try {
    const resolved = require.resolve(importPath, { paths: [ROOT] });
    return { contents: fs.readFileSync(resolved, 'utf8') };
  } catch {
    return { error: `File not found: ${importPath} (neither in contracts/ nor in node_modules)` };
  }
}

function loadSolc(pinned) {
  const solc = require('solc');
  // solc.version() is e.g. "0.8.37+commit.f401782d.Emscripten.clang".
  const loaded = solc.version().split('+')[0];
  if (loaded !== pinned) {
    throw new BuildError(`solc ${loaded} is installed but contracts/compiler.json pins ${pinned}; run npm ci`);
  }
  return solc;
}

function compile(files, config) {
  const solc = loadSolc(config.solcVersion);
  const sources = {};
  for (const file of files) {
    sources[path.relative(ROOT, file).split(path.sep).join('/')] = { content: fs.readFileSync(file, 'utf8') };
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: config.evmVersion,
      optimizer: { enabled: true, runs: config.optimizerRuns },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  for (const warning of (output.errors || []).filter((e) => e.severity !== 'error')) {
    process.stderr.write(warning.formattedMessage || `${warning.message}\n`);
  }
  if (errors.length > 0) {
    throw new BuildError(`solc reported ${errors.length} error(s):\n${errors.map((e) => e.formattedMessage || e.message).join('\n')}`);
  }
  return output;
}

function writeArtifacts(output, files, config, hash) {
  const ours = new Set(files.map((file) => path.relative(ROOT, file).split(path.sep).join('/')));
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const written = [];
  for (const [sourceName, contracts] of Object.entries(output.contracts || {})) {
    if (!ours.has(sourceName)) continue; // imported library contracts get no artifact
    for (const [contractName, compiled] of Object.entries(contracts)) {
      if (written.includes(contractName)) {
        throw new BuildError(`two contracts are named ${contractName}; artifact names must be unique`);
      }
      const artifact = {
        contractName,
        sourceName,
        abi: compiled.abi,
        bytecode: `0x${compiled.evm.bytecode.object}`,
        deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
        evmVersion: config.evmVersion,
        solcVersion: config.solcVersion,
        sourceHash: hash,
      };
      fs.writeFileSync(path.join(OUT_DIR, `${contractName}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
      written.push(contractName);
    }
  }
  // Written last: an interrupted build leaves no hash file, so the next run compiles again.
  fs.writeFileSync(HASH_FILE, `${hash}\n`);
  return written;
}

function main() {
  const started = Date.now();
  const compilerConfigText = fs.readFileSync(COMPILER_FILE, 'utf8');
  const config = readCompilerConfig();
  const installed = packageVersion('solc');
  if (installed !== config.solcVersion) {
    throw new BuildError(`solc ${installed} is installed but contracts/compiler.json pins ${config.solcVersion}; run npm ci`);
  }
  const files = listSources(CONTRACTS_DIR);
  if (files.length === 0) throw new BuildError('no contracts/**/*.sol found');

  const hash = sourcesHash(files, compilerConfigText);
  const previous = fs.existsSync(HASH_FILE) ? fs.readFileSync(HASH_FILE, 'utf8').trim() : '';
  if (previous === hash) {
    console.log(`contracts: up to date (${files.length} source(s), solc ${config.solcVersion}, ${config.evmVersion})`);
    return;
  }
  const written = writeArtifacts(compile(files, config), files, config, hash);
  console.log(
    `contracts: compiled ${written.join(', ')} with solc ${config.solcVersion} (${config.evmVersion}) ` +
      `into build/contracts in ${Date.now() - started} ms`,
  );
}

try {
  main();
} catch (error) {
  if (error instanceof BuildError) {
    console.error(`build-contracts: ${error.message}`);
  } else {
    console.error('build-contracts: unexpected failure');
    console.error(error);
  }
  process.exit(1);
}
