/**
 * The shared static-file core (adapters/_static): manifest routes, path → key, and the answer
 * (conditionals, ranges, encodings), unit and property tests. No I/O: the core has none.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { answerStatic, findStatic, type StaticAnswer } from '../../adapters/_static/answer.ts';
import { acceptedEncodings, anyMatch, modifiedSince, noneMatch, notModifiedSince, parseRange, rangeStillValid } from '../../adapters/_static/conditional.ts';
import { staticRoutes, type StaticEntry, type StaticManifest, type StaticRoute } from '../../adapters/_static/manifest.ts';
import { isServableKey, staticKey } from '../../adapters/_static/path.ts';

const MTIME = Date.UTC(2025, 5, 1, 12, 0, 0, 500);
const entry = (size: number, etag: string, extra: Partial<StaticEntry> = {}): StaticEntry => ({ size, etag, type: 'text/plain; charset=utf-8', ...extra });
const manifest: StaticManifest = {
  version: 1,
  files: {
    '/index.html': entry(10, '"home"', { type: 'text/html; charset=utf-8' }),
    '/docs/index.html': entry(11, '"docs"'),
    '/style.css': entry(1000, '"css"', { br: { size: 100, etag: '"css-br"' }, gzip: { size: 120, etag: '"css-gz"' } }),
    '/style.css.br': entry(100, '"css-br"'),
    '/style.css.gz': entry(120, '"css-gz"'),
    '/a b.txt': entry(3, '"ab"'),
    '/dated.txt': entry(5, 'W/"5-x"', { mtime: MTIME }),
    '/empty.txt': entry(0, '"empty"'),
    '/.env': entry(8, '"secret"'),
    '/.well-known/security.txt': entry(4, '"sec"'),
  },
};
const routes = staticRoutes(manifest);

function answer(path: string, headers: Record<string, string> = {}, method = 'GET', search = '', base = ''): StaticAnswer | undefined {
  const route = findStatic(routes, method, path);
  return route && answerStatic(route, (name) => headers[name], method, path, search, base);
}
function header(a: StaticAnswer, name: string): string | undefined {
  const i = a.headers.findIndex((h, j) => j % 2 === 0 && h === name);
  return i === -1 ? undefined : a.headers[i + 1];
}

describe('static routes and lookup', () => {
  test('files, folders with an index, redirects, and no hidden keys', () => {
    assert.equal((routes.get('/docs/') as Extract<StaticRoute, { kind: 'file' }>).file, '/docs/index.html');
    assert.equal((routes.get('/') as Extract<StaticRoute, { kind: 'file' }>).file, '/index.html');
    assert.deepEqual(routes.get('/docs'), { kind: 'folder' });
    assert.equal(routes.get('/.env'), undefined);
    assert.ok(routes.get('/.well-known/security.txt'));
    assert.throws(() => staticRoutes({ version: 2, files: {} } as unknown as StaticManifest), /PORTICO_BAD_MANIFEST/);
  });

  test('a miss is one lookup, and methods other than GET/HEAD never look', () => {
    let lookups = 0;
    const counting = { get: (p: string) => (lookups++, routes.get(p)) };
    assert.equal(findStatic(counting, 'GET', '/api/users/42'), undefined);
    assert.equal(lookups, 1);
    assert.equal(findStatic(counting, 'POST', '/style.css'), undefined);
    assert.equal(lookups, 1);
    assert.ok(findStatic(counting, 'HEAD', '/a%20b.txt'));
  });

  test('property: whatever the raw path, only manifest entries (or their folders) are found', () => {
    const piece = fc.constantFrom('..', '.', '%2e', '%2f', '%5c', '\\', '/', '%00', 'docs', 'style.css', 'index.html', '%', '.env', '%2eenv', 'a%20b.txt', '.well-known', 'security.txt', '%252e');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), fc.boolean(), (pieces, slashes) => {
        const raw = `/${pieces.join(slashes ? '/' : '')}`;
        const route = findStatic(routes, 'GET', raw);
        if (route === undefined || route.kind === 'folder') return;
        assert.ok(route.file in manifest.files && isServableKey(route.file), `${raw} -> ${route.file}`);
      }),
      { numRuns: 5000 },
    );
  });

  test('property: every servable key is found from its percent-encoded path', () => {
    const segment = fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !s.includes('/') && !s.startsWith('.') && !s.includes('\\') && !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), (segments) => {
        const key = `/${segments.join('/')}`;
        fc.pre(isServableKey(key) && segments.every((s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()));
        const own = staticRoutes({ version: 1, files: { [key]: entry(1, '"x"') } });
        const raw = `/${segments.map(encodeURIComponent).join('/')}`;
        const route = findStatic(own, 'GET', raw);
        assert.equal(route?.kind === 'file' ? route.file : undefined, key, raw);
        assert.equal(staticKey(raw), key);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('static answer', () => {
  test('200 with type, length, validators; HEAD and empty files have no body', () => {
    const a = answer('/style.css')!;
    assert.equal(a.status, 200);
    assert.equal(header(a, 'content-length'), '1000');
    assert.equal(header(a, 'etag'), '"css"');
    assert.equal(header(a, 'vary'), 'accept-encoding');
    assert.equal(header(a, 'last-modified'), undefined);
    assert.deepEqual(a.body, { file: '/style.css', start: 0, end: 999 });
    assert.equal(answer('/style.css', {}, 'HEAD')!.body, undefined);
    assert.equal(answer('/empty.txt')!.body, undefined);
    assert.equal(header(answer('/empty.txt')!, 'content-length'), '0');
    assert.equal(header(answer('/a b.txt')!, 'vary'), undefined);
  });

  test('folder redirect keeps the mount and the query', () => {
    const a = answer('/docs', {}, 'GET', '?x=1', '/shop')!;
    assert.equal(a.status, 301);
    assert.equal(header(a, 'location'), '/shop/docs/?x=1');
  });

  test('conditionals: If-None-Match wins over If-Modified-Since; dates in whole seconds', () => {
    assert.equal(answer('/style.css', { 'if-none-match': 'W/"css"' })!.status, 304);
    assert.equal(answer('/style.css', { 'if-none-match': '*' })!.status, 304);
    const since = new Date(MTIME).toUTCString();
    assert.equal(answer('/dated.txt', { 'if-modified-since': since })!.status, 304);
    assert.equal(answer('/dated.txt', { 'if-modified-since': since, 'if-none-match': '"other"' })!.status, 200);
    assert.equal(answer('/dated.txt', { 'if-modified-since': new Date(MTIME - 2000).toUTCString() })!.status, 200);
    assert.equal(answer('/dated.txt', { 'if-modified-since': 'yesterday' })!.status, 200);
    // Without an mtime (bundles), If-Modified-Since cannot apply.
    assert.equal(answer('/style.css', { 'if-modified-since': new Date().toUTCString() })!.status, 200);
    const notModified = answer('/style.css', { 'if-none-match': '"css-br"', 'accept-encoding': 'br' })!;
    assert.equal(notModified.status, 304);
    assert.equal(header(notModified, 'content-encoding'), 'br');
    assert.equal(notModified.body, undefined);
  });

  test('preconditions: If-Match (strong) and If-Unmodified-Since fail with 412 before any 304', () => {
    assert.equal(answer('/style.css', { 'if-match': '"css"' })!.status, 200);
    assert.equal(answer('/style.css', { 'if-match': '"old", "css"' })!.status, 200);
    assert.equal(answer('/style.css', { 'if-match': '*' })!.status, 200);
    const failed = answer('/style.css', { 'if-match': '"old"', 'if-none-match': '"css"' })!;
    assert.equal(failed.status, 412);
    assert.equal(failed.body, undefined);
    assert.equal(answer('/style.css', { 'if-match': 'W/"css"' })!.status, 412, 'a weak tag never matches strongly');
    assert.equal(answer('/dated.txt', { 'if-match': 'W/"5-x"' })!.status, 412, 'nor does a weak current tag');
    const since = new Date(MTIME).toUTCString();
    assert.equal(answer('/dated.txt', { 'if-unmodified-since': since })!.status, 200);
    assert.equal(answer('/dated.txt', { 'if-unmodified-since': new Date(MTIME - 2000).toUTCString() })!.status, 412);
    assert.equal(answer('/dated.txt', { 'if-unmodified-since': 'garbage' })!.status, 200);
    // If-Match present: If-Unmodified-Since is not looked at (§13.2.2).
    assert.equal(answer('/style.css', { 'if-match': '"css"', 'if-unmodified-since': new Date(0).toUTCString() })!.status, 200);
    // Without an mtime (bundles), If-Unmodified-Since cannot apply.
    assert.equal(answer('/style.css', { 'if-unmodified-since': new Date(0).toUTCString() })!.status, 200);
    assert.equal(anyMatch(' "a" ,"b"', '"b"'), true);
    assert.equal(modifiedSince('not a date', MTIME), false);
  });

  test('encodings: br first, q=0 refuses, a range gets the plain bytes', () => {
    assert.equal(answer('/style.css', { 'accept-encoding': 'gzip, br' })!.body!.file, '/style.css.br');
    assert.equal(answer('/style.css', { 'accept-encoding': 'gzip, br;q=0' })!.body!.file, '/style.css.gz');
    assert.equal(answer('/style.css', { 'accept-encoding': '*;q=0' })!.body!.file, '/style.css');
    const ranged = answer('/style.css', { 'accept-encoding': 'br', range: 'bytes=0-9' })!;
    assert.equal(ranged.status, 206);
    assert.equal(ranged.body!.file, '/style.css');
    assert.equal(header(ranged, 'content-encoding'), undefined);
  });

  test('If-Range: strong tags only, dates exactly', () => {
    assert.equal(answer('/style.css', { range: 'bytes=0-1', 'if-range': '"css"' })!.status, 206);
    assert.equal(answer('/style.css', { range: 'bytes=0-1', 'if-range': '"old"' })!.status, 200);
    assert.equal(answer('/dated.txt', { range: 'bytes=0-1', 'if-range': 'W/"5-x"' })!.status, 200);
    assert.equal(answer('/dated.txt', { range: 'bytes=0-1', 'if-range': new Date(MTIME).toUTCString() })!.status, 206);
    assert.equal(rangeStillValid(' "a" ', '"a"', undefined), true);
    assert.equal(rangeStillValid('"a"', 'W/"a"', undefined), false);
  });

  test('property: a range answer always describes bytes inside the file', () => {
    const spec = fc.oneof(
      fc.tuple(fc.nat(3000), fc.option(fc.nat(3000), { nil: undefined })).map(([a, b]) => `bytes=${a}-${b ?? ''}`),
      fc.nat(3000).map((n) => `bytes=-${n}`),
      fc.string({ maxLength: 20 }),
      fc.constantFrom('bytes=0-1,4-5', 'bytes=-', 'items=0-1', ' bytes = 3 - 4 '),
    );
    fc.assert(
      fc.property(fc.nat(2500), spec, (size, range) => {
        const own = staticRoutes({ version: 1, files: { '/f': entry(size, '"f"') } });
        const a = answerStatic(findStatic(own, 'GET', '/f')!, (n) => (n === 'range' ? range : undefined), 'GET', '/f', '', '');
        const length = Number(header(a, 'content-length'));
        if (a.status === 416) {
          assert.equal(header(a, 'content-range'), `bytes */${size}`);
          assert.equal(a.body, undefined);
          return;
        }
        if (a.body === undefined) {
          assert.equal(length, 0);
          return;
        }
        const { start, end } = a.body;
        assert.ok(start >= 0 && start <= end && end < size, `${range} on ${size}: ${start}-${end}`);
        assert.equal(length, end - start + 1);
        if (a.status === 206) assert.equal(header(a, 'content-range'), `bytes ${start}-${end}/${size}`);
        else assert.deepEqual([a.status, start, end], [200, 0, size - 1]);
      }),
      { numRuns: 5000 },
    );
  });

  test('property: the header parsers never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.nat(), (s, n) => {
        parseRange(s, n);
        acceptedEncodings(s);
        noneMatch(s, '"x"');
        notModifiedSince(s, n);
        rangeStillValid(s, '"x"', 'Thu, 01 Jan 1970 00:00:00 GMT');
        staticKey(s);
        staticKey(`/${s}`);
      }),
      { numRuns: 5000 },
    );
  });
});
