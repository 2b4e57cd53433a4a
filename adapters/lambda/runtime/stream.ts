/**
 * Response streaming: Function URLs with InvokeMode RESPONSE_STREAM, and REST APIs whose
 * integration uses the STREAM response transfer mode (InvokeWithResponseStream).
 *
 * How the real runtime behaves (aws-lambda-ric, `dist/stream/http-response-stream.js` and
 * `streaming-invoke-processor.js`; the managed Node runtime ships the same code):
 * - `awslambda.streamifyResponse(fn)` marks `fn` (a symbol property) so the runtime calls it
 *   as `fn(event, responseStream, context)`; `fn` must return a promise.
 * - `awslambda.HttpResponseStream.from(stream, prelude)` sets the stream's content type to
 *   `application/vnd.awslambda.http-integration-response` and, on the FIRST write, sends
 *   `JSON.stringify(prelude)` followed by 8 null bytes, then the written bytes. The prelude
 *   holds statusCode, headers, cookies (and multiValueHeaders for REST). Nothing is sent
 *   before a write, so portico always writes at least once (an empty chunk for no body).
 * - The invocation ends when the handler's promise settles; the stream must be ended by then
 *   ("Response stream is not finished" otherwise). A rejected promise fails the stream with
 *   error trailers.
 *
 * portico ends the stream as soon as the body is done, so the client has the whole response,
 * then awaits `ctx.waitUntil` work before its promise settles: the runtime does not take the
 * next event (or freeze) before that.
 */
import { eventKind, unknownEventError } from './events.ts';
import { errorText, prepare, runApp, type Config, type Invocation, type Parts } from './invoke.ts';
import { lambdaResult } from './result.ts';
import type { AwsLambdaGlobal, HttpEvent, LambdaContext, ResponseStream } from './types.ts';

/** The function `awslambda.streamifyResponse` wraps. */
export type StreamingHandler = (event: unknown, responseStream: ResponseStream, context: LambdaContext) => Promise<void>;

/**
 * The JSON prelude for a streamed response: the buffered result's status and header fields.
 *
 * @example
 * streamPrelude('v2', { status: 200, statusText: '', headers: [['set-cookie', 'a=1']], body: { kind: 'none' } });
 * // { statusCode: 200, headers: {}, cookies: ['a=1'] }
 */
export function streamPrelude(kind: Invocation['kind'], parts: Parts): Record<string, unknown> {
  // ALB never invokes with response streaming; answer it like payload 2.0 if it ever does.
  const shape = kind === 'alb' ? 'v2' : kind;
  const result = lambdaResult(shape, false, parts.status, parts.statusText, parts.headers, { kind: 'none' }, { log: () => {} }) as unknown as Record<string, unknown>;
  delete result.body;
  delete result.isBase64Encoded;
  return result;
}

/** Resolve when `out` can take more, or reject when it closed or failed first. */
function drained(out: ResponseStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      cleanup();
      resolve();
    };
    const closed = (): void => {
      cleanup();
      reject(new Error('the response stream closed before the body was written (the client went away)'));
    };
    const failed = (err: unknown): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      out.removeListener?.('drain', done);
      out.removeListener?.('close', closed);
      out.removeListener?.('error', failed as (...args: unknown[]) => void);
    };
    out.once('drain', done);
    out.once('close', closed);
    out.once('error', failed as (...args: unknown[]) => void);
  });
}

function ended(out: ResponseStream): Promise<void> {
  return new Promise((resolve) => {
    out.end(() => resolve());
  });
}

/** Write the body's chunks as they come, honouring backpressure; always at least one write. */
async function writeBody(out: ResponseStream, parts: Parts, inv: Invocation): Promise<void> {
  const body = parts.body;
  if (body.kind === 'none') {
    out.write('');
    return;
  }
  if (body.kind === 'text') {
    out.write(body.text);
    return;
  }
  if (body.kind === 'bytes') {
    out.write(body.bytes);
    return;
  }
  const reader = body.stream.getReader();
  let wrote = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = typeof value === 'string' ? value : value instanceof Uint8Array ? value : new Uint8Array(value as ArrayBuffer);
      if (chunk.length === 0) continue;
      wrote = true;
      if (!out.write(chunk)) await drained(out);
    }
  } catch (err) {
    inv.request?._abort(err);
    reader.cancel(err).catch(() => {});
    throw err;
  }
  if (!wrote) out.write('');
}

/**
 * The streamified handler for `config`.
 *
 * @example
 * export const handler = streamingHandler(config, globalThis.awslambda, undefined);
 */
export function streamingHandler(config: Config, aws: AwsLambdaGlobal, other: ((event: unknown, context: LambdaContext) => unknown) | undefined): StreamingHandler {
  async function handler(event: unknown, responseStream: ResponseStream, context: LambdaContext): Promise<void> {
    const kind = eventKind(event);
    if (kind === undefined) {
      if (!other) throw unknownEventError(event);
      const value = await other(event, context);
      if (value !== undefined) responseStream.write(typeof value === 'string' || value instanceof Uint8Array ? value : JSON.stringify(value));
      await ended(responseStream);
      return;
    }
    const inv = prepare(event as HttpEvent, kind, context, config);
    const parts = await runApp(inv, context, config);
    const out = aws.HttpResponseStream.from(responseStream, streamPrelude(kind, parts));
    try {
      await writeBody(out, parts, inv);
    } catch (err) {
      inv.request?._done();
      // Status and headers are gone already: the only honest signal left is a failed stream,
      // which the runtime reports with error trailers. Keep waitUntil work, then fail.
      config.log(`portico: the streamed response body failed (request id ${context?.awsRequestId}): ${errorText(err)}`);
      if (inv.ctx._pending) await inv.ctx._drain();
      throw err;
    }
    inv.request?._done();
    await ended(out);
    if (inv.ctx._pending) await inv.ctx._drain();
  }
  return aws.streamifyResponse(handler);
}
