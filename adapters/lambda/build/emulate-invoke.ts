/**
 * Invoke a Lambda handler in this process the way the managed Node runtime does, and turn what
 * it answers into an HTTP response the way the function's front door (Function URL, API
 * Gateway, ALB) does. Used by `portico dev --target lambda` and the conformance shim; the
 * real runtime is exercised separately through aws-lambda-ric (test/lambda/ric.test.ts).
 *
 * Mirrors aws-lambda-ric 4.x: the `awslambda` global (`streamifyResponse`, marking the handler
 * with Symbol.for('aws.lambda.runtime.handler.streaming') = 'response'; `HttpResponseStream.from`
 * setting the content type `application/vnd.awslambda.http-integration-response` and writing a
 * JSON prelude plus 8 NUL bytes before the first write), a streaming handler called as
 * `handler(event, responseStream, context)` that must return a promise, a buffered one as
 * `handler(event, context)`, and the context object's fields.
 *
 * Front-door behaviour copied from the AWS docs: a thrown error or an unusable result is a 502
 * `{"message":"Internal Server Error"}`; a request event or buffered response over 6 MB
 * (the invocation payload quota) is a 413 / 502; a Function URL result that is not an object
 * with `statusCode` is sent as a 200 JSON body ("Response payload format", Function URLs).
 *
 * Dev and test tooling: never part of a shipped bundle.
 */
import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import type { EmulatedEventKind } from './emulate-event.ts';

/** The 6 MB synchronous invocation payload quota (request and buffered response), in bytes. */
export const LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
export const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** Settings of the emulated function, as the context object reports them. */
export interface EmulatedFunction {
  functionName: string;
  memory: number;
  /** Seconds. */
  timeout: number;
  region: string;
}

export const DEFAULT_EMULATED_FUNCTION: EmulatedFunction = { functionName: 'portico-dev', memory: 1024, timeout: 30, region: 'us-east-1' };

/**
 * Define the `awslambda` global as the managed runtime does, when it is not there yet. The
 * bundle calls `awslambda.streamifyResponse` while it loads, so this runs before the import.
 *
 * @example
 * installAwsLambdaGlobal();
 * const { handler } = await import('../dist/lambda/index.mjs');
 */
export function installAwsLambdaGlobal(): void {
  const g = globalThis as { awslambda?: Record<string, unknown> };
  if (g.awslambda && typeof g.awslambda.streamifyResponse === 'function') return;
  g.awslambda = {
    ...g.awslambda,
    streamifyResponse(handler: Record<symbol, unknown>, options?: { highWaterMark?: number }) {
      handler[STREAMING] = 'response';
      if (typeof options?.highWaterMark === 'number') handler[HIGH_WATER_MARK] = options.highWaterMark;
      return handler;
    },
    HttpResponseStream: {
      from(stream: EmulatedResponseStream, prelude: unknown) {
        stream.setContentType(PRELUDE_CONTENT_TYPE);
        const json = JSON.stringify(prelude);
        stream._onBeforeFirstWrite = (write) => {
          write(json);
          write(new Uint8Array(8));
        };
        return stream;
      },
    },
  };
}

/**
 * A context object with the fields and methods the managed runtime gives a handler.
 *
 * @example
 * const context = lambdaContext({ ...DEFAULT_EMULATED_FUNCTION }, 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef');
 * context.getRemainingTimeInMillis(); // about 30000
 */
export function lambdaContext(fn: EmulatedFunction, requestId: string, now = Date.now()): Record<string, unknown> {
  const deadline = now + fn.timeout * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${fn.region}:123456789012:function:${fn.functionName}`,
    memoryLimitInMB: String(fn.memory),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `${new Date(now).toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]portico0dev0000000000000000000`,
    clientContext: undefined,
    identity: undefined,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

/** Whether a handler was wrapped with `awslambda.streamifyResponse`. */
export function isStreamingHandler(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[STREAMING] === 'response';
}

/** The runtime's log line for a failed invocation (aws-lambda-ric's text log format). */
function logInvokeError(requestId: string, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const payload = { errorType: err.name, errorMessage: err.message, stack: String(err.stack ?? '').split('\n') };
  console.error(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(payload)}`);
}

