import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { send, sleep, start } from './node-helpers.ts';

const runtime = resolve(import.meta.dirname, '../../adapters/node/runtime/node.ts');

test('SIGTERM: an in-flight slow request and waitUntil work finish, then the process exits 0', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-shutdown-'));
  const script = join(dir, 'server.ts');
  writeFileSync(
    script,
    `import { serve } from ${JSON.stringify(runtime)};
const h = serve({
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/slow') {
      await new Promise((r) => setTimeout(r, 800));
      ctx.waitUntil(new Promise((r) => setTimeout(r, 300)).then(() => console.log('waitUntil done')));
      return new Response('slow done');
    }
    return new Response('quick');
  },
}, { port: 0, host: '127.0.0.1', gracefulTimeout: 5000 });
await h.ready;
console.log('READY ' + h.url);
`,
  );
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    while (!out.includes('READY ')) {
      if (child.exitCode !== null) assert.fail(`server died: ${out}`);
      await sleep(20);
    }
    const port = Number(/READY http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
    assert.equal((await send(port, { path: '/quick' })).body.toString(), 'quick');
    const slow = send(port, { path: '/slow' });
    await sleep(200);
    const t0 = Date.now();
    child.kill('SIGTERM');
    await sleep(100);
    // No new connections once shutting down.
    await assert.rejects(send(port, { path: '/quick' }), /ECONNREFUSED|ECONNRESET|socket hang up/);
    const r = await slow;
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'slow done');
    assert.equal(r.headers.connection, 'close');
    const code = await exited;
    assert.equal(code, 0, out);
    assert.ok(out.includes('waitUntil done'), out);
    assert.ok(Date.now() - t0 < 4000, 'exited well before the deadline');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('close() cuts off requests that outlive gracefulTimeout', async () => {
  const s = await start({ fetch: () => new Promise<Response>(() => {}) }, { gracefulTimeout: 300 });
  const pending = send(s.port, { path: '/never' }).then(
    () => 'answered',
    () => 'cut off',
  );
  await sleep(50);
  const t0 = Date.now();
  await s.close();
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(await pending, 'cut off');
});

test('a unix socket, with a stale socket file removed first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-sock-'));
  const path = join(dir, 'app.sock');
  try {
    // Leave a stale socket file behind, as a crashed server would: listen, then SIGKILL.
    const crashed = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => crashed.stdout.once('data', () => r()));
    crashed.kill('SIGKILL');
    await new Promise((r) => crashed.once('exit', r));
    assert.ok(existsSync(path), 'the stale socket file is there');
    const s = await start({ fetch: (r: Request) => new Response(`via ${new URL(r.url).host}`) }, { socket: path });
    try {
      assert.equal(s.handle.url, `unix:${path}`);
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpRequest({ socketPath: path, path: '/', headers: { host: 'sock.local' } }, (res) => {
          let t = '';
          res.on('data', (c) => (t += c));
          res.on('end', () => resolve(t));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(body, 'via sock.local');
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
