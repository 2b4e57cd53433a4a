/**
 * The built function.zip under AWS's own runtime interface client (aws-lambda-ric): unzipped
 * into a task root, driven through our Runtime API server with events of every HTTP source,
 * buffered and streaming. This is the code path of the managed nodejs runtimes.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bundle } from '../../src/bundle/bundle.ts';
import { emulatedEvent, type EmulatedEventKind } from '../../adapters/lambda/build/emulate-event.ts';
import { startFunction, type RunningFunction } from './ric-harness.ts';
import { splitPrelude, type InvocationOutcome } from './runtime-api-server.ts';
import { assertResultShape } from './result-shape.ts';

const ROOT = join(import.meta.dirname, '../..');
const APP = join(import.meta.dirname, 'fixtures/ric-app.ts');
const work = mkdtempSync(join(tmpdir(), 'portico-ric-test-'));

async function build(name: string, options: Record<string, unknown>, entry = APP): Promise<string> {
  const outDir = join(work, name);
  await bundle({ target: 'lambda', entry, root: ROOT, outDir, options });
  return join(outDir, 'lambda/function.zip');
}

function request(method: string, url: string, headers: Record<string, string> = {}, body: Uint8Array = new Uint8Array()) {
  const rawHeaders = Object.entries({ host: 'fn.example.com', 'user-agent': 'portico-test', ...headers }).flat();
  return { method, url, rawHeaders, body, remoteAddress: '203.0.113.9' };
}

function buffered(outcome: InvocationOutcome): Record<string, any> {
  assert.equal(outcome.kind, 'buffered', `expected a buffered response, got ${JSON.stringify(outcome).slice(0, 300)}`);
  return (outcome as { payload: Record<string, any> }).payload;
}

function bodyBytes(result: Record<string, any>): Buffer {
  return result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
}

after(() => rmSync(work, { recursive: true, force: true }));

describe('buffered handler under aws-lambda-ric', () => {
  let fn: RunningFunction;
  before(async () => {
    fn = await startFunction(await build('buffered', {}));
  });
  after(async () => {
    await fn?.stop();
  });

  const kinds: EmulatedEventKind[] = ['v2', 'v1', 'alb', 'alb-multi'];
  for (const kind of kinds) {
    test(`${kind}: GET /ctx reaches the app with gateway lambda and the query`, async () => {
      const result = buffered(await fn.invoke(emulatedEvent(kind, request('GET', '/ctx?x=1&y=two'))));
      assertResultShape(kind, result);
      assert.equal(result.statusCode, 200);
      const json = JSON.parse(bodyBytes(result).toString());
      assert.equal(json.gateway, 'lambda');
      assert.equal(json.path, '/ctx');
      assert.equal(json.query, '?x=1&y=two');
      assert.equal(json.method, 'GET');
      assert.match(json.requestId, /^[0-9a-f-]{36}$/, 'the RIC context reaches ctx.platform');
      if (kind.startsWith('alb')) assert.equal(result.statusDescription, '200 OK');
    });

    test(`${kind}: binary bodies both ways (POST /echo with all 256 byte values)`, async () => {
      const bytes = Uint8Array.from({ length: 512 }, (_, i) => i & 255);
      const event = emulatedEvent(kind, request('POST', '/echo', { 'content-type': 'application/octet-stream' }, bytes));
      assert.equal(event.isBase64Encoded, true);
      const result = buffered(await fn.invoke(event));
      assertResultShape(kind, result);
      assert.equal(result.statusCode, 201);
      assert.equal(result.isBase64Encoded, true);
      assert.deepEqual(bodyBytes(result), Buffer.from(bytes));
    });

    test(`${kind}: two Set-Cookie headers survive`, async () => {
      const result = buffered(await fn.invoke(emulatedEvent(kind, request('GET', '/cookies'))));
      assertResultShape(kind, result);
      assert.equal(result.statusCode, 200);
      if (kind === 'v2') assert.deepEqual(result.cookies, ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
      else if (kind === 'v1' || kind === 'alb-multi') assert.deepEqual(result.multiValueHeaders['set-cookie'], ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
      else {
        // ALB with multi-value headers off holds one value per name: the runtime's documented choice.
        assert.ok(Object.keys(result.headers).some((k) => k.toLowerCase() === 'set-cookie'));
      }
    });
  }

  test('GET /bytes answers base64 with every byte value', async () => {
    const result = buffered(await fn.invoke(emulatedEvent('v2', request('GET', '/bytes'))));
    assert.equal(result.isBase64Encoded, true);
    assert.deepEqual([...bodyBytes(result)], Array.from({ length: 256 }, (_, i) => i));
  });

  test('an app error is a 500 and the next invocation still works', async () => {
    const result = buffered(await fn.invoke(emulatedEvent('v2', request('GET', '/throw'))));
    assert.equal(result.statusCode, 500);
    const again = buffered(await fn.invoke(emulatedEvent('v2', request('GET', '/ctx'))));
    assert.equal(again.statusCode, 200);
    assert.match(fn.logs(), /boom from the app/, 'the error is logged');
  });

  test('a non-HTTP event fails the invocation through /error with a clear message', async () => {
    const outcome = await fn.invoke({ Records: [] });
    assert.equal(outcome.kind, 'error');
    assert.match(JSON.stringify((outcome as { payload: unknown }).payload), /PORTICO_LAMBDA_UNKNOWN_EVENT/);
    const again = buffered(await fn.invoke(emulatedEvent('v1', request('GET', '/ctx'))));
    assert.equal(again.statusCode, 200);
  });

  test('the runtime spoke the documented protocol', () => {
    const next = fn.api.log.filter((r) => r.method === 'GET' && r.path === '/2018-06-01/runtime/invocation/next');
    assert.ok(next.length >= 10, `GET .../invocation/next was called ${next.length} times`);
    assert.ok(fn.api.log.some((r) => r.method === 'POST' && /\/invocation\/[^/]+\/response$/.test(r.path)));
    assert.ok(fn.api.log.some((r) => r.method === 'POST' && /\/invocation\/[^/]+\/error$/.test(r.path)));
  });
});

describe('streaming handler under aws-lambda-ric', () => {
  let fn: RunningFunction;
  before(async () => {
    fn = await startFunction(await build('streaming', { streaming: true }));
  });
  after(async () => {
    await fn?.stop();
  });

  test('v2 GET /stream: prelude, then the first chunk well before the body is done', async () => {
    const outcome = await fn.invoke(emulatedEvent('v2', request('GET', '/stream')));
    assert.equal(outcome.kind, 'streaming', `got ${JSON.stringify(outcome).slice(0, 300)}`);
    if (outcome.kind !== 'streaming') return;
    assert.equal(outcome.headers['lambda-runtime-function-response-mode'], 'streaming');
    assert.equal(outcome.headers['transfer-encoding'], 'chunked');
    assert.equal(outcome.contentType, 'application/vnd.awslambda.http-integration-response');
    const { prelude, body, preludeEnd } = splitPrelude(outcome.body);
    assert.equal(prelude.statusCode, 200);
    assert.equal(prelude.headers['x-streamed'], 'yes');
    assert.equal(body.toString(), 'first\nsecond\n');
    // The chunk that completed 'first' arrived at the Runtime API long before the stream ended.
    let seen = 0;
    const firstAt = outcome.chunks.find((c) => (seen += c.data.length) >= preludeEnd + 'first\n'.length)!.at;
    assert.ok(outcome.endedAt - firstAt >= 250, `first chunk ${(outcome.endedAt - firstAt).toFixed(0)} ms before the end, want >= 250`);
  });

  test('v2 GET /cookies streamed: cookies in the prelude', async () => {
    const outcome = await fn.invoke(emulatedEvent('v2', request('GET', '/cookies')));
    assert.equal(outcome.kind, 'streaming');
    if (outcome.kind !== 'streaming') return;
    const { prelude, body } = splitPrelude(outcome.body);
    assert.deepEqual(prelude.cookies, ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
    assert.equal(body.toString(), 'cookies');
  });

  test('v2 binary bytes stream raw (no base64)', async () => {
    const outcome = await fn.invoke(emulatedEvent('v2', request('GET', '/bytes')));
    assert.equal(outcome.kind, 'streaming');
    if (outcome.kind !== 'streaming') return;
    assert.deepEqual([...splitPrelude(outcome.body).body], Array.from({ length: 256 }, (_, i) => i));
  });
});

describe('init errors reach /runtime/init/error', () => {
  test('an app that throws while loading', async () => {
    const dir = join(work, 'bad-app');
    mkdirSync(dir, { recursive: true });
    const entry = join(dir, 'app.ts');
    writeFileSync(entry, "throw new Error('broken at import');\nexport default { fetch() { return new Response('x'); } };\n");
    const fn = await startFunction(await build('bad', {}, entry));
    try {
      await assert.rejects(fn.invoke({}, { timeoutMs: 15_000 }), /init error.*broken at import/);
      assert.equal(fn.api.initErrors.length, 1);
    } finally {
      await fn.stop();
    }
  });
});
