/**
 * Shared by the lambda-*.test.ts files: fixtures, a context, an echo app, and a local stand-in
 * for the `awslambda` global of the Lambda Node runtime (tests only: portico ships none).
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { FastResponse } from '../../adapters/_http/response.ts';
import { installAwsLambdaGlobal, isStreamingHandler } from '../../adapters/lambda/build/emulate-invoke.ts';

const FIXTURES = new URL('../fixtures/lambda-events/', import.meta.url);

/** A fresh copy of a recorded event. */
export function fixture(name: string): any {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'));
}

export function lambdaContext(id = 'req-0001'): any {
  return { awsRequestId: id, functionName: 'portico-test', getRemainingTimeInMillis: () => 30_000 };
}

/** Echoes what the app saw, as JSON. */
export const echoApp = {
  async fetch(request: Request, env: any, ctx: any): Promise<Response> {
    const body = new Uint8Array(await request.arrayBuffer());
    const headers: Array<[string, string]> = [];
    request.headers.forEach((v, k) => headers.push([k, v]));
    const out = {
      method: request.method,
      url: request.url,
      headers,
      body: Buffer.from(body).toString('base64'),
      basePath: ctx.basePath,
      clientAddress: ctx.clientAddress,
      gateway: ctx.gateway,
      hasEvent: ctx.platform?.event !== undefined && ctx.platform?.context !== undefined,
      envIsProcessEnv: env === process.env,
    };
    return new FastResponse(JSON.stringify(out), { headers: { 'content-type': 'application/json' } }) as unknown as Response;
  },
};

/** Parse a buffered result's body back into bytes. */
export function resultBytes(result: any): Uint8Array {
  return result.isBase64Encoded ? new Uint8Array(Buffer.from(result.body, 'base64')) : new Uint8Array(Buffer.from(result.body, 'utf8'));
}

const DELIMITER_LEN = 8;

/**
 * A response stream like the runtime's: a Writable with setContentType and the
 * `_onBeforeFirstWrite` hook, recording each chunk and when it arrived.
 */
export class RecordingStream extends Writable {
  contentType = 'application/octet-stream';
  chunks: Array<{ at: number; bytes: Buffer }> = [];
  _onBeforeFirstWrite: ((write: (chunk: string | Uint8Array) => void) => void) | undefined;
  #started = false;

  constructor(highWaterMark = 16 * 1024) {
    super({ highWaterMark });
  }

  setContentType(type: string): void {
    if (this.#started) throw new Error('Cannot set content-type, too late.');
    this.contentType = type;
  }

  override write(chunk: any, encoding?: any, cb?: any): boolean {
    if (!this.#started && typeof this._onBeforeFirstWrite === 'function') {
      this.#started = true;
      this._onBeforeFirstWrite((c) => super.write(c));
    }
    this.#started = true;
    return super.write(chunk, encoding, cb);
  }

  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.chunks.push({ at: performance.now(), bytes: Buffer.from(chunk) });
    cb();
  }

  /** Everything written, split at the first 8-NUL delimiter into prelude JSON and body. */
  parsed(): { prelude: any; body: Buffer } {
    const all = Buffer.concat(this.chunks.map((c) => c.bytes));
    const at = all.indexOf(Buffer.alloc(DELIMITER_LEN));
    if (at === -1) throw new Error(`no prelude delimiter in ${JSON.stringify(all.toString())}`);
    return { prelude: JSON.parse(all.subarray(0, at).toString('utf8')), body: all.subarray(at + DELIMITER_LEN) };
  }
}

/**
 * Install (and return an uninstaller for) the `awslambda` global as the runtime defines it:
 * the dev emulation's (adapters/lambda/emulate-invoke.ts), fresh, whatever was there before.
 */
export function installAwsLambda(): () => void {
  const had = Object.prototype.hasOwnProperty.call(globalThis, 'awslambda');
  const previous = (globalThis as any).awslambda;
  delete (globalThis as any).awslambda;
  installAwsLambdaGlobal();
  return () => {
    if (had) (globalThis as any).awslambda = previous;
    else delete (globalThis as any).awslambda;
  };
}

/** Call a streamified handler the way the runtime does, and check what the runtime checks. */
export async function invokeStreaming(handler: any, event: unknown, context = lambdaContext(), stream = new RecordingStream()): Promise<RecordingStream> {
  if (!isStreamingHandler(handler)) throw new Error('handler is not streamified');
  const result = handler(event, stream, context);
  if (!result || typeof result.then !== 'function') throw new Error('Streaming does not support non-async handlers.');
  await result;
  if (!stream.writableFinished) throw new Error('Response stream is not finished.');
  return stream;
}
