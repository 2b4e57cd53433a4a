/**
 * The main of a built executable (shipped inside it): read the command line over the defaults
 * baked in from bundle.config.ts, then serve the app with the node gateway's `serve`, as
 * `ctx.gateway` 'exe', with `public/` from the executable's embedded assets.
 *
 * Run time only: no bundler imports.
 */
import { resolveApp } from '../../../src/app.ts';
import type { ServeHandle } from '../../_node/serve.ts';
import { serveMain } from '../../_node/serve-main.ts';
import { serveArgs, type ServerDefaults } from '../../_node/server-args.ts';
import type { StaticManifest } from '../../_static/manifest.ts';
import { serveCommand } from './command.ts';
import { embeddedPublic } from './embedded-public.ts';
import { openBrowser } from './open.ts';

/** The options the exe target bakes into the executable. */
export interface BakedExeOptions extends ServerDefaults {
  /** The executable's name, for --help and --version. */
  name: string;
  /** The app's version (exe.version, else its package.json's), for --version. */
  version: string;
  basePath: string;
  trustProxy: boolean | string | string[];
  maxBodySize: number | undefined;
  /** Whether public/ is embedded (as `public/<path>` assets) and served. */
  static: boolean;
  /** Cache-Control of served files (exe.staticCacheControl, as node.staticCacheControl). Default: none. */
  staticCacheControl?: string | Record<string, string>;
  /** Whether the bundle has portico's light classes (the build then keeps undici out of start-up). */
  lightResponse: boolean;
}

/**
 * @example
 * // the entry the exe target writes:
 * import * as mod from '/app/src/app.ts';
 * start(mod, { name: 'shop', version: '1.0.0', port: 3000, host: '127.0.0.1', ... }, JSON.parse('{"version":1,"files":{...}}'));
 *
 * `manifest` describes public/ as the bundler saw it (src/bundle/static-manifest.ts); its files
 * are the executable's `public/...` assets.
 */
export function start(mod: unknown, baked: BakedExeOptions, manifest?: StaticManifest): ServeHandle | undefined {
  const command = serveCommand(baked, `Node ${process.version}`);
  if (command === undefined) return undefined;
  const app = resolveApp(mod, 'the bundled app');
  // The crash policy of every long-running gateway (adapters/_node/crash-policy.ts): a rejection
  // the app leaves is logged and the server goes on; an uncaught exception drains, then exits 1.
  // With lightResponse on, the exe target's build leaves undici unloaded here (build/no-undici-link.ts).
  const handle = serveMain(
    app,
    {
      ...serveArgs(command, baked.maxBodySize),
      basePath: baked.basePath,
      trustProxy: baked.trustProxy,
      gateway: 'exe',
      static: baked.static && manifest !== undefined ? embeddedPublic(manifest, baked.staticCacheControl) : false,
    },
    baked.name,
  );
  // A failed listen already exits 1 (serveMain).
  handle.ready.then(
    () => {
      if (command.open && handle.url.startsWith('http')) openBrowser(handle.url.replace('//localhost:', '//127.0.0.1:'));
    },
    () => {},
  );
  return handle;
}
