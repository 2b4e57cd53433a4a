/**
 * Issue 7, "Lambda: malformed events get a clean answer": every malformed event gets either a
 * PORTICO_LAMBDA_BAD_EVENT error naming the field (and the app is not called) or a clean
 * result, in both the buffered and the streaming handler, quickly, never a raw TypeError and
 * never a log line blaming the app. The examples from the issue first, then properties over
 * events made by test/fuzz/lambda-mutate.ts from recorded well-formed ones.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { handle } from '../../adapters/lambda/runtime/lambda.ts';
import { FastResponse } from '../../adapters/_http/response.ts';
import { TEMPLATES, VALUE_KINDS, explains, mutatedEvent, type Mutation } from '../fuzz/lambda-mutate.ts';
import { fixture, installAwsLambda, invokeStreaming, lambdaContext, RecordingStream } from './lambda-helpers.ts';

const R = FastResponse as unknown as typeof Response;
// Far above what a clean event costs (well under 1 ms), far below what the old code took on an
// array-like of length 1e9 (seconds, then gigabytes).
const TIME_BOUND_MS = 500;

/** An app that reads everything a request offers, and records that it was called. */
function readingApp() {
  const state = { calls: 0 };
  const app = {
    async fetch(req: Request) {
      state.calls++;
      const url = new URL(req.url); // must parse: the gateway built it
      const names: string[] = [];
      req.headers.forEach((_v, k) => names.push(k));
      const bytes = new Uint8Array(await req.arrayBuffer());
      void req.signal;
      return new R(JSON.stringify({ method: req.method, path: url.pathname, names, size: bytes.length }), { headers: { 'content-type': 'application/json' } });
    },
  };
  return { app, state };
}

function setup() {
  const logs: string[] = [];
  const { app, state } = readingApp();
  const handler = handle(app as any, { log: (l) => logs.push(l) });
  return { handler, logs, state };
}

type Outcome = { kind: 'result'; status: number; body: string } | { kind: 'error'; err: any };

async function outcome(run: () => Promise<unknown>): Promise<{ out: Outcome; ms: number }> {
  const t0 = performance.now();
  let out: Outcome;
  try {
    const r: any = await run();
    out = { kind: 'result', status: r.statusCode, body: r.body };
  } catch (err) {
    out = { kind: 'error', err };
  }
  return { out, ms: performance.now() - t0 };
}

