/**
 * Build an app with the real CLI for the node target and run the built `server.mjs` as its own
 * process on an ephemeral loopback port: what the node conformance shim and the apps test share.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunningTarget } from './suite.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;

/**
 * @example
 * const target = await startBundledNode('/abs/app.ts', { basePath: '/mnt' });
 * await fetch(`${target.baseUrl}/mnt/`);
 * await target.stop();
 */
export async function startBundledNode(
  entry: string,
  options: { basePath?: string; runtime?: string } = {},
): Promise<RunningTarget & { pid: number }> {
  // A fresh folder as the working directory, so no bundle.config.ts of the repo applies.
  const dir = mkdtempSync(join(tmpdir(), 'portico-test-node-'));
  const args = [CLI, 'bundle', entry, '--target', 'node', '--outdir', dir];
  if (options.basePath) args.push('--base-path', options.basePath);
  try {
    await promisify(execFile)(process.execPath, args, { cwd: dir });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`portico bundle ${entry} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }

  const child = spawn(options.runtime ?? process.execPath, [join(dir, 'node', 'server.mjs'), '--port', '0', '--host', '127.0.0.1'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server.mjs did not say where it listens within 10 s:\n${logs}`)), 10_000);
      const onData = (chunk: Buffer): void => {
        logs += chunk.toString();
        const m = /listening on (http:\/\/[^\s/]+)/.exec(logs);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server.mjs exited (${code ?? signal}) before listening:\n${logs}`));
      });
    });
    return { baseUrl, logs: () => logs, stop, pid: child.pid! };
  } catch (error) {
    await stop();
    throw error;
  }
}
