/**
 * handle(app, { static }) directly, without a bundle: the REST API stage prefix in a folder
 * redirect, a reader other than the folder (what the executable's embedded assets look like),
 * a promised reader, Cache-Control, and a file that vanished after the build (a 500 naming the
 * cause, later requests unharmed).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { scanStaticFolder } from '../../adapters/_node/static-scan.ts';
import { handle } from '../../adapters/lambda/runtime/lambda.ts';
import { fixture, lambdaContext } from './lambda-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-lambda-static-'));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'docs'));
writeFileSync(join(dir, 'docs', 'index.html'), '<h1>docs</h1>');
writeFileSync(join(dir, 'app.js'), 'export {}');
writeFileSync(join(dir, 'gone.txt'), 'soon gone');
const manifest = scanStaticFolder(dir, { hash: true });
const app = { fetch: () => new Response('app') };

function v2(path: string, headers: Record<string, string> = {}) {
  const e = fixture('http-v2');
  e.rawPath = path;
  e.rawQueryString = 'x=1';
  e.headers = headers;
  e.requestContext.http.method = 'GET';
  e.requestContext.stage = '$default';
  return e;
}

test('REST API: the folder redirect keeps the stage and the query', async () => {
  const handler = handle(app, { static: { manifest, from: dir } });
  const e = fixture('rest-v1-stage');
  e.path = '/docs';
  e.httpMethod = 'GET';
  e.requestContext.path = `/${e.requestContext.stage}/docs`;
  e.multiValueQueryStringParameters = { x: ['1'] };
  e.queryStringParameters = { x: '1' };
  const r = (await handler(e, lambdaContext())) as any;
  assert.equal(r.statusCode, 301);
  const location = r.headers?.location ?? r.multiValueHeaders?.location?.[0];
  assert.equal(location, `/${e.requestContext.stage}/docs/?x=1`);
});

test('any reader: bytes from elsewhere (as an executable reads embedded assets), sync or promised', async () => {
  const reads: string[] = [];
  const bytes = new TextEncoder().encode('export {}');
  for (const read of [
    (file: string, start: number, end: number) => (reads.push(file), bytes.subarray(start, end + 1)),
    async (file: string, start: number, end: number) => (reads.push(file), bytes.subarray(start, end + 1)),
  ]) {
    const handler = handle(app, { static: { manifest, from: { read }, cacheControl: (f) => (f.endsWith('.js') ? 'public, max-age=60' : undefined) } });
    const r = (await handler(v2('/app.js', { range: 'bytes=7-' }), lambdaContext())) as any;
    assert.equal(r.statusCode, 206);
    assert.equal(r.body, '{}');
    assert.equal(r.headers['cache-control'], 'public, max-age=60');
  }
  assert.deepEqual(reads, ['/app.js', '/app.js']);
});

test('a file gone since the build: 500 with one log line naming it, then the app and other files still serve', async () => {
  const logs: string[] = [];
  const handler = handle(app, { static: { manifest, from: dir }, log: (line) => logs.push(line) });
  rmSync(join(dir, 'gone.txt'));
  const r = (await handler(v2('/gone.txt'), lambdaContext('req-gone'))) as any;
  assert.equal(r.statusCode, 500);
  assert.equal(logs.length, 1);
  assert.match(logs[0]!, /req-gone: a file of public\/ could not be read: .*ENOENT/);
  assert.equal(((await handler(v2('/api'), lambdaContext())) as any).body, 'app');
  assert.equal(((await handler(v2('/app.js'), lambdaContext())) as any).body, 'export {}');
});

test('a bad static option fails at handle(), naming the fix', () => {
  assert.throws(() => handle(app, { static: {} as never }), /PORTICO_BAD_OPTION: "static" must be \{ manifest, from \}/);
});
