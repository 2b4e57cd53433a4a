/**
 * `portico dev --target exe`, run as a user runs it: the CLI in a project folder of its own
 * (package.json, src/app.ts, public/, bundle.config.mjs with exe.* options). The app sees
 * ctx.gateway 'exe', public/ is read live from the source folder, a save is served without a
 * restart, and the exe.* limits apply as in the built executable.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { awaitOutput, stopper } from '../child-output.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;

const app = (word: string) => `export default {
  async fetch(request: Request, env: unknown, ctx: { gateway: string; basePath: string }) {
    if (new URL(request.url).pathname === '/slow') await new Promise((r) => setTimeout(r, 1500));
    return new Response(${JSON.stringify(word)} + ' ' + ctx.gateway + ' ' + ctx.basePath + ' ' + new URL(request.url).pathname);
  },
};
`;

/** GET until `check` passes, every 20 ms, for at most `limitMs`; the last response's text. */
async function until(url: string, check: (status: number, text: string) => boolean, limitMs = 3000): Promise<string> {
  const started = performance.now();
  let last = '';
  while (performance.now() - started < limitMs) {
    const res = await fetch(url);
    last = `${res.status} ${await res.text()}`;
    if (check(res.status, last.slice(4))) return last.slice(4);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${url}: not served within ${limitMs} ms; last answer: ${last}`);
}

test('portico dev --target exe: the exe gateway, public/ live, reload on save, exe.* limits', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-exe-dev-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'package.json'), '{ "name": "shop", "version": "1.0.0", "type": "module" }\n');
  writeFileSync(join(dir, 'src/app.ts'), app('one'));
  writeFileSync(join(dir, 'public/index.html'), '<h1>one</h1>\n');
  writeFileSync(join(dir, 'bundle.config.mjs'), "export default { basePath: '/shop', exe: { responseTimeout: 300, staticCacheControl: 'no-cache' } };\n");
  const child = spawn(process.execPath, [CLI, 'dev', '--target', 'exe', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = stopper(child);
  t.after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const { match: url, logs } = await awaitOutput(child, /portico dev \(exe\): (http:\/\/127\.0\.0\.1:\d+\/)/, 'portico dev --target exe', 15_000);
  const shop = new URL('shop/', url).href;

  assert.equal(await until(`${shop}cart`, (s) => s === 200), 'one exe /shop /cart');
  const page = await fetch(`${shop}index.html`);
  assert.equal(await page.text(), '<h1>one</h1>\n');
  assert.equal(page.headers.get('cache-control'), 'no-cache', 'exe.staticCacheControl');

  // public/ is the source folder, read live: a changed file and a new one, no rebuild.
  writeFileSync(join(dir, 'public/index.html'), '<h1>two</h1>\n');
  writeFileSync(join(dir, 'public/new.txt'), 'fresh');
  assert.equal(await (await fetch(`${shop}index.html`)).text(), '<h1>two</h1>\n');
  assert.equal(await (await fetch(`${shop}new.txt`)).text(), 'fresh');

  // A save is served on the same port.
  writeFileSync(join(dir, 'src/app.ts'), app('two'));
  assert.equal(await until(`${shop}cart`, (_s, text) => text.startsWith('two')), 'two exe /shop /cart');

  // exe.responseTimeout reaches the dev listener: the slow path gets the 504.
  assert.equal((await fetch(`${shop}slow`)).status, 504);
  assert.match(logs(), /✓ reloaded in \d+ ms \(src\/app\.ts changed\)/);
});
