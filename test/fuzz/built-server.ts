/**
 * Build an app with the real CLI for node and run the built server.mjs as its own process,
 * collecting its output: what the fuzz and soak scripts run against. Test tooling.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  stop(): Promise<number | null>;
}

/**
 * @example
 * const server = await startBuilt('/abs/app.ts', ['--socket', '/tmp/x.sock']);
 * await server.stop();
 */
export async function startBuilt(entry: string, args: string[]): Promise<BuiltServer> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-fuzz-'));
  execFileSync(process.execPath, [CLI, 'bundle', entry, '--target', 'node', '--outdir', dir], { cwd: dir, stdio: 'pipe' });
  const child = spawn(process.execPath, [join(dir, 'node', 'server.mjs'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
    return child.exitCode;
  };
  try {
    const { match: url, logs } = await awaitOutput(child, /listening on ((?:http:\/\/|unix:)\S+)/, 'server.mjs', 15_000);
    const rssKiB = (): number | undefined => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
      } catch {
        return undefined;
      }
    };
    return { child, url, logs, rssKiB, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
