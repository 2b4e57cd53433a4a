/**
 * The shared core of the fastcgi, scgi and cgi gateways: one request's meta-variables and body
 * in, the app called, its Response out through a sink. Everything per app (mount, trust, limits,
 * env) is composed once in `createCgiHandler`; the per-request path stays synchronous until the
 * app returns a promise (STYLE §7).
 */
import { isApp, type App, type Context, type Gateway } from '../../src/app.ts';
import { describeValue } from '../_http/describe.ts';
import { normalizeBasePath, outsideMountText } from '../_http/mount.ts';
import { FastResponse } from '../_http/response.ts';
import { compileTrust, resolveForwarded, type TrustFn, type TrustProxy } from '../_node/proxy.ts';
import { originOf } from '../_node/url.ts';
import { WaitUntilTracker } from '../_node/wait-until.ts';
import { BodyError, BodyQueue, bodyTooLarge } from './body.ts';
import { cgiContentLength, cgiHost, cgiMount, cgiScheme, paramHeader, platformObject, type CgiParams } from './meta.ts';
import { CgiRequest } from './request.ts';
import { DEFAULT_MAX_BODY_SIZE } from '../_http/body-limit.ts';
import { sendCgiResponse, sendPlainCgi, type ResponseSink } from './response.ts';


/** Default `maxParamsSize` of fastcgi and scgi: 128 KiB of meta-variables per request. */
export const DEFAULT_MAX_PARAMS_SIZE = 128 * 1024;

/** Options shared by `serveFastCGI`, `serveSCGI` and `runCGI`. */
export interface CgiHandlerOptions<Env = Record<string, unknown>> {
  /** Mount point, e.g. '/shop'. Default: the server's SCRIPT_NAME (see `cgiMount`). When set it wins. */
  basePath?: string;
  /** Whose X-Forwarded-* / Forwarded headers count, as on the node gateway. Default false. */
  trustProxy?: TrustProxy;
  /** Largest request body in bytes; 413 beyond. Default 100 MiB. */
  maxBodySize?: number;
  /** What the app receives as `env`. Default `process.env`. */
  env?: Env;
  /** Where the gateway's one-line error reports go. Default: `console.error` with a `[portico]` prefix. */
  logError?: (message: string) => void;
}

/** One request in progress, as the transport sees it. */
export interface CgiExchange {
  /** Where the transport puts the body bytes (and `end()`/`fail()`). */
  readonly body: BodyQueue;
  /** The client went away (connection closed, FCGI_ABORT_REQUEST): abort request.signal. */
  abort(): void;
  /** Call the app, for an exchange made with `defer`; a no-op otherwise or when called again. */
  start(): void;
}

/** The per-request context: a class, so every request has the same hidden shape. */
class CgiContext implements Context {
  readonly waitUntil: (promise: Promise<unknown>) => void;
  readonly gateway: Gateway;
  readonly clientAddress: string | undefined;
  readonly basePath: string;
  readonly #params: CgiParams;
  #platform: Record<string, string> | undefined;
  constructor(waitUntil: (p: Promise<unknown>) => void, gateway: Gateway, clientAddress: string | undefined, basePath: string, params: CgiParams) {
    this.waitUntil = waitUntil;
    this.gateway = gateway;
    this.clientAddress = clientAddress;
    this.basePath = basePath;
    this.#params = params;
  }
  /** The raw params as a plain object, built when first read. */
  get platform(): Record<string, string> {
    return (this.#platform ??= platformObject(this.#params));
  }
}

/** One line about an error: its message and where it was thrown, no multi-line stack. */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return describeValue(error);
  const at = error.stack?.split('\n').find((line) => /^\s+at /.test(line))?.trim();
  return `${error.name}: ${error.message.split('\n')[0]}${at ? ` (${at})` : ''}`;
}

/** What `createCgiHandler` returns: start one request, and the waitUntil bookkeeping. */
export interface CgiHandler {
  /**
   * Start a request whose params are complete. `pressure` pauses/resumes the body's source.
   * With `defer` the app is called only at `exchange.start()`: a transport that has more of the
   * request in hand (FastCGI STDIN records in the same read) queues it first, so a small body
   * is complete when the app reads it. When the gateway answers by itself (bad request, 413,
   * outside the mount) the exchange's body takes nothing.
   */
  (params: CgiParams, sink: ResponseSink, pressure?: (paused: boolean) => void, defer?: boolean): CgiExchange;
  readonly waitUntil: WaitUntilTracker;
  /** Requests started and not yet answered in full. */
  readonly active: number;
}

const EMPTY_BODY_LIMIT = 0;

/**
 * Compose the per-app state once and return the per-request function.
 *
 * @example
 * const handle = createCgiHandler(app, { basePath: '/shop' }, 'fastcgi');
 * const exchange = handle(params, sink);
 * exchange.body.push(stdinBytes); exchange.body.end();
 */
