// Issue 7 against serve(): hostile Hosts and targets, the fallback 500's reason phrase,
// Expect: 100-continue over the limit, the response deadline, the stream idle timeout and the
// pipelining cap. Each over a real socket.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { FastResponse } from '../../adapters/_http/response.ts';
import { rateLimitedLog } from '../../adapters/_node/log.ts';
import { BAD_HOSTS } from '../fuzz/http-requests.ts';
import { rawExchange, send, sleep, start } from './node-helpers.ts';

const echo = { fetch: (r: Request) => Response.json({ url: r.url, path: new URL(r.url).pathname }) };

describe('Host and request-target', () => {
  test('every Host the URL parser rejects or reinterprets is a 400, logged nowhere, and the server goes on', async () => {
    const s = await start(echo);
    try {
      for (const host of BAD_HOSTS.filter((h) => h !== '')) {
        const answer = await rawExchange(s.port, Buffer.from(`GET /x HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 'latin1'));
        assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/, JSON.stringify(host));
      }
      const two = await rawExchange(s.port, 'GET /x HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n');
      assert.match(two, /^HTTP\/1\.1 400 /);
      assert.match(two, /more than one Host/);
      assert.deepEqual(s.logs, []);
      assert.equal((await send(s.port, { path: '/fine' })).status, 200);
    } finally {
      await s.close();
    }
  });

  test('request.url is the WHATWG serialisation: encoded, dot segments resolved, the Host as its origin', async () => {
    const s = await start(echo);
    try {
      const cases: Array<[string, string]> = [
        ['/<script>', '/%3Cscript%3E'],
        ['/a/../b/./c', '/b/c'],
        ['/a%2Fb?q=<x>&y=1+2', '/a%2Fb?q=%3Cx%3E&y=1+2'],
        ['//evil.example/x', '//evil.example/x'],
      ];
      for (const [target, path] of cases) {
        const answer = await rawExchange(s.port, Buffer.from(`GET ${target} HTTP/1.1\r\nHost: Example.COM:80\r\nConnection: close\r\n\r\n`, 'latin1'));
        const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
        assert.equal(body.url, `http://example.com${path}`, JSON.stringify(target));
        assert.equal(new URL(body.url).href, body.url);
      }
      // Raw bytes above 0x7f never reach the gateway: node's parser refuses them.
      assert.match(await rawExchange(s.port, Buffer.from('GET /\xe9 HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1')), /^HTTP\/1\.1 400 /);
    } finally {
      await s.close();
    }
  });
});

describe('answers of the gateway itself', () => {
  test('the fallback 500 carries its own reason phrase, not the failed response\'s', async () => {
    // The light response's plain-object headers go to writeHead unchecked; node refuses \x01
    // there, after it has taken the status and its reason phrase.
    const s = await start({ fetch: () => new FastResponse('x', { status: 200, statusText: 'OK', headers: { 'x-ctl': 'a\x01b' } }) as unknown as Response });
    try {
      const answer = await rawExchange(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.match(answer, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    } finally {
      await s.close();
    }
  });

  test('Expect: 100-continue over maxBodySize is 413 without 100 Continue; under it, 100 then the answer', async () => {
    const s = await start({ fetch: async (r: Request) => new Response(`got ${(await r.text()).length}`) }, { maxBodySize: 1000 });
    try {
      const over = await rawExchange(s.port, 'POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n', 2000);
      assert.match(over, /^HTTP\/1\.1 413 Payload Too Large\r\n/);
      assert.doesNotMatch(over, /100 Continue/);
      const socket = connect(s.port, '127.0.0.1');
      let got = '';
      socket.on('data', (c) => (got += c.toString('latin1')));
      socket.write('POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\nConnection: close\r\n\r\n');
      while (!got.includes('100 Continue')) await sleep(10);
      socket.write('0123456789');
      await new Promise((r) => socket.on('close', r));
      assert.match(got, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
      assert.match(got, /got 10$/);
    } finally {
      await s.close();
    }
  });
});

describe('limits in time and in number', () => {
  test('an app that never answers gets 504 at responseTimeout, with request.signal aborted', async () => {
    const reasons: string[] = [];
    const s = await start(
      {
        fetch(r: Request) {
          if (new URL(r.url).pathname === '/ok') return new Response('ok');
          r.signal.addEventListener('abort', () => reasons.push((r.signal.reason as Error).name));
          return new Promise<Response>(() => {});
        },
      },
      { responseTimeout: 300 },
    );
    try {
      const t0 = Date.now();
      const r = await send(s.port, { path: '/never' });
      const took = Date.now() - t0;
      assert.equal(r.status, 504);
      assert.ok(took >= 280 && took < 2000, `answered after ${took} ms`);
      assert.deepEqual(reasons, ['TimeoutError']);
      assert.equal((await send(s.port, { path: '/ok' })).status, 200);
    } finally {
      await s.close();
    }
  });

  test('responseTimeout counts from the end of the request: a slow upload is not cut by it', async () => {
    const s = await start({ fetch: async (r: Request) => new Response(`got ${(await r.text()).length}`) }, { responseTimeout: 300 });
    try {
      const socket = connect(s.port, '127.0.0.1');
      let got = '';
      socket.on('data', (c) => (got += c.toString('latin1')));
      socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n');
      for (let i = 0; i < 10; i++) {
        await sleep(100);
        socket.write('x');
      }
      await new Promise((r) => socket.on('close', r));
      assert.match(got, /^HTTP\/1\.1 200 OK\r\n[\s\S]*got 10$/);
    } finally {
      await s.close();
    }
  });

  test('a streamed body that stalls is cut at streamIdleTimeout', async () => {
    const s = await start(
      {
        fetch: () =>
          new Response(
            new ReadableStream({
              start(c) {
                c.enqueue(new TextEncoder().encode('first'));
              },
            }),
          ),
      },
      { streamIdleTimeout: 300 },
    );
    try {
      const t0 = Date.now();
      const answer = await rawExchange(s.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 5000);
      const took = Date.now() - t0;
      assert.match(answer, /^HTTP\/1\.1 200 /);
      assert.match(answer, /first/);
      assert.doesNotMatch(answer, /\r\n0\r\n\r\n$/, 'a cut stream must not look complete');
      assert.ok(took >= 280 && took < 3000, `cut after ${took} ms`);
      assert.equal(s.logs.filter((l) => l.includes('PORTICO_STREAM_IDLE')).length, 1);
    } finally {
      await s.close();
    }
  });

  test('a native Response whose stream never starts is cut at streamIdleTimeout too (500 before the head)', async () => {
    const NativeResponse = globalThis.Response;
    const s = await start({ fetch: () => new NativeResponse(new ReadableStream({ start() {} })) }, { streamIdleTimeout: 300 });
    try {
      const t0 = Date.now();
      const r = await send(s.port, { path: '/' });
      assert.equal(r.status, 500);
      assert.ok(Date.now() - t0 < 3000);
    } finally {
      await s.close();
    }
  });

  test('pipelined requests: at most maxPipelined answers in the making, all answered in order', async () => {
    let running = 0;
    let most = 0;
    const s = await start(
      {
        async fetch(r: Request) {
          running++;
          most = Math.max(most, running);
          await sleep(5);
          running--;
          return new Response(new URL(r.url).searchParams.get('n'));
        },
      },
      { maxPipelined: 4 },
    );
    try {
      const n = 200;
      let all = '';
      for (let i = 0; i < n; i++) all += `GET /?n=${i} HTTP/1.1\r\nHost: x\r\n${i === n - 1 ? 'Connection: close\r\n' : ''}\r\n`;
      const answer = await rawExchange(s.port, all, 15_000);
      const bodies = [...answer.matchAll(/\r\n\r\n(\d+)/g)].map((m) => Number(m[1]));
      assert.deepEqual(bodies, Array.from({ length: n }, (_, i) => i));
      // The one on the wire plus four queued behind it.
      assert.ok(most <= 5, `${most} answers were in the making at once`);
    } finally {
      await s.close();
    }
  });

  test('a client pipelining requests for a large answer without reading makes the app run only up to the cap', async () => {
    let calls = 0;
    const s = await start({ fetch: () => (calls++, new Response(new Uint8Array(1024 * 1024))) }, { maxPipelined: 8 });
    try {
      const socket = connect(s.port, '127.0.0.1');
      socket.pause(); // never reads
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2000));
      await sleep(1000);
      // The answer being sent, 8 queued behind it, and what the kernel's buffers took before.
      assert.ok(calls < 40, `the app ran ${calls} times for a client that reads nothing`);
      socket.destroy();
    } finally {
      await s.close();
    }
  });
});

test('rate-limited log: a burst goes out, the rest is counted in one line', () => {
  const lines: string[] = [];
  const log = rateLimitedLog((m) => lines.push(m), { burst: 3, windowMs: 60_000 });
  for (let i = 0; i < 100; i++) log(`line ${i}`);
  assert.deepEqual(lines, ['line 0', 'line 1', 'line 2']);
});

test('node target: the limits are checked in bundle.config.ts and baked into server.mjs', async () => {
  const { target } = await import('../../adapters/node/build/target.ts');
  assert.doesNotThrow(() => target.resolveOptions!({ headersTimeout: 5000, responseTimeout: 0, maxHeaderSize: 8192, maxPipelined: 4, streamIdleTimeout: 1000, keepAliveTimeout: 0, requestTimeout: 0 }));
  assert.throws(() => target.resolveOptions!({ headersTimeout: -1 }), /"node\.headersTimeout" must be a whole number of milliseconds, got -1/);
  assert.throws(() => target.resolveOptions!({ maxHeaderSize: 0 }), /"node\.maxHeaderSize" must be a positive integer \(bytes\)/);
  assert.throws(() => target.resolveOptions!({ maxPipelined: 1.5 }), /"node\.maxPipelined" must be a positive integer/);
  assert.throws(() => target.resolveOptions!({ responseTimeout: '5s' }), /"node\.responseTimeout"/);
  const source = target.entrySource({ entry: '/app.ts', root: '/app', porticoRoot: '/p', basePath: '', options: { responseTimeout: 1234, maxPipelined: 3 }, dev: false } as never);
  assert.match(source, /"limits":\{"responseTimeout":1234,"maxPipelined":3\}/);
});

test('CONNECT gets 405, not a dropped connection', async () => {
  const s = await start(echo);
  try {
    assert.match(await rawExchange(s.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'), /^HTTP\/1\.1 405 Method Not Allowed\r\n/);
  } finally {
    await s.close();
  }
});
