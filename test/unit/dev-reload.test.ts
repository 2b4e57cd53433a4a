// portico dev: hot swap on save without dropping the port, the error page while a build is
// broken, recovery when it is fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { awaitOutput } from '../child-output.ts';
import { startDev } from '../../src/dev/dev.ts';
import { DEV_STATUS_PATH } from '../../src/dev/error-page.ts';
import type { Target } from '../../src/bundle/target.ts';

function tempApp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-dev-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const app = (text: string) => `import { word } from './word.ts';\nexport default { fetch: (req, env, ctx) => new Response(${JSON.stringify(text)} + ' ' + word + ' ' + ctx.gateway) };\n`;

/**
 * GET with exactly these headers, through node:http (fetch adds its own Sec-Fetch-Mode: cors,
 * which would hide a browser's page load).
 */
function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'] ?? '', text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** GET until `check` passes, every 10 ms, for at most `limitMs`. Returns the elapsed time. */
async function pollUntil(url: string, check: (status: number, text: string) => boolean, limitMs: number, headers?: Record<string, string>): Promise<number> {
  const started = performance.now();
  let last = '';
  while (performance.now() - started < limitMs) {
    try {
      const res = await httpGet(url, headers);
      last = `${res.status} ${res.text}`;
      if (check(res.status, res.text)) return performance.now() - started;
    } catch (error) {
      // Only a config restart closes the port, for a few ms: try again.
      last = String((error as Error).cause ?? error);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not served within ${limitMs} ms; last answer: ${last.slice(0, 300)}`);
}

test('a save is served within 2 s on the same port; a broken build serves the error page; a fix recovers', async (t) => {
  const dir = tempApp({ 'src/app.ts': app('one'), 'src/word.ts': "export const word = 'alpha';\n", 'public/static.txt': 'from public\n' });
  const lines: string[] = [];
  const dev = await startDev({ target: 'node', entry: 'src/app.ts', root: dir, outDir: '.portico/dev', publicDir: 'public', port: 0, log: (l) => lines.push(l) });
  t.after(async () => {
    await dev.close();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.match(dev.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const first = await fetch(dev.url);
  assert.equal(await first.text(), 'one alpha node');
  assert.equal(await (await fetch(`${dev.url}static.txt`)).text(), 'from public\n', 'public/ served from the source folder');

  // Edit the entry, then a file it imports: both are watched.
  writeFileSync(join(dir, 'src/app.ts'), app('two'));
  const entryMs = await pollUntil(dev.url, (_s, text) => text === 'two alpha node', 2000);
  writeFileSync(join(dir, 'src/word.ts'), "export const word = 'beta';\n");
  const importMs = await pollUntil(dev.url, (_s, text) => text === 'two beta node', 2000);
  t.diagnostic(`save → new code served: entry ${entryMs.toFixed(0)} ms, imported file ${importMs.toFixed(0)} ms`);

  // A syntax error: a browser loading a page gets the error page (status 500); every other
  // request is still served by the last good build.
  const browser = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' };
  writeFileSync(join(dir, 'src/word.ts'), "export const word = 'gamma\n");
  await pollUntil(dev.url, (status) => status === 500, 2000, browser);
  const page = await httpGet(dev.url, browser);
  assert.equal(page.status, 500);
  assert.match(page.type, /^text\/html/);
  const html = page.text;
  assert.match(html, /<title>Build failed · portico dev<\/title>/);
  assert.match(html, /Unterminated string literal/);
  assert.match(html, /src\/word\.ts:1:/);
  assert.doesNotMatch(html, /\u001b\[/, 'no terminal colour codes in the page');
  const api = await fetch(dev.url);
  assert.equal(api.status, 200, 'a non-page request is served by the last good build');
  assert.equal(await api.text(), 'two beta node');
  const asset = await httpGet(dev.url, { accept: 'text/html', 'sec-fetch-mode': 'no-cors' });
  assert.equal(asset.text, 'two beta node', 'a subresource of a page is not a page load');
  const plainHtml = await httpGet(dev.url, { accept: 'text/html' });
  assert.equal(plainHtml.status, 500, 'a client asking for HTML without Sec-Fetch headers gets the page');
  const status = await (await fetch(new URL(DEV_STATUS_PATH, dev.url))).json();
  assert.equal(status.ok, false);

  // Fixed: served again, the status endpoint the page polls says ok with a new version.
  writeFileSync(join(dir, 'src/word.ts'), "export const word = 'delta';\n");
  await pollUntil(dev.url, (_s, text) => text === 'two delta node', 2000);
  const after = await (await fetch(new URL(DEV_STATUS_PATH, dev.url))).json();
  assert.equal(after.ok, true);
  assert.ok(after.version > status.version);

  // The app throws while loading (no app exported): the error page names it.
  writeFileSync(join(dir, 'src/app.ts'), 'export default { nope: 1 };\n');
  await pollUntil(dev.url, (s, body) => s === 500 && /PORTICO_NO_APP/.test(body), 2000, browser);
  assert.equal(await (await fetch(dev.url)).text(), 'two delta node', 'the last good build still serves API calls');
  writeFileSync(join(dir, 'src/app.ts'), app('three'));
  await pollUntil(dev.url, (_s, body) => body === 'three delta node', 2000);
  assert.ok(lines.some((l) => /^✓ reloaded in \d+ ms \(src\/app\.ts changed\)$/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^✗ build failed \(src\/word\.ts changed\)/.test(l)), lines.join('\n'));
});

test('a first build that fails still serves (the error page), and recovers', async (t) => {
  const dir = tempApp({ 'app.ts': 'export default { fetch() { return new Response("x" }; ' });
  const dev = await startDev({ target: 'node', entry: 'app.ts', root: dir, outDir: '.portico/dev', port: 0, log: () => {} });
  t.after(async () => {
    await dev.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // No good build to fall back on: every request gets the error, as text when not a page load.
  const res = await fetch(dev.url);
  assert.equal(res.status, 500);
  assert.match(res.headers.get('content-type')!, /^text\/plain/);
  assert.match(await res.text(), /^Build failed\n\n/);
  writeFileSync(join(dir, 'app.ts'), 'export default { fetch: () => new Response("fixed") };');
  await pollUntil(dev.url, (_s, text) => text === 'fixed', 2000);
});

test('a target without a dev hook: PORTICO_NO_DEV; a taken port: PORTICO_PORT_IN_USE', async (t) => {
  const dir = tempApp({ 'app.ts': 'export default { fetch: () => new Response("x") };' });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const noDev: Target = {
    name: 'nodev',
    description: 'test',
    entrySource: (ctx) => `export { default } from ${JSON.stringify(ctx.entry)};`,
    esbuildOptions: (ctx) => ({ outfile: join(ctx.outDir, 'x.mjs'), format: 'esm', platform: 'node' }),
  };
  await assert.rejects(startDev({ target: noDev, entry: 'app.ts', root: dir, port: 0 }), /^PorticoError: PORTICO_NO_DEV: target nodev has no dev mode yet/);
  const first = await startDev({ target: 'node', entry: 'app.ts', root: dir, outDir: '.portico/a', port: 0, log: () => {} });
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(startDev({ target: 'node', entry: 'app.ts', root: dir, outDir: '.portico/b', port, log: () => {} }), new RegExp(`PORTICO_PORT_IN_USE: port ${port} on 127\\.0\\.0\\.1 is in use; pass another one: portico dev --port ${port + 1}`));
  } finally {
    await first.close();
  }
});

test('portico dev (the command): serves on the port it prints, reloads, restarts on a config change, stops on SIGTERM', async (t) => {
  const { spawn } = await import('node:child_process');
  const dir = tempApp({ 'package.json': '{}', 'bundle.config.mjs': 'export default {};', 'src/app.ts': 'export default { fetch: () => new Response("cli one") };' });
  const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/portico.mjs'), 'dev', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const { match: url, logs } = await awaitOutput(child, /portico dev \(node\): (http:\/\/127\.0\.0\.1:\d+\/)/, 'portico dev', 10000);
  assert.equal(await (await fetch(url)).text(), 'cli one');
  writeFileSync(join(dir, 'src/app.ts'), 'export default { fetch: (request, env, ctx) => new Response("cli two" + ctx.basePath) };');
  await pollUntil(url, (_s, text) => text === 'cli two', 2000);
  // A config change restarts on the same port with the new config (here a mount point).
  writeFileSync(join(dir, 'bundle.config.mjs'), 'export default { basePath: "/b" };');
  await pollUntil(new URL('/b/x', url).href, (status, text) => status === 200 && text === 'cli two/b', 3000);
  assert.match(logs(), /bundle\.config\.mjs changed: restarting/);
  const code = await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  assert.equal(code, 0);
});
