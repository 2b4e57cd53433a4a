/**
 * portico's AWS Lambda gateway: `handle(app)` is the function Lambda calls.
 *
 * One handler serves every HTTP source a Lambda function can sit behind (API Gateway REST API,
 * HTTP API payload 1.0 and 2.0, Function URLs, ALB with multi-value headers on or off), telling
 * them apart by the event's shape (events.ts) and answering in the shape that source expects
 * (result.ts). With `{ streaming: true }` it is a response-streaming handler instead
 * (stream.ts), for Function URLs with InvokeMode RESPONSE_STREAM and REST APIs with the
 * STREAM response transfer mode.
 *
 * The hot path never touches undici's Request/Response/Headers (a 20-40 ms load on Node's first
 * touch, which on Lambda lands in the first invocation): the app gets a LambdaRequest, and a
 * FastResponse (what the bundler injects for `Response`) is read without building a native one.
 *
 * Runs in the Lambda Node runtime only (uses Buffer and process.env).
 */
import { isApp, type App } from '../../../src/app.ts';
import { normalizeBasePath } from '../../_http/mount.ts';
import { eventKind, unknownEventError } from './events.ts';
import { readAll } from '../../_http/read-all.ts';
import { errorText, prepare, runApp, textParts, type Config, type Parts } from './invoke.ts';
import { lambdaResult, type AlbSetCookie, type BinaryOption } from './result.ts';
import { lambdaStatic, type LambdaStaticFiles } from './static.ts';
import { streamingHandler, type StreamingHandler } from './stream.ts';
import type { AwsLambdaGlobal, HttpEvent, LambdaContext, LambdaResult } from './types.ts';

/** Options of `handle(app, options)`; the lambda target fills them from bundle.config.ts. */
export interface LambdaOptions {
  /**
   * Where the app is mounted below what API Gateway already took off (stage, base path
   * mapping). A request outside it gets a 404 without reaching the app. Default: '' (root).
   */
  basePath?: string;
  /**
   * Which response bodies go out base64 (`isBase64Encoded: true`): a function of the
   * Content-Type and the response headers, or a list of media types (`'image/*'`, `'application/pdf'`).
   * Default: everything that `isTextContentType` does not call text, and every body with a
   * Content-Encoding. Ignored when streaming (the stream carries raw bytes).
   */
  binary?: BinaryOption;
  /** Several Set-Cookie on an ALB with multi-value headers off: see result.ts. Default: 'first'. */
  albSetCookie?: AlbSetCookie;
  /**
   * Return a response-streaming handler (`awslambda.streamifyResponse`) instead of a buffered
   * one. Needs the Lambda Node runtime's `awslambda` global. Default: false.
   */
  streaming?: boolean;
  /** The app's `env`. Default: `process.env`. */
  env?: Record<string, unknown>;
  /**
   * Called with events that are not HTTP requests (SQS, S3, schedules); its result is the
   * invocation's result. Default: none, and such an event fails the invocation with
   * PORTICO_LAMBDA_UNKNOWN_EVENT naming what arrived.
   */
  onOtherEvent?: (event: unknown, context: LambdaContext) => unknown;
  /** Where log lines go (app errors, dropped cookies). Default: console.error. */
  log?: (line: string) => void;
  /**
   * `request.signal` aborts this many ms before the invocation deadline
   * (`context.getRemainingTimeInMillis()`), or after 90 % of the time left if that is later, so
   * the app can stop and answer in time. The timer only starts when the app reads
   * `request.signal`. A negative value turns it off. Default: 1000.
   */
  deadlineMargin?: number;
  /**
   * Files answered before the app for GET and HEAD (ETag/304, Range, precompressed .br/.gz,
   * index.html); a request naming no file costs one Map lookup. The lambda target fills it
   * from publicDir: the manifest it built, and the `public/` folder it put in the zip.
   * Default: none.
   */
  static?: LambdaStaticFiles;
}

/** A buffered Lambda handler: async, (event, context) => result. */
export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<LambdaResult | unknown>;

function defaultLog(line: string): void {
  console.error(line);
}

// ALB takes at most 1 MB of response JSON from a Lambda target and answers 502 past it
// ("Use Lambda functions as targets of an Application Load Balancer", Limits). Only bodies
// near that size are measured.
const ALB_LIMIT = 1024 * 1024;
const ALB_CHECK_FROM = 256 * 1024;

function albSizeCheck(result: LambdaResult, context: LambdaContext, log: (line: string) => void): void {
  const size = Buffer.byteLength(JSON.stringify(result));
  if (size > ALB_LIMIT) {
    log(
      `portico: the ALB response for request id ${context?.awsRequestId} is ${size} bytes of JSON; ALB accepts at most 1 MB from a ` +
        'Lambda target and answers 502 instead. Send large bodies from S3 (a redirect to a presigned URL) or put the function behind a Function URL or API Gateway',
    );
  }
}

