/**
 * Recorded AWS events (test/fixtures/lambda-recorded, see its README for where each shape comes
 * from) through `handle()` of an echo app: what the app sees (method, URL, raw query as far as
 * the source keeps it, headers and cookies, body bytes, ctx.basePath, ctx.clientAddress), and a
 * result of exactly the shape that source accepts (result-shape.ts, from the AWS docs).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { handle } from '../../adapters/lambda/runtime/lambda.ts';
import { FastResponse } from '../../adapters/_http/response.ts';
import { echoApp, lambdaContext, resultBytes } from '../unit/lambda-helpers.ts';
import { assertResultShape, type ResultSource } from './result-shape.ts';

const DIR = new URL('../fixtures/lambda-recorded/', import.meta.url);

function recorded(name: string): any {
  return JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8'));
}

interface Seen {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: string;
  basePath: string;
  clientAddress: string | undefined;
  gateway: string;
}

const handler = handle(echoApp, { log: () => {} });

/** Run `event` through the echo app; check the result's shape for `source`; return what the app saw. */
async function run(event: unknown, source: ResultSource): Promise<{ seen: Seen; result: any }> {
  const result: any = await handler(event, lambdaContext());
  assertResultShape(source, result);
  assert.equal(result.statusCode, 200, `status ${result.statusCode}: ${Buffer.from(resultBytes(result)).toString().slice(0, 300)}`);
  const seen = JSON.parse(Buffer.from(resultBytes(result)).toString('utf8')) as Seen;
  return { seen, result };
}

function header(seen: Seen, name: string): string | null {
  const found = seen.headers.filter(([k]) => k === name);
  assert.ok(found.length <= 1, `${name} appears ${found.length} times in the app's headers`);
  return found[0]?.[1] ?? null;
}

function bodyOf(seen: Seen): Buffer {
  return Buffer.from(seen.body, 'base64');
}

function params(url: string): Array<[string, string]> {
  return [...new URL(url).searchParams];
}

