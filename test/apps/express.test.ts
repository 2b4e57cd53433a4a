/**
 * Express 5 with a Connect-style middleware through `fromNodeHandler`, bundled for node with
 * the real CLI and run as the built server.mjs; then a short load check on the same server
 * (autocannon, 3 s, 50 connections) and a burst of malformed and aborted requests after which
 * it must still answer. Figures are printed as diagnostics.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, raw, startApp } from '../fixtures/unfamiliar/targets.ts';
import { abuse, load } from '../fixtures/unfamiliar/load.ts';
import type { RunningTarget } from '../conformance/suite.ts';

describe('express 5 + connect middleware through fromNodeHandler, bundled for node', () => {
  let t: RunningTarget;
  const at = (path: string): string => `${t.baseUrl}${path}`;

  before(async () => {
    t = await startApp('node', fixture('express-connect.ts'));
  }, { timeout: 60_000 });
  after(() => t?.stop());

  it('connect middleware headers, JSON body, cookies, redirect, sendFile, streaming, errors', async () => {
    const h = await fetch(at('/hello'));
    assert.equal(h.headers.get('x-connect'), 'yes');
    assert.equal(await h.text(), 'hello');
    const j = await fetch(at('/json'), { method: 'POST', body: '{"x":[1,"é"]}', headers: { 'content-type': 'application/json' } });
    assert.equal(j.status, 201);
    assert.deepEqual(await j.json(), { got: { x: [1, 'é'] } });
    const c = await fetch(at('/cookies'), { headers: { cookie: 's=1' } });
    assert.deepEqual(c.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
    assert.deepEqual(await c.json(), { cookie: 's=1' });
    const r = await raw(at('/redirect'));
    assert.equal(r.status, 302);
    assert.equal(r.header('location'), '/hello');
    const f = await fetch(at('/file'));
    assert.equal(f.status, 200);
    assert.equal(await f.text(), 'file body\n');
    assert.equal(await (await fetch(at('/stream'))).text(), 'part 0\npart 1\npart 2\nend\n');
    const e = await fetch(at('/throw'));
    assert.equal(e.status, 500);
    await e.text();
  });

  it('load: 3 s at 50 connections, GET and POST JSON, no errors and no non-2xx', async (ctx) => {
    const get = await load(at('/hello'), ctx);
    assert.equal(get.errors + get.timeouts + get.non2xx, 0);
    assert.ok(get.requests.total > 1000, `only ${get.requests.total} requests in 3 s`);
    const post = await load(at('/json'), ctx, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    assert.equal(post.errors + post.timeouts + post.non2xx, 0);
  });

  it('still answers after garbage, half requests and clients resetting mid-body', async () => {
    await abuse(Number(new URL(t.baseUrl).port));
    const ok = await fetch(at('/hello'));
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'hello');
    assert.doesNotMatch(t.logs(), /uncaught|unhandled/i);
  });
});
