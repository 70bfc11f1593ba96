#!/usr/bin/env node
// Builds the patient, doctor and authority portal (gateway/portal) into dist/portal: its
// TypeScript checked by tsc, then bundled by esbuild into one script for browsers, beside the
// page and the style sheet. The gateway serves dist/portal at / (gateway/src/portal.ts).
'use strict';
const { execFileSync } = require('node:child_process');
const { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const zlib = require('node:zlib');
const { join } = require('node:path');
const esbuild = require('esbuild');

const root = join(__dirname, '..');
const source = join(root, 'gateway', 'portal');
const out = join(root, 'dist', 'portal');

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(source, 'tsconfig.json')], { stdio: 'inherit' });
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
esbuild.buildSync({
  entryPoints: [join(source, 'src', 'main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari16'],
  minify: true,
  legalComments: 'linked',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css']) copyFileSync(join(source, file), join(out, file));
// Compressed copies beside the script and style sheet, which the gateway serves to browsers that
// accept them (@fastify/static preCompressed): about a quarter of the bytes on a phone's network.
// Static files only: nothing secret is ever compressed next to attacker-chosen text (BREACH).
for (const file of ['app.js', 'app.css']) {
  const bytes = readFileSync(join(out, file));
  writeFileSync(join(out, `${file}.br`), zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(join(out, `${file}.gz`), zlib.gzipSync(bytes, { level: 9 }));
}