export function createCgiHandler<Env = Record<string, unknown>>(app: App<Env>, options: CgiHandlerOptions<Env>, gateway: Gateway): CgiHandler {
  if (!isApp(app)) throw new TypeError(`PORTICO_NO_APP: the ${gateway} gateway needs an object with a fetch(request, env, ctx) method`);
  const configured = normalizeBasePath(options.basePath);
  const maxBody = options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;
  if (typeof maxBody !== 'number' || !(maxBody >= 0)) {
    throw new TypeError(`PORTICO_BAD_OPTION: "maxBodySize" must be a number of bytes (or Infinity), got ${String(maxBody)}`);
  }
  const env = (options.env ?? process.env) as Env;
  const trust: TrustFn | undefined = compileTrust(options.trustProxy);
  const log = options.logError ?? ((message: string) => console.error(`[portico] ${message}`));
  const tracker = new WaitUntilTracker((error) => log(`a waitUntil promise rejected: ${errorLine(error)}`));
  const waitUntil = (promise: Promise<unknown>) => tracker.add(promise);
  const fetch = app.fetch.bind(app) as App<Env>['fetch'];
  const scriptIsMount = gateway === 'cgi';
  let active = 0;

  const handle = ((params: CgiParams, sink: ResponseSink, pressure?: (paused: boolean) => void, defer = false): CgiExchange => {
    const method = params.get('REQUEST_METHOD') || 'GET';
    const length = cgiContentLength(params);
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const refuse = (status: number, text: string): CgiExchange => {
      const body = new BodyQueue(undefined, EMPTY_BODY_LIMIT);
      body.discard();
      sendPlainCgi(sink, status, text);
      return { body, abort() {}, start() {} };
    };
    if (Number.isNaN(length)) return refuse(400, 'Bad Request: invalid CONTENT_LENGTH\n');
    if (hasBody && length !== undefined && length > maxBody) {
      log(`${method} ${params.get('REQUEST_URI') ?? ''}: ${bodyTooLarge(maxBody).message}`);
      return refuse(413, 'Payload Too Large\n');
    }
    const mount = cgiMount(params, configured, scriptIsMount);
    if (mount === undefined) return refuse(404, outsideMountText(params.get('REQUEST_URI') ?? '', configured));
    let scheme: string = cgiScheme(params);
    let host = cgiHost(params, scheme);
    let clientAddress = params.get('REMOTE_ADDR') || undefined;
    if (trust !== undefined) {
      const info = resolveForwarded(clientAddress, (name) => paramHeader(params, name), trust);
      clientAddress = info.clientAddress;
      const p = info.proto?.toLowerCase();
      if (p === 'http' || p === 'https') scheme = p;
      if (info.host !== undefined && originOf(scheme, info.host) !== undefined) host = info.host;
    }
    const origin = originOf(scheme, host);
    if (origin === undefined) return refuse(400, 'Bad Request: invalid Host\n');

    // A GET's body is not the app's (Fetch): whatever comes is dropped.
    const body = new BodyQueue(hasBody ? length : 0, maxBody, pressure);
    const request = new CgiRequest(method, origin + mount.path, params, body);
    const ctx = new CgiContext(waitUntil, gateway, clientAddress, mount.basePath, params);
    let answered = false;
    active++;
    const finish = () => {
      if (answered) return;
      answered = true;
      active--;
      // The answer is out and the app never looked at the body: the rest is nobody's, and must
      // not hold the transport. (A body the app streams into its response stays.)
      if (!request._bodyTouched) body.discard();
    };
    const what = () => `${method} ${mount.basePath}${mount.path}`;
    const fail = (error: unknown): void => {
      finish();
      if (sink.gone) return;
      const status = error instanceof BodyError ? error.status : 500;
      log(`${what()} failed: ${errorLine(error)}`);
      sendPlainCgi(sink, status, status === 413 ? 'Payload Too Large\n' : status === 400 ? 'Bad Request\n' : 'Internal Server Error\n');
    };
    const deliver = (response: unknown): void => {
      finish();
      if (sink.gone) return;
      if (!FastResponse.isLight(response) && !(typeof Response !== 'undefined' && response instanceof Response)) {
        log(`${what()} failed: the app returned ${describeValue(response)}, not a Response`);
        sendPlainCgi(sink, 500, 'Internal Server Error\n');
        return;
      }
      try {
        sendCgiResponse(sink, response as Response, method === 'HEAD', (message, error) => log(`${what()}: ${message}${error === undefined ? '' : `: ${errorLine(error)}`}`));
      } catch (error) {
        fail(error);
      }
    };
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      let result: Response | Promise<Response>;
      try {
        result = fetch(request as unknown as Request, env, ctx);
      } catch (error) {
        fail(error);
        return;
      }
      if (result instanceof Promise || (result !== null && typeof (result as { then?: unknown })?.then === 'function')) {
        Promise.resolve(result).then(deliver, fail);
      } else {
        deliver(result);
      }
    };
    if (!defer) start();
    return {
      body,
      abort() {
        body.fail(new DOMException('The client went away', 'AbortError'));
        request._abort();
      },
      start,
    };
  }) as CgiHandler;
  Object.defineProperty(handle, 'waitUntil', { value: tracker });
  Object.defineProperty(handle, 'active', { get: () => active });
  return handle;
}
