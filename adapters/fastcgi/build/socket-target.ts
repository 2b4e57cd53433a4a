/**
 * The `fastcgi` and `scgi` targets (build time) differ only in name and runtime: one ESM file,
 * `dist/<t>/server.mjs`, with the app, the gateway and every dependency inside (no
 * node_modules), `public/` and native addons beside it, and the nginx / Apache / lighttpd /
 * systemd files for it.
 *
 *   node dist/fastcgi/server.mjs [--socket /run/portico/app.sock | --port 9000 [--host 127.0.0.1]]
 *
 * Never imported by runtime code.
 */
import { join } from 'node:path';
import { nodePlatformOptions } from '../../../src/bundle/node-platform.ts';
import type { Target } from '../../../src/bundle/target.ts';
import { appName, bakeClassicOptions, checkClassicOptions } from './classic-options.ts';
import { packageClassic } from './classic-package.ts';
import { classicDevReach, socketDevHandle } from './dev.ts';

/**
 * @example
 * export const target = socketTarget('scgi', 'an SCGI backend ...');
 */
export function socketTarget(name: 'fastcgi' | 'scgi', description: string): Target {
  return {
    name,
    description,

    resolveOptions: (options) => checkClassicOptions(name, options),

    entrySource(ctx) {
      // The app is imported lazily (esbuild keeps a dynamic import() lazy inside one file), so
      // the primary of daemon mode (--workers) never evaluates it; a single process loads it at once.
      return [
        `import { start } from ${JSON.stringify(join(ctx.porticoRoot, `adapters/${name}/runtime/start.ts`))};`,
        `start(() => import(${JSON.stringify(ctx.entry)}), ${JSON.stringify({ ...bakeClassicOptions(ctx), name: appName(ctx) })});`,
        '',
      ].join('\n');
    },

    esbuildOptions(ctx) {
      // Resolved and bundled as on every Node target (src/bundle/node-platform.ts).
      return nodePlatformOptions({ outfile: join(ctx.outDir, 'server.mjs'), outDir: ctx.outDir });
    },

    package: (ctx, build) => packageClassic(ctx, build.outputFiles, name, 'server.mjs'),

    devReach: (ctx) => classicDevReach(ctx, name),

    dev: (ctx) => socketDevHandle(ctx, name),
  };
}
