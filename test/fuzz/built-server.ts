/**
 * Build an app with the real CLI (node, fastcgi or scgi) and run the built server.mjs as its own process,
 * collecting its output: what the fuzz and soak scripts and the crash tests run against.
 * Test tooling.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitOutput } from '../child-output.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;

export interface BuiltServer {
  child: ChildProcess;
  /** `http://127.0.0.1:port` or `unix:/path`. */
  url: string;
  /** Everything it printed so far. */
  logs(): string;
  /** Resident set size now, in KiB (Linux /proc), or undefined once it has exited. */
  rssKiB(): number | undefined;
  /** Resolves with the exit code once the process has ended by itself. */
  exited: Promise<number | null>;
  /** SIGTERM (SIGKILL after 15 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Bundle `entry` for `target` (node, fastcgi or scgi: the targets that write a server.mjs) into a
 * fresh folder, with `config` as its bundle.config.ts when given; returns server.mjs's path, the
 * target's output folder (where fastcgi and scgi put nginx.conf) and a cleanup.
 *
 * @example
 * const { file, remove } = buildServer('/abs/app.ts');
 * const fcgi = buildServer('/abs/app.ts', { target: 'fastcgi', config: { fastcgi: { socket: '/tmp/x/app.sock' } } });
 */
export function buildServer(entry: string, options: { target?: 'node' | 'fastcgi' | 'scgi'; config?: Record<string, unknown> } = {}): { file: string; dist: string; remove(): void } {
  const target = options.target ?? 'node';
  const dir = mkdtempSync(join(tmpdir(), 'portico-built-'));
  if (options.config) writeFileSync(join(dir, 'bundle.config.ts'), `export default ${JSON.stringify(options.config)};\n`);
  execFileSync(process.execPath, [CLI, 'bundle', entry, '--target', target, '--outdir', dir], { cwd: dir, stdio: 'pipe' });
  const dist = join(dir, target);
  return { file: join(dist, 'server.mjs'), dist, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Run a built server.mjs and wait for its "listening on" line.
 *
 * @example
 * const server = await runServer(file, ['--port', '0', '--host', '127.0.0.1']);
 * await server.stop();
 */
export async function runServer(file: string, args: string[]): Promise<BuiltServer> {
  const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    return child.exitCode;
  };
  try {
    const { match: url, logs } = await awaitOutput(child, /listening on ((?:http:\/\/|unix:)\S+)/, 'server.mjs', 15_000);
    const rssKiB = (): number | undefined => {
      try {
        return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
      } catch {
        return undefined;
      }
    };
    return { child, url, logs, rssKiB, exited, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Build and run in one step; `stop()` also removes the build.
 *
 * @example
 * const server = await startBuilt('/abs/app.ts', ['--socket', '/tmp/x.sock']);
 * await server.stop();
 */
export async function startBuilt(entry: string, args: string[], build: Parameters<typeof buildServer>[1] = {}): Promise<BuiltServer & { dist: string }> {
  const { file, dist, remove } = buildServer(entry, build);
  try {
    const server = await runServer(file, args);
    return {
      ...server,
      dist,
      stop: async () => {
        const code = await server.stop();
        remove();
        return code;
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}
