/**
 * An esbuild plugin that resolves `portico` and `portico/<name>` to this package's files, for
 * any app wherever it lives (an app in a temp folder with its own node_modules and no portico
 * installed). It reads the `exports` map of portico's package.json (the TypeScript source each
 * entry names under its "portico-source" condition, not the built lib/esm file, so that the app
 * and the target's entry share one copy of every runtime module), and falls back to
 * `adapters/<name>/runtime/<name>.ts` for a runtime that has no export entry yet.
 *
 * A plugin rather than esbuild's `alias`: an alias for `portico` would also rewrite
 * `portico/node` to `<src/app.ts>/node`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';
import { porticoPackage, porticoRoot } from './portico-root.ts';

/**
 * The file a `portico` specifier stands for, or undefined when there is none.
 *
 * @example
 * porticoFile('portico');       // '/…/portico/src/app.ts'
 * porticoFile('portico/node');  // '/…/portico/adapters/node/runtime/node.ts'
 */
export function porticoFile(specifier: string): string | undefined {
  const root = porticoRoot();
  const sub = specifier === 'portico' ? '.' : `.${specifier.slice('portico'.length)}`;
  const entry = porticoPackage().exports[sub];
  const target = typeof entry === 'string' ? entry : entry?.['portico-source'];
  if (target) return join(root, target);
  const name = sub.slice(2);
  const fallback = join(root, 'adapters', name, 'runtime', `${name}.ts`);
  return sub !== '.' && existsSync(fallback) ? fallback : undefined;
}

/**
 * @example
 * await esbuild.build({ entryPoints: ['app.ts'], bundle: true, plugins: [porticoPlugin()] });
 */
export function porticoPlugin(): Plugin {
  return {
    name: 'portico-resolve',
    setup(build) {
      build.onResolve({ filter: /^portico(\/[\w.-]+)?$/ }, (args) => {
        const path = porticoFile(args.path);
        if (!path) {
          return { errors: [{ text: `PORTICO_NO_MODULE: "${args.path}" is not a portico module; use "portico", "portico/config" or "portico/<target>"` }] };
        }
        return { path };
      });
    },
  };
}
