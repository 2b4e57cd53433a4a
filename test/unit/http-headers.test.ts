/**
 * adapters/_http/headers.ts: LightHeaders must answer like the platform's Headers for any
 * sequence of operations (a property test runs both side by side), plus headerPairs and wireValue.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LightHeaders, headerPairs, wireValue } from '../../adapters/_http/headers.ts';

const NAMES = ['Content-Type', 'content-type', 'X-A', 'x-a', 'Set-Cookie', 'set-cookie', 'SET-COOKIE', 'accept', 'x-b', 'vary', 'a'];

// Header values as ByteStrings (every char <= 0xFF), with HTTP whitespace at the edges and now
// and then a NUL, CR or LF that both classes must refuse.
const valueArb = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
  fc.tuple(fc.constantFrom('', ' ', '\t', '  \t'), fc.string({ maxLength: 6 }), fc.constantFrom('', ' ', '\t ')).map(([a, b, c]) => a + b + c),
  fc.constantFrom('a\r\nb', 'x\0y', 'line\n', 'a, b', '', '=;,"'),
);

type Op = { op: 'append' | 'set'; name: string; value: string } | { op: 'delete'; name: string };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('append' as const), name: fc.constantFrom(...NAMES), value: valueArb }),
  fc.record({ op: fc.constant('set' as const), name: fc.constantFrom(...NAMES), value: valueArb }),
  fc.record({ op: fc.constant('delete' as const), name: fc.constantFrom(...NAMES) }),
);

function apply(h: { append(n: string, v: string): void; set(n: string, v: string): void; delete(n: string): void }, op: Op): string {
  try {
    if (op.op === 'delete') h.delete(op.name);
    else h[op.op](op.name, op.value);
    return 'ok';
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

function snapshot(h: Headers | LightHeaders): unknown {
  return {
    entries: [...h.entries()],
    iterated: [...h],
    keys: [...h.keys()],
    values: [...h.values()],
    cookies: h.getSetCookie(),
    gets: NAMES.map((n) => h.get(n)),
    has: NAMES.map((n) => h.has(n)),
  };
}

describe('LightHeaders vs the native Headers', () => {
  it('gives the same results for any sequence of append/set/delete', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), (ops) => {
        const light = new LightHeaders();
        const native = new Headers();
        for (const op of ops) assert.equal(apply(light, op), apply(native, op), `${JSON.stringify(op)} threw differently`);
        assert.deepEqual(snapshot(light), snapshot(native));
      }),
      { numRuns: 2000 },
    );
  });

  it('builds the same from a record, from pairs, and from each other', () => {
    const pairsArb = fc.array(fc.tuple(fc.constantFrom(...NAMES), valueArb.filter((v) => !/[\0\r\n]/.test(v.trim()))), { maxLength: 10 });
    fc.assert(
      fc.property(pairsArb, (pairs) => {
        const light = new LightHeaders(pairs);
        const native = new Headers(pairs);
        assert.deepEqual(snapshot(light), snapshot(native));
        // Copying goes through the combined values, which Fetch normalises again ('a, ' becomes 'a,'),
        // so a copy is compared with the same copy made by the native class.
        const nativeCopy = snapshot(new Headers(native));
        assert.deepEqual(snapshot(new LightHeaders(native)), nativeCopy);
        assert.deepEqual(snapshot(new Headers(light as unknown as HeadersInit)), nativeCopy);
        assert.deepEqual(snapshot(new LightHeaders(light)), snapshot(native));
        const record = Object.fromEntries(pairs);
        assert.deepEqual(snapshot(new LightHeaders(record)), snapshot(new Headers(record)));
      }),
      { numRuns: 1000 },
    );
  });

  for (const bad of ['', 'a b', 'a:b', 'é', 'a\n', '(x)', '[]']) {
    it(`refuses the header name ${JSON.stringify(bad)} as the native class does`, () => {
      assert.throws(() => new Headers().append(bad, 'v'), TypeError);
      assert.throws(() => new LightHeaders().append(bad, 'v'), TypeError);
      assert.throws(() => new LightHeaders().set(bad, 'v'), TypeError);
      assert.throws(() => new LightHeaders({ [bad]: 'v' }), TypeError);
    });
  }

  it('refuses pairs that are not pairs', () => {
    assert.throws(() => new LightHeaders([['a', 'b', 'c'] as unknown as [string, string]]), TypeError);
    assert.throws(() => new LightHeaders(42 as unknown as Record<string, string>), TypeError);
  });

  it('takes repeated values from a record of arrays (as node gives them), skipping undefined', () => {
    const h = new LightHeaders({ 'set-cookie': ['a=1', 'b=2'], 'x-a': ['1', '2'], skip: undefined });
    assert.deepEqual(h.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(h.get('x-a'), '1, 2');
    assert.equal(h.has('skip'), false);
  });

  it('forEach walks the sorted entries with the headers as third argument', () => {
    const h = new LightHeaders([['b', '2'], ['a', '1'], ['set-cookie', 'x'], ['set-cookie', 'y']]);
    const seen: unknown[] = [];
    const self = {};
    h.forEach(function (this: unknown, v, k, parent) {
      seen.push([k, v, parent === h, this === self]);
    }, self);
    assert.deepEqual(seen, [['a', '1', true, true], ['b', '2', true, true], ['set-cookie', 'x', true, true], ['set-cookie', 'y', true, true]]);
  });

  it('rawPairs keeps insertion order and every value apart', () => {
    const h = new LightHeaders();
    h.append('X-B', '1');
    h.append('x-a', '2');
    h.append('x-b', '3');
    assert.deepEqual(h.rawPairs(), [['x-b', '1'], ['x-b', '3'], ['x-a', '2']]);
  });

  it('is an instance of itself, and a native Headers is one too; its tag says Headers', () => {
    assert.ok(new LightHeaders() instanceof LightHeaders);
    assert.ok(new Headers() instanceof LightHeaders);
    assert.ok(!({} instanceof LightHeaders));
    assert.equal(Object.prototype.toString.call(new LightHeaders()), '[object Headers]');
  });
});

describe('headerPairs', () => {
  it('splits Set-Cookie and lower-cases names from every kind of input', () => {
    const want = [['x-a', '1'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']];
    assert.deepEqual(headerPairs({ 'X-A': '1', 'Set-Cookie': ['a=1', 'b=2'] }), want);
    const light = new LightHeaders({ 'X-A': '1' });
    light.append('set-cookie', 'a=1');
    light.append('set-cookie', 'b=2');
    assert.deepEqual(headerPairs(light), want);
    const native = new Headers({ 'X-A': '1' });
    native.append('set-cookie', 'a=1');
    native.append('set-cookie', 'b=2');
    assert.deepEqual(headerPairs(native), want);
    assert.deepEqual(headerPairs([['X-A', ' 1 '], ['Set-Cookie', 'a=1'], ['set-cookie', 'b=2']]), want);
    assert.deepEqual(headerPairs(null), []);
    assert.deepEqual(headerPairs(undefined), []);
  });
  it('refuses values that would split a header line (CR, LF, NUL)', () => {
    assert.throws(() => headerPairs({ 'x-a': 'a\r\nInjected: 1' }), TypeError);
    assert.throws(() => headerPairs([['x-a', 'a\nb']]), TypeError);
  });
  it('agrees with the native Headers for random pair lists', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.stringMatching(/^[a-z0-9=;, ]{0,8}$/)), { maxLength: 10 }), (pairs) => {
        const native = new Headers(pairs);
        // Each name's values joined as Fetch joins them, and the cookies one by one.
        const view = (list: Array<[string, string]>): unknown => {
          const joined = new Map<string, string[]>();
          for (const [k, v] of list) joined.set(k, [...(joined.get(k) ?? []), v]);
          const cookies = joined.get('set-cookie') ?? [];
          joined.delete('set-cookie');
          return { cookies, rest: [...joined].map(([k, v]) => [k, v.join(', ')]).sort() };
        };
        const want = view([...native.entries()]);
        assert.deepEqual(view(headerPairs(native)), want);
        assert.deepEqual(view(headerPairs(new LightHeaders(pairs))), want);
      }),
      { numRuns: 500 },
    );
  });
});

describe('wireValue', () => {
  it('keeps Latin-1 strings as they are', () => {
    assert.equal(wireValue('naïve'), 'naïve');
    assert.equal(wireValue(''), '');
    assert.equal(wireValue('\u00ff'), '\u00ff');
  });
  it('sends a string beyond Latin-1 as its UTF-8 bytes, one char per byte', () => {
    assert.equal(wireValue('☃'), '\u00e2\u0098\u0083');
    assert.equal(wireValue('é☃'), '\u00c3\u00a9\u00e2\u0098\u0083');
  });
  it('for any string: every char fits a byte, and the bytes read back as UTF-8 give the string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        const wire = wireValue(s);
        assert.ok(/^[\u0000-\u00ff]*$/.test(wire));
        if (/[^\u0000-\u00ff]/.test(s)) assert.equal(Buffer.from(wire, 'latin1').toString('utf8'), s);
        else assert.equal(wire, s);
      }),
      { numRuns: 2000 },
    );
  });
});
