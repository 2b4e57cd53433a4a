/**
 * adapters/_cgi/meta.ts: CGI meta-variables to the URL, mount and headers an app sees, for the
 * shapes nginx, Apache and lighttpd send (tables), and what must hold for any path (properties).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addParam, cookieList, cgiContentLength, cgiHeaders, cgiHost, cgiMount, cgiPath, cgiScheme, encodePath, type CgiParams } from '../../adapters/_cgi/meta.ts';

const p = (o: Record<string, string>): CgiParams => new Map(Object.entries(o));

describe('addParam', () => {
  it('joins two Cookie params with "; " (nginx sends a repeated header as repeated params)', () => {
    const params = p({});
    addParam(params, 'HTTP_COOKIE', 'a=1');
    addParam(params, 'HTTP_COOKIE', 'b=2');
    assert.equal(params.get('HTTP_COOKIE'), 'a=1; b=2');
    assert.equal(cgiHeaders(params).get('cookie'), 'a=1; b=2');
  });
  it('joins other repeated headers with ", " and lets a repeated variable keep its last value', () => {
    const params = p({});
    addParam(params, 'HTTP_ACCEPT', 'a');
    addParam(params, 'HTTP_ACCEPT', 'b');
    addParam(params, 'SCRIPT_NAME', '/x');
    addParam(params, 'SCRIPT_NAME', '/y');
    assert.equal(params.get('HTTP_ACCEPT'), 'a, b');
    assert.equal(params.get('SCRIPT_NAME'), '/y');
  });
});

describe('cookieList', () => {
  const table: Array<[string, string]> = [
    ['a=1', 'a=1'],
    ['a=1, b=2', 'a=1; b=2'],
    ['a=1; b=2, c=3', 'a=1; b=2; c=3'],
    ['a=x,y', 'a=x,y'],
    ['a=1,b=2', 'a=1; b=2'],
    ['a="x, y"', 'a="x, y"'],
  ];
  for (const [raw, want] of table) it(`${JSON.stringify(raw)} -> ${JSON.stringify(want)}`, () => assert.equal(cookieList(raw), want));
  it('Apache\'s ", "-joined Cookie headers reach the app as one cookie string', () => {
    assert.equal(cgiHeaders(p({ HTTP_COOKIE: 'a=1, b=2' })).get('cookie'), 'a=1; b=2');
  });
});

describe('scheme and host', () => {
  const schemes: Array<[Record<string, string>, string]> = [
    [{}, 'http'],
    [{ HTTPS: 'on' }, 'https'],
    [{ HTTPS: '1' }, 'https'],
    [{ HTTPS: 'off' }, 'http'],
    [{ HTTPS: 'OFF' }, 'http'],
    [{ HTTPS: '' }, 'http'],
    [{ REQUEST_SCHEME: 'https' }, 'https'],
    [{ REQUEST_SCHEME: 'http', HTTPS: 'on' }, 'https'],
  ];
  for (const [params, want] of schemes) it(`${JSON.stringify(params)} -> ${want}`, () => assert.equal(cgiScheme(p(params)), want));
  const hosts: Array<[Record<string, string>, string, string]> = [
    [{ HTTP_HOST: 'a.test:8080', SERVER_NAME: 'b', SERVER_PORT: '80' }, 'http', 'a.test:8080'],
    [{ SERVER_NAME: 'b.test', SERVER_PORT: '80' }, 'http', 'b.test'],
    [{ SERVER_NAME: 'b.test', SERVER_PORT: '8080' }, 'http', 'b.test:8080'],
    [{ SERVER_NAME: 'b.test', SERVER_PORT: '443' }, 'https', 'b.test'],
    [{ SERVER_NAME: 'b.test', SERVER_PORT: '443' }, 'http', 'b.test:443'],
    [{ SERVER_NAME: '::1', SERVER_PORT: '81' }, 'http', '[::1]:81'],
    [{}, 'http', 'localhost'],
  ];
  for (const [params, scheme, want] of hosts) it(`host of ${JSON.stringify(params)} (${scheme}) -> ${want}`, () => assert.equal(cgiHost(p(params), scheme), want));
});

describe('cgiPath', () => {
  it('takes REQUEST_URI as sent: %2F and + survive', () => assert.equal(cgiPath(p({ REQUEST_URI: '/a%2Fb/c+d?x=1+2&y=%2B', PATH_INFO: '/a/b/c+d' })), '/a%2Fb/c+d?x=1+2&y=%2B'));
  it('reduces an absolute-form REQUEST_URI to its path', () => assert.equal(cgiPath(p({ REQUEST_URI: 'http://h/p?q' })), '/p?q'));
  it('escapes raw non-ASCII bytes and spaces of REQUEST_URI', () => assert.equal(cgiPath(p({ REQUEST_URI: '/caf\u00c3\u00a9 x' })), '/caf%C3%A9%20x'));
  it('rebuilds from SCRIPT_NAME + PATH_INFO + QUERY_STRING without REQUEST_URI, re-encoding the decoded path', () =>
    assert.equal(cgiPath(p({ SCRIPT_NAME: '/app.cgi', PATH_INFO: '/a b/100%', QUERY_STRING: 'q=1' })), '/app.cgi/a%20b/100%25?q=1'));
  it('is "/" with nothing to go on', () => assert.equal(cgiPath(p({})), '/'));
});

describe('cgiMount', () => {
  const table: Array<[string, Record<string, string>, string, boolean, { basePath: string; path: string } | undefined]> = [
    ['SCRIPT_NAME + PATH_INFO split (lighttpd, Apache ScriptAlias)', { REQUEST_URI: '/shop/cart?x=1', SCRIPT_NAME: '/shop', PATH_INFO: '/cart' }, '', false, { basePath: '/shop', path: '/cart?x=1' }],
    ['the mount itself', { REQUEST_URI: '/shop', SCRIPT_NAME: '/shop', PATH_INFO: '' }, '', false, { basePath: '/shop', path: '/' }],
    ["nginx's stock params: SCRIPT_NAME is the whole path, no PATH_INFO", { REQUEST_URI: '/a/b?q', SCRIPT_NAME: '/a/b' }, '', false, { basePath: '', path: '/a/b?q' }],
    ['a CGI script without PATH_INFO is still mounted at its name', { REQUEST_URI: '/cgi-bin/app.cgi?q', SCRIPT_NAME: '/cgi-bin/app.cgi' }, '', true, { basePath: '/cgi-bin/app.cgi', path: '/?q' }],
    ['a configured basePath wins (Apache ProxyPass)', { REQUEST_URI: '/shop/cart', SCRIPT_NAME: '/shop/cart' }, '/shop', false, { basePath: '/shop', path: '/cart' }],
    ['outside a configured basePath', { REQUEST_URI: '/other' }, '/shop', false, undefined],
    ['dot segments cannot leave a configured mount', { REQUEST_URI: '/shop/../admin' }, '/shop', false, undefined],
    ['a rewritten REQUEST_URI: the server split counts', { REQUEST_URI: '/pretty/url', SCRIPT_NAME: '/index.cgi', PATH_INFO: '/x y' }, '', true, { basePath: '/index.cgi', path: '/x%20y' }],
    ['root SCRIPT_NAME', { REQUEST_URI: '/x', SCRIPT_NAME: '/', PATH_INFO: '/x' }, '', false, { basePath: '', path: '/x' }],
    ['a raw %2F below the mount survives', { REQUEST_URI: '/shop/a%2Fb', SCRIPT_NAME: '/shop', PATH_INFO: '/a/b' }, '', false, { basePath: '/shop', path: '/a%2Fb' }],
  ];
  for (const [name, params, configured, cgi, want] of table) it(name, () => assert.deepEqual(cgiMount(p(params), configured, cgi), want));

  it('for any path below a configured mount, basePath + path is the request path', () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9%+_~-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), fc.array(segment, { minLength: 1, maxLength: 2 }), fc.option(segment), (inner, base, query) => {
        const basePath = `/${base.join('/')}`;
        const path = `/${inner.join('/')}`;
        const uri = `${basePath}${path === '/' ? '' : path}${query ? `?${query}` : ''}`;
        const m = cgiMount(p({ REQUEST_URI: uri, SCRIPT_NAME: uri }), basePath, false)!;
        assert.equal(m.basePath, basePath);
        assert.equal((m.basePath + (m.path === '/' || m.path.startsWith('/?') ? m.path.slice(1) : m.path)), uri);
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodePath', () => {
  it('escapes exactly the bytes a path cannot hold, and they decode back to the same bytes', () => {
    const byteString = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }).map((codes) => String.fromCharCode(...codes));
    fc.assert(fc.property(byteString, (s) => {
      const encoded = encodePath(s);
      assert.match(encoded, /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/);
      const bytes: number[] = [];
      for (let i = 0; i < encoded.length; i++) {
        if (encoded[i] === '%') {
          bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
          i += 2;
        } else bytes.push(encoded.charCodeAt(i));
      }
      assert.deepEqual(Buffer.from(bytes), Buffer.from(s, 'latin1'));
    }), { numRuns: 500 });
  });
});

describe('cgiHeaders and cgiContentLength', () => {
  it('maps HTTP_* to header names and prefers CONTENT_TYPE/CONTENT_LENGTH over their HTTP_ copies', () => {
    const h = cgiHeaders(p({ HTTP_X_FORWARDED_FOR: '1.2.3.4', HTTP_CONTENT_TYPE: 'wrong', CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: '5', HTTP_CONTENT_LENGTH: '9', SERVER_NAME: 'x' }));
    assert.deepEqual([...h], [['content-length', '5'], ['content-type', 'text/plain'], ['x-forwarded-for', '1.2.3.4']]);
  });
  it('leaves out an empty CONTENT_LENGTH (a GET) and names that are not tokens', () => {
    assert.deepEqual([...cgiHeaders(p({ CONTENT_LENGTH: '', 'HTTP_A(B': 'x' }))], []);
  });
  const lengths: Array<[string | undefined, number | undefined]> = [[undefined, undefined], ['', undefined], ['0', 0], ['12', 12], ['-1', NaN], ['1e3', NaN], [' 1', NaN]];
  for (const [text, want] of lengths) {
    it(`CONTENT_LENGTH ${JSON.stringify(text)} -> ${want}`, () => assert.deepEqual(cgiContentLength(p(text === undefined ? {} : { CONTENT_LENGTH: text })), want));
  }
});
