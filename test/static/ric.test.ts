/**
 * public/ from the built function.zip under AWS's own runtime interface client (aws-lambda-ric):
 * the zip unzipped into a task root as Lambda does, the handler loaded by the RIC, files read
 * from the task root. Buffered (binary and compressed bodies base64) and streaming (raw bytes).
 */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { emulatedEvent, type EmulatedEventKind } from '../../adapters/lambda/build/emulate-event.ts';
import { bundle } from '../../src/bundle/bundle.ts';
import { startFunction, type RunningFunction } from '../lambda/ric-harness.ts';
import { splitPrelude, type InvocationOutcome } from '../lambda/runtime-api-server.ts';
import { css, makeProject, png } from './fixture.ts';

const dir = makeProject();
after(() => rmSync(dir, { recursive: true, force: true }));

async function build(name: string, options: Record<string, unknown>): Promise<string> {
  await bundle({ target: 'lambda', entry: join(dir, 'app.mjs'), root: dir, outDir: join(dir, name), publicDir: join(dir, 'public'), options });
  return join(dir, name, 'lambda/function.zip');
}

function event(kind: EmulatedEventKind, url: string, headers: Record<string, string> = {}) {
  const rawHeaders = Object.entries({ host: 'fn.example.com', ...headers }).flat();
  return emulatedEvent(kind, { method: 'GET', url, rawHeaders, body: new Uint8Array(), remoteAddress: '203.0.113.9' });
}

function buffered(outcome: InvocationOutcome): Record<string, any> {
  assert.equal(outcome.kind, 'buffered', `expected a buffered response, got ${JSON.stringify(outcome).slice(0, 300)}`);
  return (outcome as { payload: Record<string, any> }).payload;
}

const header = (result: Record<string, any>, name: string): string | undefined => result.headers?.[name] ?? result.multiValueHeaders?.[name]?.[0];
const bytes = (result: Record<string, any>) => (result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8'));

describe('public/ under aws-lambda-ric, buffered', () => {
  let fn: RunningFunction;
  before(async () => {
    fn = await startFunction(await build('buffered', {}));
  });
  after(() => fn?.stop());

  for (const kind of ['v2', 'v1', 'alb', 'alb-multi'] as const) {
    test(`${kind}: a PNG base64, a stylesheet as text, brotli base64, 304, and the app behind`, async () => {
      const image = buffered(await fn.invoke(event(kind, '/logo.png')));
      assert.equal(image.statusCode, 200);
      assert.equal(image.isBase64Encoded, true);
      assert.ok(bytes(image).equals(png));
      const sheet = buffered(await fn.invoke(event(kind, '/style.css')));
      assert.equal(sheet.isBase64Encoded, false);
      assert.equal(sheet.body, css);
      const br = buffered(await fn.invoke(event(kind, '/style.css', { 'accept-encoding': 'br' })));
      assert.equal(header(br, 'content-encoding'), 'br');
      assert.equal(br.isBase64Encoded, true);
      assert.equal(brotliDecompressSync(bytes(br)).toString(), css);
      const again = buffered(await fn.invoke(event(kind, '/logo.png', { 'if-none-match': header(image, 'etag')! })));
      assert.equal(again.statusCode, 304);
      assert.equal(bytes(again).length, 0);
      assert.equal(bytes(buffered(await fn.invoke(event(kind, '/api/x')))).toString(), 'app GET /api/x');
      assert.ok(!fn.logs().includes('Error'), fn.logs());
    });
  }
});

describe('public/ under aws-lambda-ric, streaming', () => {
  let fn: RunningFunction;
  before(async () => {
    fn = await startFunction(await build('streaming', { streaming: true }));
  });
  after(() => fn?.stop());

  test('v2: a range of the PNG streams raw, with its status and headers in the prelude', async () => {
    const outcome = await fn.invoke(event('v2', '/logo.png', { range: 'bytes=100-1099' }));
    assert.equal(outcome.kind, 'streaming', `got ${JSON.stringify(outcome).slice(0, 300)}`);
    if (outcome.kind !== 'streaming') return;
    const { prelude, body } = splitPrelude(outcome.body);
    assert.equal(prelude.statusCode, 206);
    assert.equal(prelude.headers['content-range'], `bytes 100-1099/${png.length}`);
    assert.ok(body.equals(png.subarray(100, 1100)));
  });
});
