import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { rawExchange, send, sleep, start } from './node-helpers.ts';

describe('node gateway: limits', () => {
  test('a Content-Length over maxBodySize is 413 before the app runs', async () => {
    let calls = 0;
    const s = await start({ fetch: async (r: Request) => (calls++, new Response(await r.text())) }, { maxBodySize: 1000 });
    try {
      const small = await send(s.port, { method: 'POST', path: '/', body: 'x'.repeat(1000) });
      assert.equal(small.status, 200);
      const big = await send(s.port, { method: 'POST', path: '/', body: 'x'.repeat(1001) });
      assert.equal(big.status, 413);
      assert.equal(calls, 1);
      assert.equal((await send(s.port, { method: 'POST', body: 'ok' })).status, 200);
    } finally {
      await s.close();
    }
  });

  test('a chunked body crossing maxBodySize errors the read and the answer is 413', async () => {
    const seen: string[] = [];
    const s = await start(
      {
        async fetch(r: Request) {
          if (new URL(r.url).pathname === '/catch') {
            // The app catches the error and answers 400: the gateway still says 413.
            try {
              const reader = r.body!.getReader();
              for (;;) if ((await reader.read()).done) break;
            } catch (e) {
              seen.push((e as { code?: string }).code ?? String(e));
            }
            return new Response('caught', { status: 400 });
          }
          return new Response(await r.text());
        },
      },
      { maxBodySize: 10_000 },
    );
    try {
      for (const path of ['/text', '/catch']) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port: s.port, method: 'POST', path, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          });
          req.on('error', (e) => ((e as { code?: string }).code === 'EPIPE' || (e as { code?: string }).code === 'ECONNRESET' ? undefined : reject(e)));
          for (let i = 0; i < 20; i++) req.write(Buffer.alloc(1000, 0x62));
          req.end();
        });
        assert.equal(status, 413, path);
      }
      assert.deepEqual(seen, ['PORTICO_BODY_TOO_LARGE']);
      assert.equal(s.logs.length, 0);
    } finally {
      await s.close();
    }
  });

  test('request heads over maxHeaderSize get 431 from node', async () => {
    const s = await start({ fetch: () => new Response('ok') }, { maxHeaderSize: 2048 });
    try {
      const answer = await rawExchange(s.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 431 /);
      const fine = await send(s.port, { headers: { 'x-small': 'a'.repeat(1000) } });
      assert.equal(fine.status, 200);
    } finally {
      await s.close();
    }
  });

  test('a request head that never completes is cut off after headersTimeout', async () => {
    const s = await start({ fetch: () => new Response('ok') }, { headersTimeout: 400, requestTimeout: 800 });
    try {
      const t0 = Date.now();
      const answer = await rawExchange(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ', 5000);
      const took = Date.now() - t0;
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.ok(took >= 350 && took < 3000, `closed after ${took} ms`);
    } finally {
      await s.close();
    }
  });

  test('an idle keep-alive connection is closed after keepAliveTimeout', async () => {
    const s = await start({ fetch: () => new Response('ok') }, { keepAliveTimeout: 300 });
    try {
      const socket = connect(s.port, '127.0.0.1');
      let got = '';
      socket.on('data', (c) => (got += c.toString('latin1')));
      const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now())));
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      while (!got.includes('\r\n\r\nok')) await sleep(10);
      const answered = Date.now();
      const at = await Promise.race([closed, sleep(3000).then(() => 0)]);
      assert.ok(at > 0, 'the idle connection was closed');
      assert.ok(at - answered >= 250, `closed ${at - answered} ms after the answer`);
      assert.match(got, /Keep-Alive: timeout=/i);
    } finally {
      await s.close();
    }
  });
});
