// The request URL of the node gateway: the same string a native Request (WHATWG URL) makes of
// the same request-target and Host, with the plain-target fast path agreeing with the parser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stripBasePath } from '../../adapters/_http/mount.ts';
import { isPlainTarget, originOf, parseTarget, splitQuery } from '../../adapters/_node/url.ts';

/** What the parser makes of a raw target (bytes above 0x7f percent-encoded as bytes). */
function whatwg(target: string): string {
  const ascii = target.replace(/[\x80-\xff]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return new URL(`http://h${ascii}`).href.slice('http://h'.length);
}

// Characters that matter to the parser: dots and their encodings, the percent-encode sets,
// backslash, a raw high byte, and plain ones.
const targetPiece = fc.constantFrom(
  ...'abcXYZ019-._~!$&\'()*+,;=:@%/?[]|^`{}<>" \\\x7f\x01\xe9\xff',
  '%2B', '%20', '%2F', '%2e', '%2E', '..', '.', '/./', '/../', '%2e%2e', '.%2E', '%zz',
);
const rawTarget = fc.array(targetPiece, { maxLength: 24 }).map((parts) => `/${parts.join('')}`);

describe('request-target → request.url path', () => {
  test('property: parseTarget gives what new URL gives, and the fast path never disagrees', () => {
    fc.assert(
      fc.property(rawTarget, (target) => {
        const parsed = parseTarget(target);
        assert.ok(parsed !== undefined, target);
        assert.equal(parsed.path, whatwg(target), JSON.stringify(target));
        if (isPlainTarget(target)) assert.equal(target, whatwg(target), `fast path kept ${JSON.stringify(target)} but the parser changes it`);
      }),
      { numRuns: 5000 },
    );
  });

  test('property: mount stripping of the parsed path keeps the app inside the mount', () => {
    fc.assert(
      fc.property(rawTarget, fc.constantFrom('/shop', '/a/b'), (target, base) => {
        const raw = base + target;
        const { path } = parseTarget(raw)!;
        const [p, q] = splitQuery(path);
        const inner = stripBasePath(p, base);
        const resolved = new URL(`http://h.example${p}`).pathname;
        assert.equal(resolved, p, 'the parsed path is already resolved');
        if (inner === undefined) assert.ok(!(resolved === base || resolved.startsWith(`${base}/`)), `${p} refused`);
        else assert.equal(new URL(`http://h.example${inner}${q}`).origin, 'http://h.example');
      }),
      { numRuns: 2000 },
    );
  });

  test('examples: encoding, dot segments, absolute-form, and what has no URL', () => {
    assert.deepEqual(parseTarget('/<script>'), { path: '/%3Cscript%3E' });
    assert.deepEqual(parseTarget('/a%2Fb/../c?x=1+2&y=%2B'), { path: '/c?x=1+2&y=%2B' });
    assert.deepEqual(parseTarget('/a\\b'), { path: '/a/b' });
    assert.deepEqual(parseTarget('/\xe9'), { path: '/%E9' });
    assert.deepEqual(parseTarget('/?'), { path: '/?' });
    assert.deepEqual(parseTarget('//evil.example/x'), { path: '//evil.example/x' });
    assert.deepEqual(parseTarget('/\\evil.example/<x>'), { path: '//evil.example/%3Cx%3E' });
    assert.deepEqual(parseTarget('https://x.example'), { path: '/', scheme: 'https', authority: 'x.example' });
    assert.deepEqual(parseTarget('HTTP://X.example?a'), { path: '/?a', scheme: 'http', authority: 'X.example' });
    for (const none of ['*', 'x.example:443', '/a#frag', 'http://u@x/', 'http:///p', 'ftp://x/']) assert.equal(parseTarget(none), undefined, none);
    assert.equal(isPlainTarget('/users/42?x=1+2'), true);
    assert.equal(isPlainTarget('/.well-known/x'), false);
  });
});

describe('Host → origin', () => {
  test('property: an accepted Host is what the URL parser reads back, and the origin parses to itself', () => {
    const hostChar = fc.constantFrom(...'abcXYZ0179-._~!$&\'()*+,;=:%[]@/?#\\ ', 'x', '0x', '::', '%00', '%2f', '%41');
    fc.assert(
      fc.property(fc.array(hostChar, { maxLength: 16 }).map((a) => a.join('')), fc.constantFrom('http', 'https'), (host, scheme) => {
        const origin = originOf(scheme, host);
        let parsed: URL | undefined;
        try {
          parsed = new URL(`${scheme}://${host}/p?q`);
        } catch {
          parsed = undefined;
        }
        if (parsed === undefined) {
          assert.equal(origin, undefined, `${JSON.stringify(host)} is rejected by new URL but accepted`);
          return;
        }
        if (origin === undefined) return;
        assert.equal(parsed.pathname, '/p');
        assert.equal(parsed.search, '?q');
        assert.equal(parsed.username, '');
        assert.equal(origin, parsed.origin);
        assert.equal(new URL(origin + '/x').origin, origin);
      }),
      { numRuns: 5000 },
    );
  });

  test('examples from the issue and the usual cases', () => {
    for (const bad of ['a:99999', 'a%00b', 'a%2fb', '[:::::]', '0x7f.1', '1.2.3', '999.1.1.1', 'a b', 'evil.com/x?', 'u@h', 'h#f', '%41']) {
      assert.equal(originOf('http', bad), undefined, bad);
    }
    assert.equal(originOf('http', 'Example.COM:80'), 'http://example.com');
    assert.equal(originOf('https', 'example.com:443'), 'https://example.com');
    assert.equal(originOf('http', 'example.com:8080'), 'http://example.com:8080');
    assert.equal(originOf('http', '127.0.0.1:3000'), 'http://127.0.0.1:3000');
    assert.equal(originOf('http', '[::1]:3000'), 'http://[::1]:3000');
    assert.equal(originOf('http', '[0:0::1]'), 'http://[::1]');
    // The remembered last Host does not leak across schemes.
    assert.equal(originOf('https', '127.0.0.1:3000'), 'https://127.0.0.1:3000');
  });
});
