import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handle } from '../../adapters/lambda/runtime/lambda.ts';
import { eventKind } from '../../adapters/lambda/runtime/events.ts';
import { v1Query, albQuery } from '../../adapters/lambda/runtime/query.ts';
import { urlPath, v1Path, v2Path } from '../../adapters/lambda/runtime/path.ts';
import { FastResponse } from '../../adapters/_http/response.ts';
import { echoApp, fixture, lambdaContext } from './lambda-helpers.ts';

async function echo(event: any, options: any = {}): Promise<any> {
  const result: any = await handle(echoApp as any, options)(event, lambdaContext());
  assert.equal(result.statusCode, 200, result.body);
  const seen = JSON.parse(result.body);
  seen.header = (name: string) => seen.headers.find(([k]: [string]) => k === name)?.[1] ?? null;
  seen.bodyText = Buffer.from(seen.body, 'base64').toString('utf8');
  return seen;
}

describe('lambda event detection', () => {
  it('tells the sources apart', () => {
    assert.equal(eventKind(fixture('rest-v1-stage')), 'v1');
    assert.equal(eventKind(fixture('http-v2')), 'v2');
    assert.equal(eventKind(fixture('function-url')), 'v2');
    assert.equal(eventKind(fixture('alb-single')), 'alb');
    assert.equal(eventKind(fixture('alb-multi')), 'alb');
    assert.equal(eventKind({ Records: [] }), undefined);
    assert.equal(eventKind(null), undefined);
    assert.equal(eventKind('GET /'), undefined);
  });

  it('throws a clear error naming what arrived for an unknown event', async () => {
    const handler = handle(echoApp as any);
    await assert.rejects(handler({ Records: [{ eventSource: 'aws:sqs' }] }, lambdaContext()), (err: Error) => {
      assert.match(err.message, /^PORTICO_LAMBDA_UNKNOWN_EVENT/);
      assert.match(err.message, /keys \[Records\]/);
      assert.match(err.message, /requestContext\.elb/);
      assert.match(err.message, /version "2\.0"/);
      assert.equal((err as any).code, 'PORTICO_LAMBDA_UNKNOWN_EVENT');
      return true;
    });
    await assert.rejects(handler({}, lambdaContext()), /an empty object \{\}/);
    await assert.rejects(handler({ requestContext: { foo: 1 } }, lambdaContext()), /requestContext keys \[foo\]/);
  });

  it('hands other events to onOtherEvent when given', async () => {
    const handler = handle(echoApp as any, { onOtherEvent: (event: any) => ({ handled: event.Records.length }) });
    assert.deepEqual(await handler({ Records: [1, 2] }, lambdaContext()), { handled: 2 });
  });
});

