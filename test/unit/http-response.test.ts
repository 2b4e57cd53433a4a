/**
 * adapters/_http/response.ts: FastResponse must behave like the Fetch Response for what apps
 * use, and responseParts must classify every kind of body for the gateways.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FastResponse, responseParts } from '../../adapters/_http/response.ts';
import { LightHeaders } from '../../adapters/_http/headers.ts';

function outcome(make: () => unknown): string {
  try {
    make();
    return 'ok';
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const bodyArb = fc.oneof(
  fc.constant(null),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.uint8Array({ maxLength: 40 }),
);

describe('FastResponse', () => {
  it('has the Fetch defaults', () => {
    const res = new FastResponse('hi');
    assert.equal(res.status, 200);
    assert.equal(res.statusText, '');
    assert.equal(res.ok, true);
    assert.equal(res.type, 'default');
    assert.equal(res.url, '');
    assert.equal(res.redirected, false);
    assert.equal(res.bodyUsed, false);
    assert.equal(res.headers.get('content-type'), 'text/plain;charset=UTF-8');
    assert.equal(Object.prototype.toString.call(res), '[object Response]');
  });

  it('accepts and refuses the same status/body combinations as the native Response', () => {
    for (let status = 0; status <= 700; status++) {
      for (const body of [null, 'x']) {
        assert.equal(
          outcome(() => new FastResponse(body, { status })),
          outcome(() => new Response(body, { status })),
          `status ${status} with body ${JSON.stringify(body)}`,
        );
      }
    }
    // One deliberate difference: 200.5 is a RangeError here, where WebIDL would truncate it to 200.
    assert.throws(() => new FastResponse(null, { status: 200.5 }), RangeError);
  });

  it('answers like the native Response for random bodies, statuses and headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyArb,
        fc.constantFrom(200, 201, 202, 400, 404, 500, 599),
        fc.array(fc.tuple(fc.constantFrom('x-a', 'Set-Cookie', 'content-type', 'X-B'), fc.stringMatching(/^[a-z0-9=; ]{0,8}$/)), { maxLength: 5 }),
        fc.constantFrom('text', 'arrayBuffer', 'bytes', 'json'),
        async (body, status, headers, reader) => {
          const light = new FastResponse(body, { status, statusText: 'S', headers });
          const native = new Response(body, { status, statusText: 'S', headers });
          assert.equal(light.status, native.status);
          assert.equal(light.ok, native.ok);
          assert.equal(light.statusText, native.statusText);
          assert.deepEqual([...light.headers], [...native.headers]);
          assert.deepEqual(light.headers.getSetCookie(), native.headers.getSetCookie());
          const read = async (r: FastResponse | Response): Promise<unknown> => {
            try {
              const v: unknown = await (r as Response)[reader as 'text']();
              return v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v instanceof Uint8Array ? [...v] : v;
            } catch (e) {
              return (e as Error).constructor.name;
            }
          };
          assert.deepEqual(await read(light), await read(native));
          assert.equal(light.bodyUsed, native.bodyUsed);
          // A second read rejects (a promise, not a synchronous throw) wherever the native one does.
          const again = (r: FastResponse | Response): Promise<string> => {
            const p = (r as Response).text();
            assert.ok(p instanceof Promise);
            return p.then(() => 'ok', (e: Error) => e.constructor.name);
          };
          assert.equal(await again(light), await again(native));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reading a byte body gives a copy the caller may change', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const got = new Uint8Array(await new FastResponse(bytes).arrayBuffer());
    got[0] = 9;
    assert.deepEqual([...bytes], [1, 2, 3]);
  });

  it('sets the implicit content type Fetch sets, and no other', () => {
    assert.equal(new FastResponse('x').headers.get('content-type'), 'text/plain;charset=UTF-8');
    assert.equal(new FastResponse(new URLSearchParams('a=1')).headers.get('content-type'), 'application/x-www-form-urlencoded;charset=UTF-8');
    assert.equal(new FastResponse(new Blob(['x'], { type: 'image/png' })).headers.get('content-type'), 'image/png');
    assert.equal(new FastResponse(new Uint8Array(1)).headers.get('content-type'), null);
    assert.equal(new FastResponse(null).headers.get('content-type'), null);
    assert.equal(new FastResponse('x', { headers: { 'Content-Type': 'text/html' } }).headers.get('content-type'), 'text/html');
  });

  it('Response.json and Response.redirect match the native statics', async () => {
    const value = { a: [1, 'é', null], b: { c: true } };
    const light = FastResponse.json(value, { status: 201, headers: { 'x-a': '1' } });
    const native = Response.json(value, { status: 201, headers: { 'x-a': '1' } });
    assert.equal(light.status, 201);
    assert.deepEqual([...light.headers], [...native.headers]);
    assert.deepEqual(await light.json(), await native.json());
    assert.equal(FastResponse.json({}, { headers: { 'content-type': 'application/vnd.x+json' } }).headers.get('content-type'), 'application/vnd.x+json');
    assert.throws(() => FastResponse.json(undefined), TypeError);
    assert.throws(() => Response.json(undefined), TypeError);

    for (const status of [301, 302, 303, 307, 308, 200, 304, 399]) {
      assert.equal(outcome(() => FastResponse.redirect('http://x/a b', status)), outcome(() => Response.redirect('http://x/a b', status)), String(status));
    }
    const r = FastResponse.redirect(new URL('http://example.com/a b?q'), 307);
    assert.equal(r.status, 307);
    assert.equal(r.headers.get('location'), Response.redirect('http://example.com/a b?q', 307).headers.get('location'));
    assert.equal(FastResponse.redirect('http://x/').status, 302);
    assert.throws(() => FastResponse.redirect('/relative'), TypeError);
  });

  it('clone gives two independent bodies, and refuses once the body is used', async () => {
    for (const body of ['text', new Uint8Array([1, 2]), new URLSearchParams('a=1')] as const) {
      const res = new FastResponse(body, { status: 202, statusText: 'Accepted', headers: { 'x-a': '1' } });
      const copy = res.clone();
      assert.equal(copy.status, 202);
      assert.equal(copy.statusText, 'Accepted');
      assert.equal(copy.headers.get('x-a'), '1');
      copy.headers.set('x-a', '2');
      assert.equal(res.headers.get('x-a'), '1', 'the clone shares no headers');
      assert.equal(await copy.text(), await res.text());
      assert.throws(() => res.clone(), TypeError);
    }
    const streamed = new FastResponse(new Blob(['abc']).stream());
    const copy = streamed.clone();
    assert.equal(await copy.text(), 'abc');
    assert.equal(await streamed.text(), 'abc');
  });

  it('body is a stream of the bytes, built once', async () => {
    const res = new FastResponse('héllo');
    const body = res.body!;
    assert.ok(body instanceof ReadableStream);
    assert.equal(res.body, body);
    assert.equal(new TextDecoder().decode(await readAll(body)), 'héllo');
    assert.equal(new FastResponse(null).body, null);
  });

  it('blob and formData go through the native class', async () => {
    assert.equal(await (await new FastResponse('abc').blob()).text(), 'abc');
    const form = await new FastResponse(new URLSearchParams('a=1&b=2')).formData();
    assert.equal(form.get('b'), '2');
  });

  it('instanceof works both ways with the native Response; isLight tells them apart', () => {
    const light = new FastResponse('x');
    const native = new Response('x');
    assert.ok(light instanceof FastResponse);
    assert.ok(native instanceof FastResponse, 'a Response from fetch() passes an injected `instanceof Response`');
    assert.ok(!({} instanceof FastResponse));
    assert.ok(!(new Request('http://x/') instanceof FastResponse));
    assert.equal(FastResponse.isLight(light), true);
    assert.equal(FastResponse.isLight(native), false);
    assert.equal(FastResponse.isLight(null), false);
    assert.ok(light._native instanceof Response);
  });

  it('FastResponse.error is the native network error', () => {
    const err = FastResponse.error();
    assert.equal(err.type, 'error');
    assert.equal(err.status, 0);
  });
});

describe('responseParts', () => {
  const cases: Array<[string, () => FastResponse | Response, string, string | number[] | null]> = [
    ['string', () => new FastResponse('hé'), 'text', 'hé'],
    ['Uint8Array', () => new FastResponse(new Uint8Array([0, 255])), 'bytes', [0, 255]],
    ['ArrayBuffer', () => new FastResponse(new Uint8Array([1, 2]).buffer), 'bytes', [1, 2]],
    ['DataView', () => new FastResponse(new DataView(new Uint8Array([5, 6, 7]).buffer, 1, 2)), 'bytes', [6, 7]],
    ['Uint16Array', () => new FastResponse(new Uint16Array([0x0102])), 'bytes', [...new Uint8Array(new Uint16Array([0x0102]).buffer)]],
    ['URLSearchParams', () => new FastResponse(new URLSearchParams('a=1&b=x y')), 'text', 'a=1&b=x+y'],
    ['null', () => new FastResponse(null, { status: 204 }), 'none', null],
    ['ReadableStream', () => new FastResponse(new Blob(['abc']).stream()), 'stream', 'abc'],
    ['Blob (encoded by the native class)', () => new FastResponse(new Blob(['abc'])), 'stream', 'abc'],
    ['native Response with a body', () => new Response('abc'), 'stream', 'abc'],
    ['native Response without a body', () => new Response(null, { status: 304 }), 'none', null],
    ['FastResponse whose native was built', () => { const r = new FastResponse('abc'); void r.body; return r; }, 'stream', 'abc'],
  ];
  for (const [name, make, kind, want] of cases) {
    it(`${name} -> ${kind}`, async () => {
      const parts = responseParts(make());
      assert.equal(parts.body.kind, kind);
      const b = parts.body;
      if (b.kind === 'text') assert.equal(b.text, want);
      if (b.kind === 'bytes') assert.deepEqual([...b.bytes], want);
      if (b.kind === 'stream') assert.equal(new TextDecoder().decode(await readAll(b.stream)), want);
    });
  }

  it('gives status, statusText, lower-case headers and one pair per cookie, light or native', () => {
    for (const Class of [FastResponse, Response] as const) {
      const headers = new Headers({ 'X-A': '1', 'Content-Type': 'text/plain' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT');
      const parts = responseParts(new (Class as typeof Response)('x', { status: 418, statusText: 'Teapot', headers }));
      assert.equal(parts.status, 418);
      assert.equal(parts.statusText, 'Teapot');
      const sorted = [...parts.headers].sort((a, b) => (a[0] + a[1]).localeCompare(b[0] + b[1]));
      assert.deepEqual(sorted, [['content-type', 'text/plain'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT'], ['x-a', '1']], Class.name);
    }
  });

  it('keeps headers given as a LightHeaders, in insertion order', () => {
    const h = new LightHeaders();
    h.append('x-b', '1');
    h.append('set-cookie', 'a=1');
    h.append('set-cookie', 'b=2');
    const parts = responseParts(new FastResponse(new Uint8Array(1), { headers: h as unknown as HeadersInit }));
    assert.deepEqual(parts.headers, [['x-b', '1'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
  });
});
