/**
 * The Workers gateway in real workerd: bundled by `--target cloudflare`, run by Miniflare on
 * loopback. Env bindings, ctx fields, waitUntil, streaming, static assets, mounts, scheduled
 * passthrough, and errors becoming 500s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildProject, eventually, kvOf, run, triggerScheduled, type Project, type Running } from './harness.ts';

const APP = `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case '/ctx':
        return Response.json({
          url: request.url,
          gateway: ctx.gateway,
          clientAddress: ctx.clientAddress,
          basePath: ctx.basePath,
          platformHasWaitUntil: typeof ctx.platform.waitUntil === 'function',
          passThrough: typeof ctx.passThroughOnException,
          greeting: env.GREETING,
          answer: env.ANSWER,
        });
      case '/kv': {
        await env.KV.put('key', request.method + ' ' + (await request.text()));
        return new Response(await env.KV.get('key'));
      }
      case '/wait-until': {
        const { waitUntil } = ctx; // bound: works detached
        waitUntil(sleep(300).then(() => env.KV.put('after', 'done')));
        return new Response('sent');
      }
      case '/stream': {
        const encoder = new TextEncoder();
        const body = new ReadableStream({
          async start(controller) {
            controller.enqueue(encoder.encode('first;'));
            await sleep(1000);
            controller.enqueue(encoder.encode('last'));
            controller.close();
          },
        });
        // Not text/*: workerd gzips compressible types for clients that accept it, and its
        // gzip stream holds small chunks back (as the edge's compression may).
        return new Response(body, { headers: { 'content-type': 'application/octet-stream' } });
      }
      case '/throw-sync': throw new Error('sync boom');
      case '/reject': return Promise.reject(new Error('async boom'));
      case '/not-a-response': return { status: 200 };
      case '/assets-binding': return env.ASSETS.fetch(new URL('/hello.txt', request.url));
      default: return new Response('app saw ' + url.pathname + url.search, { status: 404 });
    }
  },
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(env.KV.put('cron', controller.cron));
  },
};
`;

const CLOUDFLARE = {
  vars: { GREETING: 'hello', ANSWER: 42 },
  bindings: { kv_namespaces: [{ binding: 'KV', id: 'test-kv' }] },
  assetsBinding: 'ASSETS',
};

describe('cloudflare runtime in workerd (at the root)', () => {
  let project: Project;
  let worker: Running;
  before(async () => {
    project = await buildProject({ 'app.ts': APP, 'public/hello.txt': 'static hello\n' }, { cloudflare: CLOUDFLARE });
    worker = await run(project);
  });
  after(async () => {
    await worker?.close();
    await project?.remove();
  });

  it('hands the app env bindings unchanged and portico ctx fields', async () => {
    const res = await worker.get('/ctx?a=1');
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.gateway, 'cloudflare');
    assert.equal(body.basePath, '');
    assert.equal(body.platformHasWaitUntil, true);
    assert.equal(body.passThrough, 'function');
    assert.equal(body.greeting, 'hello');
    assert.equal(body.answer, 42, 'a numeric var stays a number (JSON var)');
    assert.match(body.url, /\/ctx\?a=1$/);
    // Miniflare sets cf-connecting-ip (as the edge does) to the loopback peer.
    assert.equal(body.clientAddress, '127.0.0.1');
    const viaEdge = await (await worker.get('/ctx', { headers: { 'cf-connecting-ip': '203.0.113.9' } })).json();
    assert.equal(viaEdge.clientAddress, '203.0.113.9', 'ctx.clientAddress is cf-connecting-ip');
  });

  it('gives the app a real KV namespace', async () => {
    const res = await worker.get('/kv', { method: 'POST', body: 'stored' });
    assert.equal(await res.text(), 'POST stored');
    const kv = await kvOf(worker, 'KV');
    assert.equal(await kv.get('key'), 'POST stored');
  });

  it('keeps waitUntil work running after the response', async () => {
    const kv = await kvOf(worker, 'KV');
    await kv.delete('after');
    const res = await worker.get('/wait-until');
    assert.equal(await res.text(), 'sent');
    assert.equal(await kv.get('after'), null, 'the response came before the 300 ms work finished');
    assert.ok(await eventually(async () => (await kv.get('after')) === 'done'), 'waitUntil work finished');
  });

  it('streams: the first chunk arrives before the last is produced', async () => {
    const res = await worker.get('/stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let firstAt = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!firstAt) firstAt = performance.now();
      text += decoder.decode(value, { stream: true });
    }
    const lastAt = performance.now();
    assert.equal(text, 'first;last');
    assert.ok(lastAt - firstAt >= 700, `first chunk ${Math.round(lastAt - firstAt)} ms before the end (the app waits 1000 ms between them)`);
  });

  it('serves public/ as Workers static assets, and through the ASSETS binding', async () => {
    const res = await worker.get('/hello.txt');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'static hello\n');
    const viaBinding = await worker.get('/assets-binding');
    assert.equal(await viaBinding.text(), 'static hello\n');
    const miss = await worker.get('/nope.txt');
    assert.equal(await miss.text(), 'app saw /nope.txt', 'a path that is no asset reaches the app');
  });

  it('turns a sync throw, an async rejection and a non-Response into logged 500s', async () => {
    for (const path of ['/throw-sync', '/reject', '/not-a-response']) {
      const res = await worker.get(path);
      assert.equal(res.status, 500, path);
      assert.equal(await res.text(), 'Internal Server Error\n');
    }
    assert.ok(await eventually(() => worker.logs.some((l) => l.includes('sync boom'))), worker.logs.join('\n'));
    assert.ok(await eventually(() => worker.logs.some((l) => l.includes('async boom'))));
    assert.ok(await eventually(() => worker.logs.some((l) => l.includes('PORTICO_BAD_RESPONSE'))));
    const next = await worker.get('/ctx');
    assert.equal(next.status, 200, 'the next request is fine');
  });

  it("passes the app's scheduled handler through, with env and ctx", async () => {
    const kv = await kvOf(worker, 'KV');
    const result = await triggerScheduled(worker, '*/5 * * * *');
    assert.equal(result.outcome, 'ok');
    assert.ok(await eventually(async () => (await kv.get('cron')) === '*/5 * * * *'));
  });
});

