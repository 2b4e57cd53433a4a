#!/usr/bin/env node
// The portico command. From a checkout on a Node that strips types (22.18+, 24), it runs the
// TypeScript sources directly; otherwise (Node 20, or portico installed under node_modules,
// where Node refuses to strip types) it runs lib/cli.mjs, the CLI prebuilt by
// scripts/build-package.mjs (`prepare`/`prepack`; esbuild, packages external). In a checkout,
// lib/cli.mjs is (re)built here when it is missing or older than the sources, so `npm start`
// works on Node 20 without a manual step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Cache compiled (and type-stripped) CLI modules between runs: Node 22.1+, a no-op before.
module.enableCompileCache?.();

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const underNodeModules = root.split(sep).includes('node_modules');

/** Newest modification time of the CLI's sources (src/ and adapters/), in ms. */
function sourcesTime() {
  let newest = 0;
  for (const dir of ['src', 'adapters']) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
    }
  }
  return newest;
}

let cli;
if (process.features.typescript && !underNodeModules) {
  cli = join(root, 'src/cli/main.ts');
} else {
  cli = join(root, 'lib/cli.mjs');
  if (!existsSync(cli) || (!underNodeModules && statSync(cli).mtimeMs < sourcesTime())) {
    const { buildCli } = await import('./build-cli.mjs');
    await buildCli(root);
  }
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
