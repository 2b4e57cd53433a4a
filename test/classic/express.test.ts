/**
 * A real Express 5 app (test/fixtures/apps/express-app.ts, through `fromNodeHandler` from
 * portico/node) bundled for fastcgi, scgi and cgi and served by real web servers running the
 * generated files: nginx for fastcgi and scgi, lighttpd mod_cgi for cgi. Routes with params, an
 * async route, express.json() POSTs (a malformed one answered 400 by the app's error handler),
 * a rejected async route's 409, a thrown route's 500, cookies, and the mount.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildClassic, startBoth, type Transport } from './classic-app.ts';
import { startLighttpd, startNginx } from './peers.ts';
import type { RunningTarget } from '../conformance/suite.ts';

const EXPRESS_APP = new URL('../fixtures/apps/express-app.ts', import.meta.url).pathname;

const peers: Record<Transport, string> = { fastcgi: 'nginx fastcgi_pass', scgi: 'nginx scgi_pass', cgi: 'lighttpd mod_cgi' };

for (const transport of ['fastcgi', 'scgi', 'cgi'] as Transport[]) {
  describe(`Express 5 through ${peers[transport]} → ${transport}, mounted at /app`, { timeout: 120_000 }, () => {
    let target: RunningTarget;
    const at = (path: string): string => `${target.baseUrl}/app${path}`;

    before(async () => {
      const app = await buildClassic(EXPRESS_APP, transport, {
        basePath: '/app',
        options: (dir) => (transport === 'cgi' ? { shebang: `#!${process.execPath}` } : { socket: join(dir, 'app.sock') }),
      });
      target = await startBoth(
        app,
        () =>
          transport === 'cgi'
            ? startLighttpd(app.dir, `include "${app.dist}/lighttpd.conf"`)
            : startNginx(app.dir, { http: transport === 'fastcgi' ? `include ${app.dist}/nginx-upstream.conf;` : '', server: `include ${app.dist}/nginx.conf;` }),
        transport !== 'cgi',
      );
    });
    after(() => target?.stop());

    it('routes with params and query, and answers its root', async () => {
      const root = await fetch(at('/'));
      assert.equal(root.status, 200, target.logs());
      assert.equal(await root.text(), 'hello from express');
      const res = await fetch(at('/users/42%20x?q=a+b'));
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { id: '42 x', query: 'a b' });
    });

    it('an async route answers, seeing the path below the mount', async () => {
      const res = await fetch(at('/async?x=1'));
      assert.equal(res.status, 200, target.logs());
      // Connect's mount convention: req.path below the mount, originalUrl as the client sent it.
      assert.deepEqual(await res.json(), { async: true, path: '/async', originalUrl: '/app/async?x=1' });
    });

    it('express.json() reads a POSTed body; malformed JSON gets the error handler\'s 400', async () => {
      const value = { s: 'héllo ☃', list: [1, null, true] };
      const ok = await fetch(at('/echo-json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
      assert.equal(ok.status, 201, target.logs());
      assert.deepEqual(await ok.json(), { received: value, contentType: 'application/json' });
      const bad = await fetch(at('/echo-json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"unfinished":' });
      assert.equal(bad.status, 400);
      assert.deepEqual(await bad.json(), { error: 'entity.parse.failed' });
    });

    it('a rejected async route reaches the error handler with its 4xx; a thrown one is a 500', async () => {
      const conflict = await fetch(at('/async-conflict'));
      assert.equal(conflict.status, 409, target.logs());
      assert.deepEqual(await conflict.json(), { error: 'already taken' });
      const thrown = await fetch(at('/error'));
      assert.equal(thrown.status, 500);
      assert.deepEqual(await thrown.json(), { error: 'internal' });
      assert.equal((await fetch(at('/'))).status, 200, 'it keeps serving');
    });

    it('reads a cookie and sets two; unknown routes are 404', async () => {
      const res = await fetch(at('/cookies'), { headers: { cookie: 'other=1; session=abc' } });
      assert.deepEqual(await res.json(), { session: 'abc' });
      assert.equal(res.headers.getSetCookie().length, 2);
      const missing = await fetch(at('/no/such/route'));
      assert.equal(missing.status, 404);
      await missing.text();
    });
  });
}
