/**
 * The exe build's lazy built-ins (adapters/exe/build/lazy-builtins.ts): a bundle that imports
 * node:crypto, node:fs/promises and node:child_process loads none of them until a function of
 * theirs is read, and then gets the real ones, through named, namespace and default imports.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { lazyBuiltinsPlugin } from '../../adapters/exe/build/lazy-builtins.ts';

test('lazy built-ins: nothing loaded at start, the real functions on first use', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-lazy-builtins-'));
  try {
    writeFileSync(
      join(dir, 'entry.mjs'),
      [
        "import { createHash } from 'node:crypto';",
        "import * as fsp from 'node:fs/promises';",
        "import cp from 'child_process';",
        "export const hash = () => createHash('sha256').update('a').digest('hex');",
        'export const readFile = () => fsp.readFile;',
        'export const spawn = () => cp.spawn;',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out.cjs');
    await build({ entryPoints: [join(dir, 'entry.mjs')], bundle: true, platform: 'node', format: 'cjs', outfile: out, plugins: [lazyBuiltinsPlugin()], logLevel: 'silent' });
    // A fresh process: this one has loaded them all already.
    const { execFileSync } = await import('node:child_process');
    const script = [
      'const before = new Set(process.moduleLoadList);',
      `const m = require(${JSON.stringify(out)});`,
      "const has = (name) => process.moduleLoadList.includes('NativeModule ' + name);",
      "const start = ['crypto', 'fs/promises', 'child_process'].filter((n) => has(n) && !before.has('NativeModule ' + n));",
      'const hash = m.hash();',
      "const real = m.readFile() === require('node:fs/promises').readFile && m.spawn() === require('node:child_process').spawn;",
      "console.log(JSON.stringify({ start, hash, real, after: has('crypto') && has('fs/promises') && has('child_process') }));",
    ].join('\n');
    // A script file, not -e: node -e loads node:crypto itself.
    writeFileSync(join(dir, 'run.cjs'), script);
    const result = JSON.parse(execFileSync(process.execPath, [join(dir, 'run.cjs')], { encoding: 'utf8' }));
    assert.deepEqual(result, {
      start: [],
      hash: createRequire(import.meta.url)('node:crypto').createHash('sha256').update('a').digest('hex'),
      real: true,
      after: true,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
