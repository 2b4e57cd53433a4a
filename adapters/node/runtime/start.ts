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
import { installCrashPolicy } from '../../_node/crash-policy.ts';
import { serve, type ServeHandle, type ServeOptions } from '../../_node/serve.ts';
import type { StaticManifest } from '../../_static/manifest.ts';
import { scanStaticFolder } from '../../_node/static-scan.ts';
import type { StaticFiles } from '../../_node/static.ts';

/**
 * The limits a built server takes from bundle.config.ts (`node: {...}`) and from its flags:
 * `serve()`'s own options, where each is documented with its default.
 */
export type NodeLimits = Pick<ServeOptions, 'maxHeaderSize' | 'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout' | 'responseTimeout' | 'streamIdleTimeout' | 'maxPipelined' | 'maxBodySize'>;

/** The options the node target bakes into server.mjs from bundle.config.ts. */
export interface BakedNodeOptions {
  port: number;
  host: string | undefined;
  socket: string | undefined;
  basePath: string;
  trustProxy: boolean | string | string[];
  maxBodySize: number | undefined;
  handleSignals: boolean;
  /** Whether public/ was copied beside server.mjs and is served. */
  static: boolean;
  /** Limits from bundle.config.ts; absent ones take the runtime's defaults. */
  limits?: NodeLimits;
  /** Cache-Control of served files (node.staticCacheControl). Default: none. */
  staticCacheControl?: string | Record<string, string>;
}

/** Flag name → limit, each a non-negative integer (ms or bytes or a count). */
const LIMIT_FLAGS: Record<string, keyof NodeLimits> = {
  'max-header-size': 'maxHeaderSize',
  'headers-timeout': 'headersTimeout',
  'request-timeout': 'requestTimeout',
  'keep-alive-timeout': 'keepAliveTimeout',
  'response-timeout': 'responseTimeout',
  'stream-idle-timeout': 'streamIdleTimeout',
  'max-pipelined': 'maxPipelined',
  'max-body-size': 'maxBodySize',
};

/** What `node server.mjs --help` prints. */
export const USAGE = `usage: node server.mjs [options]

  --port <n>                 TCP port (default: PORT, else the config's node.port, else 3000)
  --host <addr>              interface (default: HOST, else node.host, else every interface ::)
  --socket <path>            listen on a unix socket instead
  --max-header-size <bytes>  largest request head; 431 beyond (default 16384)
  --headers-timeout <ms>     time to send the request head; 408 and closed after (default 20000)
  --request-timeout <ms>     time to send the whole request (default 300000; 0: none)
  --keep-alive-timeout <ms>  idle keep-alive connections close after (default 5000)
  --response-timeout <ms>    time for the app to answer; 504 after (default 60000; 0: none)
  --stream-idle-timeout <ms> longest pause in a streamed response (default 60000; 0: none)
  --max-pipelined <n>        pipelined answers in the making per connection (default 16)
  --max-body-size <bytes>    largest request body; 413 beyond (default 104857600)
  -h, --help                 this text`;

const SHORT_USAGE = 'see node server.mjs --help';

/** What the command line of server.mjs says. */
export interface ServerArgs {
  help: boolean;
  port: number;
  host: string | undefined;
  socket: string | undefined;
  limits: NodeLimits;
}

/**
 * Parse server.mjs's arguments over the environment and the baked options. Throws an Error
 * whose message is one line with the fix.
 *
 * @example
 * serverArgs(['--port', '8080', '--response-timeout=5000'], {}, baked);
 * // { help: false, port: 8080, host: undefined, socket: undefined, limits: { responseTimeout: 5000 } }
 */
export function serverArgs(argv: readonly string[], env: Record<string, string | undefined>, baked: Pick<BakedNodeOptions, 'port' | 'host' | 'socket' | 'limits'>): ServerArgs {
  const flags: Record<string, string> = {};
  const limits: NodeLimits = { ...baked.limits };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { help: true, port: baked.port, host: baked.host, socket: baked.socket, limits };
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = match?.[1];
    if (!match || !(name === 'port' || name === 'host' || name === 'socket' || name! in LIMIT_FLAGS)) {
      throw new Error(`unknown argument ${JSON.stringify(arg)}; ${SHORT_USAGE}`);
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`--${name} needs a value; ${SHORT_USAGE}`);
    if (name! in LIMIT_FLAGS) {
      if (!/^\d{1,15}$/.test(value)) throw new Error(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
      limits[LIMIT_FLAGS[name!]!] = Number(value);
    } else flags[name!] = value;
  }
  const portText = flags.port ?? env.PORT;
  let port = baked.port;
  if (portText !== undefined && portText !== '') {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) {
      throw new Error(`${flags.port !== undefined ? '--port' : 'PORT'} must be a port number (0-65535), got ${JSON.stringify(portText)}`);
    }
  }
  return { help: false, port, host: flags.host ?? (env.HOST || undefined) ?? baked.host, socket: flags.socket ?? baked.socket, limits };
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
  baked: Pick<BakedNodeOptions, 'port' | 'host' | 'socket'>,
): { port: number; host: string | undefined; socket: string | undefined } {
  const { port, host, socket } = serverArgs(argv, env, baked);
  return { port, host, socket };
}

/**
 * @example
 * // the entry the node target writes:
 * import * as mod from '/app/src/app.ts';
 * start(mod, { port: 3000, host: undefined, ... }, import.meta.url, JSON.parse('{"version":1,"files":{...}}'));
 *
 * `manifest` is public/ as the bundler saw it (src/bundle/static-manifest.ts); without it the
 * folder is scanned at start.
 */
export function start(mod: unknown, baked: BakedNodeOptions, moduleUrl: string, manifest?: StaticManifest): ServeHandle | undefined {
  const app = resolveApp(mod, 'the bundled app');
  let args: ServerArgs;
  try {
    args = serverArgs(process.argv.slice(2), process.env, baked);
  } catch (error) {
    console.error(`server.mjs: ${(error as Error).message}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return undefined;
  }
  let handle: ServeHandle | undefined;
  // Before serve(): the listener enters the policy's request scope from the first request on.
  installCrashPolicy({ drain: () => handle?.close() ?? Promise.resolve() });
  const { maxBodySize = baked.maxBodySize, ...limits } = args.limits;
  try {
    handle = serve(app, {
      ...(args.socket !== undefined ? { socket: args.socket } : { port: args.port, host: args.host }),
      basePath: baked.basePath,
      trustProxy: baked.trustProxy,
      ...(maxBodySize !== undefined ? { maxBodySize } : {}),
      ...limits,
      handleSignals: baked.handleSignals,
      // public/ was copied next to server.mjs.
      static: baked.static ? staticFiles(fileURLToPath(new URL('./public', moduleUrl)), manifest, baked.staticCacheControl) : false,
    });
  } catch (error) {
    console.error(`server.mjs: ${(error as Error).message}`);
    process.exit(2);
  }
  // serve() has printed the one line saying why; the exit code tells a supervisor.
  handle.ready.catch(() => process.exit(1));
  return handle;
}

function staticFiles(dir: string, manifest: StaticManifest | undefined, cacheControl: BakedNodeOptions['staticCacheControl']): string | StaticFiles {
  if (manifest === undefined && cacheControl === undefined) return dir;
  return { manifest: manifest ?? scanStaticFolder(dir), from: dir, ...(cacheControl !== undefined ? { cacheControl } : {}) };
}
