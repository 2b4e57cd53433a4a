/**
 * Express 5 with a Connect-style middleware through `fromNodeHandler`, bundled with the real CLI
 * for every target it can run on (node: the built server.mjs; lambda: the built handler behind
 * the Function URL emulation), and the same app tests run on each. The node build also gets a
 * short load check (autocannon, 3 s, 50 connections) and a burst of malformed and aborted
 * requests after which it must still answer. Figures are printed as diagnostics.
 *
 * Express's router `require`s dual packages (is-promise): async routes and express.json() are
 * what broke on lambda when `require()` resolved to their ESM builds (src/bundle/node-platform.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, raw, startApp, type TargetName } from '../fixtures/unfamiliar/targets.ts';
import { abuse, load } from '../fixtures/unfamiliar/load.ts';
import type { RunningTarget } from '../conformance/suite.ts';

/** Every target Express runs on: the Node ones (not workerd, which has no node:http server side). */
const EXPRESS_TARGETS: readonly TargetName[] = ['node', 'lambda'];

function appTests(get: () => RunningTarget): void {
  const at = (path: string): string => `${get().baseUrl}${path}`;

  it('connect middleware headers and a plain route', async () => {
    const h = await fetch(at('/hello'));
    assert.equal(h.headers.get('x-connect'), 'yes');
    assert.equal(await h.text(), 'hello');
  });

  it('express.json() parses a JSON body', async () => {
    const j = await fetch(at('/json'), { method: 'POST', body: '{"x":[1,"é"]}', headers: { 'content-type': 'application/json' } });
    assert.equal(j.status, 201);
    assert.deepEqual(await j.json(), { got: { x: [1, 'é'] } });
  });

  it('async routes: awaited result, JSON body after an await, rejection to the error handler', async () => {
    const a = await fetch(at('/async?q=later'));
    assert.equal(a.status, 200);
    assert.deepEqual(await a.json(), { waited: 'later' });
    const s = await fetch(at('/async-json'), { method: 'POST', body: '{"n":[1,2,39]}', headers: { 'content-type': 'application/json' } });
    assert.equal(s.status, 200);
    assert.deepEqual(await s.json(), { sum: 42 });
    const r = await fetch(at('/async-reject'));
    assert.equal(r.status, 418);
    assert.deepEqual(await r.json(), { error: 'async failed' });
  });

  it('cookies both ways', async () => {
    const c = await fetch(at('/cookies'), { headers: { cookie: 's=1' } });
    assert.deepEqual(c.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
    assert.deepEqual(await c.json(), { cookie: 's=1' });
  });

  it('redirect, sendFile and a streamed body', async () => {
    const r = await raw(at('/redirect'));
    assert.equal(r.status, 302);
    assert.equal(r.header('location'), '/hello');
    const f = await fetch(at('/file'));
    assert.equal(f.status, 200);
    assert.equal(await f.text(), 'file body\n');
    assert.equal(await (await fetch(at('/stream'))).text(), 'part 0\npart 1\npart 2\nend\n');
  });

  it('a thrown error is a 500 and a log line naming it, and the app goes on', async () => {
    const e = await fetch(at('/throw'));
    assert.equal(e.status, 500);
    await e.text();
    assert.match(get().logs(), /express failed/);
    const ok = await fetch(at('/hello'));
    assert.equal(await ok.text(), 'hello');
    assert.doesNotMatch(get().logs(), /is not a function|uncaught|unhandled/i);
  });
}

for (const target of EXPRESS_TARGETS) {
  describe(`express 5 + connect middleware through fromNodeHandler, bundled for ${target}`, () => {
    let t: RunningTarget;
    before(async () => {
      t = await startApp(target, fixture('express-connect.ts'));
    }, { timeout: 90_000 });
    after(() => t?.stop());

    appTests(() => t);

    if (target !== 'node') return;
    const at = (path: string): string => `${t.baseUrl}${path}`;

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
}
