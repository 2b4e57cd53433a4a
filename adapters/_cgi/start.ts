/**
 * The main of a built fastcgi or scgi `server.mjs`: flags and environment, `--help`, one-line
 * usage errors (exit 2), then the server: one process by default, or with `--workers` a
 * primary that never loads the app (adapters/_daemon/primary.ts, loaded only then) and workers
 * that do. Shared so both scripts behave the same.
 */
import { resolveApp, type App } from '../../src/app.ts';
import { installCrashPolicy } from '../_node/crash-policy.ts';
import type { AppSource } from '../_daemon/app-source.ts';
import { runRole } from '../_daemon/dispatch.ts';
import { inDaemonWorker } from '../_daemon/role.ts';
import { daemonUsage, takeDaemonArgs, type DaemonSettings } from '../_daemon/settings.ts';
import { parseFlags, resolveAddress, usage, type ListenAddress } from './listen.ts';
import type { BakedClassicOptions } from './options.ts';
import { socketModeHint, type ClassicHandle } from './server.ts';

type Serve = (app: App<any>, options: Record<string, unknown>, addresses: ListenAddress[]) => ClassicHandle;

/**
 * @example
 * startServer(() => import('./app.ts'), baked, 'fastcgi', 'FastCGI', serveFastCGI);
 */
export function startServer(source: AppSource, baked: BakedClassicOptions, protocol: string, title: string, serve: Serve): void {
  const script = 'server.mjs';
  const worker = inDaemonWorker();
  let addresses: ListenAddress[];
  let daemon: DaemonSettings;
  try {
    const taken = takeDaemonArgs(process.argv.slice(2), process.env, baked);
    daemon = taken.settings;
    const flags = parseFlags(taken.rest);
    if (flags.help) {
      console.log(`${usage(script, title)}\n\n${daemonUsage(baked)}`);
      process.exit(0);
    }
    // A worker settles the address as its primary did: systemd's LISTEN_PID names the primary.
    addresses = resolveAddress(flags.address, process.env, baked, worker ? process.ppid : process.pid);
  } catch (error) {
    console.error(`${script}: ${(error as Error).message}`);
    process.exit(2);
  }
  if (addresses.length === 0) {
    console.error(`${script}: nowhere to listen; give --socket <path> or --port <n> (see --help)`);
    process.exit(2);
  }
  const primary = {
    name: baked.name ?? protocol,
    label: script,
    socketPaths: addresses.flatMap((a) => (a.kind === 'socket' ? [a.path] : [])),
    listeningLine: (url: string, n: number) => {
      const line = `${protocol} listening on ${url} with ${n} worker${n === 1 ? '' : 's'} (primary pid ${process.pid})`;
      // As a single process says it (adapters/_cgi/server.ts): the workers are silent.
      const socket = addresses.find((a) => a.kind === 'socket');
      const hint = socket && socketModeHint(socket.path, protocol, baked.socketMode);
      return hint ? `${line}\n[portico] ${hint}` : line;
    },
  };
  runRole(source, daemon, primary, (mod, supervision) => {
    const app = resolveApp(mod, 'the bundled app');
    let handle: ClassicHandle | undefined;
    // The crash policy of every long-running gateway (adapters/_node/crash-policy.ts): a rejection
    // the app leaves is logged and the server goes on; an uncaught exception drains, then exits 1.
    installCrashPolicy({ drain: () => handle?.close() ?? Promise.resolve() });
    handle = serve(supervision ? supervision.counted(app) : app, {
      basePath: baked.basePath,
      trustProxy: baked.trustProxy,
      maxBodySize: baked.maxBodySize,
      maxParamsSize: baked.maxParamsSize,
      // A worker's signals and listening line are its primary's.
      handleSignals: supervision ? false : baked.handleSignals,
      silent: supervision !== undefined,
      socketMode: baked.socketMode,
    }, addresses);
    if (supervision) supervision.serving(handle);
    // A server that cannot listen has nothing to do (the reason is logged already).
    handle.ready.catch(() => (supervision ? supervision.listenFailed() : process.exit(1)));
  });
}
