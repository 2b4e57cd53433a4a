/**
 * The main of a built fastcgi or scgi `server.mjs`: flags and environment, `--help`, one-line
 * usage errors (exit 2), then the server. Shared so both scripts behave the same.
 */
import { resolveApp, type App } from '../../src/app.ts';
import { installCrashPolicy } from '../_node/crash-policy.ts';
import { parseFlags, resolveAddress, usage, type ListenAddress } from './listen.ts';
import type { BakedClassicOptions } from './options.ts';
import type { ClassicHandle } from './server.ts';

type Serve = (app: App<any>, options: Record<string, unknown>, addresses: ListenAddress[]) => ClassicHandle;

/**
 * @example
 * startServer(mod, baked, 'fastcgi', 'FastCGI', serveFastCGI);
 */
export function startServer(mod: unknown, baked: BakedClassicOptions, protocol: string, title: string, serve: Serve): ClassicHandle | undefined {
  const script = 'server.mjs';
  let addresses: ListenAddress[];
  try {
    const flags = parseFlags(process.argv.slice(2));
    if (flags.help) {
      console.log(usage(script, title));
      process.exit(0);
    }
    addresses = resolveAddress(flags.address, process.env, baked);
  } catch (error) {
    console.error(`${script}: ${(error as Error).message}`);
    process.exit(2);
  }
  if (addresses.length === 0) {
    console.error(`${script}: nowhere to listen; give --socket <path> or --port <n> (see --help)`);
    process.exit(2);
  }
  const app = resolveApp(mod, 'the bundled app');
  let handle: ClassicHandle | undefined;
  // The crash policy of every long-running gateway (adapters/_node/crash-policy.ts): a rejection
  // the app leaves is logged and the server goes on; an uncaught exception drains, then exits 1.
  installCrashPolicy({ drain: () => handle?.close() ?? Promise.resolve() });
  handle = serve(app, {
    basePath: baked.basePath,
    trustProxy: baked.trustProxy,
    maxBodySize: baked.maxBodySize,
    maxParamsSize: baked.maxParamsSize,
    handleSignals: baked.handleSignals,
    socketMode: baked.socketMode,
  }, addresses);
  // A server that cannot listen has nothing to do (the reason is logged already).
  handle.ready.catch(() => process.exit(1));
  return handle;
}
