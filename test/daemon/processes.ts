/**
 * Tooling of the daemon-mode tests: a built server.mjs run with its output kept, the workers
 * of a primary and their process titles (from /proc), a steady request load counting
 * failures, and waiting for a condition.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { awaitOutput, stopper } from '../child-output.ts';

/** A running server.mjs. */
export interface Server {
  child: ChildProcess;
  pid: number;
  /** What it printed so far, stdout and stderr. */
  logs(): string;
  /** Resolves with the exit code (or signal name) once it exits. */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

/**
 * Spawn `node script ...args` and resolve once it prints its listening line.
 *
 * @example
 * const server = await startServer(join(dist, 'server.mjs'), ['--workers', '2'], { SIDE_FILE: side });
 */
export async function startServer(script: string, args: string[], env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!)));
  const stop = stopper(child);
  try {
    const { logs } = await awaitOutput(child, /listening on (\S+)/, script, 15_000);
    return { child, pid: child.pid!, logs, exited, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The pids of `pid`'s children, sorted.
 *
 * @example
 * childPids(primary.pid); // [4242, 4243]
 */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
  } catch {
    return []; // ps exits 1 when there is none
  }
}

/** A process's title as `ps` shows it (its /proc cmdline). */
export function titleOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replaceAll('\0', ' ');
}

/** The pids a $SIDE_FILE lists: the processes that evaluated the app. */
export function appLoads(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
}

/**
 * Poll `check` until it is truthy; throw with `what` after `ms`.
 *
 * @example
 * await until(() => childPids(pid).length === 2, 'two workers');
 */
export async function until<T>(check: () => T | Promise<T>, what: string, ms = 10_000): Promise<Exclude<T, undefined | null | false>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, undefined | null | false>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** What a load run saw. */
export interface LoadResult {
  ok: number;
  failed: number;
  /** The first few failures, for the assertion message. */
  errors: string[];
  /** The bodies (pids) of the answers, by count. */
  bodies: Map<string, number>;
  /** The longest any request took, answered or failed, ms. */
  slowest: number;
}

/**
 * Keep `concurrency` requests in flight (each a call of `once`, which resolves with the body of
 * a 200 and throws otherwise) until `stop()` is called.
 *
 * @example
 * const load = steadyLoad(() => get(url), 8);
 * ...; const result = await load.stop();
 */
export function steadyLoad(once: () => Promise<string>, concurrency: number): { stop(): Promise<LoadResult> } {
  const result: LoadResult = { ok: 0, failed: 0, errors: [], bodies: new Map(), slowest: 0 };
  let running = true;
  const loop = async (): Promise<void> => {
    while (running) {
      const started = Date.now();
      try {
        const body = await once();
        result.ok++;
        result.bodies.set(body, (result.bodies.get(body) ?? 0) + 1);
      } catch (error) {
        result.failed++;
        if (result.errors.length < 5) result.errors.push(String((error as Error).message ?? error));
      }
      result.slowest = Math.max(result.slowest, Date.now() - started);
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

/**
 * GET `url` and return its body; throws on anything but a 200.
 *
 * @example
 * await get('http://127.0.0.1:8080/'); // '4242'
 */
export async function get(url: string, init: RequestInit = {}): Promise<string> {
  const response = await fetch(url, init);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${response.status} ${body.slice(0, 200)}`);
  return body;
}

/**
 * Send rounds of `width` requests at once (each opens or takes a connection, so each worker
 * gets a chance to accept one) until every pid of `wanted` has answered or `rounds` pass;
 * returns the pids seen.
 *
 * @example
 * const seen = await answeringPids(() => get(`${base}/slow?ms=100`), workers);
 */
export async function answeringPids(once: () => Promise<string>, wanted: number[], rounds = 30, width = 8): Promise<number[]> {
  const seen = new Set<number>();
  for (let round = 0; round < rounds && !wanted.every((pid) => seen.has(pid)); round++) {
    for (const pid of await Promise.all(Array.from({ length: width }, once))) seen.add(Number(pid));
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * The primary's workers once there are `count` of them.
 *
 * @example
 * const workers = await workersOf(server.pid); // [4242, 4243]
 */
export function workersOf(primary: number, count = 2): Promise<number[]> {
  return until(() => {
    const pids = childPids(primary);
    return pids.length === count ? pids : undefined;
  }, `${count} workers of ${primary}`);
}

/**
 * SIGKILL one worker and resolve with the workers once another has taken its place.
 *
 * @example
 * const after = await killWorker(server.pid, before[0]);
 */
export async function killWorker(primary: number, victim: number, count = 2): Promise<number[]> {
  process.kill(victim, 'SIGKILL');
  return until(() => {
    const now = childPids(primary);
    return now.length === count && !now.includes(victim) ? now : undefined;
  }, `a worker in place of ${victim}`);
}

/**
 * Run `concurrency` requests at once, SIGHUP the primary a moment in, and stop once the reload
 * is done and the new workers served a moment longer.
 *
 * @example
 * const result = await reloadUnderLoad(server, () => get(url), 8);
 */
export async function reloadUnderLoad(server: Server, once: () => Promise<string>, concurrency: number): Promise<LoadResult> {
  const load = steadyLoad(once, concurrency);
  await sleep(400);
  process.kill(server.pid, 'SIGHUP');
  await until(() => /reload done: \d+ workers? replaced/.test(server.logs()), 'the reload to finish');
  await sleep(300);
  return load.stop();
}
