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
import { nativeAddonPlugin, REQUIRE_BANNER } from '../../../src/bundle/native-addons.ts';
import type { Target } from '../../../src/bundle/target.ts';
import { bakeClassicOptions, checkClassicOptions } from './classic-options.ts';
import { packageClassic } from './classic-package.ts';

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
      return [
        `import * as mod from ${JSON.stringify(ctx.entry)};`,
        `import { start } from ${JSON.stringify(join(ctx.porticoRoot, `adapters/${name}/runtime/start.ts`))};`,
        `start(mod, ${JSON.stringify(bakeClassicOptions(ctx))});`,
        '',
      ].join('\n');
    },

    esbuildOptions(ctx) {
      return {
        platform: 'node',
        format: 'esm',
        // The oldest Node the output must run on (also 22 and 24), as the node target.
        target: 'node20',
        outfile: join(ctx.outDir, 'server.mjs'),
        // Bundled CommonJS calls require('fs') through esbuild's __require: give ESM a require.
        banner: { js: REQUIRE_BANNER },
        plugins: [nativeAddonPlugin(ctx.outDir)],
      };
    },

    package: (ctx, build) => packageClassic(ctx, build.outputFiles, name, 'server.mjs'),
  };
}