function badEvent(out: Outcome, field: string): void {
  assert.equal(out.kind, 'error', `expected PORTICO_LAMBDA_BAD_EVENT, got ${JSON.stringify(out)}`);
  const err = (out as { err: any }).err;
  assert.equal(err.code, 'PORTICO_LAMBDA_BAD_EVENT', String(err?.stack ?? err));
  assert.equal(err.field, field);
  assert.match(err.message, /^PORTICO_LAMBDA_BAD_EVENT: the event's /);
}

describe('lambda: the malformed events of issue 7', () => {
  const cases: Array<{ name: string; source: string; field: string; mutate(e: any): void }> = [
    { name: 'an array-like multi-value list ({ length: 1e9 })', source: 'alb-multi', field: 'multiValueHeaders["cookie"]', mutate: (e) => (e.multiValueHeaders.cookie = { length: 1e9 }) },
    { name: 'an array-like multi-value query list', source: 'rest-v1-stage', field: 'multiValueQueryStringParameters["a"]', mutate: (e) => (e.multiValueQueryStringParameters = { a: { length: 1e9, 0: 'x' } }) },
    { name: 'a string where a multi-value list belongs', source: 'alb-multi', field: 'multiValueHeaders["x-multi"]', mutate: (e) => (e.multiValueHeaders['x-multi'] = 'abc') },
    { name: 'a string where the cookies array belongs', source: 'http-v2', field: 'cookies', mutate: (e) => (e.cookies = 'a=1; b=2') },
    { name: 'a sparse cookies array of length 1e9', source: 'http-v2', field: 'cookies', mutate: (e) => (e.cookies = new Array(1e9)) },
    { name: 'rawPath a number', source: 'http-v2', field: 'rawPath', mutate: (e) => (e.rawPath = 42) },
    { name: 'ALB x-forwarded-for an object', source: 'alb-single', field: 'headers["x-forwarded-for"]', mutate: (e) => (e.headers['x-forwarded-for'] = { a: 1 }) },
    { name: 'a number in a multi-value list', source: 'alb-multi', field: 'multiValueHeaders["host"][0]', mutate: (e) => (e.multiValueHeaders.host = [7]) },
    { name: 'requestContext.http.method a number', source: 'function-url', field: 'requestContext.http.method', mutate: (e) => (e.requestContext.http.method = 1) },
    { name: 'identity.sourceIp an array', source: 'rest-v1-stage', field: 'requestContext.identity.sourceIp', mutate: (e) => (e.requestContext.identity.sourceIp = ['1.2.3.4']) },
    { name: 'headers an array', source: 'rest-v1-stage', field: 'headers', mutate: (e) => (e.headers = ['host']) },
    { name: 'invalid base64', source: 'rest-v1-binary', field: 'body', mutate: (e) => (e.body = 'iVBOR!!w0KGgo=') },
    { name: 'base64 with whitespace (Node would skip it)', source: 'alb-multi', field: 'body', mutate: (e) => (e.body = 'ZmllbGQ9 dmFsdWUmbj0x') },
    { name: 'base64 of impossible length', source: 'alb-multi', field: 'body', mutate: (e) => (e.body = 'ZmllbGQ9d') },
    { name: 'isBase64Encoded: "false"', source: 'http-v2', field: 'isBase64Encoded', mutate: (e) => (e.isBase64Encoded = 'false') },
    { name: 'a body that is an object', source: 'http-v2', field: 'body', mutate: (e) => (e.body = { hello: 'world' }) },
    { name: 'a truthy requestContext.elb on a REST event', source: 'rest-v1-stage', field: 'requestContext.elb', mutate: (e) => (e.requestContext.elb = true) },
    { name: 'an ALB event whose path is missing', source: 'alb-single', field: 'path', mutate: (e) => delete e.path },
    { name: 'an ALB event with a sparse array as requestContext.domainName (found by the fuzz script)', source: 'alb-single', field: 'requestContext.domainName', mutate: (e) => (e.requestContext.domainName = new Array(1e9)) },
    { name: 'header maps bigger than a Lambda payload', source: 'rest-v1-stage', field: 'headers, query and cookies', mutate: (e) => (e.multiValueHeaders = { a: new Array(7).fill('x'.repeat(1024 * 1024)) }) },
  ];

  for (const c of cases) {
    it(`${c.name}: PORTICO_LAMBDA_BAD_EVENT naming ${c.field}, the app never called, nothing logged`, async () => {
      const { handler, logs, state } = setup();
      const event = fixture(c.source);
      c.mutate(event);
      const { out, ms } = await outcome(() => handler(event, lambdaContext()));
      badEvent(out, c.field);
      assert.ok(ms < TIME_BOUND_MS, `took ${ms.toFixed(1)} ms`);
      assert.equal(state.calls, 0);
      assert.deepEqual(logs, []);
    });
  }

  it('a method that is no HTTP token gets 400 in the source\'s own result shape, without the app', async () => {
    for (const source of ['http-v2', 'rest-v1-stage', 'alb-single', 'alb-multi']) {
      const { handler, logs, state } = setup();
      const event = fixture(source);
      if (event.requestContext.http) event.requestContext.http.method = 'GE T';
      else event.httpMethod = 'GET\r\nX: y';
      const r: any = await handler(event, lambdaContext());
      assert.equal(r.statusCode, 400, source);
      assert.match(r.body, /^Bad Request: the method .* is not an HTTP token/);
      if (source.startsWith('alb')) assert.equal(r.statusDescription, '400 Bad Request');
      if (source === 'alb-multi') assert.ok(r.multiValueHeaders && !r.headers);
      assert.equal(state.calls, 0);
      assert.deepEqual(logs, []);
    }
  });

  it('a Host the URL parser refuses (port 99999, [:::::], 1.2.3.256) falls back to a safe origin the app can parse', async () => {
    for (const host of ['a:99999', '[:::::]', '1.2.3.256', 'x.1']) {
      const { handler } = setup();
      const event = fixture('alb-single');
      event.headers.host = host;
      const r: any = await handler(event, lambdaContext());
      assert.equal(r.statusCode, 200, `${host}: ${r.body}`);
    }
  });

  it('well-typed edge cases still pass: unpadded base64, isBase64Encoded false, null maps and lists', async () => {
    const { handler, state } = setup();
    const a = fixture('http-v2');
    a.body = 'YQ';
    a.isBase64Encoded = true;
    assert.equal(JSON.parse(((await handler(a, lambdaContext())) as any).body).size, 1);
    const b = fixture('rest-v1-stage');
    b.isBase64Encoded = false;
    b.body = 'not base64 at all!';
    b.multiValueHeaders = { host: null, 'x-a': ['1'] };
    b.headers = { 'x-b': null };
    assert.equal(((await handler(b, lambdaContext())) as any).statusCode, 200);
    assert.equal(state.calls, 2);
  });

  it('a payload 2.0 event never reads a stray multiValueHeaders (found by the fuzz script: 2 s on a long list)', async () => {
    const { handler } = setup();
    const event = fixture('http-v2');
    delete event.headers['x-forwarded-proto'];
    event.multiValueHeaders = new Array(2_200_000).fill('');
    const { out, ms } = await outcome(() => handler(event, lambdaContext()));
    assert.equal(out.kind === 'result' && out.status, 200);
    assert.ok(ms < 50, `took ${ms.toFixed(1)} ms`);
  });

  it("the app's own error stays a 500 that blames the app", async () => {
    const logs: string[] = [];
    const handler = handle({ fetch: () => { throw new TypeError('mine'); } } as any, { log: (l) => logs.push(l) });
    const r: any = await handler(fixture('http-v2'), lambdaContext());
    assert.equal(r.statusCode, 500);
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /the app threw TypeError: mine/);
  });

  it('streaming: a bad event rejects with PORTICO_LAMBDA_BAD_EVENT before anything is written', async () => {
    const uninstall = installAwsLambda();
    try {
      const { app, state } = readingApp();
      const handler = handle(app as any, { streaming: true, log: () => {} });
      const event = fixture('function-url');
      event.cookies = { length: 1e9 };
      const stream = new RecordingStream();
      const { out } = await outcome(() => invokeStreaming(handler, event, lambdaContext(), stream));
      badEvent(out, 'cookies');
      assert.equal(stream.chunks.length, 0);
      assert.equal(state.calls, 0);
    } finally {
      uninstall();
    }
  });
});

