/**
 * The dev entry of a target served by the node listener (node, exe): it exports `listener`, which
 * the dev server calls, with the target's listener options and public/ read through a live view
 * of the source folder, so a file saved while dev runs is served at once.
 *
 * Build time only: never imported by runtime code.
 */
import { join } from 'node:path';
import type { NodeLimits } from '../../adapters/_node/server-args.ts';
import type { BuildContext } from './target.ts';

/** Options of the dev entry: the listener's (JSON-serialisable) options and the static files'. */
export interface NodeDevEntryOptions {
  /** `toNodeListener` options baked into the entry (basePath, trustProxy, limits, gateway...). */
  listener: Record<string, unknown>;
  /** Whether public/ is served. */
  static: boolean;
  /** Cache-Control of served files (`<target>.staticCacheControl`). Default: none. */
  staticCacheControl?: string | Record<string, string>;
}

/**
 * The listener options of a dev build from what the target would bake into its server: the
 * mount, the trusted proxies and the limits the listener applies (the head and connection
 * limits belong to the http server, which is the dev server's).
 *
 * @example
 * devListenerOptions({ basePath: '', trustProxy: false, maxBodySize: undefined, limits: { responseTimeout: 5000 } });
 * // { basePath: '', trustProxy: false, maxBodySize: undefined, responseTimeout: 5000, ... }
 */
export function devListenerOptions(baked: { basePath: string; trustProxy: boolean | string | string[]; maxBodySize: number | undefined; limits?: NodeLimits }): Record<string, unknown> {
  return {
    basePath: baked.basePath,
    trustProxy: baked.trustProxy,
    maxBodySize: baked.maxBodySize,
    responseTimeout: baked.limits?.responseTimeout,
    streamIdleTimeout: baked.limits?.streamIdleTimeout,
    maxPipelined: baked.limits?.maxPipelined,
  };
}

/**
 * @example
 * nodeDevEntry(ctx, { listener: { basePath: '' }, static: true });
 * // import * as mod from "/app/src/app.ts"; ... export const listener = toNodeListener(...);
 */
export function nodeDevEntry(ctx: BuildContext, options: NodeDevEntryOptions): string {
  const app = JSON.stringify(ctx.entry);
  const cache = options.staticCacheControl !== undefined ? `, cacheControl: ${JSON.stringify(options.staticCacheControl)}` : '';
  const statics = options.static ? `{ manifest: liveStaticRoutes(${JSON.stringify(ctx.publicDir)}), from: ${JSON.stringify(ctx.publicDir)}${cache} }` : 'false';
  return [
    `import * as mod from ${app};`,
    `import { resolveApp } from ${JSON.stringify(join(ctx.porticoRoot, 'src/app.ts'))};`,
    `import { toNodeListener } from ${JSON.stringify(join(ctx.porticoRoot, 'adapters/_node/listener.ts'))};`,
    `import { liveStaticRoutes } from ${JSON.stringify(join(ctx.porticoRoot, 'adapters/_node/static-scan.ts'))};`,
    `export const listener = toNodeListener(resolveApp(mod, ${app}), { ...${JSON.stringify(options.listener)}, static: ${statics} });`,
    '',
  ].join('\n');
}