function internalError(res: ServerResponse, status = 502, message = 'Internal Server Error'): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Write a buffered handler's result as the front door of `kind` would.
 *
 * @example
 * writeLambdaResult({ statusCode: 201, headers: { a: 'b' }, cookies: ['x=1'], body: 'hi' }, 'v2', res);
 */
export function writeLambdaResult(result: unknown, kind: EmulatedEventKind, res: ServerResponse): void {
  let r = result as Record<string, any> | null | undefined;
  if (kind === 'v2' && (r === null || typeof r !== 'object' || typeof r.statusCode !== 'number')) {
    // Function URLs and HTTP API 2.0 infer a response from any other JSON value.
    r = { statusCode: 200, headers: { 'content-type': 'application/json' }, body: result === undefined ? '' : JSON.stringify(result) };
  }
  if (r === null || typeof r !== 'object' || !Number.isInteger(r.statusCode) || r.statusCode < 100 || r.statusCode > 599) {
    console.error(`portico dev: the handler's result is not a Lambda HTTP response (no integer statusCode): ${JSON.stringify(result)?.slice(0, 200)}`);
    return internalError(res);
  }
  const headers: [string, string][] = [];
  const multiValue = r.multiValueHeaders && typeof r.multiValueHeaders === 'object' ? (r.multiValueHeaders as Record<string, unknown[]>) : {};
  for (const [name, values] of Object.entries(multiValue)) for (const v of values ?? []) headers.push([name, String(v)]);
  const seen = new Set(Object.keys(multiValue).map((k) => k.toLowerCase()));
  for (const [name, v] of Object.entries((r.headers ?? {}) as Record<string, unknown>)) {
    if (!seen.has(name.toLowerCase()) && v !== undefined && v !== null) headers.push([name, String(v)]);
  }
  if (Array.isArray(r.cookies)) for (const c of r.cookies) headers.push(['set-cookie', String(c)]);
  const bodyText = typeof r.body === 'string' ? r.body : r.body == null ? '' : JSON.stringify(r.body);
  const body = r.isBase64Encoded ? Buffer.from(bodyText, 'base64') : Buffer.from(bodyText, 'utf8');
  if (body.length > LAMBDA_PAYLOAD_LIMIT) {
    console.error(`portico dev: response of ${body.length} bytes is over Lambda's 6 MB payload limit; AWS answers 502 (use streaming for large bodies)`);
    return internalError(res);
  }
  const flat: string[] = [];
  for (const [k, v] of headers) {
    if (k.toLowerCase() === 'content-length' || k.toLowerCase() === 'transfer-encoding') continue;
    flat.push(k, v);
  }
  const noBody = r.statusCode === 204 || r.statusCode === 304;
  if (!noBody) flat.push('content-length', String(body.length));
  res.writeHead(r.statusCode, r.statusDescription ? String(r.statusDescription).replace(/^\d+\s*/, '') : undefined, flat);
  res.end(noBody ? undefined : body);
}

/**
 * The stream a streaming handler writes to: a node Writable with `setContentType`, which
 * decodes the HTTP integration prelude (JSON, then 8 NUL bytes) and forwards the body to
 * `res` as it comes, with backpressure.
 */
export class EmulatedResponseStream extends Writable {
  _onBeforeFirstWrite: ((write: (chunk: string | Uint8Array) => void) => void) | undefined;
  #contentType = 'application/octet-stream';
  #res: ServerResponse;
  #kind: EmulatedEventKind;
  #started = false;
  #prelude: Buffer[] | undefined;
  #headersSent = false;

