#!/usr/bin/env node
// The portico command. From a checkout on a Node that strips types (22.18+, 24), it runs the
// TypeScript sources directly; otherwise (Node 20, or portico installed under node_modules,
// where Node refuses to strip types) it runs lib/cli.mjs, the CLI prebuilt by `npm run prepare`
// (esbuild, packages external). If lib/cli.mjs is missing it is built here first.
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const underNodeModules = root.split(sep).includes('node_modules');
let cli;
if (process.features.typescript && !underNodeModules) {
  cli = join(root, 'src/cli/main.ts');
} else {
  cli = join(root, 'lib/cli.mjs');
  if (!existsSync(cli)) {
    // Keep in step with the "prepare" script in package.json.
    const esbuild = await import('esbuild');
    await esbuild.build({
      entryPoints: [join(root, 'src/cli/main.ts')],
      outfile: cli,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
  }
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
