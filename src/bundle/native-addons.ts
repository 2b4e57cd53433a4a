/**
 * Native addons (`.node` files) for the targets that run on Node (node, lambda; later fastcgi,
 * scgi, cgi and exe): esbuild cannot bundle a shared library, so a `require('./x.node')` (or an
 * import) becomes a require of a content-hashed copy under `native/` beside the bundle. Hashed
 * names keep the output reproducible and two addons of one name apart.
 *
 * Build time only: never imported by runtime code.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * Gives bundled CommonJS a working `require` in an ES module: esbuild leaves `require` calls
 * to node built-ins, externals and the addon copies as they are, and ESM has no `require`.
 */
export const REQUIRE_BANNER =
  "import { createRequire as __porticoCreateRequire } from 'node:module';\nconst require = __porticoCreateRequire(import.meta.url);";

/** Addons found by the last build into each output folder: absolute source → path in the folder. */
const found = new Map<string, Map<string, string>>();

/**
 * The esbuild plugin. Copies each addon into `outDir` when a build succeeds (here rather than
 * in a target's `package` step, which dev builds skip).
 *
 * `stub` writes the module that stands for an addon (default: a require of the copy, relative to
 * the bundle); the exe target loads its copies from the executable's assets instead.
 *
 * @example
 * await esbuild.build({ ..., banner: { js: REQUIRE_BANNER }, plugins: [nativeAddonPlugin('/app/dist/node')] });
 */
export function nativeAddonPlugin(outDir: string, stub: (target: string) => string = (target) => `module.exports = require(${JSON.stringify('./' + target)});`): Plugin {
  return {
    name: 'portico-native-addons',
    setup(build) {
      const addons = new Map<string, string>();
      found.set(outDir, addons);
      build.onStart(() => addons.clear());
      build.onEnd((result) => {
        if (result.errors.length) return;
        for (const [source, target] of addons) {
          const dest = join(outDir, target);
          mkdirSync(dirname(dest), { recursive: true });
          cpSync(source, dest);
        }
      });
      build.onResolve({ filter: /\.node$/ }, (args) => {
        // The stub's own require of the copy stays a run-time require (external).
        if (args.namespace === 'portico-native') return { path: args.path, external: true };
        const source = resolve(args.resolveDir, args.path);
        if (!existsSync(source)) return undefined; // let esbuild report the missing file
        return { path: source, namespace: 'portico-native' };
      });
      build.onLoad({ filter: /.*/, namespace: 'portico-native' }, (args) => {
        const hash = createHash('sha256').update(readFileSync(args.path)).digest('hex').slice(0, 12);
        const target = `native/${basename(args.path, '.node')}-${hash}.node`;
        addons.set(args.path, target);
        return { contents: stub(target), loader: 'js', resolveDir: outDir };
      });
    },
  };
}

/**
 * The addon copies the last build into `outDir` wrote, as paths relative to it, sorted.
 *
 * @example
 * nativeAddonFiles('/app/dist/node'); // ['native/sharp-0123456789ab.node']
 */
export function nativeAddonFiles(outDir: string): string[] {
  return [...(found.get(outDir)?.values() ?? [])].sort();
}