describe('REST API (payload 1.0), recorded', () => {
  test('live capture: stage in requestContext.path only, encoded path, +/%2B decoded by API Gateway, repeated header', async () => {
    const { seen, result } = await run(recorded('rest-live-stage'), 'v1');
    const url = new URL(seen.url);
    assert.equal(url.origin, 'https://k3v8zq1abc.execute-api.us-west-2.amazonaws.com');
    assert.equal(url.pathname, '/capture/space%20value');
    assert.equal(seen.basePath, '/live');
    assert.equal(seen.method, 'POST');
    // API Gateway decoded '+' to a space and '%2B' to '+': the app must see exactly those values.
    assert.deepEqual(params(seen.url), [
      ['empty', ''], ['encodedPlus', 'a+b'], ['literalPlus', 'a b'], ['redirect', 'https://example.com/a/b?x=1&y=2'], ['repeat', 'one'], ['repeat', 'two'],
    ]);
    assert.equal(header(seen, 'x-probe'), 'first, second');
    assert.equal(header(seen, 'cookie'), 'session=s1; theme=dark');
    assert.equal(header(seen, 'host'), 'k3v8zq1abc.execute-api.us-west-2.amazonaws.com');
    assert.equal(bodyOf(seen).toString('utf8'), '{"message":"hello","unicode":"lambda-λ"}');
    assert.equal(seen.clientAddress, '198.51.100.23');
    assert.equal(seen.gateway, 'lambda');
    assert.equal(result.headers['content-type'], 'application/json');
  });

  test('console "apigateway-aws-proxy" template: base64 body, stage prefix, X-Forwarded-For chain', async () => {
    const { seen } = await run(recorded('rest-console-template'), 'v1');
    assert.equal(new URL(seen.url).pathname, '/path/to/resource');
    assert.equal(new URL(seen.url).search, '?foo=bar');
    assert.equal(seen.basePath, '/prod');
    assert.equal(bodyOf(seen).toString(), '{"test":"body"}');
    assert.equal(seen.clientAddress, '127.0.0.1', 'identity.sourceIp, not the first X-Forwarded-For entry');
    assert.equal(header(seen, 'x-forwarded-for'), '127.0.0.1, 127.0.0.2');
  });

  test('console Test invoke: headers null, body null, template in requestContext.path, non-IP sourceIp', async () => {
    const { seen } = await run(recorded('rest-test-invoke'), 'v1');
    assert.equal(new URL(seen.url).href, 'https://testprefix.testdomainname/coupons/hoge');
    assert.equal(seen.basePath, '', 'the resource template in requestContext.path is not a mount prefix');
    assert.deepEqual(seen.headers, []);
    assert.equal(seen.body, '');
    assert.equal(seen.clientAddress, undefined, '"test-invoke-source-ip" is not an address');
  });

  test('resource /{proxy+} with no isBase64Encoded key and no requestContext.path (aws-lambda-go sample)', async () => {
    const { seen } = await run(recorded('rest-nulls'), 'v1');
    assert.equal(new URL(seen.url).pathname, '/hello/world');
    assert.equal(new URL(seen.url).search, '?name=me');
    assert.equal(seen.basePath, '/testStage', 'on the execute-api domain a REST API is always reached through /{stage}');
    assert.equal(bodyOf(seen).toString(), '{\r\n\t"a": 1\r\n}');
    assert.equal(header(seen, 'content-type'), 'application/json');
    assert.equal(header(seen, 'headername'), 'headerValue');
  });

  test('custom domain with base path mapping: requestContext.path vs path', async () => {
    const { seen } = await run(recorded('rest-custom-domain'), 'v1');
    assert.equal(seen.url, 'https://api.example.com/users/42?tags=a&tags=b');
    assert.equal(seen.basePath, '/shop');
    assert.equal(seen.clientAddress, '203.0.113.9');
    assert.equal(seen.method, 'GET');
  });

  test('two Cookie headers in multiValueHeaders join with "; "; a gzip body arrives byte for byte', async () => {
    const event = recorded('rest-cookies-gzip');
    const { seen } = await run(event, 'v1');
    assert.equal(header(seen, 'cookie'), 'a=1; b=2');
    assert.equal(header(seen, 'content-encoding'), 'gzip');
    assert.deepEqual(bodyOf(seen), Buffer.from(event.body, 'base64'));
    assert.equal(gunzipSync(bodyOf(seen)).toString(), '{"compressed":true,"n":[1,2,3]}');
    assert.equal(seen.clientAddress, '2001:db8::7');
    assert.equal(seen.basePath, '/v1');
  });

  test('a text body sent base64 (binaryMediaTypes */*) is decoded', async () => {
    const { seen } = await run(recorded('rest-text-base64'), 'v1');
    assert.equal(seen.method, 'PUT');
    assert.equal(bodyOf(seen).toString('utf8'), 'héllo wörld\n');
  });

  test('HEAD', async () => {
    const { seen } = await run(recorded('rest-head'), 'v1');
    assert.equal(seen.method, 'HEAD');
    assert.equal(seen.body, '');
    assert.equal(new URL(seen.url).pathname, '/status');
  });

  test('non-ASCII path, query values and header values', async () => {
    const { seen } = await run(recorded('rest-nonascii'), 'v1');
    const url = new URL(seen.url);
    assert.equal(url.pathname, '/caf%C3%A9');
    assert.equal(decodeURIComponent(url.pathname), '/café');
    assert.deepEqual(params(seen.url), [['q', 'été à Zürich'], ['emoji', '☃'], ['amp', 'a&b=c']]);
    assert.equal(header(seen, 'x-name'), 'José');
    assert.equal(seen.basePath, '/v1');
  });

  test('multiValueHeaders {} beside a filled headers map (hand-written events) still gives the headers and query', async () => {
    const event = recorded('rest-custom-domain');
    event.multiValueHeaders = {};
    event.multiValueQueryStringParameters = {};
    event.queryStringParameters = { q: 'x y' };
    const { seen } = await run(event, 'v1');
    assert.equal(header(seen, 'accept'), 'application/json');
    assert.deepEqual(params(seen.url), [['q', 'x y']]);
  });
});

