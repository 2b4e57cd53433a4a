import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LightHeaders } from '../../adapters/_http/headers.ts';
import { FastResponse } from '../../adapters/_http/response.ts';
import { toNodeListener } from '../../adapters/node/runtime/node.ts';
import type { Context } from '../../src/app.ts';
import { send, sleep, start, type Started } from './node-helpers.ts';

/** An app that echoes what it saw, as JSON, through the light (F) or native (N) Response. */
function echoApp() {
  return {
    async fetch(request: Request, env: Record<string, unknown>, ctx: Context) {
      const u = new URL(request.url);
      if (u.pathname === '/throw') throw new Error('boom');
      if (u.pathname === '/reject') return Promise.reject(new Error('rejected'));
      if (u.pathname === '/not-a-response') return { hello: 'world' } as unknown as Response;
      if (u.pathname === '/cookies') {
        const h = new Headers();
        h.append('set-cookie', 'a=1; Path=/');
        h.append('set-cookie', 'b=2, c; HttpOnly');
        return new Response('ok', { headers: h });
      }
      if (u.pathname === '/light-cookies') {
        return new FastResponse('ok', { headers: { 'Set-Cookie': ['x=1', 'y=2'] } as unknown as HeadersInit }) as unknown as Response;
      }
      if (u.pathname === '/binary') {
        const bytes = new Uint8Array(await request.arrayBuffer());
        return new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } });
      }
      if (u.pathname === '/light-binary') {
        const bytes = await request.bytes();
        return new FastResponse(bytes) as unknown as Response;
      }
      if (u.pathname === '/unicode-header') {
        // Request headers are ByteStrings in Fetch: each byte one char; UTF-8 is the app's to decode.
        const seen = Buffer.from(request.headers.get('x-name') ?? '', 'latin1').toString('utf8');
        return new FastResponse(seen, { headers: { 'x-out': 'Zoë ☃', 'content-type': 'text/plain; charset=utf-8' } }) as unknown as Response;
      }
      if (u.pathname === '/unicode-header-native') {
        // Native Headers refuse such values; the light ones (the general send path) take them.
        return new FastResponse('n', { headers: new LightHeaders([['x-out', 'Zoë ☃']]) as unknown as HeadersInit }) as unknown as Response;
      }
      if (u.pathname === '/status') return new Response(null, { status: 204, statusText: 'Nothing Here' });
      if (u.pathname === '/wait') {
        ctx.waitUntil(sleep(300).then(() => (state.waited = true)));
        ctx.waitUntil(Promise.reject(new Error('background failure')));
        return new FastResponse('sent') as unknown as Response;
      }
      const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
      return Response.json({
        method: request.method,
        url: request.url,
        isRequest: request instanceof Request,
        accept: request.headers.get('accept'),
        cookie: request.headers.get('cookie'),
        xMany: request.headers.get('x-many'),
        entries: [...request.headers].filter(([k]) => k.startsWith('x-')),
        text,
        gateway: ctx.gateway,
        basePath: ctx.basePath,
        clientAddress: ctx.clientAddress,
        hasPlatform: typeof (ctx.platform as { req?: unknown }).req === 'object',
        envOk: env.PORTICO_TEST_ENV === 'yes',
      });
    },
  };
}

const state = { waited: false };
let s: Started;
before(async () => {
  s = await start(echoApp(), { env: { PORTICO_TEST_ENV: 'yes' } });
});
after(() => s.close());

