/**
 * A plain app using the Fetch classes the way unfamiliar apps do (test/fixtures/unfamiliar/
 * plain-edge.ts), built with the real CLI for each target and exercised over HTTP through the
 * target's real peer. On node and lambda the app runs on portico's injected light classes; on
 * workerd on the native ones, which is the reference for what an app may expect.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { fixture, raw, startApp, TARGETS } from '../fixtures/unfamiliar/targets.ts';
import type { RunningTarget } from '../conformance/suite.ts';

const UPSTREAM_TEXT = 'upstream says hello '.repeat(50);

/** A gzip-encoding upstream, as most real ones are: what a proxying app fetch()es. */
async function startUpstream(): Promise<{ url: string; server: Server }> {
  const gz = gzipSync(Buffer.from(UPSTREAM_TEXT));
  const server = createServer((req, res) => {
    const encode = /gzip/.test(String(req.headers['accept-encoding']));
    const body = encode ? gz : Buffer.from(UPSTREAM_TEXT);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length, 'x-up': '1', ...(encode ? { 'content-encoding': 'gzip' } : {}) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

function multipart(): { body: Buffer; type: string; file: Buffer } {
  const file = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const b = 'XyZ123';
  const body = Buffer.concat([
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n`),
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="upload"; filename="all.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${b}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${b}`, file };
}

for (const name of TARGETS) {
  describe(`plain edge app on ${name}`, () => {
    let t: RunningTarget;
    let upstream: { url: string; server: Server };
    const at = (path: string): string => `${t.baseUrl}${path}`;

    before(async () => {
      upstream = await startUpstream();
      t = await startApp(name, fixture('plain-edge.ts'));
    }, { timeout: 90_000 });
    after(async () => {
      await t?.stop();
      upstream?.server.close();
    });

    it('Response.redirect and Response.json with init', async () => {
      const r = await raw(at('/redirect'));
      assert.equal(r.status, 301);
      assert.equal(r.header('location'), 'https://example.com/there?x=1');
      const d = await raw(at('/redirect-default'));
      assert.equal(d.status, 302);
      const j = await raw(at('/json-init'));
      assert.equal(j.status, 202);
      if (name !== 'lambda') assert.equal(j.statusText, 'Accepted Later'); // Lambda results carry no reason phrase
      assert.equal(j.header('content-type'), 'application/vnd.api+json');
      assert.equal(j.header('x-one'), '1');
      assert.deepEqual(JSON.parse(j.body.toString()), { ok: true });
      const h = await fetch(at('/json-headers-obj'));
      assert.equal(h.headers.get('x-two'), '2');
      assert.equal(h.headers.get('content-type'), 'application/json');
      assert.deepEqual(await h.json(), [1, 2]);
    });

    it('Blob, FormData, URLSearchParams, ArrayBuffer and DataView bodies', async () => {
      const blob = await fetch(at('/blob'));
      assert.equal(blob.headers.get('content-type'), 'text/x-blob');
      assert.equal(await blob.text(), 'blob body');
      const bytes = new Uint8Array(await (await fetch(at('/blob-bytes'))).arrayBuffer());
      assert.deepEqual([...bytes], Array.from({ length: 256 }, (_, i) => i));
      const form = await fetch(at('/form-data'));
      assert.match(form.headers.get('content-type') ?? '', /^multipart\/form-data; boundary=/);
      const fd = await form.formData();
      assert.equal(fd.get('a'), '1');
      assert.equal(await (fd.get('file') as File).text(), 'hi');
      const usp = await fetch(at('/url-search-params'));
      assert.equal(usp.headers.get('content-type'), 'application/x-www-form-urlencoded;charset=UTF-8');
      assert.equal(await usp.text(), 'a=1&b=x+y');
      assert.deepEqual([...new Uint8Array(await (await fetch(at('/dataview'))).arrayBuffer())], [4, 5, 6, 7, 8, 9, 10, 11]);
      assert.deepEqual([...new Uint8Array(await (await fetch(at('/arraybuffer'))).arrayBuffer())], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('streams from an async generator and echoes the request stream', async () => {
      const s = await fetch(at('/stream-from'));
      assert.equal(await s.text(), 'chunk0;chunk1;chunk2;');
      const e = await fetch(at('/echo-stream'), { method: 'POST', body: 'echo me', headers: { 'content-type': 'text/x-echo' } });
      assert.equal(e.headers.get('content-type'), 'text/x-echo');
      assert.equal(await e.text(), 'echo me');
      const r = await fetch(at('/response-body-read'));
      assert.deepEqual(await r.json(), { first: 'abc', used: true });
    });

    it('null bodies: 204 with headers, 200 empty, 304 and 302 with headers', async () => {
      const nc = await raw(at('/no-content'));
      assert.equal(nc.status, 204);
      assert.equal(nc.header('x-why'), 'none');
      assert.equal(nc.body.length, 0);
      const e = await raw(at('/empty-200'));
      assert.equal(e.status, 200);
      assert.equal(e.body.length, 0);
      const s = await raw(at('/empty-string'));
      assert.equal(s.body.length, 0);
      const nm = await raw(at('/not-modified'));
      assert.equal(nm.status, 304);
      assert.equal(nm.header('etag'), '"abc"');
      assert.equal(nm.header('cache-control'), 'max-age=60');
      assert.equal(nm.body.length, 0);
      const r = await raw(at('/status-302'));
      assert.equal(r.status, 302);
      assert.equal(r.header('location'), '/elsewhere');
    });

    it('clones responses and requests', async () => {
      assert.equal(await (await fetch(at('/clone'))).text(), 'cloned body|cloned body|true|true');
      const c = await fetch(at('/clone-then-send'));
      assert.equal(c.headers.get('x-c'), '2');
      assert.equal(await c.text(), 'sent after clone');
      const r = await fetch(at('/clone-request'), { method: 'POST', body: '{"a":1}' });
      assert.deepEqual(await r.json(), { text: '{"a":1}', parsed: { a: 1 } });
    });

    it('copies and iterates request headers', async () => {
      const c = await fetch(at('/headers-copy'), { headers: { 'x-remove': '1', 'x-keep': 'k' } });
      assert.deepEqual(await c.json(), { added: 'yes', removed: false, original: true, keep: 'k' });
      const e = await fetch(at('/headers-entries'), { headers: { 'x-keep': 'k', 'X-Other': 'o' } });
      const seen = (await e.json()) as { keep: string; keys: string[] };
      // Lambda's front door adds x-forwarded-* and x-amzn-trace-id, as AWS does.
      assert.deepEqual({ ...seen, keys: seen.keys.filter((k) => !/^x-(forwarded-|amzn-)/.test(k)) }, { keep: 'k', keys: ['x-keep', 'x-other'] });
      const s = await fetch(at('/structured-clone'));
      assert.deepEqual(await s.json(), { n: 1, d: '1970-01-01T00:00:00.000Z', hasHost: true });
    });

    it('request.formData() with a multipart upload (binary part byte-exact) and a urlencoded body', async () => {
      const m = multipart();
      const res = await fetch(at('/form'), { method: 'POST', body: new Uint8Array(m.body), headers: { 'content-type': m.type } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        a: '1',
        upload: { name: 'all.bin', type: 'application/octet-stream', size: 256, sha256: createHash('sha256').update(m.file).digest('hex') },
      });
      const u = await fetch(at('/form'), { method: 'POST', body: 'a=1&b=x+y', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.deepEqual(await u.json(), { a: '1', b: 'x y' });
    });

    it('arrayBuffer() of a GET is empty, and crypto.subtle.digest of a body', async () => {
      assert.deepEqual(await (await fetch(at('/get-body'))).json(), { byteLength: 0, isArrayBuffer: true, body: true });
      const d = await fetch(at('/digest'), { method: 'POST', body: 'abc' });
      assert.equal(await d.text(), createHash('sha256').update('abc').digest('hex'));
    });

    it('new Request(request, { headers }) re-wraps the incoming request (was a TypeError on node and lambda)', async () => {
      const r = await fetch(at('/rewrap'), { method: 'POST', body: 'rewrapped body' });
      assert.equal(r.status, 200, await r.clone().text());
      assert.deepEqual(await r.json(), { method: 'POST', sameUrl: true, header: '1', body: 'rewrapped body' });
      const u = await fetch(at('/rewrap-url'), { method: 'PUT', body: 'rw2', headers: { 'x-keep': 'k' } });
      assert.deepEqual(await u.json(), { url: '/elsewhere', method: 'PUT', body: 'rw2', keep: 'k' });
    });

    it('instanceof Request/Response/Headers hold in app code', async () => {
      assert.deepEqual(await (await fetch(at('/instanceof'))).json(), {
        request: true,
        headers: true,
        response: true,
        responseHeaders: true,
        clonedRequest: true,
        upstream: true,
        tag: '[object Response]',
      });
    });

    it('query parameters, request fields, several Set-Cookie, a Response subclass', async () => {
      assert.deepEqual(await (await fetch(at('/search?a=1&a=2&b=%20x'))).json(), { all: ['1', '2'], b: ' x' });
      // workerd hands the app its incoming request with redirect 'manual'; Fetch's default is 'follow'.
      const redirect = name === 'cloudflare' ? 'manual' : 'follow';
      assert.deepEqual(await (await fetch(at('/request-props'))).json(), { method: 'GET', redirect, signal: true, aborted: false, bodyUsed: false, keepalive: false });
      const c = await fetch(at('/set-cookies'));
      const expected = ['a=1; Path=/', 'b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT', 'c=3'];
      assert.deepEqual(c.headers.getSetCookie(), expected);
      assert.deepEqual(await c.json(), expected);
      const s = await fetch(at('/subclass'));
      assert.equal(s.status, 201);
      assert.equal(s.headers.get('content-type'), 'application/json');
      assert.deepEqual(await s.json(), { sub: true });
    });

    it('init headers are copied: changing them afterwards does not reach the response (was aliased on node and lambda)', async () => {
      const r = await raw(at('/headers-mutated-after'));
      assert.equal(r.body.toString(), 'before|before');
      assert.equal(r.header('x-state'), 'before');
      assert.equal(r.header('x-plain'), 'before');
      const later = await fetch(at('/response-headers-later'));
      assert.equal(later.headers.get('x-a'), '1, 3');
      assert.equal(later.headers.get('x-b'), '2');
    });

    it("an app's Content-Length on a string body never breaks the framing", async () => {
      for (const path of ['/length-right', '/length-wrong-small', '/length-wrong-big']) {
        const r = await raw(at(path));
        assert.equal(r.status, 200, path);
        const expected = path === '/length-wrong-small' ? '1234567890' : '12345';
        assert.equal(r.body.toString(), expected, path);
        assert.equal(r.header('content-length'), String(expected.length), path);
      }
    });

    it("an app's wrong Content-Length on a stream body fails that response cleanly, never corrupts the next (node read extra bytes as a response)", async () => {
      for (const path of ['/length-stream-wrong', '/length-stream-big']) {
        const outcome = await raw(at(path), { timeout: 3000 }).then(
          (r) => ({ ok: true as const, r }),
          (error: Error) => ({ ok: false as const, error }),
        );
        if (outcome.ok) {
          // A platform may correct the length (the whole body, its real length).
          const full = path === '/length-stream-wrong' ? 'abcdefghij' : 'abc';
          assert.equal(outcome.r.body.toString(), full, path);
          assert.equal(Number(outcome.r.header('content-length') ?? full.length), full.length, path);
        } else {
          assert.doesNotMatch(outcome.error.message, /Parse Error|within/, `${path}: ${outcome.error.message}`);
        }
      }
      const next = await fetch(at('/length-right'));
      assert.equal(await next.text(), '12345');
    });

    it("an app's Transfer-Encoding is not sent with a Content-Length body", async () => {
      const r = await raw(at('/transfer-encoding'));
      assert.equal(r.body.toString(), 'te body');
      assert.ok(!(r.header('transfer-encoding') && r.header('content-length')), JSON.stringify(r.headers));
    });

    it('HEAD answered by the app with a body sends no body', async () => {
      const h = await raw(at('/head-body'), { method: 'HEAD' });
      assert.equal(h.status, 200);
      assert.equal(h.header('x-m'), 'HEAD');
      assert.equal(h.body.length, 0);
      const g = await raw(at('/head-body'));
      assert.equal(g.body.toString(), 'get body');
    });

    it('status text, a long header value and 100 headers', async () => {
      const s = await raw(at('/status-text'));
      assert.equal(s.status, 418);
      if (name !== 'lambda') assert.equal(s.statusText, "I'm a teapot");
      const l = await raw(at('/long-header'));
      assert.equal(l.header('x-long'), 'v'.repeat(8000));
      const m = await raw(at('/many-headers'));
      for (let i = 0; i < 100; i++) assert.equal(m.header(`x-h-${String(i).padStart(3, '0')}`), String(i));
    });

    it('passes a fetch() Response from a gzip upstream through (was a corrupt body on node)', async () => {
      for (const path of ['/proxy', '/proxy-rewrap']) {
        // undici asks for gzip and decodes whatever encoding the gateway sends.
        const viaFetch = await fetch(at(`${path}?to=${encodeURIComponent(upstream.url)}`));
        assert.equal(viaFetch.status, 200, path);
        assert.equal(viaFetch.headers.get('x-up'), '1', path);
        assert.equal(await viaFetch.text(), UPSTREAM_TEXT, path);
        // A client that asks for no encoding must get plain bytes (or a coding it can see).
        const r = await raw(at(`${path}?to=${encodeURIComponent(upstream.url)}`));
        const coding = r.header('content-encoding');
        const text = coding === 'gzip' ? (await import('node:zlib')).gunzipSync(r.body).toString() : r.body.toString();
        assert.equal(text, UPSTREAM_TEXT, `${path}: ${JSON.stringify(r.headers)}`);
        if (r.header('content-length')) assert.equal(Number(r.header('content-length')), r.body.length, path);
      }
    });
  });
}
