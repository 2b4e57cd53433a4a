/**
 * The size table printed after a build: one row a file with that file's own size. Cloudflare's
 * public/ once showed as one row holding the folder's directory-entry size (4.10 kB whatever it
 * held).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '../../src/bundle/bundle.ts';
import { sizeTable } from '../../src/bundle/report.ts';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-report-'));
  mkdirSync(join(dir, 'public/img'), { recursive: true });
  writeFileSync(join(dir, 'app.ts'), 'export default { fetch: () => new Response("x") };\n');
  writeFileSync(join(dir, 'public/big.txt'), 'a'.repeat(12_345));
  writeFileSync(join(dir, 'public/img/dot.png'), Buffer.alloc(7));
  return dir;
}

/** Rows of the table as [name, kind, size]. */
function rows(table: string): Array<[string, string, string]> {
  return table.split('\n').map((line) => {
    const m = /^(\S+)\s+(\S*)\s+([\d.]+ kB)/.exec(line);
    assert.ok(m, `row: ${line}`);
    return [m[1]!, m[2]!, m[3]!];
  });
}

test('cloudflare: every asset is a row with its own size, no folder row', async (t) => {
  const dir = project();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { files } = await bundle({ target: 'cloudflare', entry: 'app.ts', root: dir, publicDir: 'public' });
  const table = rows(sizeTable(files, dir));
  const assets = table.filter(([name]) => name.startsWith('dist/cloudflare/public'));
  assert.deepEqual(assets, [
    ['dist/cloudflare/public/big.txt', 'asset', '12.35 kB'],
    ['dist/cloudflare/public/img/dot.png', 'asset', '0.01 kB'],
  ]);
  assert.ok(table.some(([name]) => name === 'dist/cloudflare/worker.js'));
  assert.ok(table.some(([name]) => name === 'dist/cloudflare/wrangler.json'));
});

test('a folder handed to sizeTable by any target becomes its files', () => {
  const dir = project();
  try {
    assert.deepEqual(rows(sizeTable([{ path: join(dir, 'public'), kind: 'asset' }], dir)), [
      ['public/big.txt', 'asset', '12.35 kB'],
      ['public/img/dot.png', 'asset', '0.01 kB'],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
