/**
 * adapters/_http/mount.ts: the SCRIPT_NAME / PATH_INFO split every gateway shares.
 * Tables for the documented cases, properties for what must hold for any path.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeBasePath, outsideMountText, removeDotSegments, stripBasePath } from '../../adapters/_http/mount.ts';

describe('normalizeBasePath', () => {
  const table: Array<[string | undefined, string]> = [
    [undefined, ''],
    ['', ''],
    ['/', ''],
    ['///', ''],
    ['shop', '/shop'],
    ['shop/', '/shop'],
    ['/shop', '/shop'],
    ['/shop//', '/shop'],
    ['/a/b', '/a/b'],
    ['/a%20b', '/a%20b'],
  ];
  for (const [input, want] of table) {
    it(`${JSON.stringify(input)} -> ${JSON.stringify(want)}`, () => assert.equal(normalizeBasePath(input), want));
  }
  for (const bad of ['/shop?x=1', '/shop#top', '/sh op', '/shop\n']) {
    it(`rejects ${JSON.stringify(bad)} with a message that shows the expected form`, () => {
      assert.throws(() => normalizeBasePath(bad), (e: Error) => e instanceof TypeError && /"\/shop"/.test(e.message));
    });
  }
  it('rejects a non-string', () => assert.throws(() => normalizeBasePath(42 as unknown as string), TypeError));
  it('is idempotent and canonical', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z/%0-9._-]{0,20}$/), (raw) => {
        const once = normalizeBasePath(raw);
        assert.equal(normalizeBasePath(once), once);
        assert.ok(once === '' || (once.startsWith('/') && !once.endsWith('/')), once);
      }),
      { numRuns: 500 },
    );
  });
});

describe('stripBasePath', () => {
  const table: Array<[string, string, string | undefined]> = [
    ['/shop/cart', '/shop', '/cart'],
    ['/shop', '/shop', '/'],
    ['/shop/', '/shop', '/'],
    ['/shopping', '/shop', undefined],
    ['/Shop/cart', '/shop', undefined],
    ['/', '/shop', undefined],
    ['/other/shop/x', '/shop', undefined],
    ['/shop/a%2Fb/%E2%98%83', '/shop', '/a%2Fb/%E2%98%83'],
    ['/anything/at/all', '', '/anything/at/all'],
    ['/a/b/c', '/a/b', '/c'],
    ['/a/bc', '/a/b', undefined],
    // Dot segments are resolved first: these are outside the mount for every URL parser.
    ['/shop/../admin', '/shop', undefined],
    ['/shop/%2e%2e/admin', '/shop', undefined],
    ['/shop/.%2E/admin', '/shop', undefined],
    ['/shop/..\\admin', '/shop', undefined],
    ['/shop/..', '/shop', undefined],
    // ... and these inside.
    ['/shop/a/../cart', '/shop', '/cart'],
    ['/other/../shop/cart', '/shop', '/cart'],
    ['/shop/./cart', '/shop', '/cart'],
    ['/shop/..cart', '/shop', '/..cart'],
  ];
  for (const [path, base, want] of table) {
    it(`${path} under ${JSON.stringify(base)} -> ${JSON.stringify(want)}`, () => assert.equal(stripBasePath(path, base), want));
  }

  const segment = fc.oneof(
    fc.constantFrom('.', '..', '%2e', '%2E%2e', '.%2e', 'shop', 'mnt', 'a', '', 'a%2Fb', '%E2%98%83'),
    fc.stringMatching(/^[a-z.%2A-F]{1,5}$/),
  );
  const pathArb = fc.array(segment, { maxLength: 8 }).map((s) => `/${s.join('/')}`);
  const baseArb = fc.array(fc.constantFrom('shop', 'mnt', 'a', 'b.c'), { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`);

  it('never yields a path outside the mount: what the app sees, put back under the mount, is inside per WHATWG URL', () => {
    fc.assert(
      fc.property(pathArb, baseArb, (path, base) => {
        const rest = stripBasePath(path, base);
        const resolved = new URL(`http://h${path}`).pathname;
        const inside = resolved === base || resolved.startsWith(`${base}/`);
        if (rest === undefined) {
          assert.ok(!inside, `${path} is inside ${base} (${resolved}) but was refused`);
        } else {
          assert.ok(inside, `${path} resolves to ${resolved}, outside ${base}, but reached the app as ${rest}`);
          assert.ok(rest.startsWith('/'), rest);
          // The app's own URL parser agrees with what the mount saw.
          assert.equal(new URL(`http://h${base}${rest === '/' && resolved === base ? '' : rest}`).pathname, resolved);
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('is the identity at the root, and base + rest gives the path back when there are no dot segments', () => {
    fc.assert(
      // '%2e' and '%2e%2e' are dot segments too (RFC 3986 §6.2.2.2): keep them out of this property.
      fc.property(fc.array(fc.stringMatching(/^[a-z%0-9]{0,4}$/).filter((s) => !/^(?:\.|%2e){1,2}$/i.test(s)), { maxLength: 6 }), baseArb, (segs, base) => {
        const path = `/${segs.join('/')}`;
        assert.equal(stripBasePath(path, ''), path);
        const rest = stripBasePath(base + path, base);
        assert.equal(rest, path);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('removeDotSegments', () => {
  const table: Array<[string, string]> = [
    ['/a/b/c/./../../g', '/a/g'], // RFC 3986 §5.2.4's own example
    ['/mid/content=5/../6', '/mid/6'],
    ['/..', '/'],
    ['/a/..', '/'],
    ['/a/.', '/a/'],
    ['/a//b', '/a//b'],
    ['/a/%2e%2e/b', '/b'],
    ['/a%2Fb/../c', '/c'],
  ];
  for (const [path, want] of table) {
    it(`${path} -> ${want}`, () => assert.equal(removeDotSegments(path), want));
  }
  it('agrees with WHATWG URL on paths of dots, slashes and letters', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('.', '..', 'a', 'b', '', '%2e', '.%2E'), { maxLength: 8 }), (segs) => {
        const path = `/${segs.join('/')}`;
        assert.equal(removeDotSegments(path), new URL(`http://h${path}`).pathname);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('outsideMountText', () => {
  it('names the path and the mount point', () => {
    const text = outsideMountText('/x', '/shop');
    assert.match(text, /\/x/);
    assert.match(text, /\/shop/);
  });
});
