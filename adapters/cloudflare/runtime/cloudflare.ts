/**
 * The Cloudflare Workers gateway (`portico/cloudflare`). A portico app already has the module
 * worker shape, so this stays close to empty (STYLE §1): it adds portico's ctx fields, applies
 * the mount, and turns an escaping error into a 500. `env` is Cloudflare's bindings, unchanged.
 *
 * No light Response here: workerd's Response is native and fast, so the cloudflare target does
 * not inject FastResponse (see adapters/cloudflare/build/target.ts). Web APIs only: this ships in the
 * Worker bundle.
 */
import type { App, Context } from '../../../src/app.ts';
import { describeValue } from '../../_http/describe.ts';
import { normalizeBasePath, outsideMountText, stripBasePath } from '../../_http/mount.ts';

/**
 * The slice of Cloudflare's `ExecutionContext` this gateway uses. Own minimal type (STYLE §8):
 * @cloudflare/workers-types redeclares globals.
 */
export interface CloudflareExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  /** Props of a service binding or entrypoint, where Cloudflare provides them. */
  readonly props?: unknown;
}

/** What an app sees as `ctx` on Workers: portico's Context plus Cloudflare's own methods. */
export interface CloudflareContext extends Context {
  readonly gateway: 'cloudflare';
  readonly platform: CloudflareExecutionContext;
  passThroughOnException(): void;
  readonly props?: unknown;
}

/** Options of `toWorker`. */
export interface ToWorkerOptions {
  /** The mount point, e.g. '/shop'. Default '' (the root). */
  basePath?: string;
}

/** The module worker object workerd loads: `fetch` plus any other handler the app has. */
export interface ModuleWorker {
  fetch(request: Request, env: unknown, cfCtx: CloudflareExecutionContext): Response | Promise<Response>;
  [handler: string]: unknown;
}

/**
 * Handlers a module worker may export besides `fetch`; the app's own are passed through as they
 * are, with Cloudflare's arguments unchanged.
 */
const PASS_THROUGH = ['scheduled', 'queue', 'email', 'tail', 'trace', 'test'] as const;

/**
 * Wrap a portico app as a module worker.
 *
 * @example
 * import { toWorker } from 'portico/cloudflare';
 * import app from '../app.ts';
 * export default toWorker(app, { basePath: '/shop' });
 */
export function toWorker(app: App<any>, options: ToWorkerOptions = {}): ModuleWorker {
  const basePath = normalizeBasePath(options.basePath);
  return createWorker(app, basePath === '' ? undefined : mountAt(basePath), basePath);
}

/**
 * What a mount does to a request: the request the app sees, or the Response for a request
 * outside the mount (the app is not called).
 */
export type Mount = (request: Request) => Request | Response;

/**
 * The mount for `basePath` (already normalised). Kept apart from `createWorker` so that a
 * worker at the root carries no mount code: the bundler's entry calls `createWorker` directly.
 *
 * @example
 * createWorker(app, mountAt('/shop'), '/shop');
 */
export function mountAt(basePath: string): Mount {
  return (request) =>
    mountedRequest(request, basePath) ??
    new Response(outsideMountText(new URL(request.url).pathname, basePath), {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
}

/**
 * The module worker for `app`: `toWorker` without option checks, for the bundler's entry.
 *
 * @example
 * export default createWorker(app); // at the root
 */
export function createWorker(app: App<any>, mount?: Mount, basePath = ''): ModuleWorker {
  const worker: ModuleWorker = {
    fetch(request, env, cfCtx) {
      let appRequest = request;
      if (mount) {
        const mounted = mount(request);
        if (mounted instanceof Response) return mounted;
        appRequest = mounted;
      }
      const ctx = new WorkerContext(request, cfCtx, basePath);
      let result: Response | Promise<Response>;
      try {
        result = app.fetch(appRequest, env as Record<string, unknown>, ctx);
      } catch (error) {
        return failed(error, request, ctx);
      }
      // Keep the synchronous path synchronous (STYLE §7).
      if (result instanceof Promise) {
        return result.then(
          (response) => checked(response, request, ctx),
          (error) => failed(error, request, ctx),
        );
      }
      return checked(result, request, ctx);
    },
  };
  for (const name of PASS_THROUGH) {
    const handler = (app as unknown as Record<string, unknown>)[name];
    if (typeof handler === 'function') worker[name] = handler.bind(app);
  }
  return worker;
}

/**
 * The request the app sees under a mount: the same request with the base path cut from its
 * URL, or undefined when it is outside the mount. Built only when mounted, with
 * `new Request(url, request)`, which keeps method, headers, body and signal.
 */
function mountedRequest(request: Request, basePath: string): Request | undefined {
  const url = request.url;
  // An absolute URL from workerd: the path starts at the first '/' after "scheme://".
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  if (pathStart === -1) return undefined;
  let pathEnd = url.indexOf('?', pathStart);
  if (pathEnd === -1) pathEnd = url.length;
  const rest = stripBasePath(url.slice(pathStart, pathEnd), basePath);
  if (rest === undefined) return undefined;
  return new Request(url.slice(0, pathStart) + rest + url.slice(pathEnd), request);
}

/** Per-request ctx. Cloudflare's methods are bound to the real ctx, so `const { waitUntil } = ctx` works. */
class WorkerContext implements CloudflareContext {
  readonly gateway = 'cloudflare' as const;
  readonly basePath: string;
  readonly platform: CloudflareExecutionContext;
  readonly props?: unknown;
  readonly waitUntil: (promise: Promise<unknown>) => void;
  readonly passThroughOnException: () => void;
  /** Set when the app asked to fail open: an error then goes to Cloudflare instead of becoming a 500. */
  passThrough = false;
  #request: Request;

  constructor(request: Request, cfCtx: CloudflareExecutionContext, basePath: string) {
    this.#request = request;
    this.basePath = basePath;
    this.platform = cfCtx;
    if (cfCtx.props !== undefined) this.props = cfCtx.props;
    this.waitUntil = cfCtx.waitUntil.bind(cfCtx);
    this.passThroughOnException = () => {
      this.passThrough = true;
      cfCtx.passThroughOnException();
    };
  }

  /** Cloudflare sets `cf-connecting-ip` on every request from the edge (and Miniflare locally). */
  get clientAddress(): string | undefined {
    return this.#request.headers.get('cf-connecting-ip') ?? undefined;
  }
}

function checked(response: unknown, request: Request, ctx: WorkerContext): Response {
  if (response instanceof Response) return response;
  return failed(
    new TypeError(`PORTICO_BAD_RESPONSE: app.fetch returned ${describeValue(response)}; return a Response (or a Promise of one)`),
    request,
    ctx,
  );
}

/** An error escaping the app: logged, answered with a 500 (STYLE §9), never thrown into workerd. */
function failed(error: unknown, request: Request, ctx: WorkerContext): Response {
  // After passThroughOnException() the app wants the origin to answer instead: rethrowing is
  // what triggers that on Cloudflare.
  if (ctx.passThrough) throw error;
  console.error(`portico: ${request.method} ${request.url} failed:`, error);
  return new Response('Internal Server Error\n', {
    status: 500,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}
