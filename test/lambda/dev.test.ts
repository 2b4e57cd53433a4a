/**
 * `portico dev --target lambda`: local HTTP through the real built handler. Each request becomes
 * the chosen event shape, the handler gets a realistic context, and the answer comes back as
 * the front door would send it (base64 decoded, cookies as separate Set-Cookie), streamed for
 * a streaming handler.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startDev } from '../../src/dev/dev.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-lambda-dev-'));
after(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'app.ts'),
  `export default {
  async fetch(req, env, ctx) {
    const url = new URL(req.url);
    const { event, context } = ctx.platform;
    if (url.pathname === '/stream') {
      const enc = new TextEncoder();
      return new Response(new ReadableStream({ async start(c) { c.enqueue(enc.encode('one\\n')); await new Promise((r) => setTimeout(r, 400)); c.enqueue(enc.encode('two\\n')); c.close(); } }));
    }
    if (url.pathname === '/bytes') return new Response(new Uint8Array(await req.arrayBuffer()).reverse(), { headers: { 'content-type': 'application/octet-stream' } });
    const headers = new Headers({ 'content-type': 'application/json' });
    headers.append('set-cookie', 'a=1; Path=/');
    headers.append('set-cookie', 'b=2; Path=/');
    return new Response(JSON.stringify({
      gateway: ctx.gateway,
      url: req.url,
      shape: event.version === '2.0' ? 'v2' : event.requestContext?.elb ? 'alb' : 'v1',
      fn: context.functionName,
      memory: context.memoryLimitInMB,
      remaining: context.getRemainingTimeInMillis(),
      requestId: context.awsRequestId,
    }), { headers });
  },
};
`,
);

function get(url: string, init: { method?: string; body?: Buffer } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; chunks: { at: number; data: Buffer }[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET' }, (res) => {
      const chunks: { at: number; data: Buffer }[] = [];
      res.on('data', (data: Buffer) => chunks.push({ at: performance.now(), data }));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks.map((c) => c.data)), chunks }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

async function session(options: Record<string, unknown>, name: string, flags?: Record<string, unknown>) {
  return startDev({ target: 'lambda', entry: 'app.ts', root: dir, outDir: join(dir, '.portico', name), port: 0, options, flags, log: () => {} });
}

test('buffered handler: v2 event by default, realistic context, cookies and base64 undone', async () => {
  const dev = await session({ memory: 512, timeout: 10, functionName: 'dev-fn' }, 'buffered');
  try {
    const reply = await get(`${dev.url}hello?x=1`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
    const json = JSON.parse(reply.body.toString());
    assert.equal(json.gateway, 'lambda');
    assert.equal(json.shape, 'v2');
    assert.equal(new URL(json.url).pathname + new URL(json.url).search, '/hello?x=1');
    assert.equal(json.fn, 'dev-fn');
    assert.equal(json.memory, '512');
    assert.ok(json.remaining > 9000 && json.remaining <= 10_000, `getRemainingTimeInMillis() = ${json.remaining}`);
    assert.match(json.requestId, /^[0-9a-f-]{36}$/);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const echoed = await get(`${dev.url}bytes`, { method: 'POST', body: bytes });
    assert.deepEqual(echoed.body, Buffer.from(bytes).reverse(), 'binary in (base64 event) and out (base64 result) intact');
  } finally {
    await dev.close();
  }
});

test('PORTICO_LAMBDA_EVENT=v1 and alb pick the REST API and ALB shapes', async () => {
  for (const [kind, shape] of [['v1', 'v1'], ['alb-multi', 'alb']] as const) {
    process.env.PORTICO_LAMBDA_EVENT = kind;
    const dev = await session({}, kind);
    try {
      const reply = await get(`${dev.url}x`);
      assert.equal(JSON.parse(reply.body.toString()).shape, shape);
      assert.deepEqual(reply.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
    } finally {
      delete process.env.PORTICO_LAMBDA_EVENT;
      await dev.close();
    }
  }
  // A wrong event kind fails the dev hook: the dev server shows the error instead of the app.
  process.env.PORTICO_LAMBDA_EVENT = 'v3';
  const dev = await session({}, 'bad');
  try {
    const reply = await get(`${dev.url}x`);
    assert.equal(reply.status, 500);
    assert.match(reply.body.toString(), /PORTICO_BAD_OPTION: --event must be one of v2, v1, alb, alb-multi/);
  } finally {
    delete process.env.PORTICO_LAMBDA_EVENT;
    await dev.close();
  }
});

test('--event (the dev command flag) reaches the hook and wins over PORTICO_LAMBDA_EVENT', async () => {
  process.env.PORTICO_LAMBDA_EVENT = 'v2';
  const dev = await session({}, 'flag', { event: 'v1' });
  try {
    const reply = await get(`${dev.url}x`);
    assert.equal(JSON.parse(reply.body.toString()).shape, 'v1');
  } finally {
    delete process.env.PORTICO_LAMBDA_EVENT;
    await dev.close();
  }
});

test('streaming handler: the first chunk reaches the client before the body is done', async () => {
  const dev = await session({ streaming: true }, 'streaming');
  try {
    const reply = await get(`${dev.url}stream`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), 'one\ntwo\n');
    const first = reply.chunks.find((c) => c.data.toString().includes('one'))!;
    const last = reply.chunks.at(-1)!;
    assert.ok(last.at - first.at >= 250, `first chunk only ${(last.at - first.at).toFixed(0)} ms before the last`);
  } finally {
    await dev.close();
  }
});