describe('node gateway: requests', () => {
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    test(`${method} reaches the app with its method`, async () => {
      const r = await send(s.port, { method, path: '/m', body: method === 'GET' ? undefined : `body of ${method}` });
      assert.equal(r.status, 200);
      const j = JSON.parse(r.body.toString());
      assert.equal(j.method, method);
      assert.equal(j.text, method === 'GET' ? '' : `body of ${method}`);
      assert.equal(j.isRequest, true);
      assert.equal(j.gateway, 'node');
      assert.equal(j.clientAddress, '127.0.0.1');
      assert.equal(j.hasPlatform, true);
      assert.equal(j.envOk, true);
    });
  }

  test('HEAD has headers with the content length and no body', async () => {
    const get = await send(s.port, { path: '/m' });
    const head = await send(s.port, { method: 'HEAD', path: '/m' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    // The URL differs only in nothing: same app answer size for the same path.
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body.toString().replace('"GET"', '"HEAD"'))));
  });

  test('the raw path and query are kept byte for byte', async () => {
    const path = '/a%2Bb+c/%20x%2F%E2%98%83/~!$&\'()*,;=:@?q=1+2&r=%2B%20&s=%&t=a+b#';
    const r = await send(s.port, { path: path.slice(0, -1) });
    assert.equal(JSON.parse(r.body.toString()).url, `http://127.0.0.1:${s.port}${path.slice(0, -1)}`);
  });

  test('absolute-form targets give the URL their own authority, not Host (RFC 9112 §3.2.2); asterisk-form is a 400', async () => {
    const r = await send(s.port, { path: 'http://example.com/abs?x=1' });
    assert.equal(JSON.parse(r.body.toString()).url, 'http://example.com/abs?x=1');
    const bad = await send(s.port, { path: 'http://0x7f.1/abs' });
    assert.equal(bad.status, 400);
    const star = await send(s.port, { method: 'OPTIONS', path: '*' });
    assert.equal(star.status, 400);
  });

  test('repeated request headers are joined as Fetch does', async () => {
    const r = await send(s.port, {
      path: '/h',
      headers: ['Accept', 'text/html', 'accept', 'application/json', 'Cookie', 'a=1', 'cookie', 'b=2', 'X-Many', '1', 'x-many', '2', 'X-One', 'v'],
    });
    const j = JSON.parse(r.body.toString());
    assert.equal(j.accept, 'text/html, application/json');
    assert.equal(j.cookie, 'a=1; b=2');
    assert.equal(j.xMany, '1, 2');
    assert.deepEqual(j.entries, [['x-many', '1, 2'], ['x-one', 'v']]);
  });

  test('several Set-Cookie headers stay separate (native and light responses)', async () => {
    for (const [path, cookies] of [['/cookies', ['a=1; Path=/', 'b=2, c; HttpOnly']], ['/light-cookies', ['x=1', 'y=2']]] as const) {
      const r = await send(s.port, { path });
      assert.deepEqual(r.headers['set-cookie'], cookies);
    }
  });

  test('binary bodies are byte-exact both ways', async () => {
    const bytes = Buffer.alloc(70_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    for (const path of ['/binary', '/light-binary']) {
      const r = await send(s.port, { method: 'POST', path, body: bytes, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(r.status, 200);
      assert.ok(r.body.equals(bytes), `${path} echoed the exact bytes`);
      assert.equal(r.headers['content-length'], String(bytes.length));
    }
  });

  test('non-ASCII header values survive both ways as UTF-8 bytes', async () => {
    const wire = Buffer.from('Zoë 日本', 'utf8').toString('latin1'); // the UTF-8 bytes a client sends
    const r = await send(s.port, { path: '/unicode-header', headers: { 'x-name': wire } });
    assert.equal(r.status, 200, s.logs.join('\n'));
    assert.equal(r.body.toString('utf8'), 'Zoë 日本');
    assert.equal(Buffer.from(r.headers['x-out'] as string, 'latin1').toString('utf8'), 'Zoë ☃');
    const n = await send(s.port, { path: '/unicode-header-native' });
    assert.equal(n.status, 200);
    assert.equal(Buffer.from(n.headers['x-out'] as string, 'latin1').toString('utf8'), 'Zoë ☃');
  });

  test('status and status text pass through; 204 has no body', async () => {
    const r = await send(s.port, { path: '/status' });
    assert.equal(r.status, 204);
    assert.equal(r.statusMessage, 'Nothing Here');
    assert.equal(r.body.length, 0);
  });
});

describe('node gateway: errors', () => {
  test('a throw, a rejection and a non-Response give 500 and one log line each; the server keeps serving', async () => {
    s.logs.length = 0;
    for (const path of ['/throw', '/reject', '/not-a-response']) {
      const r = await send(s.port, { path });
      assert.equal(r.status, 500);
      assert.equal(r.body.toString(), 'Internal Server Error\n');
      assert.ok(!r.body.toString().includes('boom'));
    }
    assert.equal(s.logs.length, 3);
    assert.match(s.logs[0]!, /GET \/throw failed:.*boom/);
    assert.match(s.logs[1]!, /GET \/reject failed:.*rejected/);
    assert.match(s.logs[2]!, /GET \/not-a-response failed: the app returned an object of class Object \(keys: hello\)/);
    const ok = await send(s.port, { path: '/still' });
    assert.equal(ok.status, 200);
  });

  test('an invalid header from the app is a 500, not a crash', async () => {
    const bad = await start({ fetch: () => new FastResponse('x', { headers: { 'bad header': 'v' } as HeadersInit }) as unknown as Response });
    try {
      const r = await send(bad.port, {});
      assert.equal(r.status, 500);
      assert.equal(bad.logs.length, 1);
    } finally {
      await bad.close();
    }
  });
});

describe('node gateway: waitUntil', () => {
  test('close() waits for waitUntil work; a rejected one is logged', async () => {
    const w = await start(echoApp());
    state.waited = false;
    const r = await send(w.port, { path: '/wait' });
    assert.equal(r.body.toString(), 'sent');
    assert.equal(state.waited, false);
    await w.close();
    assert.equal(state.waited, true);
    assert.ok(w.logs.some((l) => l.includes('background failure')));
  });
});

describe('node gateway: basePath', () => {
  test('inside the mount the app sees the stripped path and ctx.basePath; outside is 404 without the app', async () => {
    let calls = 0;
    const app = echoApp();
    const m = await start({ fetch: (r: Request, e: any, c: Context) => (calls++, app.fetch(r, e, c)) }, { basePath: '/shop/' });
    try {
      const inside = JSON.parse((await send(m.port, { path: '/shop/cart?x=%2B' })).body.toString());
      assert.equal(inside.url, `http://127.0.0.1:${m.port}/cart?x=%2B`);
      assert.equal(inside.basePath, '/shop');
      const root = JSON.parse((await send(m.port, { path: '/shop?y' })).body.toString());
      assert.equal(root.url, `http://127.0.0.1:${m.port}/?y`);
      assert.equal(calls, 2);
      for (const path of ['/shopping', '/', '/other/shop/x', '/SHOP/cart']) {
        const r = await send(m.port, { path });
        assert.equal(r.status, 404, path);
      }
      assert.equal(calls, 2);
    } finally {
      await m.close();
    }
  });
});

describe('toNodeListener', () => {
  test('mounts in a server of your own', async () => {
    const { createServer } = await import('node:http');
    const server = createServer(toNodeListener({ fetch: (r: Request) => new Response(`at ${new URL(r.url).pathname}`) }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await send(port, { path: '/here' });
      assert.equal(r.body.toString(), 'at /here');
      assert.equal(r.headers['content-length'], '8');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('bad options fail with a stable code', () => {
    assert.throws(() => toNodeListener({ fetch: () => new Response('') }, { maxBodySize: -1 }), /PORTICO_BAD_OPTION/);
    assert.throws(() => toNodeListener({ fetch: () => new Response('') }, { trustProxy: 'nonsense' }), /PORTICO_BAD_OPTION/);
    assert.throws(() => toNodeListener({} as never), /PORTICO_NO_APP/);
  });
});
