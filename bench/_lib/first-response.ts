/**
 * Spawn to first 200: how long a server command takes from `spawn()` until it answers `GET /`
 * with 200 on a free port of 127.0.0.1, polling as fast as connections are refused. The child
 * runs with an empty environment (as a copied executable would) and is killed by pid after.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { cpuMilliseconds, freePort } from './processes.ts';

function get(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/**
 * Milliseconds from spawn to the first 200; `--port <n>` is appended to `args`.
 *
 * @example
 * const ms = await firstResponse('./dist/exe/app', ['--host', '127.0.0.1']);
 */
export async function firstResponse(command: string, args: string[]): Promise<number> {
  return (await firstResponseAndCpu(command, args)).wall;
}

/**
 * `firstResponse`, and the milliseconds the process spent on a CPU by then (all its threads,
 * from schedstat; undefined off Linux), which a shared machine moves less than the clock.
 *
 * @example
 * const { wall, cpu } = await firstResponseAndCpu('./dist/exe/app', []);
 */
export async function firstResponseAndCpu(command: string, args: string[]): Promise<{ wall: number; cpu: number | undefined }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, [...args, '--port', String(port)], { stdio: 'ignore', env: {} });
  try {
    for (;;) {
      if ((await get(port)) === 200) return { wall: performance.now() - started, cpu: cpuMilliseconds(child.pid!) };
      if (performance.now() - started > 10_000) throw new Error(`${command} did not answer within 10 s`);
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
  }
}
