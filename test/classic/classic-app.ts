/**
 * Build an app for a classic target with the real CLI into a temp folder (with a
 * bundle.config.ts holding the target's options), start the built server.mjs, and put an app
 * and a web server together as the conformance suite's RunningTarget. Shared by the nginx,
 * Apache and lighttpd shims, which include the generated config files verbatim.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { awaitOutput, stopper } from '../child-output.ts';
import type { RunningTarget } from '../conformance/suite.ts';
import type { RunningPeer } from './peers.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;

export type Transport = 'fastcgi' | 'scgi' | 'cgi';

/** A built app: `dir` is the temp project, `dist` the target's output folder in it. */
export interface BuiltApp {
  dir: string;
  dist: string;
  transport: Transport;
}

/**
 * Bundle `entry` for `transport` in a fresh world-readable temp folder (web servers' workers run
 * as www-data), its options computed from that folder (a socket path inside it, say).
 *
 * @example
 * const app = await buildClassic(FIXTURE_APP, 'fastcgi', { basePath: '/mnt', options: (dir) => ({ socket: `${dir}/app.sock` }) });
 */
export async function buildClassic(
  entry: string,
  transport: Transport,
  setup: { basePath?: string; options?: (dir: string) => Record<string, unknown>; publicFiles?: Record<string, string> } = {},
): Promise<BuiltApp> {
  const dir = mkdtempSync(join(tmpdir(), `portico-${transport}-`));
  chmodSync(dir, 0o755);
  const config: Record<string, unknown> = { [transport]: setup.options?.(dir) ?? {} };
  if (setup.publicFiles) {
    for (const [name, text] of Object.entries(setup.publicFiles)) {
      mkdirSync(join(dir, 'public', name, '..'), { recursive: true });
      writeFileSync(join(dir, 'public', name), text);
    }
    config.publicDir = 'public';
  }
  writeFileSync(join(dir, 'bundle.config.ts'), `export default ${JSON.stringify(config)};\n`);
  const args = [CLI, 'bundle', entry, '--target', transport];
  if (setup.basePath) args.push('--base-path', setup.basePath);
  try {
    await promisify(execFile)(process.execPath, args, { cwd: dir });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`portico bundle --target ${transport} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  return { dir, dist: join(dir, 'dist', transport), transport };
}

/** A started server.mjs. */
export interface RunningApp {
  pid: number;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Run the built server.mjs with no address flag (it listens where bundle.config.ts said), on
 * `node` (default: the Node running the tests), and resolve once it prints its listening line.
 *
 * @example
 * const server = await startApp(app);
 */
export async function startApp(app: BuiltApp, args: string[] = [], node = process.execPath): Promise<RunningApp> {
  const child = spawn(node, [join(app.dist, 'server.mjs'), ...args], { cwd: app.dist, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = stopper(child);
  try {
    const { logs } = await awaitOutput(child, /listening on (\S+)/, 'server.mjs', 10_000);
    return { pid: child.pid!, logs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The suite's view of a web server in front of an app: requests go to the server, logs are
 * both, stop ends both (server first) and removes the temp folder.
 *
 * @example
 * return together(app, server, await startNginx(app.dir, { server: `include ${app.dist}/nginx.conf;` }));
 */
export function together(app: BuiltApp, server: RunningApp | undefined, peer: RunningPeer, mapLogs: (text: string) => string = (t) => t): RunningTarget {
  return {
    baseUrl: peer.baseUrl,
    logs: () => mapLogs(`${server?.logs() ?? ''}\n--- ${peer.name} ---\n${peer.logs()}`),
    async stop() {
      await peer.stop();
      await server?.stop();
      rmSync(app.dir, { recursive: true, force: true });
    },
  };
}

/**
 * Start the app (on `node`), then the peer; if the peer fails, the app is stopped and the folder removed.
 *
 * @example
 * return startBoth(app, () => startNginx(app.dir, { server: '...' }));
 */
export async function startBoth(app: BuiltApp, peer: (server: RunningApp | undefined) => Promise<RunningPeer>, withServer = true, node = process.execPath): Promise<RunningTarget> {
  let server: RunningApp | undefined;
  try {
    if (withServer) server = await startApp(app, [], node);
    return together(app, server, await peer(server));
  } catch (error) {
    await server?.stop();
    rmSync(app.dir, { recursive: true, force: true });
    throw error;
  }
}
