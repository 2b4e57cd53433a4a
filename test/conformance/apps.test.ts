/**
 * Apps that must work unchanged: a Hono app, an itty-router app, a plain `{ fetch }` object and
 * a real Express 5 app through `fromNodeHandler`, each bundled for node with the CLI, mounted
 * at /app, started as its own process and exercised over HTTP. They share one API
 * (test/fixtures/apps/*.ts), so one set of checks covers all four.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBundledNode } from './node-process.ts';
import type { RunningTarget } from './suite.ts';

const APPS = ['hono', 'itty', 'plain', 'express'] as const;

for (const name of APPS) {
  describe(`${name} app, bundled for node, mounted at /app`, () => {
    let target: RunningTarget;
    const at = (path: string): string => `${target.baseUrl}/app${path}`;

    before(async () => {
      target = await startBundledNode(new URL(`../fixtures/apps/${name}-app.ts`, import.meta.url).pathname, { basePath: '/app' });
    }, { timeout: 60_000 });
    after(() => target?.stop());

    it('answers its root', async () => {
      const res = await fetch(at('/'));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), `hello from ${name}`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    });

    it('routes with params and query', async () => {
      const res = await fetch(at('/users/42%20x?q=a+b'));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      // itty-router hands params over still percent-encoded (its documented behaviour); the others decode.
      assert.deepEqual(await res.json(), { id: name === 'itty' ? '42%20x' : '42 x', query: 'a b' });
    });

    it('reads a JSON body and answers 201 with JSON', async () => {
      const value = { s: 'héllo ☃', list: [1, null, true] };
      const res = await fetch(at('/echo-json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
      assert.equal(res.status, 201);
      assert.deepEqual(await res.json(), { received: value, contentType: 'application/json' });
    });

    it('reads request headers and sets response headers', async () => {
      const res = await fetch(at('/headers'), { headers: { 'x-test': 'yes' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-app'), name);
      assert.deepEqual(await res.json(), { test: 'yes' });
    });

    it('reads a cookie and sets two', async () => {
      const res = await fetch(at('/cookies'), { headers: { cookie: 'other=1; session=abc' } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { session: 'abc' });
      const cookies = res.headers.getSetCookie();
      assert.equal(cookies.length, 2, JSON.stringify(cookies));
      assert.match(cookies[0]!, /^a=1; Path=\//i);
      assert.match(cookies[1]!, /^b=2;.*HttpOnly/i);
    });

    it('answers 404 for an unknown route, and 404 outside the mount without the app', async () => {
      const res = await fetch(at('/no/such/route'));
      assert.equal(res.status, 404);
      await res.text();
      const outside = await fetch(`${target.baseUrl}/users/42`);
      assert.equal(outside.status, 404);
      assert.match(await outside.text(), /outside/);
    });

    it('a throwing route answers 500 and the app keeps serving', async () => {
      const res = await fetch(at('/error'));
      assert.equal(res.status, 500);
      await res.text();
      const next = await fetch(at('/'));
      assert.equal(next.status, 200);
      await next.text();
    });
  });
}

