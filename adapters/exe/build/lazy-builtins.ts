/**
 * Load some Node built-ins on first use instead of at start, in the executable only (issue 9).
 *
 * esbuild turns every `import { x } from 'node:crypto'` of the bundle into a top-level
 * `require("node:crypto")`, run before the app can listen, whether or not anything calls `x`.
 * In the executable three of them serve code that a plain start never runs:
 *
 * - `node:crypto`: the ETag hashing of a live public/ scan (adapters/_node/static-scan.ts); the
 *   executable serves from the manifest baked at build time, with its ETags already in it.
 * - `node:fs/promises`: reading public/ files from disk (adapters/_node/static.ts); the
 *   executable reads its embedded assets. It also loads readline and the REPL history module.
 * - `node:child_process`: `--open` (runtime/open.ts).
 *
 * Loading them cost 8.5, 2.8 and 1.3 ms of the start (measured inside a linux-x64 SEA, Node
 * 24.22, a `require()` timed with performance.now(), median of 5), a third of the gap to a plain
 * node:http SEA hello. So the exe build resolves each to a small module whose exports are
 * getters that `require` the real built-in on first read. The export names come from the build's
 * own Node, which is the executable's Node major (target.ts). Code that uses them works as
 * before; it only pays the load when it first runs.
 *
 * Build time only.
 */
import { createRequire } from 'node:module';
import type { Plugin } from 'esbuild';

/** The built-ins the executable loads on first use (see above for why these). */
export const LAZY_BUILTINS = ['crypto', 'fs/promises', 'child_process'];

const NAMESPACE = 'portico-lazy-builtin';
const builtin = createRequire(import.meta.url);

/**
 * @example
 * esbuild.build({ ..., plugins: [lazyBuiltinsPlugin(LAZY_BUILTINS)] });
 */
export function lazyBuiltinsPlugin(names: readonly string[] = LAZY_BUILTINS): Plugin {
  const escaped = names.map((n) => n.replace(/[/]/g, '\\/'));
  const filter = new RegExp(`^(node:)?(${escaped.join('|')})$`);
  return {
    name: 'portico-exe-lazy-builtins',
    setup(build) {
      build.onResolve({ filter }, (args) =>
        // The stub's own require is the real built-in: left to Node, as any built-in is.
        args.namespace === NAMESPACE ? { path: args.path, external: true } : { path: `node:${args.path.replace(/^node:/, '')}`, namespace: NAMESPACE },
      );
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const keys = Object.keys(builtin(args.path) as object).filter((k) => k !== 'default');
        return {
          contents: [
            'let real;',
            `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
            `for (const key of ${JSON.stringify(keys)}) Object.defineProperty(exports, key, { enumerable: true, get: () => load()[key] });`,
            '',
          ].join('\n'),
          loader: 'js',
        };
      });
    },
  };
}
