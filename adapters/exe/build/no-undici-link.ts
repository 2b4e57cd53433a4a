/**
 * Keep undici out of the executable's start (DESIGN §6, issue 9). The node listener calls
 * `linkNativeRequest()` when it is created, which reads `globalThis.Request` and so loads
 * undici: 22–36 ms between spawn and the first response, free on a server, not in an
 * executable. Even reading the property's descriptor loads it (node defines it lazily), so no
 * run-time trick can step around it. The link only serves code outside the bundle (`instanceof
 * Request` on a light request); in an executable nothing is outside it, and with the light
 * classes on, the bundled `Request` is portico's shim whose `instanceof` holds for light
 * requests already. So for exe builds with lightResponse on, this plugin drops that one call
 * from the bundled listener, and fails the build if the call is no longer there to drop (so a
 * change in adapters/_node cannot quietly bring the cost back; test/exe/native.test.ts checks
 * that undici is not loaded after the first response).
 *
 * Better: a `linkNativeRequest: false` option of toNodeListener; until adapters/_node has one.
 *
 * Build time only.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'esbuild';

const CALL = '\n  linkNativeRequest();\n';

/**
 * @example
 * esbuild.build({ ..., plugins: [noUndiciLinkPlugin()] });
 */
export function noUndiciLinkPlugin(): Plugin {
  return {
    name: 'portico-exe-no-undici-link',
    setup(build) {
      build.onLoad({ filter: /[\\/]adapters[\\/]_node[\\/]listener\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const at = source.indexOf(CALL);
        if (at === -1 || source.indexOf(CALL, at + 1) !== -1) {
          return { errors: [{ text: 'PORTICO_EXE_UNDICI: adapters/_node/listener.ts no longer calls linkNativeRequest() once at creation; update adapters/exe/build/no-undici-link.ts' }] };
        }
        return { contents: source.slice(0, at) + '\n' + source.slice(at + CALL.length - 1), loader: 'ts' };
      });
    },
  };
}
