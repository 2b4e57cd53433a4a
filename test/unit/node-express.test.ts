import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import express from 'express';
import { fromNodeHandler } from '../../adapters/node/runtime/node.ts';
import type { Context } from '../../src/app.ts';
import { send, start } from './node-helpers.ts';

function expressApp() {
  const ex = express();
  ex.use(express.json());
  ex.get('/hello', (req, res) => {
    res.cookie('a', '1').cookie('b', '2', { httpOnly: true }).json({ hello: 'world', url: req.url, original: req.originalUrl, q: req.query });
  });
  ex.post('/echo', (req, res) => {
    res.status(201).json({ got: req.body, type: req.headers['content-type'] });
  });
  ex.get('/cookie', (req, res) => res.send(`cookie=${req.headers.cookie}`));
  ex.get('/missing', (_req, res) => res.sendStatus(418));
  ex.get('/down', (_req, _res, next) => next(Object.assign(new Error('database down'), { status: 503, expose: false })));
  ex.get('/fail', () => {
    throw new Error('express route failed');
  });
  return ex;
}

/** The synthetic path: the same app behind a wrapper that hides node's req/res. */
function synthetic(app: ReturnType<typeof fromNodeHandler>) {
  return {
    fetch: (request: Request, env: unknown, ctx: Context) =>
      app.fetch(new Request(request.url, { method: request.method, headers: request.headers as HeadersInit, body: request.body, duplex: 'half' } as RequestInit), env, { ...ctx, platform: {} }),
  };
}

for (const mode of ['direct', 'synthetic'] as const) {
  describe(`fromNodeHandler with Express 5 (${mode})`, () => {
    const make = () => {
      const app = fromNodeHandler(expressApp());
      return mode === 'direct' ? app : synthetic(app);
    };

    test('routes, JSON bodies, cookies and status codes', async () => {
      const s = await start(make(), { basePath: '/api' });
      try {
        const hello = await send(s.port, { path: '/api/hello?x=1' });
        assert.equal(hello.status, 200);
        assert.deepEqual(JSON.parse(hello.body.toString()), { hello: 'world', url: '/hello?x=1', original: '/api/hello?x=1', q: { x: '1' } });
        assert.deepEqual(hello.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
        assert.match(hello.headers['content-type'] as string, /^application\/json/);

        const echo = await send(s.port, { method: 'POST', path: '/api/echo', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: 1, s: 'ü' }) });
        assert.equal(echo.status, 201);
        assert.deepEqual(JSON.parse(echo.body.toString()), { got: { n: 1, s: 'ü' }, type: 'application/json' });

        const cookie = await send(s.port, { path: '/api/cookie', headers: { cookie: 'k=v; k2=v2' } });
        assert.equal(cookie.body.toString(), 'cookie=k=v; k2=v2');

        assert.equal((await send(s.port, { path: '/api/missing' })).status, 418);
        assert.equal((await send(s.port, { path: '/api/nothing-here' })).status, 404);
        // body-parser's 400 for malformed JSON keeps its status, as under plain Express.
        const malformed = await send(s.port, { method: 'POST', path: '/api/echo', headers: { 'content-type': 'application/json' }, body: '{"n": ' });
        assert.equal(malformed.status, 400);
        assert.ok(!s.logs.some((l) => l.includes('SyntaxError')), 'a client error is not logged as the app failing');
        // A 5xx the app hands to next() keeps its status too, with the status text only, and is logged.
        const logged = mock.method(console, 'error', () => {});
        try {
          const down = await send(s.port, { path: '/api/down' });
          assert.equal(down.status, 503);
          assert.equal(down.body.toString(), 'Service Unavailable\n');
          assert.ok(logged.mock.calls.some((c) => String(c.arguments[0]).includes('503') && String(c.arguments[0]).includes('database down')));
        } finally {
          logged.mock.restore();
        }
        const fail = await send(s.port, { path: '/api/fail' });
        assert.equal(fail.status, 500);
        assert.equal((await send(s.port, { path: '/api/hello' })).status, 200);
      } finally {
        await s.close();
      }
    });

    test('HEAD answers without a body', async () => {
      const s = await start(make());
      try {
        const r = await send(s.port, { method: 'HEAD', path: '/hello' });
        assert.equal(r.status, 200);
        assert.equal(r.body.length, 0);
      } finally {
        await s.close();
      }
    });
  });
}

test('a bare (req, res, next) handler that calls next() is a 404; next(error) is a 500', async () => {
  const s = await start(fromNodeHandler((req, _res, next) => (req.url === '/err' ? next!(new Error('nope')) : next!())));
  try {
    assert.equal((await send(s.port, { path: '/x' })).status, 404);
    assert.equal((await send(s.port, { path: '/err' })).status, 500);
    assert.ok(s.logs.some((l) => l.includes('nope')));
  } finally {
    await s.close();
  }
});
