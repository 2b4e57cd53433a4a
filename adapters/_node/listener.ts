/**
 * The node:http request listener: IncomingMessage → NodeRequest → `app.fetch` → ServerResponse.
 * Everything per app (options, the mount, the trust function, the static handler) is composed
 * once here; the per-request path is synchronous until the app returns a promise (STYLE §7).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isApp, type App, type Context, type Gateway } from '../../src/app.ts';
import { describeValue } from '../_http/describe.ts';
import { normalizeBasePath, outsideMountText, stripBasePath } from '../_http/mount.ts';
import { linkNativeRequest } from '../_http/request.ts';
import { requestScope } from './crash-policy.ts';
import { Deadlines } from './deadline.ts';
import { hostField, rawHeader } from './headers.ts';
import { defaultLog, type LogError } from './log.ts';
import { checkMs, checkPositive } from './options.ts';
import { admit } from './pipeline.ts';
import { sendPlain } from './plain.ts';
import { compileTrust, resolveForwarded, type TrustFn, type TrustProxy } from './proxy.ts';
import { BodyTooLargeError, NodeRequest } from './request.ts';
import { isResponse, sendResponse } from './send.ts';
import { createStaticHandler, type StaticFiles, type StaticHandler } from './static.ts';
import { hostOf, isPlainTarget, originOf, parseTarget, splitQuery } from './url.ts';
import { WaitUntilTracker } from './wait-until.ts';
import { DEFAULT_MAX_BODY_SIZE } from '../_http/body-limit.ts';

export { DEFAULT_MAX_BODY_SIZE };

/** Options of `toNodeListener` (and the request side of `serve`). */
export interface NodeListenerOptions<Env = Record<string, unknown>> {
  /**
   * Mount point (WSGI's SCRIPT_NAME), e.g. '/shop': the app sees paths below it and finds it in
   * `ctx.basePath`; requests outside it get 404 without reaching the app. Default '' (the root).
   */
  basePath?: string;
  /**
   * Static files served before the app (GET/HEAD; ETag, Range, precompressed .br/.gz
   * siblings); a miss falls through to the app. A folder path is scanned once at start: files
   * added or changed later are not seen until a restart (a missing folder throws
   * PORTICO_NO_STATIC_FOLDER). A bundle passes its built manifest (`StaticFiles`). Default
   * false (none).
   */
  static?: string | StaticFiles | false;
  /**
   * Peers whose X-Forwarded-For/-Proto/-Host and `Forwarded` headers count: IPs, CIDRs,
   * 'loopback', 'private', 'linklocal', true for any peer, or a predicate. Default false: the
   * headers are ignored and `clientAddress` is the socket's peer.
   */
  trustProxy?: TrustProxy;
  /**
   * Largest request body in bytes. A larger Content-Length gets 413 before the app is called; a
   * chunked body crossing it errors the body read/stream and the answer is 413 if not started.
   * Default 100 MiB (104857600). `Infinity` turns the check off.
   */
  maxBodySize?: number;
  /** What the app receives as `env`. Default `process.env`. */
  env?: Env;
  /** The name in `ctx.gateway`. Default 'node' (the executable gateway says 'exe'). */
  gateway?: Gateway;
  /**
   * Where error lines go (the app's failures; never a client's malformed request). Default
   * `console.error`, at most 20 lines every 10 seconds plus a count of the rest.
   */
  logError?: LogError;
  /**
   * Time the app has to return its Response once the request is in (body included), ms. Past
   * it `request.signal` aborts (a TimeoutError) and the client gets 504. A streamed body is then timed by
   * `streamIdleTimeout`. Default 60000; 0 turns it off.
   */
  responseTimeout?: number;
  /**
   * Longest pause in a streamed response body (waiting for the app's next chunk, or for a client
   * that stopped reading to take the last one), ms; past it the connection is closed. Default
   * 60000; 0 turns it off.
   */
  streamIdleTimeout?: number;
  /**
   * Pipelined requests per connection whose answers may be in the making at once, behind the
   * one being sent; the connection is not read further until they drain. Default 16.
   */
  maxPipelined?: number;
}

/** A node request listener with the gateway's bookkeeping attached. */
export interface NodeListener {
  (req: IncomingMessage, res: ServerResponse): void;
  /** waitUntil work still running. */
  readonly waitUntil: WaitUntilTracker;
  /** Mark the server as closing: responses from now on carry `Connection: close`. */
  closing: boolean;
}

