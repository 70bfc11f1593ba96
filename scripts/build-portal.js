#!/usr/bin/env node
// Builds the patient, doctor and authority portal (gateway/portal) into dist/portal: its
// TypeScript checked by tsc, then bundled by esbuild into one script for browsers, beside the
// page and the style sheet. The gateway serves dist/portal at / (gateway/src/portal.ts).
'use strict';
const { execFileSync } = require('node:child_process');
const { copyFileSync, mkdirSync, rmSync } = require('node:fs');
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
