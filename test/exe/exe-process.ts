/**
 * Build an app with the real CLI (`portico bundle --target exe`), and run the executable the
 * way a user with no Node would: copied alone into an empty folder, started with an EMPTY
 * environment (no PATH, so no node can be found) on 127.0.0.1 and a free port.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { awaitOutput, stopper } from '../child-output.ts';
import type { RunningTarget } from '../conformance/suite.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;

/**
 * Bundle `entry` for the exe target into a fresh folder; resolves with the executable's path.
 * `cwd` (default: a fresh folder, so no bundle.config.ts of the repo applies) is the project.
 *
 * @example
 * const { exe, dir } = await buildExe('/abs/app.ts', ['--base-path', '/mnt']);
 */
export async function buildExe(entry: string, args: string[] = [], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ exe: string; dir: string; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-test-exe-'));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, 'bundle', entry, '--target', 'exe', '--outdir', dir, ...args], {
      cwd: options.cwd ?? dir,
      env: options.env ?? process.env,
    });
    const exe = readdirSync(join(dir, 'exe')).filter((f) => !f.startsWith('.'));
    if (exe.length !== 1) throw new Error(`dist/exe should hold one file, holds ${JSON.stringify(exe)}`);
    return { exe: join(dir, 'exe', exe[0]!), dir, output: stdout + stderr };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`portico bundle ${entry} --target exe failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/**
 * Copy `exe` alone into an empty folder and start it there with `env` (default: empty) on
 * 127.0.0.1 and a free port; `stop()` ends it by pid and removes the folder.
 *
 * @example
 * const target = await startExe(exe);
 * await fetch(`${target.baseUrl}/`);
 * await target.stop();
 */
export async function startExe(exe: string, options: { env?: NodeJS.ProcessEnv; args?: string[] } = {}): Promise<RunningTarget & { pid: number; folder: string }> {
  const folder = mkdtempSync(join(tmpdir(), 'portico-test-exe-run-'));
  const copy = join(folder, exe.split('/').at(-1)!);
  copyFileSync(exe, copy);
  const child = spawn(copy, ['--port', '0', '--host', '127.0.0.1', ...(options.args ?? [])], {
    cwd: folder,
    env: options.env ?? {},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stopChild = stopper(child);
  const stop = async (): Promise<void> => {
    await stopChild();
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    const { match: baseUrl, logs } = await awaitOutput(child, /listening on (http:\/\/[^\s/]+)/, 'the executable', 15_000);
    return { baseUrl, logs, stop, pid: child.pid!, folder };
  } catch (error) {
    await stop();
    throw error;
  }
}
