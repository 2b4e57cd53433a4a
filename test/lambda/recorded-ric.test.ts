/**
 * Recorded AWS events through the BUILT function.zip under AWS's runtime interface client
 * (ric-harness.ts): the app must see the same request, and the result must have the same shape,
 * as when the same events go through `handle()` in-process (recorded.test.ts). JSON travels
 * through the Runtime API both ways here, as on Lambda.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bundle } from '../../src/bundle/bundle.ts';
import { handle } from '../../adapters/lambda/runtime/lambda.ts';
import { startFunction, type RunningFunction } from './ric-harness.ts';
import { assertResultShape, type ResultSource } from './result-shape.ts';
import echoApp from './fixtures/echo-app.ts';

const ROOT = join(import.meta.dirname, '../..');
const DIR = join(import.meta.dirname, '../fixtures/lambda-recorded');
const work = mkdtempSync(join(tmpdir(), 'portico-recorded-ric-'));

function recorded(name: string): any {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
}

function seenBy(result: any): any {
  return JSON.parse(Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8').toString('utf8'));
}

const CASES: Array<[string, ResultSource]> = [
  ['rest-live-stage', 'v1'],
  ['rest-test-invoke', 'v1'],
  ['rest-cookies-gzip', 'v1'],
  ['rest-nonascii', 'v1'],
  ['http-v2-live', 'v2'],
  ['http-v2-named-stage', 'v2'],
  ['function-url-iam', 'v2'],
  ['alb-multi-live', 'alb-multi'],
  ['alb-healthcheck', 'alb'],
];

describe('recorded events under aws-lambda-ric, built bundle', () => {
  let fn: RunningFunction;
  const local = handle(echoApp, { log: () => {} });
  before(async () => {
    const outDir = join(work, 'out');
    await bundle({ target: 'lambda', entry: join(import.meta.dirname, 'fixtures/echo-app.ts'), root: ROOT, outDir, options: {} });
    fn = await startFunction(join(outDir, 'lambda/function.zip'));
  });
  after(async () => {
    await fn?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  for (const [name, source] of CASES) {
    test(`${name}: same request seen, ${source} result shape`, async () => {
      const outcome = await fn.invoke(recorded(name));
      assert.equal(outcome.kind, 'buffered', JSON.stringify(outcome).slice(0, 400));
      const result = (outcome as { payload: any }).payload;
      assertResultShape(source, result);
      assert.equal(result.statusCode, 200);
      const expected: any = await local(recorded(name), { awsRequestId: 'local', getRemainingTimeInMillis: () => 30_000 });
      assert.deepEqual(seenBy(result), seenBy(expected));
      assert.equal(seenBy(result).gateway, 'lambda');
    });
  }

  test('a WebSocket event and the console hello event fail the invocation with PORTICO_LAMBDA_UNKNOWN_EVENT', async () => {
    for (const name of ['websocket-lambda-go', 'console-hello']) {
      const outcome = await fn.invoke(recorded(name));
      assert.equal(outcome.kind, 'error');
      assert.match(JSON.stringify((outcome as { payload: unknown }).payload), /PORTICO_LAMBDA_UNKNOWN_EVENT/);
    }
    const again = await fn.invoke(recorded('http-v2-live'));
    assert.equal(again.kind, 'buffered', 'the function keeps serving');
  });
});