describe('HTTP API payload 1.0, recorded', () => {
  test('named stage left in path on the execute-api domain', async () => {
    const { seen } = await run(recorded('http-v1-stage'), 'v1');
    assert.equal(seen.url, 'https://r2d2c3po.execute-api.us-east-1.amazonaws.com/orders/7?force=true');
    assert.equal(seen.basePath, '/beta');
    assert.equal(seen.method, 'DELETE');
    assert.equal(header(seen, 'cookie'), 'sid=xyz');
    assert.equal(seen.clientAddress, '192.0.2.10');
  });
});

describe('HTTP API payload 2.0 and Function URLs, recorded', () => {
  test('HTTP API live capture: rawPath already decoded, raw query kept, cookies array, "," joined header', async () => {
    const event = recorded('http-v2-live');
    const { seen } = await run(event, 'v2');
    const url = new URL(seen.url);
    assert.equal(url.pathname, '/capture/space%20value');
    assert.equal(url.search, '?' + event.rawQueryString);
    assert.deepEqual(params(seen.url).filter(([k]) => k.endsWith('Plus')), [['literalPlus', 'a b'], ['encodedPlus', 'a+b']]);
    assert.equal(header(seen, 'cookie'), 'session=s1; theme=dark');
    assert.equal(header(seen, 'x-probe'), 'first,second');
    assert.equal(seen.basePath, '');
    assert.equal(seen.clientAddress, '198.51.100.23');
  });

  test('named stage on execute-api, routeKey "GET /items/{id}", no cookies, no body, rawQueryString ""', async () => {
    const { seen } = await run(recorded('http-v2-named-stage'), 'v2');
    assert.equal(seen.url, 'https://sjq9x7y6z5.execute-api.us-west-2.amazonaws.com/items/42');
    assert.equal(seen.basePath, '/prod');
    assert.equal(header(seen, 'cookie'), null);
    assert.equal(seen.body, '');
    assert.equal(seen.clientAddress, '70.132.20.1');
  });

  test('SAM HttpApi sample: upper-case header names, base64 body, sourceIp with a /32 suffix', async () => {
    const { seen } = await run(recorded('http-v2-sam'), 'v2');
    assert.equal(header(seen, 'header1'), 'value1');
    assert.equal(header(seen, 'cookie'), 'cookie1; cookie2');
    assert.equal(bodyOf(seen).toString(), '{"test":"body"}');
    assert.equal(new URL(seen.url).search, '?parameter1=value1&parameter1=value2&parameter2=value');
    assert.equal(seen.clientAddress, '192.168.0.1');
  });

  test('Function URL live capture: encoded rawPath, cookies in the header AND the array reach the app once', async () => {
    const event = recorded('function-url-live');
    const { seen } = await run(event, 'v2');
    assert.equal(new URL(seen.url).pathname, '/capture/space%20value');
    assert.equal(new URL(seen.url).host, '2cxn22odiwguak4feg4jtt7cwm0zib.lambda-url.us-west-2.on.aws');
    assert.equal(new URL(seen.url).search, '?' + event.rawQueryString);
    assert.equal(header(seen, 'cookie'), 'session=s1; theme=dark');
    assert.equal(bodyOf(seen).toString(), '{"message":"hello","unicode":"lambda-λ"}');
  });

  test('Function URL with IAM auth: base64 PNG body byte for byte', async () => {
    const event = recorded('function-url-iam');
    const { seen } = await run(event, 'v2');
    assert.equal(seen.method, 'PUT');
    assert.deepEqual(bodyOf(seen), Buffer.from(event.body, 'base64'));
    assert.equal(seen.url, 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-central-1.on.aws/images/logo.png?w=64&fmt=png');
    assert.equal(seen.clientAddress, '192.0.2.200');
  });

  test('a 5.9 MB base64 body (the 6 MB invocation limit) arrives whole', async () => {
    const event = recorded('function-url-iam');
    const raw = Buffer.alloc(Math.floor((5.9 * 1024 * 1024 * 3) / 4));
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 131 + 7) & 255;
    event.body = raw.toString('base64');
    event.requestContext.http.method = 'POST';
    const bodyApp = {
      async fetch(request: Request) {
        const bytes = new Uint8Array(await request.arrayBuffer());
        const same = bytes.length === raw.length && Buffer.compare(Buffer.from(bytes), raw) === 0;
        return new FastResponse(JSON.stringify({ length: bytes.length, same }), { headers: { 'content-type': 'application/json' } }) as unknown as Response;
      },
    };
    const result: any = await handle(bodyApp)(event, lambdaContext());
    assertResultShape('v2', result);
    assert.deepEqual(JSON.parse(result.body), { length: raw.length, same: true });
  });

  test('an event without rawQueryString (hand-written, older emulators) falls back to queryStringParameters', async () => {
    const event = recorded('http-v2-live');
    delete event.rawQueryString;
    const { seen } = await run(event, 'v2');
    assert.deepEqual(params(seen.url).filter(([k]) => k.endsWith('Plus')), [['encodedPlus', 'a+b'], ['literalPlus', 'a b']]);
  });

  test('non-ASCII rawPath as HTTP API delivers it (decoded) and a bare "%" it double-decoded', async () => {
    const event = recorded('http-v2-named-stage');
    event.rawPath = '/prod/café/50%off';
    const { seen } = await run(event, 'v2');
    const url = new URL(seen.url);
    assert.equal(url.pathname, '/caf%C3%A9/50%25off');
    assert.equal(decodeURIComponent(url.pathname), '/café/50%off');
  });
});

