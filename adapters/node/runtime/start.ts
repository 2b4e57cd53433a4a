/**
 * The main of a built `server.mjs` (shipped in the bundle): find the app, settle where to listen
 * and the limits (flags beat `PORT`/`HOST`, which beat the values baked in from
 * bundle.config.ts), install the crash policy, and hand all of it to the Node runtime's `serve`.
 * A server that cannot listen says so in one line and exits 1; bad flags exit 2.
 *
 * Run time only: no bundler imports. Written by the bundler core's helper, not the runtime's.
 */
import { fileURLToPath } from 'node:url';
import { resolveApp } from '../../../src/app.ts';
import type { AppSource } from '../../_daemon/app-source.ts';
import { runRole } from '../../_daemon/dispatch.ts';
import { daemonUsage, takeDaemonArgs, type BakedDaemonOptions, type DaemonSettings } from '../../_daemon/settings.ts';
import { listenError, type ServeOptions } from '../../_node/serve.ts';
import { serveMain } from '../../_node/serve-main.ts';
import { limitUsage, parseServerArgs, serveArgs, type ServerArgs, type ServerDefaults } from '../../_node/server-args.ts';
import type { StaticManifest } from '../../_static/manifest.ts';
import { scanStaticFolder } from '../../_node/static-scan.ts';
import type { StaticFiles } from '../../_node/static.ts';

/** The options the node target bakes into server.mjs from bundle.config.ts. */
export interface BakedNodeOptions extends ServerDefaults, BakedDaemonOptions {
  /** The project's name, for the process titles of daemon mode. */
  name?: string;
  basePath: string;
  trustProxy: boolean | string | string[];
  maxBodySize: number | undefined;
  handleSignals: boolean;
  /** Whether public/ was copied beside server.mjs and is served. */
  static: boolean;
  /** Cache-Control of served files (node.staticCacheControl). Default: none. */
  staticCacheControl?: string | Record<string, string>;
}

/**
 * What `node server.mjs --help` prints, each limit's default the baked one when set.
 *
 * @example
 * console.log(nodeUsage(baked));
 */
export function nodeUsage(baked: Pick<BakedNodeOptions, 'limits' | 'maxBodySize' | keyof BakedDaemonOptions>): string {
  return `usage: node server.mjs [options]

  --port <n>                 TCP port (default: PORT, else the config's node.port, else 3000)
  --host <addr>              interface (default: HOST, else node.host, else every interface ::)
  --socket <path>            listen on a unix socket instead
${limitUsage({ maxBodySize: baked.maxBodySize, ...baked.limits })}
${daemonUsage(baked)}
  -h, --help                 this text`;
}

/**
 * Parse server.mjs's arguments over the environment and the baked options (the parser it
 * shares with the executable, adapters/_node/server-args.ts). Throws an Error whose message is
 * one line with the fix.
 *
 * @example
 * serverArgs(['--port', '8080', '--response-timeout=5000'], {}, baked);
 * // { help: false, port: 8080, host: undefined, socket: undefined, limits: { responseTimeout: 5000 }, switches: Set {} }
 */
export function serverArgs(argv: readonly string[], env: Record<string, string | undefined>, baked: ServerDefaults): ServerArgs {
  return parseServerArgs(argv, env, baked, [], 'see node server.mjs --help');
}

/**
 * Where to listen, from argv and the environment over the baked defaults (`serverArgs`
 * without the limits).
 *
 * @example
 * listenOptions(['--port', '8080'], { HOST: '0.0.0.0' }, baked); // { port: 8080, host: '0.0.0.0', socket: undefined }
 */
export function listenOptions(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  baked: ServerDefaults,
): { port: number; host: string | undefined; socket: string | undefined } {
  const { port, host, socket } = serverArgs(argv, env, baked);
  return { port, host, socket };
}

/**
 * @example
 * // the entry the node target writes:
 * start(() => import('/app/src/app.ts'), { port: 3000, host: undefined, ... }, import.meta.url, JSON.parse('{"version":1,"files":{...}}'));
 *
 * `manifest` is public/ as the bundler saw it (src/bundle/static-manifest.ts); without it the
 * folder is scanned at start. With `--workers` (or `--max-requests`) this process becomes a
 * primary that never loads the app (adapters/_daemon/primary.ts) and its workers serve.
 */
export function start(source: AppSource, baked: BakedNodeOptions, moduleUrl: string, manifest?: StaticManifest): void {
  let args: ServerArgs;
  let daemon: DaemonSettings;
  try {
    const taken = takeDaemonArgs(process.argv.slice(2), process.env, baked);
    daemon = taken.settings;
    args = serverArgs(taken.rest, process.env, baked);
  } catch (error) {
    console.error(`server.mjs: ${(error as Error).message}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(nodeUsage(baked));
    return;
  }
  const primary = {
    name: baked.name ?? 'node',
    label: 'server.mjs',
    socketPaths: args.socket !== undefined ? [args.socket] : [],
    listeningLine: (url: string, n: number) => `listening on ${url} with ${n} worker${n === 1 ? '' : 's'} (primary pid ${process.pid})`,
  };
  runRole(source, daemon, primary, (mod, supervision) => {
    const app = resolveApp(mod, 'the bundled app');
    const options: ServeOptions = {
      ...serveArgs(args, baked.maxBodySize),
      basePath: baked.basePath,
      trustProxy: baked.trustProxy,
      handleSignals: baked.handleSignals,
      // public/ was copied next to server.mjs.
      static: baked.static ? staticFiles(fileURLToPath(new URL('./public', moduleUrl)), manifest, baked.staticCacheControl) : false,
    };
    if (supervision === undefined) {
      serveMain(app, options, 'server.mjs');
      return;
    }
    // A worker's signals and listening line are its primary's; a failed listen is still its own line.
    const where = args.socket ?? `${args.host ?? '*'}:${args.port}`;
    const handle = serveMain(supervision.counted(app), { ...options, handleSignals: false, silent: true }, 'server.mjs', (error) => {
      console.error(`[portico] ${listenError(error, where)}`);
      supervision.listenFailed();
    });
    supervision.serving(handle);
  });
}

function staticFiles(dir: string, manifest: StaticManifest | undefined, cacheControl: BakedNodeOptions['staticCacheControl']): string | StaticFiles {
  if (manifest === undefined && cacheControl === undefined) return dir;
  return { manifest: manifest ?? scanStaticFolder(dir), from: dir, ...(cacheControl !== undefined ? { cacheControl } : {}) };
}
