/**
 * The portico application interface: the Fetch-API module shape that Cloudflare Workers,
 * Bun, Deno and Hono already use. An object with `fetch(request, env, ctx)` is an app;
 * every gateway calls it the same way.
 *
 * This module is the bottom layer: no `node:*` imports, no dependencies, so it can be
 * bundled into any target (a Worker included).
 */

/** Names of the gateways, as seen by an app in `ctx.gateway`. */
export type Gateway = 'lambda' | 'cloudflare' | 'node' | 'fastcgi' | 'scgi' | 'cgi' | 'exe' | 'dev';

/**
 * What every gateway hands an app beside the request.
 *
 * @example
 * export default {
 *   fetch(request, env, ctx) {
 *     ctx.waitUntil(log(request)); // may outlive the response
 *     return new Response(`hello from ${ctx.gateway} at ${ctx.basePath || '/'}`);
 *   },
 * };
 */
export interface Context {
  /** Keep the gateway alive until `promise` settles, after the response has gone out. */
  waitUntil(promise: Promise<unknown>): void;
  /** Which gateway is calling. */
  readonly gateway: Gateway;
  /** The client's address after trusted-proxy resolution, or undefined where the platform does not say. */
  readonly clientAddress: string | undefined;
  /** The mount point (WSGI's SCRIPT_NAME): '' at the root, '/shop' when mounted at /shop. */
  readonly basePath: string;
  /** The gateway's own objects: the node request, the Lambda event and context, Cloudflare's ctx. */
  readonly platform: unknown;
  /** Cloudflare's `passThroughOnException`, where the gateway has one. */
  passThroughOnException?(): void;
}

/**
 * A portico app: anything with a `fetch(request, env, ctx)` method. A Hono app, an itty-router
 * router and a plain object all qualify.
 *
 * @example
 * const app: App = { fetch: () => new Response('hi') };
 */
export interface App<Env = Record<string, unknown>> {
  fetch(request: Request, env: Env, ctx: Context): Response | Promise<Response>;
}

/**
 * Whether `value` looks like an app: an object (or function) with a callable `fetch`.
 *
 * @example
 * isApp({ fetch: () => new Response('') }); // true
 * isApp(() => new Response(''));            // false: a bare function has no fetch
 */
export function isApp(value: unknown): value is App<any> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { fetch?: unknown }).fetch === 'function'
  );
}

/**
 * Find the app in an imported module: its default export, a default export's own default
 * (CommonJS interop), or a module that is itself `{ fetch }`. Throws a clear error otherwise.
 *
 * @example
 * const app = resolveApp(await import('./app.ts'));
 */
export function resolveApp(mod: unknown, from = 'the entry module'): App<any> {
  const m = mod as { default?: unknown } | null | undefined;
  for (const candidate of [m?.default, (m?.default as { default?: unknown } | undefined)?.default, m]) {
    if (isApp(candidate)) {
      // Returned as is: gateways call `app.fetch(...)`, so `this` stays the app.
      return candidate;
    }
  }
  const shape = m?.default === undefined ? 'no default export' : `a default export of type ${describe(m.default)}`;
  throw new TypeError(
    `PORTICO_NO_APP: ${from} has ${shape}; export an app as \`export default { fetch(request, env, ctx) { ... } }\``,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'function (export an object with a fetch method, or { fetch: yourFunction })';
  if (typeof value === 'object') return `object without a fetch method (keys: ${Object.keys(value as object).slice(0, 5).join(', ') || 'none'})`;
  return typeof value;
}