describe('ALB, recorded', () => {
  test('live capture, multi-value on: headers null, query values still encoded and passed raw', async () => {
    const { seen, result } = await run(recorded('alb-multi-live'), 'alb-multi');
    const url = new URL(seen.url);
    assert.equal(url.origin, 'http://portico-alb-1316758055.us-west-2.elb.amazonaws.com');
    assert.equal(url.pathname, '/capture/space%20value');
    assert.equal(url.search, '?empty=&encodedPlus=a%2Bb&literalPlus=a+b&redirect=https%3A%2F%2Fexample.com%2Fa%2Fb&repeat=one&repeat=two&name=caf%C3%A9');
    assert.deepEqual(params(seen.url).filter(([k]) => k.endsWith('Plus') || k === 'name'), [['encodedPlus', 'a+b'], ['literalPlus', 'a b'], ['name', 'café']]);
    assert.equal(header(seen, 'x-probe'), 'first, second');
    assert.equal(header(seen, 'cookie'), 'session=s1; theme=dark');
    assert.equal(seen.clientAddress, '198.51.100.23');
    assert.equal(result.statusDescription, '200 OK');
  });

  test('multi-value off: raw query, last X-Forwarded-For entry is the client', async () => {
    const { seen } = await run(recorded('alb-single'), 'alb');
    assert.equal(seen.url, 'https://lambda-alb-123578498.us-west-2.elb.amazonaws.com/lambda?query=1234ABCD&name=caf%C3%A9&plus=a+b&encPlus=a%2Bb&sp=x%20y');
    assert.deepEqual(params(seen.url), [['query', '1234ABCD'], ['name', 'café'], ['plus', 'a b'], ['encPlus', 'a+b'], ['sp', 'x y']]);
    assert.equal(seen.clientAddress, '72.12.164.125');
    assert.equal(header(seen, 'cookie'), 'cookie-name=cookie-value');
  });

  test('a response past ALB\'s 1 MB limit is logged with the reason (ALB would answer 502)', async () => {
    const lines: string[] = [];
    const big = { fetch: () => new FastResponse('x'.repeat(1100 * 1024), { headers: { 'content-type': 'text/plain' } }) as unknown as Response };
    const result: any = await handle(big, { log: (l) => lines.push(l) })(recorded('alb-single'), lambdaContext('alb-big'));
    assert.equal(result.statusCode, 200);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /alb-big.*ALB accepts at most 1 MB/);
    lines.length = 0;
    await handle({ fetch: () => new FastResponse('small') as unknown as Response }, { log: (l) => lines.push(l) })(recorded('alb-single'), lambdaContext());
    assert.deepEqual(lines, []);
  });

  test('health checks (ELB-HealthChecker, no Host header), both target group settings', async () => {
    const single = await run(recorded('alb-healthcheck'), 'alb');
    assert.equal(new URL(single.seen.url).pathname, '/');
    assert.equal(header(single.seen, 'user-agent'), 'ELB-HealthChecker/2.0');
    assert.equal(single.seen.clientAddress, undefined);
    const multi = await run(recorded('alb-healthcheck-multi'), 'alb-multi');
    assert.equal(new URL(multi.seen.url).pathname, '/health');
    assert.equal(new URL(multi.seen.url).search, '');
  });
});

