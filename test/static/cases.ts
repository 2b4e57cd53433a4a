/**
 * What every gateway that serves public/ must do, over real HTTP, against the project of
 * fixture.ts: one list of cases that the node bundle, the lambda bundle (each event source,
 * buffered and streaming) and both dev servers run. Requests go through node:http so that raw
 * paths reach the server as written.
 */
import assert from 'node:assert/strict';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { test } from 'node:test';
import { rawExchange, send } from '../unit/node-helpers.ts';
import { css, docs, home, png } from './fixture.ts';

export interface StaticTarget {
  port: number;
  /** The mount ('' or '/shop'). */
  base: string;
  /** Whether ETags come from content (bundles) rather than size and mtime (dev, folder scan). */
  strongEtags: boolean;
}

/**
 * Register the cases as node:test tests; `target()` gives the running server (started in a
 * `before` hook of the caller).
 *
 * @example
 * staticCases('node bundle', () => running);
 */
export function staticCases(name: string, target: () => StaticTarget): void {
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => send(target().port, { method, path: target().base + path, headers });

  test(`${name}: types, bodies and validators`, async () => {
    for (const [path, type, body] of [
      ['/style.css', 'text/css; charset=utf-8', Buffer.from(css)],
      ['/logo.png', 'image/png', png],
      ['/a%20b+c.txt', 'text/plain; charset=utf-8', Buffer.from('spaced')],
      ['/.well-known/security.txt', 'text/plain; charset=utf-8', Buffer.from('Contact: x')],
    ] as const) {
      const r = await get(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-type'], type, path);
      assert.ok(r.body.equals(body), `${path}: ${r.body.length} bytes, expected ${body.length}`);
      assert.equal(r.headers['accept-ranges'], 'bytes', path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
      assert.match(r.headers.etag as string, target().strongEtags ? /^"[A-Za-z0-9_-]{27}"$/ : /^W\/"/, path);
    }
    const empty = await get('/empty.txt');
    assert.equal(empty.status, 200);
    assert.equal(empty.body.length, 0);
    const head = await get('/logo.png', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['content-type'], 'image/png');
  });

  test(`${name}: If-None-Match gives 304, a changed tag 200`, async () => {
    const r = await get('/logo.png');
    const etag = r.headers.etag as string;
    const hit = await get('/logo.png', { 'if-none-match': `"nope", ${etag}` });
    assert.equal(hit.status, 304);
    assert.equal(hit.body.length, 0);
    assert.equal(hit.headers.etag, etag);
    assert.equal((await get('/logo.png', { 'if-none-match': '"other"' })).status, 200);
  });

  test(`${name}: If-Match that fails gives 412 with no body; a strong match the file`, async () => {
    const etag = (await get('/logo.png')).headers.etag as string;
    const failed = await get('/logo.png', { 'if-match': '"other"' });
    assert.equal(failed.status, 412);
    assert.equal(failed.body.length, 0);
    // A weak tag (dev builds' file-date tags) never matches strongly (RFC 9110 §13.1.1).
    assert.equal((await get('/logo.png', { 'if-match': etag })).status, target().strongEtags ? 200 : 412);
  });

  test(`${name}: one range gives 206, an unsatisfiable one 416, a stale If-Range the whole file`, async () => {
    const r = await get('/logo.png', { range: 'bytes=10-19' });
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], `bytes 10-19/${png.length}`);
    assert.ok(r.body.equals(png.subarray(10, 20)));
    const suffix = await get('/logo.png', { range: 'bytes=-5' });
    assert.equal(suffix.status, 206);
    assert.ok(suffix.body.equals(png.subarray(png.length - 5)));
    const bad = await get('/logo.png', { range: 'bytes=99999-' });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], `bytes */${png.length}`);
    const stale = await get('/logo.png', { range: 'bytes=0-1', 'if-range': '"old"' });
    assert.equal(stale.status, 200);
    assert.ok(stale.body.equals(png));
    if (target().strongEtags) {
      const etag = (await get('/logo.png')).headers.etag as string;
      const fresh = await get('/logo.png', { range: 'bytes=0-1', 'if-range': etag });
      assert.equal(fresh.status, 206);
      assert.ok(fresh.body.equals(png.subarray(0, 2)));
    }
  });

  test(`${name}: precompressed siblings by Accept-Encoding, with Vary`, async () => {
    const br = await get('/style.css', { 'accept-encoding': 'gzip, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(br.headers.vary, 'accept-encoding');
    assert.equal(brotliDecompressSync(br.body).toString(), css);
    const gz = await get('/style.css', { 'accept-encoding': 'gzip, br;q=0' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), css);
    assert.notEqual(gz.headers.etag, br.headers.etag);
    const plain = await get('/style.css', { 'accept-encoding': 'identity' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), css);
  });

  test(`${name}: index.html for folders, a 301 to the slash keeping the query`, async () => {
    assert.equal((await get('/')).body.toString(), home);
    assert.equal((await get('/docs/')).body.toString(), docs);
    const r = await get('/docs?x=1');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, `${target().base}/docs/?x=1`);
  });

  test(`${name}: a miss, and methods other than GET and HEAD, reach the app`, async () => {
    assert.equal((await get('/api/x')).body.toString(), 'app GET /api/x');
    assert.equal((await get('/style.css', {}, 'POST')).body.toString(), 'app POST /style.css');
    assert.equal((await get('/style.css', {}, 'DELETE')).body.toString(), 'app DELETE /style.css');
  });

  test(`${name}: traversal, encoded separators and hidden files are never served`, async () => {
    const attempts = [
      '/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt', '/.%2e/secret.txt', '/docs/../../secret.txt',
      '/docs/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/docs%2f..%2f..%2fsecret.txt', '/..%5csecret.txt',
      '/style.css%00.txt', '/.env', '/%2eenv', '/.git/config', '/%2egit/config', '//secret.txt',
      '/%252e%252e/secret.txt', '/style.css/', '/docs//index.html',
    ];
    for (const path of attempts) {
      const raw = await rawExchange(target().port, `GET ${target().base}${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.ok(!raw.includes('SECRET='), `${path} served a secret: ${raw.slice(0, 80)}`);
      assert.ok(!raw.includes('color: red') && !raw.includes('<h1>'), `${path} served a file under another name`);
    }
  });

  test(`${name}: Cache-Control from staticCacheControl, longest prefix first, on 304 too`, async () => {
    assert.equal((await get('/style.css')).headers['cache-control'], 'public, max-age=60');
    assert.equal((await get('/docs/')).headers['cache-control'], 'private, max-age=5');
    assert.equal((await get('/logo.png')).headers['cache-control'], 'no-cache');
    const etag = (await get('/logo.png')).headers.etag as string;
    assert.equal((await get('/logo.png', { 'if-none-match': etag })).headers['cache-control'], 'no-cache');
    assert.match(String((await get('/api/x')).headers['cache-control'] ?? ''), /^$/, 'the app\'s answers are left alone');
  });
}
