/**
 * Finding wrangler and its own miniflare (adapters/cloudflare/build/peers.ts) in a project laid
 * out as npm lays it out: a top-level miniflare of another major than the one nested under
 * wrangler must not be the one loaded; no wrangler, or one without the local-run API, is one
 * PORTICO_* line that names what to install. The packages here are small stand-ins written to
 * disk; pack.test.ts runs the real wrangler from a user's project.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findWrangler, loadWorkerTools, requireWrangler } from '../../adapters/cloudflare/build/peers.ts';

const root = mkdtempSync(join(tmpdir(), 'portico-peers-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A CommonJS package `name` at `dir` whose module is `{ ...exports, which: '<name>@<version>' }`. */
function fakePackage(dir: string, name: string, version: string, exports: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), `module.exports = { ${exports} which: ${JSON.stringify(`${name}@${version}`)} };`);
}

function project(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'dist', 'cloudflare'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{}');
  return dir;
}

test('miniflare comes from inside wrangler, not the top-level one of another major', () => {
  const dir = project('nested');
  fakePackage(join(dir, 'node_modules/wrangler'), 'wrangler', '4.200.0', 'unstable_getMiniflareWorkerOptions() {},');
  fakePackage(join(dir, 'node_modules/wrangler/node_modules/miniflare'), 'miniflare', '5.0.0-beta', 'Miniflare: class {}, convertV4MiniflareOptions() {},');
  fakePackage(join(dir, 'node_modules/miniflare'), 'miniflare', '4.0.0', 'Miniflare: class {},');
  const tools = loadWorkerTools(join(dir, 'dist', 'cloudflare'));
  assert.equal((tools.wrangler as unknown as { which: string }).which, 'wrangler@4.200.0');
  assert.equal((tools.miniflare as unknown as { which: string }).which, 'miniflare@5.0.0-beta');
  assert.deepEqual([tools.wranglerVersion, tools.miniflareVersion], ['4.200.0', '5.0.0-beta']);
});

test("the project's wrangler wins over portico's own", () => {
  const dir = project('own');
  fakePackage(join(dir, 'node_modules/wrangler'), 'wrangler', '4.1.2', '');
  assert.equal(findWrangler([join(dir, 'dist', 'cloudflare'), import.meta.dirname])?.version, '4.1.2');
});

test('no wrangler: PORTICO_MISSING_PEER, one line naming the install command', () => {
  const dir = project('none');
  assert.equal(findWrangler([dir]), undefined);
  assert.throws(
    () => requireWrangler([dir], 'deploying a Worker'),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'PORTICO_MISSING_PEER');
      assert.equal(error.message, 'PORTICO_MISSING_PEER: deploying a Worker needs wrangler in your project; install it: npm i -D wrangler');
      return true;
    },
  );
});

test('a wrangler without the local-run API: PORTICO_PEER_VERSION naming the version to install', () => {
  const dir = project('old');
  fakePackage(join(dir, 'node_modules/wrangler'), 'wrangler', '2.0.0', '');
  fakePackage(join(dir, 'node_modules/miniflare'), 'miniflare', '2.0.0', 'Miniflare: class {},');
  assert.throws(
    () => loadWorkerTools(join(dir, 'dist', 'cloudflare')),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'PORTICO_PEER_VERSION');
      assert.match(error.message, /^PORTICO_PEER_VERSION: wrangler 2\.0\.0 \(miniflare 2\.0\.0\) lacks .*: npm i -D wrangler@4$/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
  );
});