describe('cloudflare runtime in workerd (mounted at /mnt)', () => {
  let project: Project;
  let worker: Running;
  before(async () => {
    project = await buildProject({ 'app.ts': APP, 'public/hello.txt': 'static hello\n' }, { cloudflare: CLOUDFLARE, basePath: '/mnt' });
    worker = await run(project);
  });
  after(async () => {
    await worker?.close();
    await project?.remove();
  });

  it('shows the app the stripped path and the mount in ctx.basePath', async () => {
    const body = await (await worker.get('/mnt/ctx?x=%2F')).json();
    assert.equal(new URL(body.url).pathname, '/ctx');
    assert.equal(new URL(body.url).search, '?x=%2F');
    assert.equal(body.basePath, '/mnt');
    const root = await worker.get('/mnt');
    assert.equal(await root.text(), 'app saw /');
  });

  it('keeps method and body through the mount', async () => {
    const res = await worker.get('/mnt/kv', { method: 'PUT', body: 'mounted body' });
    assert.equal(await res.text(), 'PUT mounted body');
  });

  it('answers 404 outside the mount without calling the app', async () => {
    for (const path of ['/ctx', '/mntx/ctx', '/']) {
      const res = await worker.get(path);
      assert.equal(res.status, 404, path);
      assert.match(await res.text(), /outside this app's mount point \/mnt/);
    }
  });

  it('serves static assets under the mount', async () => {
    const res = await worker.get('/mnt/hello.txt');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'static hello\n');
  });
});

describe('toWorker used by hand (portico/cloudflare)', () => {
  it('mounts with its own basePath option and normalises it', async () => {
    const project = await buildProject({
      'app.ts': `import { toWorker } from 'portico/cloudflare';
export default toWorker({ fetch: (request, env, ctx) => new Response(new URL(request.url).pathname + ' ' + ctx.basePath + ' ' + ctx.gateway) }, { basePath: 'api/' });
`,
    });
    const worker = await run(project);
    try {
      assert.equal(await (await worker.get('/api/x')).text(), '/x /api cloudflare');
      const outside = await worker.get('/x');
      assert.equal(outside.status, 404);
    } finally {
      await worker.close();
      await project.remove();
    }
  });
});
