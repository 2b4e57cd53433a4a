/**
 * A short load check of each unfamiliar app on node (the built server.mjs): autocannon for 3 s
 * at 50 connections on a plain route, a JSON route and a streamed one, with zero errors and
 * zero non-2xx; then a burst of malformed and aborted requests, after which the server must
 * still answer. Figures are printed as diagnostics. (Express has its own in express.test.ts.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, startApp } from '../fixtures/unfamiliar/targets.ts';
import { abuse, load } from '../fixtures/unfamiliar/load.ts';
import type { RunningTarget } from '../conformance/suite.ts';

const APPS: Array<[string, string[]]> = [
  ['hono-full.ts', ['/kinds/text', '/api/items', '/stream/text']],
  ['itty-auto.ts', ['/items/1?q=x', '/text']],
  ['plain-edge.ts', ['/json-init', '/stream-from', '/set-cookies']],
];

for (const [file, paths] of APPS) {
  describe(`load: ${file} on node`, () => {
    let t: RunningTarget;
    before(async () => {
      t = await startApp('node', fixture(file));
    }, { timeout: 60_000 });
    after(() => t?.stop());

    for (const path of paths) {
      it(`GET ${path}: 3 s at 50 connections, no errors, all 2xx`, async (ctx) => {
        const r = await load(`${t.baseUrl}${path}`, ctx);
        assert.equal(r.errors + r.timeouts + r.non2xx, 0, `${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`);
        assert.ok(r.requests.total > 500, `only ${r.requests.total} requests in 3 s`);
      });
    }

    it('answers after a burst of malformed and aborted requests', async () => {
      await abuse(Number(new URL(t.baseUrl).port));
      const ok = await fetch(`${t.baseUrl}${paths[0]}`);
      assert.ok(ok.ok, `status ${ok.status}`);
      await ok.text();
      assert.doesNotMatch(t.logs(), /uncaught|unhandled/i);
    });
  });
}
