/**
 * An itty-router AutoRouter app (test/fixtures/unfamiliar/itty-auto.ts), built with the real
 * CLI for each target and exercised over HTTP through the target's real peer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { fixture, raw, startApp, TARGETS } from '../fixtures/unfamiliar/targets.ts';
import type { RunningTarget } from '../conformance/suite.ts';

for (const name of TARGETS) {
  describe(`itty-router AutoRouter app on ${name}`, () => {
    let t: RunningTarget;
    let echo: Server;
    let echoUrl = '';
    const at = (path: string): string => `${t.baseUrl}${path}`;

    before(async () => {
      // An upstream that answers with what it received.
      echo = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ method: req.method, header: req.headers['x-fwd'] ?? null, body: Buffer.concat(chunks).toString() }));
        });
      });
      await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
      echoUrl = `http://127.0.0.1:${(echo.address() as { port: number }).port}/up`;
      t = await startApp(name, fixture('itty-auto.ts'));
    }, { timeout: 90_000 });
    after(async () => {
      await t?.stop();
      echo?.close();
    });

    it('json by default, params, query, cors headers', async () => {
      const root = await fetch(at('/'), { headers: { origin: 'https://x.example' } });
      assert.match(root.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(root.headers.get('access-control-allow-origin'), '*');
      assert.equal(await root.json(), 'itty root');
      assert.deepEqual(await (await fetch(at('/items/42?q=a+b'))).json(), { id: '42', q: 'a b' });
    });

    it('preflight answers 204 with the allowed methods', async () => {
      const p = await raw(at('/items/1'), { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' } });
      assert.equal(p.status, 204);
      assert.match(p.header('access-control-allow-methods') ?? '', /POST/);
      assert.equal(p.body.length, 0);
    });

    it('text, html, status(204), error(418), StatusError, throw, 404', async () => {
      const tx = await fetch(at('/text'));
      assert.equal(tx.headers.get('x-itty'), '1');
      assert.match(tx.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(await tx.text(), 'some text');
      assert.equal(await (await fetch(at('/html'))).text(), '<b>bold</b>');
      const st = await raw(at('/status'));
      assert.equal(st.status, 204);
      assert.equal(st.body.length, 0);
      const tea = await fetch(at('/teapot'));
      assert.equal(tea.status, 418);
      assert.deepEqual(await tea.json(), { status: 418, error: 'short and stout' });
      const se = await fetch(at('/status-error'));
      assert.equal(se.status, 409);
      assert.equal(((await se.json()) as { reason: string }).reason, 'conflict');
      const th = await fetch(at('/throw'));
      assert.equal(th.status, 500);
      await th.text();
      const nf = await fetch(at('/nope'));
      assert.equal(nf.status, 404);
      await nf.text();
    });

    it('reads a JSON body', async () => {
      const r = await fetch(at('/echo'), { method: 'POST', body: '{"a":[1]}', headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 201);
      assert.deepEqual(await r.json(), { got: { a: [1] } });
    });

    // Locally, workerd refuses the incoming request as a RequestInit ("Incorrect type for the
    // 'fetcher' field"): recorded in test/apps/README.md, left as a todo on cloudflare.
    const forwardTodo = name === 'cloudflare' ? { todo: "Miniflare's workerd rejects new Request(url, incomingRequest): the 'fetcher' field" } : {};
    it('fetch(new Request(url, request)) forwards method, headers and body', forwardTodo, async () => {
      const r = await fetch(at(`/forward?to=${encodeURIComponent(echoUrl)}`), { method: 'POST', body: 'payload', headers: { 'x-fwd': 'yes' } });
      assert.equal(r.status, 200, await r.clone().text());
      assert.deepEqual(await r.json(), { method: 'POST', header: 'yes', body: 'payload' });
    });
  });
}
