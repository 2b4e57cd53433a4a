import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { handle } from '../../adapters/lambda/runtime/lambda.ts';
import { v1Query, wellFormed } from '../../adapters/lambda/runtime/query.ts';
import { encodeBody } from '../../adapters/lambda/runtime/result.ts';
import { FastResponse } from '../../adapters/_http/response.ts';
import { fixture, lambdaContext, resultBytes } from './lambda-helpers.ts';

const R = FastResponse as unknown as typeof Response;
const RUNS = { numRuns: 200 };

// Bytes in, same bytes out: the app echoes the request body with a binary type.
const echoBytes = {
  async fetch(req: Request) {
    return new R(new Uint8Array(await req.arrayBuffer()), { headers: { 'content-type': 'application/octet-stream' } });
  },
};

const sources = ['http-v2', 'function-url', 'rest-v1-binary', 'alb-single', 'alb-multi'];

// Header values as API Gateway could deliver them: printable, no leading/trailing whitespace.
const headerValue = fc.string({ unit: fc.oneof(fc.constantFrom(...'abcXYZ09 ;=,/-_'), fc.constantFrom('é', 'ü', '☃', '日')), minLength: 1, maxLength: 20 }).map((s) => s.trim()).filter((s) => s.length > 0);
const token = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), minLength: 1, maxLength: 12 }).map((s) => `x-${s}`);
const cookiePair = fc.tuple(fc.string({ unit: fc.constantFrom(...'abcdefgh'), minLength: 1, maxLength: 6 }), fc.string({ unit: fc.constantFrom(...'abc123%+/='), maxLength: 10 })).map(([k, v]) => `${k}=${v}`);

describe('lambda parsers: properties', () => {
  it('binary bodies round-trip: base64 event in, base64 result out, identical bytes (every source)', async () => {
    const handler = handle(echoBytes as any);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom(...sources), async (bytes, source) => {
        const event = fixture(source);
        if (event.requestContext.http) event.requestContext.http.method = 'POST';
        else event.httpMethod = 'POST';
        event.body = Buffer.from(bytes).toString('base64');
        event.isBase64Encoded = true;
        const r: any = await handler(event, lambdaContext());
        assert.deepEqual(resultBytes(r), bytes);
        if (bytes.length > 0) assert.equal(r.isBase64Encoded, true);
      }),
      RUNS,
    );
  });

  it('text bodies round-trip as UTF-8 through a plain (not base64) event', async () => {
    const app = { fetch: async (req: Request) => new R(await req.text(), { headers: { 'content-type': 'text/plain; charset=utf-8' } }) };
    const handler = handle(app as any);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 200 }), async (text) => {
        const event = fixture('http-v2');
        event.body = text;
        event.isBase64Encoded = false;
        const r: any = await handler(event, lambdaContext());
        assert.equal(r.isBase64Encoded, false);
        assert.equal(r.body, text);
      }),
      RUNS,
    );
  });

  it('payload 2.0 keeps rawQueryString byte-exact', async () => {
    const app = { fetch: (req: Request) => new R(req.url) };
    const handler = handle(app as any);
    const qchar = fc.constantFrom(...'abcXYZ019=&+%2B-_.~!$\'()*,;:@/?'.split(''), '%20', '%2B', '%C3%A9');
    await fc.assert(
      fc.asyncProperty(fc.array(qchar, { maxLength: 40 }).map((a) => a.join('')), async (raw) => {
        const event = fixture('http-v2');
        event.rawQueryString = raw;
        const r: any = await handler(event, lambdaContext());
        const url = r.body as string;
        const q = url.indexOf('?'); // the path has none, so the first '?' is the separator
        if (raw === '') assert.equal(q, -1);
        // Byte-exact but for what the WHATWG URL parser encodes (`'` in a query), as every gateway spells it.
        else assert.equal(url.slice(q + 1), new URL(`http://h/?${raw}`).href.slice('http://h/?'.length));
      }),
      RUNS,
    );
  });

  it('REST v1 decoded query values come back exactly through URLSearchParams', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 1, maxLength: 3 })).filter((d) => new Set(Object.keys(d).map((k) => wellFormed(k))).size === Object.keys(d).length), (multi) => {
        const params = new URLSearchParams(v1Query({ multiValueQueryStringParameters: multi }));
        for (const [k, list] of Object.entries(multi)) {
          assert.deepEqual(params.getAll(wellFormed(k)), list.map((v) => wellFormed(v)));
        }
      }),
      RUNS,
    );
  });

  it('request headers and cookies reach the app unchanged on every source', async () => {
    const app = {
      fetch: (req: Request) => {
        const out: Record<string, string | null> = {};
        req.headers.forEach((v, k) => (out[k] = v));
        return R.json(out);
      },
    };
    const handler = handle(app as any);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(token, headerValue, { maxKeys: 6 }), fc.array(cookiePair, { minLength: 1, maxLength: 4 }), fc.constantFrom(...sources), async (headers, cookies, source) => {
        const event = fixture(source);
        if (event.multiValueHeaders) {
          event.multiValueHeaders = { host: ['h.example'], cookie: cookies };
          for (const [k, v] of Object.entries(headers)) event.multiValueHeaders[k] = [v];
        } else {
          event.headers = { host: 'h.example', ...headers };
          if (event.version === '2.0') event.cookies = cookies;
          else event.headers.cookie = cookies.join('; ');
        }
        const r: any = await handler(event, lambdaContext());
        const seen = JSON.parse(r.body);
        for (const [k, v] of Object.entries(headers)) assert.equal(seen[k], v, k);
        assert.equal(seen.cookie, cookies.join('; '));
      }),
      RUNS,
    );
  });

  it('every Set-Cookie is delivered on every source that can carry several', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cookiePair, { minLength: 1, maxLength: 6 }), async (cookies) => {
        const app = { fetch: () => new R('', { headers: cookies.map((c) => ['set-cookie', c] as [string, string]) }) };
        const handler = handle(app as any);
        const v2: any = await handler(fixture('http-v2'), lambdaContext());
        assert.deepEqual(v2.cookies, cookies);
        const v1: any = await handler(fixture('rest-v1-stage'), lambdaContext());
        assert.deepEqual(v1.multiValueHeaders['set-cookie'], cookies);
        const alb: any = await handler(fixture('alb-multi'), lambdaContext());
        assert.deepEqual(alb.multiValueHeaders['set-cookie'], cookies);
        const single: any = await handle(app as any, { albSetCookie: 'case-variants' })(fixture('alb-single'), lambdaContext());
        assert.deepEqual(Object.keys(single.headers).filter((k) => k.toLowerCase() === 'set-cookie').map((k) => single.headers[k]), cookies);
      }),
      RUNS,
    );
  });

  it('encodeBody never loses a byte, whatever the content type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.constantFrom('text/plain', 'application/json', 'image/png', '', 'text/html; charset=utf-8'), (bytes, type) => {
        const { body, isBase64Encoded } = encodeBody({ kind: 'bytes', bytes }, type ? [['content-type', type]] : [], undefined);
        const back = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
        assert.deepEqual(new Uint8Array(back), bytes);
      }),
      RUNS,
    );
  });
});
