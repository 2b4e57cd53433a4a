// Builds lib/cli.mjs, the prebuilt CLI that Node 20 and installed copies run: one esbuild bundle
// of src/cli/main.ts, packages left external. Used by scripts/build-package.mjs (prepare,
// prepack) and by bin/portico.mjs (a checkout whose lib/cli.mjs is missing or stale). Plain
// JavaScript, so Node 20 runs it. Written aside and renamed, so a concurrent run never imports a
// half-written file.
import { renameSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @param {string} root the portico package root
 * @returns {Promise<string>} the path of lib/cli.mjs
 * @example
 * await buildCli('/path/to/portico'); // '/path/to/portico/lib/cli.mjs'
 */
export async function buildCli(root) {
  const esbuild = await import('esbuild');
  const cli = join(root, 'lib/cli.mjs');
  const temp = `${cli}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    // Paths in the bundle's comments relative to the package, whatever the working directory.
    absWorkingDir: root,
    outfile: temp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  renameSync(temp, cli);
  return cli;
}
