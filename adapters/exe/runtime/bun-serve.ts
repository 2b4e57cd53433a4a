/**
 * The bun executable's gateway: `Bun.serve` calling the app's fetch directly with Bun's own
 * Request and Response (native there, so no light classes and no conversion), plus what every
 * portico gateway adds around it: the mount (basePath), trusted proxies, `maxBodySize` (413
 * before the app), `responseTimeout` (504), public/ from the executable, `ctx` with gateway
 * 'exe' and a waitUntil that a graceful stop waits for, and a 500 with a log line for anything
 * the app throws.
 *
 * Run time only: runs under Bun, imports no node:http.
 */
import type { App, Context } from '../../../src/app.ts';
import { describeValue } from '../../_http/describe.ts';
import { DEFAULT_MAX_BODY_SIZE } from '../../_http/body-limit.ts';
import { outsideMountText, stripBasePath } from '../../_http/mount.ts';
import { defaultLog, type LogError } from '../../_node/log.ts';
import { Deadlines } from '../../_node/deadline.ts';
import { compileTrust, resolveForwarded, type TrustProxy } from '../../_node/proxy.ts';
import { WaitUntilTracker } from '../../_node/wait-until.ts';
import type { BunStatic } from './bun-static.ts';
import { nativeClasses, type BunGlobal, type BunServer } from './bun-types.ts';

const Native = nativeClasses();

/** Options of `bunServe`. */
export interface BunServeAppOptions {
  /** `{ port, hostname }` or `{ unix }`. */
  listen: { port: number; hostname: string | undefined } | { unix: string };
  /** The mount, normalised ('' or '/shop'). */
  basePath: string;
  trustProxy: TrustProxy;
  /** Largest request body, bytes. Default 100 MiB, as the node gateway. */
  maxBodySize?: number;
  /**
   * Time for the app to answer, ms, from when its fetch returned a promise (upload time
   * included: Bun does not tell when a body has fully arrived); then a 504. Default 60000, as
   * the node gateway; 0: none.
   */
  responseTimeout?: number;
  /**
   * Bun's `idleTimeout`, seconds (at most 255; 0: none): a connection silent this long is
   * closed, whether a streamed response paused or a keep-alive connection sat idle. Not while
   * the app works on its answer: that is `responseTimeout`'s to judge. Default 60, the node
   * gateway's `streamIdleTimeout` (Bun's own default is 10).
   */
  idleTimeout?: number;
  /** public/ handler, answering before the app. */
  statics?: BunStatic;
  /** Default: `[portico]` lines on stderr, rate-limited. */
  logError?: LogError;
}

/** What `bunServe` returns: the server and what a graceful stop needs. */
export interface BunServeHandle {
  server: BunServer;
  /** Stop accepting, finish in-flight requests and waitUntil work (up to `timeoutMs`). */
  close(timeoutMs?: number): Promise<void>;
}

/** `ctx.platform` on the bun executable. */
export interface BunPlatform {
  request: Request;
  server: BunServer;
}

class BunContext implements Context {
  readonly gateway = 'exe' as const;
  readonly waitUntil: (promise: Promise<unknown>) => void;
  readonly clientAddress: string | undefined;
  readonly basePath: string;
  readonly platform: BunPlatform;
  constructor(waitUntil: (p: Promise<unknown>) => void, clientAddress: string | undefined, basePath: string, platform: BunPlatform) {
    this.waitUntil = waitUntil;
    this.clientAddress = clientAddress;
    this.basePath = basePath;
    this.platform = platform;
  }
}

/** An answer the app owes: the request, since when, and how to answer it instead. */
class Pending {
  _startedAt = 0;
  done = false;
  readonly request: Request;
  readonly answer: (response: Response) => void;
  constructor(request: Request, answer: (response: Response) => void) {
    this.request = request;
    this.answer = answer;
  }
}

