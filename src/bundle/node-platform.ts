/**
 * How every target that runs on Node (node, lambda, and fastcgi, scgi, cgi, exe to come) resolves
 * and bundles its dependencies: one set of esbuild settings, so a CommonJS package bundles the same
 * way whichever Node gateway ships it.
 *
 * The rule is "pick the file Node itself would load": esbuild resolves an `import` through the
 * `import` condition and a `require()` through `require`, as Node does, and nothing else.
 *
 * - `conditions: []`. Listing `import` here (as the lambda target once did) makes a `require()`
 *   resolve to a dual package's ESM build too; esbuild then hands the CommonJS caller the module
 *   namespace, not the function (`require('is-promise')` in Express's router became
 *   `{ default: fn }`: "isPromise2 is not a function" on every async route). The empty list also
 *   drops esbuild's implicit `module` condition (a webpack convention Node does not know), which
 *   maps `require()` to ESM in the same way.
 * - `mainFields: ['main', 'module']`: `main` is what Node reads; `module` only as a fallback for a
 *   package that has nothing else (Node would fail on it).
 *
 * Build time only: never imported by runtime code.
 */
import type { BuildOptions } from 'esbuild';
import { nativeAddonPlugin, REQUIRE_BANNER } from './native-addons.ts';

/** The oldest Node every Node target's output must run on (also 22 and 24). */
export const NODE_TARGET = 'node20';

export interface NodePlatformOptions {
  /** The bundle file to write. */
  outfile: string;
  /** Folder beside the bundle where `.node` addons are copied (`native/`). */
  outDir: string;
  /** Output module format. Default 'esm'; 'cjs' for a file Node must load as CommonJS (a `.cgi` script). */
  format?: 'esm' | 'cjs';
}

/**
 * esbuild options for a target that runs on Node: platform, format, target, the resolution
 * settings above, a real `require` for bundled CommonJS in an ES module, and the native addon
 * plugin. A target spreads these and adds its own (e.g. `legalComments`).
 *
 * @example
 * esbuildOptions(ctx) {
 *   return { ...nodePlatformOptions({ outfile: join(ctx.outDir, 'server.mjs'), outDir: ctx.outDir }), legalComments: 'none' };
 * }
 */
export function nodePlatformOptions(options: NodePlatformOptions): BuildOptions {
  const format = options.format ?? 'esm';
  return {
    platform: 'node',
    format,
    target: NODE_TARGET,
    conditions: [],
    mainFields: ['main', 'module'],
    outfile: options.outfile,
    // Bundled CommonJS calls require('fs') and the addon copies through esbuild's __require,
    // which needs a real `require` in scope; an ES module has none, so make one. CommonJS has one.
    ...(format === 'esm' ? { banner: { js: REQUIRE_BANNER } } : {}),
    plugins: [nativeAddonPlugin(options.outDir)],
  };
}