// ---------------------------------------------------------------- properties

const mutation: fc.Arbitrary<Mutation> = fc.tuple(fc.nat(200), fc.nat(50), fc.nat(3), fc.nat(VALUE_KINDS - 1));
const generated = fc.record({ t: fc.nat(TEMPLATES.length - 1), muts: fc.array(mutation, { minLength: 1, maxLength: 3 }) });
const RUNS = { numRuns: 400 };

/** What every outcome must be, whatever the event: a clean result, or one of the two typed errors. */
function assertClean(out: Outcome, fields: string[], calls: number, logs: string[], ms: number): void {
  assert.ok(ms < TIME_BOUND_MS, `took ${ms.toFixed(1)} ms`);
  assert.deepEqual(logs, [], 'nothing logged (above all, no "the app threw")');
  if (out.kind === 'result') {
    assert.ok([200, 400, 404].includes(out.status), `status ${out.status}: ${out.body}`);
    return;
  }
  const err = out.err;
  assert.ok(err?.code === 'PORTICO_LAMBDA_BAD_EVENT' || err?.code === 'PORTICO_LAMBDA_UNKNOWN_EVENT', `raw error: ${err?.stack ?? err}`);
  assert.equal(calls, 0, 'the app is not called for an event the gateway refuses');
  if (err.code === 'PORTICO_LAMBDA_BAD_EVENT') assert.ok(explains(fields, err.field), `field ${err.field} not among what was changed: ${fields.join(', ')}`);
}