interface PlatformNode {
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * The per-request context. A class, so that every request gets the same hidden shape, and
 * `waitUntil` is one shared function (safe to destructure: it needs no `this`).
 */
class NodeContext implements Context {
  readonly waitUntil: (promise: Promise<unknown>) => void;
  readonly gateway: Gateway;
  readonly clientAddress: string | undefined;
  readonly basePath: string;
  readonly platform: PlatformNode;
  constructor(waitUntil: (p: Promise<unknown>) => void, gateway: Gateway, clientAddress: string | undefined, basePath: string, platform: PlatformNode) {
    this.waitUntil = waitUntil;
    this.gateway = gateway;
    this.clientAddress = clientAddress;
    this.basePath = basePath;
    this.platform = platform;
  }
}

/** Errors a body read gets when the client goes away: node's 'aborted' (ECONNRESET), or ours. */
function clientLeft(error: unknown): boolean {
  const e = error as { name?: string; code?: string } | null;
  return e?.name === 'AbortError' || e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/**
 * Turn a portico app into a node:http request listener.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { toNodeListener } from 'portico/node';
 * createServer(toNodeListener({ fetch: () => new Response('hi') })).listen(3000);
 */
export function toNodeListener<Env = Record<string, unknown>>(app: App<Env>, options: NodeListenerOptions<Env> = {}): NodeListener {
  if (!isApp(app)) {
    throw new TypeError('PORTICO_NO_APP: toNodeListener(app) needs an object with a fetch(request, env, ctx) method');
  }
  // Start-up is free on a server: load undici now so `instanceof Request` holds for the app.
  linkNativeRequest();
  const basePath = normalizeBasePath(options.basePath);
  const maxBody = options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;
  if (typeof maxBody !== 'number' || !(maxBody >= 0)) {
    throw new TypeError(`PORTICO_BAD_OPTION: "maxBodySize" must be a number of bytes (or Infinity), got ${String(maxBody)}`);
  }
  const responseTimeout = checkMs('responseTimeout', options.responseTimeout, 60_000);
  const streamIdle = checkMs('streamIdleTimeout', options.streamIdleTimeout, 60_000);
  const maxPipelined = checkPositive('maxPipelined', options.maxPipelined, 16);
  const env = (options.env ?? process.env) as Env;
  const gateway = options.gateway ?? 'node';
  const trust: TrustFn | undefined = compileTrust(options.trustProxy);
  const log = options.logError ?? defaultLog();
  const tracker = new WaitUntilTracker((error) => log('a waitUntil promise rejected:', error));
  const waitUntil = (promise: Promise<unknown>) => tracker.add(promise);
  const statics: StaticHandler | undefined = options.static ? createStaticHandler(options.static) : undefined;
  const fetch = app.fetch.bind(app) as App<Env>['fetch'];
  const deadlines =
    responseTimeout > 0
      ? new Deadlines<NodeRequest>(responseTimeout, (request) => {
          // The clock runs once the request is in: an upload still arriving is requestTimeout's
          // to judge, so its deadline starts over.
          if (!request._req.complete && !request._req.destroyed) return deadlines!.add(request);
          request._abort(new DOMException(`The app did not answer within responseTimeout (${responseTimeout} ms)`, 'TimeoutError'));
          if (request._res.headersSent || request._res.destroyed) return;
          log(`${request._req.method} ${request._req.url}: the app did not answer within responseTimeout (${responseTimeout} ms); answered 504`);
          sendPlain(request._res, 504, 'Gateway Timeout: the app did not answer in time\n', true);
        })
      : undefined;

  const fail = (req: IncomingMessage, res: ServerResponse, request: NodeRequest | undefined, error: unknown): void => {
    if (error instanceof BodyTooLargeError || request?._tooLarge) {
      sendPlain(res, 413, 'Payload Too Large\n', true);
      return;
    }
    // A client that left made the app's body read fail: its doing, not a server error.
    if ((res.destroyed || req.socket.destroyed) && clientLeft(error)) return;
    log(`${req.method} ${req.url} failed:`, error);
    sendPlain(res, 500, 'Internal Server Error\n');
  };

  const deliver = (req: IncomingMessage, res: ServerResponse, request: NodeRequest, response: unknown): void => {
    if (res.headersSent || res.writableEnded || res.destroyed) return; // answered directly (fromNodeHandler), timed out, or the client left
    if (request._tooLarge) {
      sendPlain(res, 413, 'Payload Too Large\n', true);
      return;
    }
    if (!isResponse(response)) {
      log(`${req.method} ${req.url} failed: the app returned ${describeValue(response)}, not a Response`);
      sendPlain(res, 500, 'Internal Server Error\n');
      return;
    }
    if (listener.closing) res.shouldKeepAlive = false;
    try {
      sendResponse(res, response, (message, error) => log(`${req.method} ${req.url}: ${message}`, error), streamIdle);
    } catch (error) {
      // node rejected a header (invalid name or value) before sending anything.
      fail(req, res, request, error);
    }
  };

  const callApp = (req: IncomingMessage, res: ServerResponse, href: string, clientAddress: string | undefined): void => {
    // Queued behind another answer on a pipelining connection (node has not given it the
    // socket yet): wait for a slot, so a flood of pipelined requests cannot pile up answers.
    if (res.socket === null) admit(req, res, maxPipelined, () => runApp(req, res, href, clientAddress));
    else runApp(req, res, href, clientAddress);
  };

  const runApp = (req: IncomingMessage, res: ServerResponse, href: string, clientAddress: string | undefined): void => {
    const request = new NodeRequest(req, res, href, maxBody);
    const ctx = new NodeContext(waitUntil, gateway, clientAddress, basePath, { req, res });
    let result: Response | Promise<Response>;
    try {
      // With a crash policy installed, a rejection the app leaves behind can name this request.
      const scope = requestScope();
      result = scope === undefined ? fetch(request as unknown as Request, env, ctx) : scope.run(req, fetch, request as unknown as Request, env, ctx);
    } catch (error) {
      fail(req, res, request, error);
      return;
    }
    if (result instanceof Promise || (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function')) {
      // A promise, or a thenable from another realm or promise library.
      deadlines?.add(request);
      Promise.resolve(result).then(
        (response) => {
          deadlines?.delete(request);
          deliver(req, res, request, response);
        },
        (error) => {
          deadlines?.delete(request);
          fail(req, res, request, error);
        },
      );
    } else {
      deliver(req, res, request, result);
    }
  };

  const listener = ((req: IncomingMessage, res: ServerResponse): void => {
    const raw = req.rawHeaders;
    let host = hostField(raw);
    if (host === null) {
      // RFC 9112 §3.2: a request with more than one Host field is answered 400.
      sendPlain(res, 400, 'Bad Request: more than one Host header\n', true);
      return;
    }
    const socket = req.socket;
    let proto = (socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    const target = req.url!;
    let path: string;
    if (isPlainTarget(target)) path = target;
    else {
      const parsed = parseTarget(target);
      if (parsed === undefined) {
        sendPlain(res, 400, 'Bad Request: the request target must be a path\n', true);
        return;
      }
      path = parsed.path;
      // absolute-form: its authority is the host, whatever Host says (RFC 9112 §3.2.2).
      if (parsed.authority !== undefined) {
        host = parsed.authority;
        proto = parsed.scheme!;
      }
    }
    if (basePath !== '') {
      const [p, q] = splitQuery(path);
      const inner = stripBasePath(p, basePath);
      if (inner === undefined) {
        sendPlain(res, 404, outsideMountText(p, basePath));
        return;
      }
      path = inner + q;
    }
    let clientAddress = socket.remoteAddress;
    if (trust !== undefined) {
      const info = resolveForwarded(clientAddress, (name) => rawHeader(raw, name), trust);
      clientAddress = info.clientAddress;
      if (info.proto !== undefined) {
        const p = info.proto.toLowerCase();
        if (p === 'http' || p === 'https') proto = p;
      }
      if (info.host !== undefined && originOf(proto, info.host) !== undefined) host = info.host;
    }
    let origin: string | undefined;
    if (host === undefined || host === '') origin = `${proto}://${hostOf(socket.localAddress, socket.localPort)}`;
    else if ((origin = originOf(proto, host)) === undefined) {
      // A client's mistake: answered, never logged (a flood of them must not fill the log).
      sendPlain(res, 400, 'Bad Request: invalid Host header\n', true);
      return;
    }
    const method = req.method;
    // GET and HEAD carry no body for the app (Fetch), so their Content-Length does not matter.
    if (maxBody !== Infinity && method !== 'GET' && method !== 'HEAD') {
      const length = rawHeader(raw, 'content-length');
      if (length !== undefined && Number(length) > maxBody) {
        sendPlain(res, 413, 'Payload Too Large\n', true);
        return;
      }
    }
    const href = origin + path;
    if (statics !== undefined && statics(req, res, path, basePath)) return;
    callApp(req, res, href, clientAddress);
  }) as NodeListener;
  Object.defineProperty(listener, 'waitUntil', { value: tracker });
  listener.closing = false;
  return listener;
}
