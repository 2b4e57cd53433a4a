import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { parseRange } from '../../adapters/_static/conditional.ts';
import { staticKey } from '../../adapters/_static/path.ts';
import { fsReader } from '../../adapters/_node/static.ts';
import { toNodeListener } from '../../adapters/_node/listener.ts';
import { scanStaticFolder } from '../../adapters/_node/static-scan.ts';
import { rawExchange, send, start, type Started } from './node-helpers.ts';

let dir: string;
let pub: string;
let s: Started;
let appCalls: string[] = [];
const css = 'body { color: red }\n'.repeat(50);
const bin = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-static-'));
  pub = join(dir, 'public');
  mkdirSync(join(pub, 'docs'), { recursive: true });
  mkdirSync(join(pub, '.well-known'));
  writeFileSync(join(pub, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(pub, 'docs', 'index.html'), '<h1>docs</h1>');
  writeFileSync(join(pub, 'style.css'), css);
  writeFileSync(join(pub, 'style.css.br'), brotliCompressSync(css));
  writeFileSync(join(pub, 'style.css.gz'), gzipSync(css));
  writeFileSync(join(pub, 'data.bin'), bin);
  writeFileSync(join(pub, 'app.js'), 'export {}');
  writeFileSync(join(pub, 'a b+c.txt'), 'spaced');
  writeFileSync(join(pub, '.env'), 'SECRET=1');
  writeFileSync(join(pub, '.well-known', 'security.txt'), 'Contact: x');
  writeFileSync(join(dir, 'secret.txt'), 'outside the folder');
  s = await start(
    { fetch: (r: Request) => (appCalls.push(new URL(r.url).pathname), new Response(`app ${r.method} ${new URL(r.url).pathname}`)) },
    { static: pub },
  );
});
after(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('static files', () => {
  test('types, lengths and validators', async () => {
    for (const [path, type, body] of [
      ['/style.css', 'text/css; charset=utf-8', css],
      ['/app.js', 'text/javascript; charset=utf-8', 'export {}'],
      ['/data.bin', 'application/octet-stream', bin.toString('latin1')],
      ['/a%20b+c.txt', 'text/plain; charset=utf-8', 'spaced'],
      ['/.well-known/security.txt', 'text/plain; charset=utf-8', 'Contact: x'],
    ] as const) {
      const r = await send(s.port, { path });
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-type'], type, path);
      assert.equal(r.body.toString('latin1'), body, path);
      assert.equal(r.headers['content-length'], String(r.body.length));
      assert.match(r.headers.etag as string, /^W\/"/);
      assert.ok(r.headers['last-modified']);
    }
    const head = await send(s.port, { method: 'HEAD', path: '/style.css' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(css.length));
    assert.equal(head.body.length, 0);
  });

  test('ETag and Last-Modified give 304', async () => {
    const r = await send(s.port, { path: '/style.css' });
    const inm = await send(s.port, { path: '/style.css', headers: { 'if-none-match': `"nope", ${r.headers.etag}` } });
    assert.equal(inm.status, 304);
    assert.equal(inm.body.length, 0);
    const ims = await send(s.port, { path: '/style.css', headers: { 'if-modified-since': r.headers['last-modified'] as string } });
    assert.equal(ims.status, 304);
    const stale = await send(s.port, { path: '/style.css', headers: { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' } });
    assert.equal(stale.status, 200);
    const other = await send(s.port, { path: '/style.css', headers: { 'if-none-match': '"other"' } });
    assert.equal(other.status, 200);
  });

  test('Range gives 206, 416 when unsatisfiable, the whole file for several ranges', async () => {
    const r = await send(s.port, { path: '/data.bin', headers: { range: 'bytes=10-19' } });
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], `bytes 10-19/${bin.length}`);
    assert.ok(r.body.equals(bin.subarray(10, 20)));
    const suffix = await send(s.port, { path: '/data.bin', headers: { range: 'bytes=-5' } });
    assert.ok(suffix.body.equals(bin.subarray(bin.length - 5)));
    const open = await send(s.port, { path: '/data.bin', headers: { range: 'bytes=995-' } });
    assert.ok(open.body.equals(bin.subarray(995)));
    const bad = await send(s.port, { path: '/data.bin', headers: { range: 'bytes=5000-6000' } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], `bytes */${bin.length}`);
    const many = await send(s.port, { path: '/data.bin', headers: { range: 'bytes=0-1,5-6' } });
    assert.equal(many.status, 200);
    assert.equal(many.body.length, bin.length);
    const stale = await send(s.port, { path: '/data.bin', headers: { range: 'bytes=0-1', 'if-range': '"old"' } });
    assert.equal(stale.status, 200);
  });

  test('precompressed siblings when Accept-Encoding allows', async () => {
    const br = await send(s.port, { path: '/style.css', headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(br.headers.vary, 'accept-encoding');
    const gz = await send(s.port, { path: '/style.css', headers: { 'accept-encoding': 'gzip, br;q=0' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal((await import('node:zlib')).gunzipSync(gz.body).toString(), css);
    const plain = await send(s.port, { path: '/style.css', headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'accept-encoding');
    assert.equal(plain.body.toString(), css);
  });

  test('index.html for folders; a folder without the slash redirects', async () => {
    assert.equal((await send(s.port, { path: '/' })).body.toString(), '<h1>home</h1>');
    assert.equal((await send(s.port, { path: '/docs/' })).body.toString(), '<h1>docs</h1>');
    const r = await send(s.port, { path: '/docs?x=1' });
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, '/docs/?x=1');
  });

  test('a miss and other methods fall through to the app', async () => {
    appCalls = [];
    assert.equal((await send(s.port, { path: '/api/x' })).body.toString(), 'app GET /api/x');
    assert.equal((await send(s.port, { method: 'POST', path: '/style.css', body: '' })).body.toString(), 'app POST /style.css');
    assert.deepEqual(appCalls, ['/api/x', '/style.css']);
  });

  test('traversal attempts never leave the folder', async () => {
    const attempts = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/.%2e/secret.txt',
      '/docs/../../secret.txt',
      '/docs/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/..%2Fsecret.txt',
      '/docs%2f..%2f..%2fsecret.txt',
      '/..\\secret.txt',
      '/..%5csecret.txt',
      '/style.css%00.txt',
      '/%00/../secret.txt',
      '/.env',
      '/%2eenv',
      '//etc/passwd',
    ];
    for (const path of attempts) {
      const r = await rawExchange(s.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.ok(!r.includes('outside the folder'), `${path} escaped: ${r.slice(0, 60)}`);
      assert.ok(!r.includes('SECRET=1'), `${path} served a dotfile`);
      assert.ok(!r.includes('root:'), path);
    }
  });

  test('under a basePath the files are served below the mount', async () => {
    const m = await start({ fetch: () => new Response('app') }, { static: pub, basePath: '/base' });
    try {
      assert.equal((await send(m.port, { path: '/base/style.css' })).body.toString(), css);
      assert.equal((await send(m.port, { path: '/style.css' })).status, 404);
      const r = await send(m.port, { path: '/base/docs' });
      assert.equal(r.headers.location, '/base/docs/');
    } finally {
      await m.close();
    }
  });

  test('property: staticKey never yields a dot segment, a hidden name, a separator or NUL', () => {
    const piece = fc.constantFrom('..', '.', '%2e', '%2E', '%2f', '%5c', '\\', '/', '%00', 'a', 'b.txt', '%', '%e2%98%83', '.env', '%252e', '.well-known');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.string({ maxLength: 10 }), (pieces, junk) => {
        for (const raw of [`/${pieces.join('')}`, `/${pieces.join('/')}`, `/${junk}`]) {
          const key = staticKey(raw);
          if (key === undefined) continue;
          assert.ok(key.startsWith('/'), `${raw} -> ${key}`);
          assert.ok(!key.includes('\\') && !key.includes('\0'), `${raw} -> ${key}`);
          for (const segment of key.split('/')) assert.ok(segment === '.well-known' || !segment.startsWith('.'), `${raw} -> ${key}`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('parseRange', () => {
    assert.deepEqual(parseRange('bytes=0-0', 10), { start: 0, end: 0 });
    assert.deepEqual(parseRange('bytes=5-100', 10), { start: 5, end: 9 });
    assert.equal(parseRange('bytes=10-', 10), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 10), 'unsatisfiable');
    assert.equal(parseRange('bytes=5-1', 10), undefined);
    assert.equal(parseRange('items=0-1', 10), undefined);
    assert.equal(parseRange('bytes=-', 10), undefined);
  });

  test('fsReader keeps small files in memory after the first read, within its budget; large ones stream', async () => {
    // Read a stream to its end, so none is left open when the folder goes away after the tests.
    const drain = (r: unknown) => {
      assert.ok(!(r instanceof Uint8Array), 'a stream');
      const stream = r as NodeJS.ReadableStream;
      return new Promise<void>((resolve, reject) => stream.on('end', resolve).on('error', reject).resume());
    };
    const reader = fsReader(pub, { cacheFilesBelow: 2000, cacheTotal: 1500 });
    await drain(reader.read('/style.css', 0, css.length - 1));
    await new Promise((r) => setTimeout(r, 50)); // the copy for memory is read asynchronously
    const second = reader.read('/style.css', 0, css.length - 1);
    assert.ok(second instanceof Uint8Array, 'the second read comes from memory');
    assert.equal(Buffer.from(second).toString(), css);
    const part = reader.read('/style.css', 5, 9) as Uint8Array;
    assert.equal(Buffer.from(part).toString(), css.slice(5, 10));
    // style.css took 1000 of the 1500 bytes: data.bin (1000) no longer fits, and streams every time.
    for (let i = 0; i < 2; i++) {
      await drain(reader.read('/data.bin', 0, bin.length - 1));
      await new Promise((r) => setTimeout(r, 50));
    }
    await drain(fsReader(pub).read('/style.css', 0, 9));
  });

  test('a static folder that does not exist fails at start, naming the fix', () => {
    assert.throws(() => toNodeListener({ fetch: () => new Response('x') }, { static: join(dir, 'nope') }), /PORTICO_NO_STATIC_FOLDER: .*nope is not a folder; create it, or turn static files off/);
  });

  test('scanning follows symlinks but walks a folder once: a link back up the tree ends', () => {
    const tree = mkdtempSync(join(tmpdir(), 'portico-static-loop-'));
    try {
      mkdirSync(join(tree, 'a'));
      writeFileSync(join(tree, 'a', 'x.txt'), 'x');
      symlinkSync('..', join(tree, 'a', 'up'));
      symlinkSync(join(tree, 'a', 'x.txt'), join(tree, 'linked.txt'));
      symlinkSync(join(tree, 'nowhere'), join(tree, 'dangling.txt'));
      assert.deepEqual(Object.keys(scanStaticFolder(tree).files), ['/a/x.txt', '/linked.txt']);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});
