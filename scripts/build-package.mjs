#!/usr/bin/env node
/**
 * Builds what the published package runs, into lib/ (gitignored), from the TypeScript sources:
 *
 * - lib/cli.mjs: the CLI in one file (dependencies external), so `portico` never compiles
 *   anything inside a user's node_modules (bin/portico.mjs runs it there, and on Node 20).
 * - lib/esm/<name>.mjs: every package export as JavaScript for Node 20+, one esbuild run with
 *   code splitting, so `portico` and `portico/node` share one copy of what both import.
 * - lib/types/...: declarations (tsc), the source tree mirrored, relative imports ending in .js.
 *
 * The exports map in package.json is the list: each entry names its source under the
 * "portico-source" condition (which the bundler and in-repo tools read) and where the build puts
 * its "types" and "import". Adding an export is one entry there; this script checks the paths
 * and prints the entry it expects when they are wrong. Run by `prepare` (npm install / npm ci)
 * and `prepack` (npm pack / publish). Plain JavaScript, so Node 20 can run it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildCli } from '../bin/build-cli.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const lib = join(root, 'lib');
const started = performance.now();

/** `./lib/esm/<name>.mjs` for an export key: `.` is `portico`, `./node` is `node`. */
function jsPathFor(key) {
  return `./lib/esm/${key === '.' ? 'portico' : key.slice(2).replaceAll('/', '-')}.mjs`;
}

/** `./lib/types/<source path>.d.ts` for a source file. */
function typesPathFor(source) {
  return `./lib/types/${source.replace(/^\.\//, '').replace(/\.ts$/, '.d.ts')}`;
}

/** The exports that have a source, checked: [{ key, source, js, types }]. */
function packageEntries() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const entries = [];
  const wrong = [];
  for (const [key, value] of Object.entries(pkg.exports)) {
    if (typeof value !== 'object' || !value['portico-source']) continue;
    const source = value['portico-source'];
    const entry = { key, source, js: jsPathFor(key), types: typesPathFor(source) };
    if (value.types !== entry.types || value.import !== entry.js || Object.keys(value)[0] !== 'types') {
      wrong.push(`  ${JSON.stringify(key)}: ${JSON.stringify({ types: entry.types, 'portico-source': source, import: entry.js })}`);
    }
    if (!existsSync(join(root, source))) wrong.push(`  ${JSON.stringify(key)}: ${source} does not exist`);
    entries.push(entry);
  }
  if (wrong.length) {
    console.error(`PORTICO_BAD_EXPORTS: package.json exports do not match what the build writes; use:\n${wrong.join('\n')}`);
    process.exit(1);
  }
  return entries;
}

/** Write into a fresh sibling folder, then swap it in, so a reader never sees half a build. */
function replaceDir(final, fill) {
  const temp = `${final}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  return Promise.resolve(fill(temp)).then(() => {
    rmSync(final, { recursive: true, force: true });
    renameSync(temp, final);
  });
}


function buildJs(entries) {
  return replaceDir(join(lib, 'esm'), (outdir) =>
    esbuild.build({
      entryPoints: entries.map((e) => ({ in: join(root, e.source), out: e.js.slice('./lib/esm/'.length, -'.mjs'.length) })),
      outdir,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    }),
  );
}

/**
 * Relative imports of `.ts` files become `.js`: the specifier every TypeScript version resolves to
 * the `.d.ts` beside it in a NodeNext project (tsc keeps `.ts` as written in declarations).
 */
function rewriteSpecifiers(dir) {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = join(entry.parentPath ?? entry.path, entry.name);
    const text = readFileSync(file, 'utf8');
    // Only code lines: a JSDoc example (` * import app from './app.ts'`) stays as written.
    const out = text.replace(/^((?:import|export)\b[^\n]*?\bfrom\s+|[^\n*]*?\bimport\(\s*)(['"])(\.{1,2}\/[^'"]+)\.ts\2/gm, '$1$2$3.js$2');
    if (out !== text) writeFileSync(file, out);
  }
}

function buildTypes(entries) {
  return replaceDir(join(lib, 'types'), (outDir) => {
    // Inside lib/ so that tsc finds node_modules/@types from here; removed after the run.
    const tsconfig = join(lib, `tsconfig.types.${process.pid}.json`);
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: '../tsconfig.json',
        compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, outDir: relative(lib, outDir), rootDir: '..', paths: {} },
        files: entries.map((e) => join('..', e.source)),
        include: [],
      }),
    );
    try {
      const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
      const run = spawnSync(process.execPath, [tsc, '-p', tsconfig], { cwd: root, stdio: 'inherit' });
      if (run.status !== 0) throw new Error(`PORTICO_BUILD_FAILED: tsc could not emit the declarations (exit ${run.status ?? run.signal})`);
    } finally {
      rmSync(tsconfig, { force: true });
    }
    rewriteSpecifiers(outDir);
    const missing = entries.filter((e) => !existsSync(join(outDir, e.types.slice('./lib/types/'.length))));
    if (missing.length) throw new Error(`PORTICO_BUILD_FAILED: tsc wrote no ${missing.map((e) => e.types).join(', ')}`);
  });
}

// `npm pack` and `npm publish` run prepack, then prepare: the second build would redo the first.
if (process.env.npm_lifecycle_event === 'prepare' && ['pack', 'publish'].includes(process.env.npm_command ?? '')) process.exit(0);

mkdirSync(lib, { recursive: true });
const entries = packageEntries();
try {
  await Promise.all([buildCli(root), buildJs(entries), buildTypes(entries)]);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
if (process.env.PORTICO_BUILD_QUIET !== '1') {
  console.error(`portico: built lib/cli.mjs, ${entries.length} exports (lib/esm, lib/types) in ${Math.round(performance.now() - started)} ms`);
}