describe('API Gateway REST API (payload 1.0)', () => {
  it('reads method, path after the stage, query, multi-value headers, cookies and body', async () => {
    const seen = await echo(fixture('rest-v1-stage'));
    assert.equal(seen.method, 'POST');
    const url = new URL(seen.url);
    assert.equal(url.origin, 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com');
    assert.equal(url.pathname, '/items/42');
    assert.deepEqual(url.searchParams.getAll('tag'), ['a', 'b c']);
    assert.equal(url.searchParams.get('q'), '1+1=2');
    assert.equal(seen.basePath, '/prod');
    assert.equal(seen.header('x-multi'), 'one, two');
    assert.equal(seen.header('cookie'), 'session=abc; theme=dark');
    assert.equal(seen.bodyText, '{"name":"widget"}');
    assert.equal(seen.clientAddress, '198.51.100.7');
    assert.equal(seen.gateway, 'lambda');
    assert.equal(seen.hasEvent, true);
    assert.equal(seen.envIsProcessEnv, true);
  });

  it('takes a custom domain base path mapping as the mount point', async () => {
    const seen = await echo(fixture('rest-v1-custom-domain'));
    assert.equal(new URL(seen.url).href, 'https://api.example.com/users');
    assert.equal(seen.basePath, '/shop');
  });

  it('stacks the basePath option under the detected prefix, and 404s outside it', async () => {
    const event = fixture('rest-v1-stage');
    event.path = '/app/items/42';
    event.requestContext.path = '/prod/app/items/42';
    const seen = await echo(event, { basePath: '/app' });
    assert.equal(new URL(seen.url).pathname, '/items/42');
    assert.equal(seen.basePath, '/prod/app');
    const outside: any = await handle(echoApp as any, { basePath: '/app' })(fixture('rest-v1-stage'), lambdaContext());
    assert.equal(outside.statusCode, 404);
    assert.match(outside.body, /outside this app's mount point \/prod\/app/);
  });

  it('mounts the stage root', () => {
    assert.deepEqual(v1Path({ path: '/', httpMethod: 'GET', requestContext: { path: '/prod/', stage: 'prod' } } as any), { prefix: '/prod', path: '/' });
    assert.deepEqual(v1Path({ path: '/', httpMethod: 'GET', requestContext: { path: '/prod', stage: 'prod' } } as any), { prefix: '/prod', path: '/' });
    assert.deepEqual(v1Path({ path: '/x', httpMethod: 'GET', requestContext: { path: '/x' } } as any), { prefix: '', path: '/x' });
    // HTTP API payload 1.0 leaves the stage in both paths on the execute-api domain only.
    const http1 = { version: '1.0', path: '/dev/x', httpMethod: 'GET', requestContext: { path: '/dev/x', stage: 'dev', domainName: 'id.execute-api.us-east-1.amazonaws.com' } };
    assert.deepEqual(v1Path(http1 as any), { prefix: '/dev', path: '/x' });
    assert.deepEqual(v1Path({ ...http1, requestContext: { ...http1.requestContext, domainName: 'api.example.com' } } as any), { prefix: '', path: '/dev/x' });
  });

  it('decodes a base64 body to the exact bytes', async () => {
    const seen = await echo(fixture('rest-v1-binary'));
    assert.deepEqual([...Buffer.from(seen.body, 'base64')], [...Buffer.from('AAEC/f7/iVBORw0KGgo=', 'base64')]);
    assert.equal(seen.method, 'PUT');
  });

  it('rebuilds the query string so URLSearchParams returns the decoded values', () => {
    assert.equal(v1Query({ multiValueQueryStringParameters: { q: ['a b', 'c&d=e'], 'k y': ['1'] } }), 'q=a%20b&q=c%26d%3De&k%20y=1');
    assert.equal(v1Query({ queryStringParameters: { a: '' } }), 'a=');
    assert.equal(v1Query({ queryStringParameters: null, multiValueQueryStringParameters: null }), '');
    assert.equal(v1Query({ queryStringParameters: { s: '\ud800' } }), 's=%EF%BF%BD');
  });

  it('falls back to single-value headers and decodes path characters safely', async () => {
    const event = fixture('rest-v1-stage');
    delete event.multiValueHeaders;
    event.path = '/a b/ü';
    event.requestContext.path = '/prod/a b/ü';
    const seen = await echo(event);
    assert.equal(new URL(seen.url).pathname, '/a%20b/%C3%BC');
    assert.equal(seen.header('x-multi'), 'two');
    assert.equal(seen.basePath, '/prod');
  });
});

describe('HTTP API (payload 2.0) and Function URLs', () => {
  it('keeps rawPath and rawQueryString byte-exact, joins cookies, reads sourceIp', async () => {
    const seen = await echo(fixture('http-v2'));
    assert.equal(seen.url, 'https://f9e8d7c6b5.execute-api.us-east-1.amazonaws.com/search/caf%C3%A9?q=a+b&q=%2B&empty=&flag');
    assert.equal(seen.header('cookie'), 'session=abc; theme=dark');
    assert.equal(seen.header('x-multi'), 'one,two');
    assert.equal(seen.clientAddress, '192.0.2.44');
    assert.equal(seen.bodyText, 'hello world');
    assert.equal(seen.basePath, '');
    assert.equal(seen.method, 'POST');
  });

  it('takes a named stage off the path on the execute-api domain', async () => {
    const seen = await echo(fixture('http-v2-stage'));
    assert.equal(new URL(seen.url).pathname, '/agents/1234');
    assert.equal(seen.basePath, '/dev');
    const event = fixture('http-v2-stage');
    event.requestContext.domainName = 'api.example.com';
    event.headers.host = 'api.example.com';
    assert.deepEqual(v2Path(event), { prefix: '', path: '/dev/agents/1234' });
    event.rawPath = '/devices';
    event.requestContext.domainName = 'x.execute-api.us-east-1.amazonaws.com';
    assert.deepEqual(v2Path(event), { prefix: '', path: '/devices' }, 'a segment that only starts with the stage name stays');
  });

  it('reads a Function URL event with a binary body', async () => {
    const event = fixture('function-url');
    const seen = await echo(event);
    assert.equal(seen.url, 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-central-1.on.aws/upload?name=photo%2B1.png&size=3');
    assert.equal(new URL(seen.url).searchParams.get('name'), 'photo+1.png');
    assert.equal(seen.body, event.body);
    assert.equal(seen.header('cookie'), 'a=1');
    assert.equal(seen.clientAddress, '203.0.113.50');
  });

  it('gives a GET no body and upper-cases standard methods', async () => {
    const event = fixture('http-v2');
    event.requestContext.http.method = 'get';
    event.body = 'ignored';
    const seen = await echo(event);
    assert.equal(seen.method, 'GET');
    assert.equal(seen.body, '');
  });
});

describe('ALB', () => {
  it('single-value: raw query kept (no double decoding), client address from X-Forwarded-For', async () => {
    const seen = await echo(fixture('alb-single'));
    assert.equal(seen.url, 'http://lambda-alb-123578498.us-east-2.elb.amazonaws.com/lambda?query=1234ABCD&name=caf%C3%A9&plus=a+b');
    assert.equal(new URL(seen.url).searchParams.get('name'), 'café');
    assert.equal(seen.clientAddress, '72.12.164.125');
    assert.equal(seen.header('cookie'), 'cookie-name=cookie-value');
    assert.equal(seen.body, '');
  });

  it('multi-value: repeated headers and query values, cookies joined with "; "', async () => {
    const seen = await echo(fixture('alb-multi'));
    const url = new URL(seen.url);
    assert.equal(url.search, '?tag=a%20b&tag=c&x=%2B');
    assert.deepEqual(url.searchParams.getAll('tag'), ['a b', 'c']);
    assert.equal(seen.header('cookie'), 'a=1; b=2');
    assert.equal(seen.header('x-multi'), 'one, two');
    assert.equal(seen.bodyText, 'field=value&n=1');
    assert.equal(albQuery({ queryStringParameters: { a: '%zz' } }), 'a=%zz');
  });
});

describe('awkward input', () => {
  it('non-ASCII and odd header values never crash, invalid names are skipped', async () => {
    const event = fixture('http-v2');
    event.headers['x-name'] = 'Zoë ☃ 日本';
    event.headers['bad name'] = 'x';
    event.headers['x-latin'] = '\u00e9t\u00e9';
    const seen = await echo(event);
    assert.equal(seen.header('x-name'), 'Zoë ☃ 日本');
    assert.equal(seen.header('x-latin'), 'été');
    assert.equal(seen.header('bad name'), null);
  });

  it('a bad Host header falls back to a safe origin', async () => {
    const event = fixture('http-v2');
    event.headers.host = 'evil.com/path?';
    delete event.requestContext.domainName;
    const seen = await echo(event);
    assert.equal(new URL(seen.url).host, 'localhost');
  });

  it('urlPath encodes only what a path cannot hold', () => {
    assert.equal(urlPath('/a%20b'), '/a%20b');
    assert.equal(urlPath('/a b?#'), '/a%20b%3F%23');
    assert.equal(urlPath('x'), '/x');
    assert.equal(urlPath('/\ud800'), '/%EF%BF%BD');
  });

  it('a request body read twice fails like Fetch', async () => {
    const app = {
      async fetch(req: Request) {
        await req.text();
        await assert.rejects(req.text(), /already been used/);
        return new FastResponse('ok') as unknown as Response;
      },
    };
    const result: any = await handle(app as any)(fixture('http-v2'), lambdaContext());
    assert.equal(result.body, 'ok');
  });
});