function resolveConfig(app: App<any>, options: LambdaOptions): Config {
  if (!isApp(app)) {
    throw new TypeError('PORTICO_NO_APP: handle(app) needs an object with a fetch(request, env, ctx) method, e.g. handle({ fetch: () => new Response("hi") })');
  }
  if (options.binary !== undefined && typeof options.binary !== 'function' && !Array.isArray(options.binary)) {
    throw new TypeError('PORTICO_BAD_OPTION: "binary" must be a function (contentType, headers) => boolean or a list of media types such as ["image/*"]');
  }
  if (options.albSetCookie !== undefined && options.albSetCookie !== 'first' && options.albSetCookie !== 'case-variants') {
    throw new TypeError('PORTICO_BAD_OPTION: "albSetCookie" must be "first" or "case-variants"');
  }
  if (options.deadlineMargin !== undefined && !Number.isFinite(options.deadlineMargin)) {
    throw new TypeError('PORTICO_BAD_OPTION: "deadlineMargin" must be a number of milliseconds (e.g. 1000), or negative to never abort request.signal');
  }
  return {
    app,
    basePath: normalizeBasePath(options.basePath),
    deadlineMargin: options.deadlineMargin,
    env: options.env ?? (globalThis as { process?: { env: unknown } }).process?.env ?? {},
    log: options.log ?? defaultLog,
    ...(options.static !== undefined ? { static: lambdaStatic(options.static) } : {}),
  };
}

/**
 * Turn an app into a Lambda handler.
 *
 * @example
 * // index.mjs, handler "index.handler"
 * import { handle } from 'portico/lambda';
 * import app from '../app.ts';
 * export const handler = handle(app);
 *
 * @example
 * // Function URL with InvokeMode RESPONSE_STREAM
 * export const handler = handle(app, { streaming: true });
 */
export function handle(app: App<any>, options?: LambdaOptions & { streaming?: false }): LambdaHandler;
export function handle(app: App<any>, options: LambdaOptions & { streaming: true }): StreamingHandler;
export function handle(app: App<any>, options?: LambdaOptions): LambdaHandler | StreamingHandler;
export function handle(app: App<any>, options: LambdaOptions = {}): LambdaHandler | StreamingHandler {
  const config = resolveConfig(app, options);
  const other = options.onOtherEvent;
  if (options.streaming) {
    const aws = (globalThis as { awslambda?: AwsLambdaGlobal }).awslambda;
    if (!aws || typeof aws.streamifyResponse !== 'function' || !aws.HttpResponseStream) {
      throw new Error(
        'PORTICO_LAMBDA_NO_STREAMING: handle(app, { streaming: true }) needs the `awslambda` global that the AWS Lambda ' +
          'Node.js runtime (or aws-lambda-ric) defines; it is missing here. Run it on Lambda, or use handle(app) for a buffered handler.',
      );
    }
    return streamingHandler(config, aws, other);
  }
  const resultOptions = { binary: options.binary, albSetCookie: options.albSetCookie, log: config.log };

  return async function handler(event: unknown, context: LambdaContext): Promise<LambdaResult | unknown> {
    const kind = eventKind(event);
    if (kind === undefined) {
      if (other) return other(event, context);
      throw unknownEventError(event);
    }
    const inv = prepare(event as HttpEvent, kind, context, config);
    let parts: Parts = await runApp(inv, context, config);
    let body = parts.body;
    if (body.kind === 'stream') {
      try {
        body = { kind: 'bytes', bytes: await readAll(body.stream) };
      } catch (err) {
        config.log(`portico: the response body stream failed (request id ${context?.awsRequestId}): ${errorText(err)}`);
        parts = textParts(500, `Internal Server Error (request id ${context?.awsRequestId})\n`);
        body = parts.body;
      }
    }
    inv.request?._done();
    const result = lambdaResult(kind, inv.albMulti, parts.status, parts.statusText, parts.headers, body as Exclude<typeof body, { kind: 'stream' }>, resultOptions);
    if (kind === 'alb' && result.body.length > ALB_CHECK_FROM) albSizeCheck(result, context, config.log);
    // Lambda freezes the sandbox once the handler's promise settles: finish waitUntil work first.
    if (inv.ctx._pending) await inv.ctx._drain();
    return result;
  };
}

export type { StreamingHandler };
export type { LambdaContext, LambdaResult, HttpEvent } from './types.ts';
