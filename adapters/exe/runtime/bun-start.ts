/**
 * The main of an executable built with `--runtime bun` (shipped inside it): the same command
 * line as the Node executable (flags.ts: --port, --host, --socket, --open, --help, --version over
 * PORT/HOST over the baked defaults; of the limit flags, those Bun can honour: bun-limits.ts),
 * then `Bun.serve` (bun-serve.ts) with public/ from the files `bun build --compile --asset`
 * embedded, and the crash policy and SIGTERM drain of every long-running gateway.
 *
 * Run time only: runs under Bun; no bundler imports.
 */
import { resolveApp } from '../../../src/app.ts';
import { installCrashPolicy } from '../../_node/crash-policy.ts';
import { drainOnSignals } from '../../_node/shutdown-signals.ts';
import { clearStaleSocket } from '../../_node/stale-socket.ts';
import type { StaticManifest } from '../../_static/manifest.ts';
import { BUN_LIMIT_USAGE, bunLimits, type BunLimits } from './bun-limits.ts';
import { bunServe, type BunServeHandle } from './bun-serve.ts';
import { bunEmbeddedReader, bunStatic } from './bun-static.ts';
import { bunGlobal } from './bun-types.ts';
import { serveCommand } from './command.ts';
import { openBrowser } from './open.ts';
import type { BakedExeOptions } from './start.ts';

/** How long SIGTERM waits for in-flight requests and waitUntil work, ms. */
const GRACEFUL_MS = 10_000;

/**
 * @example
 * // the entry the exe target writes for --runtime bun:
 * import * as mod from '/app/src/app.ts';
 * startBun(mod, { name: 'shop', version: '1.0.0', port: 3000, host: '127.0.0.1', ... }, JSON.parse('{"version":1,"files":{...}}'));
 */
export async function startBun(mod: unknown, baked: BakedExeOptions, manifest?: StaticManifest): Promise<BunServeHandle | undefined> {
  const bun = bunGlobal();
  if (bun === undefined) throw new Error('PORTICO_EXE_RUNTIME: this entry runs under Bun (an executable built with --runtime bun)');
  const command = serveCommand(baked, `Bun ${bun.version}`, BUN_LIMIT_USAGE);
  if (command === undefined) return undefined;
  let limits: BunLimits;
  try {
    limits = bunLimits(command.limits, baked.maxBodySize);
  } catch (error) {
    // A limit Bun cannot honour, asked for by a flag: one line, as for a bad flag.
    console.error(`${baked.name}: ${(error as Error).message}`);
    process.exit(2);
  }
  const app = resolveApp(mod, 'the bundled app');
  const statics =
    baked.static && manifest !== undefined
      ? bunStatic(manifest, bunEmbeddedReader(() => bun.embeddedFiles), baked.basePath, baked.staticCacheControl !== undefined ? { cacheControl: baked.staticCacheControl } : {})
      : undefined;
  const where = command.socket ?? `${command.host ?? '*'}:${command.port}`;
  let handle: BunServeHandle;
  try {
    if (command.socket !== undefined) await clearStaleSocket(command.socket);
    handle = bunServe(bun, app, {
      listen: command.socket !== undefined ? { unix: command.socket } : { port: command.port, hostname: command.host },
      basePath: baked.basePath,
      trustProxy: baked.trustProxy,
      ...limits,
      ...(statics !== undefined ? { statics } : {}),
    });
  } catch (error) {
    const e = error as { code?: string; message?: string };
    const why = e.code === 'EADDRINUSE' ? 'the address is in use (EADDRINUSE); stop the other server or choose another --port' : String(e.message ?? error);
    console.error(`[portico] PORTICO_LISTEN_FAILED: cannot listen on ${where}: ${why}`);
    process.exit(1);
  }
  // The bun gateway calls the app outside crash-policy's requestScope, so a rejection's line names
  // no request (labelRequests: false, which also leaves node:async_hooks unloaded); it carries
  // the error and its stack.
  installCrashPolicy({ drain: () => handle.close(GRACEFUL_MS), drainTimeout: GRACEFUL_MS, labelRequests: false });
  drainOnSignals(() => handle.close(GRACEFUL_MS), GRACEFUL_MS, false);
  const server = handle.server;
  const url = command.socket !== undefined ? `unix:${command.socket}` : `http://${server.hostname?.includes(':') ? `[${server.hostname}]` : server.hostname}:${server.port}`;
  const every = command.socket === undefined && (command.host === undefined || command.host === '0.0.0.0' || command.host === '::');
  console.log(`[portico] listening on ${url}${every ? ' (every interface; --host 127.0.0.1 for this machine only)' : ''}`);
  if (command.open && url.startsWith('http')) openBrowser(url.replace('//localhost:', '//127.0.0.1:'));
  return handle;
}
