/**
 * Run built apps as their own processes on ephemeral loopback ports, what the conformance shims
 * and the apps test share: the node target's `server.mjs` (built here with the real CLI), and
 * a built dist/lambda behind the Function URL / API Gateway / ALB emulation.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { awaitOutput, stopper } from '../child-output.ts';
import type { RunningTarget } from './suite.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;
const SERVE_LAMBDA = new URL('../lambda/serve-built.ts', import.meta.url).pathname;

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
  const stopChild = stopper(child);
  const stop = async (): Promise<void> => {
    await stopChild();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { match: baseUrl, logs } = await awaitOutput(child, /listening on (http:\/\/[^\s/]+)/, 'server.mjs', 10_000);
    return { baseUrl, logs, stop, pid: child.pid! };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Serve a built dist/lambda folder (`<dir>/lambda`) in its own process through
 * test/lambda/serve-built.ts, each request arriving as an `event` of that source; `stop()`
 * kills it and removes `dir`.
 *
 * @example
 * const target = await startServeBuilt(dir, 'v2');
 * await fetch(`${target.baseUrl}/`);
 * await target.stop();
 */
export async function startServeBuilt(dir: string, event: string): Promise<RunningTarget> {
  const child = spawn(process.execPath, [SERVE_LAMBDA, join(dir, 'lambda'), event], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { match: baseUrl, logs } = await awaitOutput(child, /listening on (http:\/\/\S+)/, 'serve-built', 10_000);
    return { baseUrl, logs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
