/**
 * The dev entry of a target served by the node listener (node, exe): it exports `listener`, which
 * the dev server calls, with the target's listener options and public/ read through a live view
 * of the source folder, so a file saved while dev runs is served at once.
 *
 * Build time only: never imported by runtime code.
 */
import { join } from 'node:path';
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
