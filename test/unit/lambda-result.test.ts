import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handle } from '../../adapters/lambda/runtime/lambda.ts';
import { encodeBody, statusDescription } from '../../adapters/lambda/runtime/result.ts';
import { FastResponse } from '../../adapters/_http/response.ts';
import { fixture, lambdaContext, resultBytes } from './lambda-helpers.ts';

const R = FastResponse as unknown as typeof Response;
const COOKIES = ['a=1; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'b=2; HttpOnly', 'c=3; Secure'];

function cookieApp(): any {
  return {
    fetch() {
      const h: Array<[string, string]> = [['content-type', 'text/plain'], ['x-rep', 'one'], ['x-rep', 'two']];
      for (const c of COOKIES) h.push(['set-cookie', c]);
      return new R('ok', { status: 201, headers: h });
    },
  };
}

function logger(): { lines: string[]; log: (l: string) => void } {
  const lines: string[] = [];
  return { lines, log: (l: string) => lines.push(l) };
}

describe('result shape per source, with several Set-Cookie', () => {
  it('REST v1: cookies and repeats in multiValueHeaders, the rest in headers', async () => {
    const r: any = await handle(cookieApp())(fixture('rest-v1-stage'), lambdaContext());
    assert.deepEqual(r, {
      statusCode: 201,
      headers: { 'content-type': 'text/plain' },
      multiValueHeaders: { 'x-rep': ['one', 'two'], 'set-cookie': COOKIES },
      body: 'ok',
      isBase64Encoded: false,
    });
  });

  it('HTTP API v2 and Function URL: cookies array, repeats joined', async () => {
    for (const name of ['http-v2', 'function-url']) {
      const r: any = await handle(cookieApp())(fixture(name), lambdaContext());
      assert.deepEqual(r, {
        statusCode: 201,
        headers: { 'content-type': 'text/plain', 'x-rep': 'one, two' },
        cookies: COOKIES,
        body: 'ok',
        isBase64Encoded: false,
      });
    }
  });

  it('ALB multi-value: multiValueHeaders only, statusDescription', async () => {
    const r: any = await handle(cookieApp())(fixture('alb-multi'), lambdaContext());
    assert.deepEqual(r, {
      statusCode: 201,
      statusDescription: '201 Created',
      multiValueHeaders: { 'content-type': ['text/plain'], 'x-rep': ['one', 'two'], 'set-cookie': COOKIES },
      body: 'ok',
      isBase64Encoded: false,
    });
    assert.equal('headers' in r, false);
  });

  it('ALB single-value: headers only; first cookie sent and the drop logged', async () => {
    const { lines, log } = logger();
    const r: any = await handle(cookieApp(), { log })(fixture('alb-single'), lambdaContext());
    assert.deepEqual(r, {
      statusCode: 201,
      statusDescription: '201 Created',
      headers: { 'content-type': 'text/plain', 'x-rep': 'one, two', 'set-cookie': COOKIES[0] },
      body: 'ok',
      isBase64Encoded: false,
    });
    assert.equal('multiValueHeaders' in r, false);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /only 1 of 3 Set-Cookie.*dropped: b, c.*multi_value_headers/);
  });

  it('ALB single-value with albSetCookie "case-variants": every cookie under its own spelling', async () => {
    const { lines, log } = logger();
    const r: any = await handle(cookieApp(), { log, albSetCookie: 'case-variants' })(fixture('alb-single'), lambdaContext());
    const cookieKeys = Object.keys(r.headers).filter((k) => k.toLowerCase() === 'set-cookie');
    assert.equal(cookieKeys.length, 3);
    assert.equal(new Set(cookieKeys).size, 3);
    assert.deepEqual(cookieKeys.map((k) => r.headers[k]), COOKIES);
    assert.deepEqual(lines, []);
  });

  it('statusDescription uses statusText, then the RFC phrase', () => {
    assert.equal(statusDescription(200, ''), '200 OK');
    assert.equal(statusDescription(418, ''), "418 I'm a Teapot");
    assert.equal(statusDescription(299, ''), '299 Unknown');
    assert.equal(statusDescription(200, 'Fine'), '200 Fine');
  });
});

