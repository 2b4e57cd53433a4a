/**
 * `portico dev --target cloudflare`: the app runs in real workerd (Miniflare) with the config's
 * bindings, behind the dev server's port; a save reloads it in place (same port, same workerd,
 * KV data kept); closing the session stops workerd.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDev } from '../../src/dev/dev.ts';

process.env.WRANGLER_SEND_METRICS = 'false';
process.env.CI = 'true';

const app = (word: string) => `
import { Buffer } from 'node:buffer';
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === '/count') {
      const n = Number((await env.KV.get('n')) ?? 0) + 1;
      await env.KV.put('n', String(n));
      return new Response(String(n));
    }
    return new Response(${JSON.stringify(word)} + ' ' + ctx.gateway + ' ' + env.GREETING + ' ' + Buffer.from('ok').toString('hex'));
  },
};
`;

/** Pids of workerd processes this test process started (Linux /proc). */
function workerdChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? [];
      if (comm === 'workerd' && Number(rest?.split(' ')[1]) === process.pid) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

async function pollUntil(url: string, want: string, limitMs: number): Promise<number> {
  const started = performance.now();
  let last = '';
  while (performance.now() - started < limitMs) {
    try {
      last = await (await fetch(url)).text();
      if (last === want) return performance.now() - started;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${url} did not answer ${JSON.stringify(want)} within ${limitMs} ms; last: ${last.slice(0, 300)}`);
}

test('dev serves the worker from workerd with its bindings, reloads on save, and stops workerd on close', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-cf-dev-'));
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'app.ts'), app('one'));
  writeFileSync(join(dir, 'public', 'a.txt'), 'asset\n');
  const lines: string[] = [];
  const dev = await startDev({
    target: 'cloudflare',
    entry: 'app.ts',
    root: dir,
    outDir: '.portico/dev',
    publicDir: 'public',
    port: 0,
    options: { vars: { GREETING: 'hi' }, bindings: { kv_namespaces: [{ binding: 'KV', id: 'dev-kv' }] } },
    log: (line) => lines.push(line),
  });
  let closed = false;
  t.after(async () => {
    if (!closed) await dev.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // nodejs_compat is turned on for the dev build too (the app imports node:buffer).
  assert.equal(await (await fetch(dev.url)).text(), 'one cloudflare hi 6f6b', lines.join('\n'));
  assert.equal(await (await fetch(`${dev.url}a.txt`)).text(), 'asset\n');
  assert.equal(await (await fetch(`${dev.url}count`)).text(), '1');

  writeFileSync(join(dir, 'app.ts'), app('two'));
  const ms = await pollUntil(dev.url, 'two cloudflare hi 6f6b', 10_000);
  t.diagnostic(`save → new worker served in ${ms.toFixed(0)} ms`);
  assert.equal(await (await fetch(`${dev.url}count`)).text(), '2', 'KV data survives a reload');

  assert.equal(workerdChildren().length, 1, 'one workerd for the whole session, reloaded in place');
  await dev.close();
  closed = true;
  await assert.rejects(fetch(dev.url), 'the dev port is closed');
  assert.deepEqual(workerdChildren(), [], 'workerd stopped with the session');
});