  constructor(res: ServerResponse, kind: EmulatedEventKind, highWaterMark?: number) {
    super({ highWaterMark, decodeStrings: true });
    this.#res = res;
    this.#kind = kind;
    const origWrite = this.write.bind(this) as (chunk: unknown, ...rest: unknown[]) => boolean;
    // As aws-lambda-ric does: the prelude goes out just before the first write() (not end(chunk)).
    this.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (!this.#started) {
        this.#started = true;
        this._onBeforeFirstWrite?.((c) => origWrite(c));
      }
      const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
      return origWrite(data, ...rest);
    }) as Writable['write'];
  }

  setContentType(type: string): void {
    if (this.#started) throw new Error('Cannot set content-type, too late.');
    this.#contentType = type;
  }

  #sendHeaders(status: number, headers: [string, string][]): void {
    const flat = headers.filter(([k]) => !/^(content-length|transfer-encoding)$/i.test(k)).flat();
    this.#res.writeHead(status, flat);
    this.#headersSent = true;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    let body: Buffer = chunk;
    if (!this.#headersSent) {
      if (this.#contentType === PRELUDE_CONTENT_TYPE) {
        (this.#prelude ??= []).push(chunk);
        const all = Buffer.concat(this.#prelude);
        const end = all.indexOf(Buffer.alloc(8));
        if (end === -1) return callback();
        this.#prelude = undefined;
        let prelude: Record<string, any>;
        try {
          prelude = JSON.parse(all.subarray(0, end).toString('utf8'));
        } catch (error) {
          return callback(new Error(`portico dev: the streaming prelude is not JSON: ${(error as Error).message}`));
        }
        const headers: [string, string][] = Object.entries((prelude.headers ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
        for (const [k, values] of Object.entries((prelude.multiValueHeaders ?? {}) as Record<string, unknown[]>)) for (const v of values) headers.push([k, String(v)]);
        for (const c of (prelude.cookies ?? []) as unknown[]) headers.push(['set-cookie', String(c)]);
        this.#sendHeaders(Number(prelude.statusCode ?? 200), headers);
        body = all.subarray(end + 8);
      } else {
        this.#sendHeaders(200, [['content-type', this.#contentType]]);
      }
    }
    if (body.length === 0) return callback();
    if (this.#res.write(body)) callback();
    else this.#res.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.#headersSent) {
      // Nothing (or only part of a prelude) was written: the front door answers 200, empty.
      this.#sendHeaders(200, this.#contentType === PRELUDE_CONTENT_TYPE ? [] : [['content-type', this.#contentType]]);
    }
    this.#res.end(() => callback());
  }

  /** For error handling: whether the client already got the status line. */
  get headersSent(): boolean {
    return this.#headersSent;
  }

  /** The event kind this stream answers for. */
  get kind(): EmulatedEventKind {
    return this.#kind;
  }
}

/**
 * Invoke `handler` with `event` and answer `res`, buffered or streaming as the handler says.
 * Never throws: failures become the 502 AWS would send, and a log line.
 *
 * @example
 * await invokeToHttp(handler, emulatedEvent('v2', raw), lambdaContext(fn, id), 'v2', res, fn);
 */
export async function invokeToHttp(
  handler: (...args: any[]) => unknown,
  event: unknown,
  context: Record<string, unknown>,
  kind: EmulatedEventKind,
  res: ServerResponse,
  fn: EmulatedFunction = DEFAULT_EMULATED_FUNCTION,
): Promise<void> {
  const requestId = String(context.awsRequestId);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), fn.timeout * 1000);
    timer.unref();
  });
  try {
    if (isStreamingHandler(handler)) {
      const hwm = (handler as unknown as Record<symbol, number | undefined>)[HIGH_WATER_MARK];
      const stream = new EmulatedResponseStream(res, kind, hwm);
      const finished = new Promise<void>((resolve, reject) => {
        stream.once('finish', resolve);
        stream.once('error', reject);
      });
      const result = handler(event, stream, context);
      if (!result || typeof (result as Promise<unknown>).then !== 'function') throw new Error('Streaming does not support non-async handlers.');
      const outcome = await Promise.race([Promise.all([result, finished]), timedOut]);
      if (outcome === 'timeout') throw new Error(`Task timed out after ${fn.timeout.toFixed(2)} seconds`);
      return;
    }
    const outcome = await Promise.race([Promise.resolve(handler(event, context)), timedOut]);
    if (outcome === 'timeout') throw new Error(`Task timed out after ${fn.timeout.toFixed(2)} seconds`);
    writeLambdaResult(outcome, kind, res);
  } catch (error) {
    logInvokeError(requestId, error);
    internalError(res);
  } finally {
    clearTimeout(timer);
  }
}