describe('lambda: generated malformed events (fast-check)', () => {
  it('buffered: every event gets a clean result or a typed error naming a changed field, in time', async () => {
    await fc.assert(
      fc.asyncProperty(generated, async ({ t, muts }) => {
        const { handler, logs, state } = setup();
        const { event, fields } = mutatedEvent(t, muts);
        const { out, ms } = await outcome(() => handler(event, lambdaContext()));
        assertClean(out, fields, state.calls, logs, ms);
      }),
      RUNS,
    );
  });

  describe('streaming', () => {
    let uninstall: () => void;
    before(() => (uninstall = installAwsLambda()));
    after(() => uninstall());

    it('every event gets a clean streamed answer or a typed error, the stream ended or untouched', async () => {
      await fc.assert(
        fc.asyncProperty(generated, async ({ t, muts }) => {
          const logs: string[] = [];
          const { app, state } = readingApp();
          const handler = handle(app as any, { streaming: true, log: (l) => logs.push(l) });
          const { event, fields } = mutatedEvent(t, muts);
          const stream = new RecordingStream();
          const { out, ms } = await outcome(async () => {
            await invokeStreaming(handler, event, lambdaContext(), stream);
            return { statusCode: stream.parsed().prelude.statusCode, body: stream.parsed().body.toString() };
          });
          assertClean(out, fields, state.calls, logs, ms);
          if (out.kind === 'error' && out.err.code === 'PORTICO_LAMBDA_BAD_EVENT') assert.equal(stream.chunks.length, 0);
        }),
        RUNS,
      );
    });
  });

  it('well-typed events with any strings in them never count as bad, and their URL always parses', async () => {
    const str = fc.string({ unit: fc.oneof(fc.constantFrom(...'aZ09-_.~/%?#&=+ :@[]'), fc.constantFrom('\u0000', '\r', '\n', 'é', '\ud800', '☃')), maxLength: 24 });
    const b64 = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('http-v2', 'function-url', 'rest-v1-stage', 'rest-v1-custom-domain', 'alb-single', 'alb-multi'), str, str, str, str, str, b64, async (source, path, query, host, name, value, body) => {
        const { handler, logs, state } = setup();
        const e = fixture(source);
        e.body = body;
        e.isBase64Encoded = true;
        if (e.version === '2.0') {
          e.rawPath = path;
          e.rawQueryString = query;
          e.headers = { host, [name]: value };
        } else {
          e.path = path;
          if (e.multiValueHeaders) e.multiValueHeaders = { host: [host], [name]: [value, query] };
          else e.headers = { host, [name]: value };
          e.queryStringParameters = { [query]: value };
          if (e.multiValueQueryStringParameters) e.multiValueQueryStringParameters = { [query]: [value, name] };
        }
        const { out, ms } = await outcome(() => handler(e, lambdaContext()));
        assert.equal(out.kind, 'result', out.kind === 'error' ? String(out.err?.stack) : '');
        assert.equal((out as { status: number }).status, 200, (out as { body: string }).body);
        assert.equal(state.calls, 1);
        assert.deepEqual(logs, []);
        assert.ok(ms < TIME_BOUND_MS);
      }),
      RUNS,
    );
  });
});