describe('text or binary bodies', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);

  it('binary types go base64, text types as text', async () => {
    for (const [type, body, base64] of [
      ['image/png', png, true],
      ['application/octet-stream', png, true],
      ['application/json', '{"a":"é"}', false],
      ['text/html; charset=utf-8', new TextEncoder().encode('<p>é</p>'), false],
      ['image/svg+xml', '<svg/>', false],
    ] as const) {
      const app = { fetch: () => new R(body as any, { headers: { 'content-type': type } }) };
      for (const name of ['http-v2', 'rest-v1-stage', 'alb-single', 'alb-multi']) {
        const r: any = await handle(app as any)(fixture(name), lambdaContext());
        assert.equal(r.isBase64Encoded, base64, `${type} on ${name}`);
        const expected = typeof body === 'string' ? new TextEncoder().encode(body) : body;
        assert.deepEqual(resultBytes(r), expected, `${type} on ${name}`);
      }
    }
  });

  it('no content type and bytes: binary; a string body: text (Fetch sets text/plain)', async () => {
    let r: any = await handle({ fetch: () => new R(png) } as any)(fixture('http-v2'), lambdaContext());
    assert.equal(r.isBase64Encoded, true);
    r = await handle({ fetch: () => new R('hi') } as any)(fixture('http-v2'), lambdaContext());
    assert.deepEqual([r.body, r.isBase64Encoded, r.headers['content-type']], ['hi', false, 'text/plain;charset=UTF-8']);
  });

  it('a compressed or non-UTF-8 text body goes base64 so no byte is lost', () => {
    const gz = encodeBody({ kind: 'text', text: 'x' }, [['content-type', 'text/plain'], ['content-encoding', 'gzip']], undefined);
    assert.equal(gz.isBase64Encoded, true);
    const latin1 = encodeBody({ kind: 'bytes', bytes: new Uint8Array([0x63, 0x61, 0x66, 0xe9]) }, [['content-type', 'text/plain; charset=iso-8859-1']], undefined);
    assert.deepEqual(latin1, { body: Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('base64'), isBase64Encoded: true });
  });

  it('the binary option overrides: a function or a list of types', async () => {
    const app = { fetch: () => new R('{"x":1}', { headers: { 'content-type': 'application/json', 'x-raw': '1' } }) };
    const seen: any[] = [];
    let r: any = await handle(app as any, { binary: (type, headers) => (seen.push([type, headers['x-raw']]), true) })(fixture('http-v2'), lambdaContext());
    assert.equal(r.isBase64Encoded, true);
    assert.equal(Buffer.from(r.body, 'base64').toString(), '{"x":1}');
    assert.deepEqual(seen, [['application/json', '1']]);
    r = await handle(app as any, { binary: ['application/*'] })(fixture('http-v2'), lambdaContext());
    assert.equal(r.isBase64Encoded, true);
    r = await handle(app as any, { binary: ['image/*'] })(fixture('http-v2'), lambdaContext());
    assert.equal(r.isBase64Encoded, false);
    assert.throws(() => handle(app as any, { binary: 'image/*' as any }), /PORTICO_BAD_OPTION: "binary"/);
  });

  it('stream bodies are collected in buffered mode', async () => {
    const app = {
      fetch: () =>
        new R(
          new ReadableStream({
            start(c) {
              c.enqueue(new TextEncoder().encode('part 1, '));
              c.enqueue(new TextEncoder().encode('part 2'));
              c.close();
            },
          }),
          { headers: { 'content-type': 'text/plain' } },
        ),
    };
    const r: any = await handle(app as any)(fixture('http-v2'), lambdaContext());
    assert.equal(r.body, 'part 1, part 2');
  });

  it('an empty body and a 204', async () => {
    const r: any = await handle({ fetch: () => new R(null, { status: 204 }) } as any)(fixture('alb-single'), lambdaContext());
    assert.deepEqual(r, { statusCode: 204, statusDescription: '204 No Content', headers: {}, body: '', isBase64Encoded: false });
  });

  it('non-ASCII response header values pass through as JSON strings', async () => {
    const app = { fetch: () => new R('x', { headers: { 'x-name': 'Zoë ☃' } }) };
    const r: any = await handle(app as any)(fixture('http-v2'), lambdaContext());
    assert.equal(r.headers['x-name'], 'Zoë ☃');
  });

  it('a native Response works too', async () => {
    const r: any = await handle({ fetch: () => Response.json({ a: 1 }, { headers: { 'set-cookie': 'n=1' } }) } as any)(fixture('http-v2'), lambdaContext());
    assert.deepEqual([r.body, r.cookies, r.headers['content-type']], ['{"a":1}', ['n=1'], 'application/json']);
  });
});

describe('errors and waitUntil', () => {
  it('an app exception is a 500 with the request id, logged in one line', async () => {
    for (const name of ['http-v2', 'rest-v1-stage', 'alb-single', 'alb-multi']) {
      const { lines, log } = logger();
      const app = {
        fetch() {
          throw new Error('boom');
        },
      };
      const r: any = await handle(app as any, { log })(fixture(name), lambdaContext('req-abc-123'));
      assert.equal(r.statusCode, 500);
      assert.match(r.body, /req-abc-123/);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /request id req-abc-123.*boom/s);
    }
  });

  it('a rejected promise and a non-Response are 500s too, and the next event is served', async () => {
    const { lines, log } = logger();
    let n = 0;
    const app = {
      async fetch() {
        n++;
        if (n === 1) throw new TypeError('async boom');
        if (n === 2) return 'not a response';
        return new R('fine');
      },
    };
    const handler = handle(app as any, { log });
    assert.equal(((await handler(fixture('http-v2'), lambdaContext('r1'))) as any).statusCode, 500);
    assert.equal(((await handler(fixture('http-v2'), lambdaContext('r2'))) as any).statusCode, 500);
    assert.equal(((await handler(fixture('http-v2'), lambdaContext('r3'))) as any).body, 'fine');
    assert.match(lines[0]!, /r1.*async boom/s);
    assert.match(lines[1]!, /r2.*PORTICO_BAD_RESPONSE/s);
  });

  it('waitUntil work is awaited before the handler resolves; rejections are logged', async () => {
    const { lines, log } = logger();
    const order: string[] = [];
    const app = {
      fetch(_req: Request, _env: unknown, ctx: any) {
        ctx.waitUntil(
          new Promise<void>((resolve) =>
            setTimeout(() => {
              order.push('background');
              // work added while draining is awaited too
              ctx.waitUntil(new Promise<void>((r) => setTimeout(() => (order.push('nested'), r()), 10)));
              resolve();
            }, 20),
          ),
        );
        ctx.waitUntil(Promise.reject(new Error('bg failed')));
        return new R('done');
      },
    };
    const r: any = await handle(app as any, { log })(fixture('http-v2'), lambdaContext('w1'));
    order.push('resolved');
    assert.equal(r.body, 'done');
    assert.deepEqual(order, ['background', 'nested', 'resolved']);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /waitUntil.*w1.*bg failed/s);
  });

  it('rejects a non-app', () => {
    assert.throws(() => handle({} as any), /PORTICO_NO_APP/);
  });
});
