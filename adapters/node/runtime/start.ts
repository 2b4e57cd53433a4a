/**
 * The main of a built `server.mjs` (shipped in the bundle): find the app, settle where to listen
 * (`--port`/`--host`/`--socket` beat `PORT`/`HOST`, which beat the values baked in from
 * bundle.config.ts), and hand both to the Node runtime's `serve`.
 *
 * Run time only: no bundler imports. Written by the bundler core's helper, not the runtime's.
 */
import { fileURLToPath } from 'node:url';
import { resolveApp } from '../../../src/app.ts';
import { serve } from '../../_node/serve.ts';
import type { StaticManifest } from '../../_static/manifest.ts';
import { scanStaticFolder } from '../../_node/static-scan.ts';
import type { StaticFiles } from '../../_node/static.ts';

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
  /** Cache-Control of served files (node.staticCacheControl). Default: none. */
  staticCacheControl?: string | Record<string, string>;
}

const USAGE = 'usage: node server.mjs [--port <n>] [--host <addr>] [--socket <path>]';

/**
 * Where to listen, from argv and the environment over the baked defaults. Throws an Error whose
 * message is one line with the fix.
 *
 * @example
 * listenOptions(['--port', '8080'], { HOST: '0.0.0.0' }, baked); // { port: 8080, host: '0.0.0.0', socket: undefined }
 */
export function listenOptions(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  baked: Pick<BakedNodeOptions, 'port' | 'host' | 'socket'>,
): { port: number; host: string | undefined; socket: string | undefined } {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--(port|host|socket)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`--${match[1]} needs a value; ${USAGE}`);
    flags[match[1]!] = value;
  }
  const portText = flags.port ?? env.PORT;
  let port = baked.port;
  if (portText !== undefined && portText !== '') {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) {
      throw new Error(`${flags.port !== undefined ? '--port' : 'PORT'} must be a port number (0-65535), got ${JSON.stringify(portText)}`);
    }
  }
  return { port, host: flags.host ?? (env.HOST || undefined) ?? baked.host, socket: flags.socket ?? baked.socket };
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
export function start(mod: unknown, baked: BakedNodeOptions, moduleUrl: string, manifest?: StaticManifest): unknown {
  const app = resolveApp(mod, 'the bundled app');
  let listen;
  try {
    listen = listenOptions(process.argv.slice(2), process.env, baked);
  } catch (error) {
    console.error(`server.mjs: ${(error as Error).message}`);
    process.exit(2);
  }
  return serve(app, {
    ...(listen.socket !== undefined ? { socket: listen.socket } : { port: listen.port, host: listen.host }),
    basePath: baked.basePath,
    trustProxy: baked.trustProxy,
    ...(baked.maxBodySize !== undefined ? { maxBodySize: baked.maxBodySize } : {}),
    handleSignals: baked.handleSignals,
    // public/ was copied next to server.mjs.
    static: baked.static ? staticFiles(fileURLToPath(new URL('./public', moduleUrl)), manifest, baked.staticCacheControl) : false,
  });
}

function staticFiles(dir: string, manifest: StaticManifest | undefined, cacheControl: BakedNodeOptions['staticCacheControl']): string | StaticFiles {
  if (manifest === undefined && cacheControl === undefined) return dir;
  return { manifest: manifest ?? scanStaticFolder(dir), from: dir, ...(cacheControl !== undefined ? { cacheControl } : {}) };
}
