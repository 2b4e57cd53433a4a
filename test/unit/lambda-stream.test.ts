import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { handle } from '../../adapters/lambda/runtime/lambda.ts';
import { FastResponse } from '../../adapters/_http/response.ts';
import { fixture, installAwsLambda, invokeStreaming, lambdaContext, RecordingStream } from './lambda-helpers.ts';

const R = FastResponse as unknown as typeof Response;
const enc = new TextEncoder();

describe('response streaming (awslambda.streamifyResponse)', () => {
  let uninstall: () => void;
  before(() => {
    uninstall = installAwsLambda();
  });
  after(() => uninstall());

  it('refuses clearly where the awslambda global is missing', () => {
    uninstall();
    try {
      assert.throws(() => handle({ fetch: () => new R('x') } as any, { streaming: true }), /PORTICO_LAMBDA_NO_STREAMING/);
    } finally {
      uninstall = installAwsLambda();
    }
  });

  it('writes the prelude, the 8-NUL delimiter, then the first bytes before the body is done', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const app = {
      fetch: () =>
        new R(
          new ReadableStream({
            async start(c) {
              c.enqueue(enc.encode('first '));
              await gate;
              c.enqueue(enc.encode('second'));
              c.close();
            },
          }),
          { status: 200, headers: [['content-type', 'text/event-stream'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']] },
        ),
    };
    const handler = handle(app as any, { streaming: true });
    const stream = new RecordingStream();
    const done = invokeStreaming(handler, fixture('function-url'), lambdaContext(), stream);
    // The first chunk arrives while the app still holds the rest back.
    for (let i = 0; i < 50 && stream.chunks.length < 3; i++) await new Promise((r) => setTimeout(r, 2));
    assert.equal(stream.writableFinished, false);
    const early = Buffer.concat(stream.chunks.map((c) => c.bytes)).toString();
    assert.match(early, /"statusCode":200/);
    assert.ok(early.endsWith('\0'.repeat(8) + 'first '), JSON.stringify(early));
    release();
    await done;
    const { prelude, body } = stream.parsed();
    assert.equal(stream.contentType, 'application/vnd.awslambda.http-integration-response');
    assert.deepEqual(prelude, { statusCode: 200, headers: { 'content-type': 'text/event-stream' }, cookies: ['a=1', 'b=2'] });
    assert.equal(body.toString(), 'first second');
  });

  it('REST API streaming prelude carries Set-Cookie in multiValueHeaders, and the stage mount applies', async () => {
    const app = {
      fetch: (req: Request, _env: unknown, ctx: any) =>
        new R(`${new URL(req.url).pathname} at ${ctx.basePath}`, { status: 202, headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2']] }),
    };
    const stream = await invokeStreaming(handle(app as any, { streaming: true }), fixture('rest-v1-stage'));
    const { prelude, body } = stream.parsed();
    assert.deepEqual(prelude, {
      statusCode: 202,
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] },
    });
    assert.equal(body.toString(), '/items/42 at /prod');
  });

  it('binary bytes are streamed raw, and an empty body still sends the prelude', async () => {
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    let stream = await invokeStreaming(handle({ fetch: () => new R(bytes, { headers: { 'content-type': 'image/png' } }) } as any, { streaming: true }), fixture('http-v2'));
    assert.deepEqual([...stream.parsed().body], [...bytes]);
    stream = await invokeStreaming(handle({ fetch: () => new R(null, { status: 204 }) } as any, { streaming: true }), fixture('http-v2'));
    assert.deepEqual(stream.parsed(), { prelude: { statusCode: 204, headers: {} }, body: Buffer.alloc(0) });
  });

  it('an app exception streams a 500 with the request id and logs it', async () => {
    const lines: string[] = [];
    const app = {
      fetch() {
        throw new Error('kaput');
      },
    };
    const stream = await invokeStreaming(handle(app as any, { streaming: true, log: (l) => lines.push(l) }), fixture('http-v2'), lambdaContext('s-500'));
    const { prelude, body } = stream.parsed();
    assert.equal(prelude.statusCode, 500);
    assert.match(body.toString(), /s-500/);
    assert.match(lines.join('\n'), /s-500.*kaput/s);
  });

  it('a body stream failing mid-way rejects (the runtime then fails the stream) after logging', async () => {
    const lines: string[] = [];
    const app = {
      fetch: () =>
        new R(
          new ReadableStream({
            pull(c) {
              c.enqueue(enc.encode('partial'));
              c.error(new Error('source broke'));
            },
          }),
        ),
    };
    const handler = handle(app as any, { streaming: true, log: (l) => lines.push(l) });
    await assert.rejects(handler(fixture('http-v2'), new RecordingStream(), lambdaContext('s-mid')), /source broke/);
    assert.match(lines.join('\n'), /s-mid.*source broke/s);
  });

  it('honours backpressure and delivers every byte of a large body', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(7);
    let n = 0;
    const app = {
      fetch: () =>
        new R(
          new ReadableStream({
            pull(c) {
              if (n++ < 32) c.enqueue(chunk);
              else c.close();
            },
          }),
        ),
    };
    const stream = await invokeStreaming(handle(app as any, { streaming: true }), fixture('http-v2'), lambdaContext(), new RecordingStream(1024));
    assert.equal(stream.parsed().body.length, 32 * chunk.length);
  });

  it('waitUntil work finishes before the handler promise settles, after the stream has ended', async () => {
    const order: string[] = [];
    const app = {
      fetch(_r: Request, _e: unknown, ctx: any) {
        ctx.waitUntil(new Promise<void>((r) => setTimeout(() => (order.push('background'), r()), 20)));
        return new R('hi');
      },
    };
    const stream = new RecordingStream();
    stream.on('finish', () => order.push('stream ended'));
    await invokeStreaming(handle(app as any, { streaming: true }), fixture('http-v2'), lambdaContext(), stream);
    order.push('resolved');
    assert.deepEqual(order, ['stream ended', 'background', 'resolved']);
  });

  it('unknown events reject; onOtherEvent results are written as JSON', async () => {
    await assert.rejects(handle({ fetch: () => new R('') } as any, { streaming: true })({ detail: {} }, new RecordingStream(), lambdaContext()), /PORTICO_LAMBDA_UNKNOWN_EVENT.*keys \[detail\]/);
    const stream = await invokeStreaming(handle({ fetch: () => new R('') } as any, { streaming: true, onOtherEvent: () => ({ ok: true }) }), { detail: {} });
    assert.equal(Buffer.concat(stream.chunks.map((c) => c.bytes)).toString(), '{"ok":true}');
  });
});