describe('events that are not HTTP requests', () => {
  const names = ['websocket-connect', 'websocket-message', 'websocket-lambda-go', 'sqs', 's3', 'scheduled', 'console-hello'];
  for (const name of names) {
    test(`${name}: PORTICO_LAMBDA_UNKNOWN_EVENT naming what arrived`, async () => {
      const event = recorded(name);
      let reached = false;
      const h = handle({ fetch: () => ((reached = true), new FastResponse('x') as unknown as Response) }, { log: () => {} });
      await assert.rejects(h(event, lambdaContext()), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'PORTICO_LAMBDA_UNKNOWN_EVENT');
        assert.match(err.message, /^PORTICO_LAMBDA_UNKNOWN_EVENT: /);
        for (const key of Object.keys(event).slice(0, 3)) assert.ok(err.message.includes(key), `the message names ${key}: ${err.message}`);
        assert.match(err.message, /onOtherEvent/);
        return true;
      });
      assert.equal(reached, false, 'the app never sees a non-HTTP event');
    });
  }
  test('WebSocket events say they are WebSocket events', async () => {
    for (const name of ['websocket-connect', 'websocket-message', 'websocket-lambda-go']) {
      await assert.rejects(handler(recorded(name), lambdaContext()), /WebSocket/);
    }
  });
  test('onOtherEvent receives them (and its result is the invocation result)', async () => {
    const seen: unknown[] = [];
    const h = handle(echoApp, { onOtherEvent: (event) => (seen.push(event), { handled: true }) });
    for (const name of names) assert.deepEqual(await h(recorded(name), lambdaContext()), { handled: true });
    assert.equal(seen.length, names.length);
  });
});

describe('the dev/conformance emulator agrees with the live captures', () => {
  // The request behind the live captures (hotsock/voker): same query string for every source.
  const query = 'repeat=one&repeat=two&redirect=https%3A%2F%2Fexample.com%2Fa%2Fb&literalPlus=a+b&encodedPlus=a%2Bb&empty=';
  const req = { method: 'POST', url: `/capture/space%20value?${query}`, rawHeaders: ['Host', 'x.example.com'], body: new Uint8Array() };

  test('REST: query values decoded form-style (+ is a space), like the live capture', async () => {
    const { emulatedEvent } = await import('../../adapters/lambda/build/emulate-event.ts');
    const live = recorded('rest-live-stage');
    const event = emulatedEvent('v1', req);
    const { redirect: _r, ...liveRest } = live.multiValueQueryStringParameters;
    const { redirect: _e, ...emulatedRest } = event.multiValueQueryStringParameters;
    assert.deepEqual(emulatedRest, liveRest);
    assert.equal(event.path, live.path);
  });

  test('HTTP API / Function URL queryStringParameters and ALB raw values, like the live captures', async () => {
    const { emulatedEvent } = await import('../../adapters/lambda/build/emulate-event.ts');
    assert.deepEqual(emulatedEvent('v2', req).queryStringParameters, recorded('function-url-live').queryStringParameters);
    assert.equal(emulatedEvent('v2', req).rawQueryString, recorded('function-url-live').rawQueryString);
    const alb = emulatedEvent('alb-multi', req).multiValueQueryStringParameters;
    const { name: _n, ...live } = recorded('alb-multi-live').multiValueQueryStringParameters;
    assert.deepEqual(alb, live);
  });
});
