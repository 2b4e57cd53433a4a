/**
 * The main of a built executable (shipped inside it): read the command line over the defaults
 * baked in from bundle.config.ts, then serve the app with the node gateway's `serve`, as
 * `ctx.gateway` 'exe', with `public/` from the executable's embedded assets.
 *
 * Run time only: no bundler imports.
 */
import { resolveApp } from '../../../src/app.ts';
import { installCrashPolicy } from '../../_node/crash-policy.ts';
import { serve, type ServeHandle } from '../../_node/serve.ts';
import type { StaticManifest } from '../../_static/manifest.ts';
import { serveCommand } from './command.ts';
import { embeddedPublic } from './embedded-public.ts';
import { openBrowser } from './open.ts';

/** The options the exe target bakes into the executable. */
export interface BakedExeOptions {
  /** The executable's name, for --help and --version. */
  name: string;
  /** The app's version (exe.version, else its package.json's), for --version. */
  version: string;
  port: number;
  host: string | undefined;
  socket: string | undefined;
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
  const create = (): ServeHandle =>
    serve(app, {
      ...(command.socket !== undefined ? { socket: command.socket } : { port: command.port, host: command.host }),
      basePath: baked.basePath,
      trustProxy: baked.trustProxy,
      ...(baked.maxBodySize !== undefined ? { maxBodySize: baked.maxBodySize } : {}),
      gateway: 'exe',
      static: baked.static && manifest !== undefined ? embeddedPublic(manifest, baked.staticCacheControl) : false,
    });
  let handle: ServeHandle | undefined;
  // The crash policy of every long-running gateway (adapters/_node/crash-policy.ts): a rejection
  // the app leaves is logged and the server goes on; an uncaught exception drains, then exits 1.
  installCrashPolicy({ drain: () => handle?.close() ?? Promise.resolve() });
  // With lightResponse on, the exe target's build leaves undici unloaded here (build/no-undici-link.ts).
  handle = create();
  handle.ready.then(
    () => {
      if (command.open && handle!.url.startsWith('http')) openBrowser(handle!.url.replace('//localhost:', '//127.0.0.1:'));
    },
    () => process.exit(1),
  );
  return handle;
}