function plain(status: number, text: string, close = false): Response {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (close) headers.connection = 'close';
  return new Native.Response(text, { status, headers });
}

/**
 * A response from the app as Bun.serve takes it: a native Response as it is; a light one (a
 * build that forced `lightResponse` on) as the native Response it holds.
 */
function native(value: unknown): Response | undefined {
  if (value instanceof Native.Response) return value;
  const light = value as { _native?: unknown } | null;
  return light !== null && typeof light === 'object' && light._native instanceof Native.Response ? light._native : undefined;
}

/**
 * Serve `app` with `Bun.serve`.
 *
 * @example
 * const handle = bunServe(Bun, app, { listen: { port: 3000, hostname: '127.0.0.1' }, basePath: '', trustProxy: false });
 * process.once('SIGTERM', () => handle.close().then(() => process.exit(0)));
 */
export function bunServe(bun: BunGlobal, app: App<any>, options: BunServeAppOptions): BunServeHandle {
  const { basePath, statics } = options;
  const maxBody = options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;
  const trust = compileTrust(options.trustProxy);
  const log = options.logError ?? defaultLog();
  const tracker = new WaitUntilTracker((error) => log('a waitUntil promise rejected:', error));
  const waitUntil = (promise: Promise<unknown>): void => tracker.add(promise);
  const env = process.env as Record<string, unknown>;
  const fetch = app.fetch.bind(app) as App<any>['fetch'];
  const responseTimeout = options.responseTimeout ?? 60_000;
  const idleTimeout = options.idleTimeout ?? 60;
  // One sweeping interval for every late answer (adapters/_node/deadline.ts), as the node
  // gateway. It answers 504 but cannot abort `request.signal`: Bun's is its own (aborted when
  // the client leaves), and handing the app a Request with a signal of ours costs every
  // request, sync ones included: 21-24% of a hello's throughput under wrk, 31-41% with
  // AbortSignal.any to keep the client's abort (bench/README.md).
  const deadlines =
    responseTimeout > 0
      ? new Deadlines<Pending>(responseTimeout, (late) => {
          late.done = true;
          log(`${late.request.method} ${late.request.url}: the app did not answer within responseTimeout (${responseTimeout} ms); answered 504`);
          late.answer(plain(504, 'Gateway Timeout: the app did not answer in time\n', true));
        })
      : undefined;

  const failed = (request: Request, error: unknown): Response => {
    // Bun's error for a body over maxRequestBodySize (Bun 1.4.5 gives it no code): the client's
    // doing, answered as the node gateway does, without a log line.
    if (/exceeded maxRequestBodySize/.test(String((error as Error | null)?.message))) return plain(413, 'Payload Too Large\n');
    log(`${request.method} ${request.url} failed:`, error);
    return plain(500, 'Internal Server Error\n');
  };
  const checked = (request: Request, value: unknown): Response => {
    const response = native(value);
    if (response !== undefined) return response;
    log(`${request.method} ${request.url} failed: the app returned ${describeValue(value)}, not a Response`);
    return plain(500, 'Internal Server Error\n');
  };

  const handle = (request: Request, server: BunServer): Response | Promise<Response> => {
    const length = request.headers.get('content-length');
    if (length !== null && Number(length) > maxBody) return plain(413, 'Payload Too Large\n');
    let url = request.url;
    const peer = server.requestIP(request)?.address;
    let clientAddress = peer;
    if (trust !== undefined) {
      const forwarded = resolveForwarded(peer, (name) => request.headers.get(name), trust);
      clientAddress = forwarded.clientAddress;
      if (forwarded.proto !== undefined || forwarded.host !== undefined) {
        // A new origin, built whole: setting only `host` on a URL would keep the socket's port.
        // A host that is no host (`a/b`, spaces) leaves the URL as the socket gave it.
        const u = new URL(url);
        const proto = forwarded.proto === 'http' || forwarded.proto === 'https' ? forwarded.proto : u.protocol.slice(0, -1);
        const origin = URL.parse(`${proto}://${forwarded.host ?? u.host}/`);
        if (origin !== null && origin.pathname === '/' && origin.search === '' && origin.hash === '') url = `${origin.origin}${u.pathname}${u.search}`;
      }
    }
    // Bun hands over an absolute URL, dot segments already resolved: the path starts at the
    // first '/' after "scheme://".
    const pathStart = url.indexOf('/', url.indexOf('//') + 2);
    let queryStart = url.indexOf('?', pathStart);
    if (queryStart === -1) queryStart = url.length;
    const path = url.slice(pathStart, queryStart);
    const appPath = basePath === '' ? path : stripBasePath(path, basePath);
    if (appPath === undefined) return plain(404, outsideMountText(path, basePath));
    if (statics !== undefined) {
      const hit = statics(request, appPath, url.slice(queryStart));
      if (hit !== undefined) return hit;
    }
    // The app gets a new Request only when its URL differs (mounted, or rewritten by a trusted
    // proxy); `new Request(url, request)` keeps method, headers, the body stream and the signal.
    const appUrl = appPath === path ? url : url.slice(0, pathStart) + appPath + url.slice(queryStart);
    const appRequest = appUrl === request.url ? request : new Native.Request(appUrl, request);
    const ctx = new BunContext(waitUntil, clientAddress, basePath, { request, server });
    let result: Response | Promise<Response>;
    try {
      result = fetch(appRequest, env, ctx);
    } catch (error) {
      return failed(request, error);
    }
    // Keep the synchronous path synchronous (STYLE §7).
    if (result instanceof Promise) {
      const answer = result.then((value) => checked(request, value), (error) => failed(request, error));
      return deadlines === undefined && idleTimeout === 0 ? answer : awaited(request, server, answer);
    }
    return checked(request, result);
  };

  // An answer in the making: Bun's idle timer would close the connection while the app works
  // (it counts silence from the request on), so it stops until the answer is there and
  // `responseTimeout` judges meanwhile. A 504 wins the race; the app's late answer is dropped.
  // Costs an async request 0.2-0.3 µs (bench/exe-bun-deadline.ts), within wrk's noise. A
  // client gone meanwhile is no matter: Bun's server.timeout on its request does nothing.
  const awaited = (request: Request, server: BunServer, answer: Promise<Response>): Promise<Response> =>
    new Promise<Response>((resolve) => {
      const pending = new Pending(request, resolve);
      if (idleTimeout > 0) server.timeout(request, 0);
      deadlines?.add(pending);
      void answer.then((response) => {
        if (pending.done) {
          void response.body?.cancel().catch(() => undefined);
          return;
        }
        pending.done = true;
        deadlines?.delete(pending);
        if (idleTimeout > 0) server.timeout(request, idleTimeout);
        resolve(response);
      });
    });

  const server = bun.serve({
    ...('unix' in options.listen ? { unix: options.listen.unix } : { port: options.listen.port, hostname: options.listen.hostname }),
    // A chunked body crossing the limit: Bun answers 413 itself when it sees that before calling
    // fetch, else the app's body read fails (a 413 too, in `failed`). A declared larger
    // Content-Length gets its 413 above, before the app.
    maxRequestBodySize: Number.isFinite(maxBody) ? maxBody : Number.MAX_SAFE_INTEGER,
    // Bun closes a connection silent for 10 s by default, a streamed response's pause included;
    // the node gateway allows a 60 s pause (streamIdleTimeout).
    idleTimeout,
    fetch: handle,
    error: () => plain(500, 'Internal Server Error\n'),
  });

  return {
    server,
    async close(timeoutMs = 10_000) {
      const deadline = setTimeout(() => void server.stop(true), timeoutMs);
      try {
        await server.stop(false);
        await tracker.settled(timeoutMs);
      } finally {
        clearTimeout(deadline);
      }
    },
  };
}
