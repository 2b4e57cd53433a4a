/**
 * Child processes of a benchmark: started pinned to a core, tracked by pid, and ended by pid
 * (never by name). Every process started here is ended by `stopAll()`, which the runners call
 * on exit, on Ctrl-C and from their watchdog.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const running = new Set<ChildProcess>();

/** Whether processes can be pinned: taskset exists and there are at least two cores. */
export function canPin(): boolean {
  return availableParallelism() >= 2 && ['/usr/bin/taskset', '/bin/taskset'].some((p) => existsSync(p));
}

/**
 * Start `command args` (pinned to `cpu` with taskset when given), remembering it for `stopAll`.
 * taskset execs the command, so the child's pid is the command's own pid. The last 8 KB of
 * stderr are kept in `stderrTail()` for error messages.
 *
 * @example
 * const p = start(process.execPath, ['server.ts'], { cpu: 1, env: { PORT: '8080' } });
 */
export function start(
  command: string,
  args: string[],
  options: { cpu?: number; env?: Record<string, string | undefined>; cwd?: string; detached?: boolean } = {},
): ChildProcess & { stderrTail(): string } {
  const [cmd, argv] = options.cpu === undefined ? [command, args] : ['taskset', ['-c', String(options.cpu), command, ...args]];
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  };
  const child = spawn(cmd, argv, spawnOptions) as ChildProcess & { stderrTail(): string };
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8192);
  };
  child.stderr?.on('data', keep);
  child.stdout?.on('data', keep);
  child.stderrTail = () => tail;
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/**
 * End one child: SIGTERM, then SIGKILL after `graceMs` if it is still there. Resolves once it exited.
 *
 * @example
 * await stop(child);
 */
export function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (child.pid) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {}
      }
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.pid) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {}
    }
  });
}

/** End every child still running (by pid). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => stop(c)));
}

/** Synchronous last resort for `process.on('exit')`: SIGKILL every child still running, by pid. */
export function killAllNow(): void {
  for (const c of running) {
    if (c.pid && c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {}
    }
  }
}

/**
 * Make the runner clean up after itself however it ends: on exit, Ctrl-C, SIGTERM, and when the
 * watchdog fires after `limitMs` (the run then fails rather than hanging).
 *
 * @example
 * installCleanup(10 * 60_000);
 */
export function installCleanup(limitMs: number): void {
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      killAllNow();
      process.exit(130);
    });
  }
  const watchdog = setTimeout(() => {
    console.error(`PORTICO_BENCH_TIMEOUT: the run passed its ${Math.round(limitMs / 1000)} s limit; stopping its processes`);
    killAllNow();
    process.exit(1);
  }, limitMs);
  watchdog.unref();
}

/** A free TCP port on 127.0.0.1: the tests' own (test/classic/peers.ts), which bench/classic.ts already uses for its peers. */
export { freePort } from '../../test/classic/peers.ts';

/**
 * Poll `url` until it answers (any status), or throw after `timeoutMs` with the child's stderr.
 *
 * @example
 * await waitForHttp('http://127.0.0.1:8080/', child);
 */
export async function waitForHttp(url: string, child: ChildProcess & { stderrTail(): string }, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`PORTICO_BENCH_SERVER_DIED: the server exited (${child.exitCode ?? child.signalCode}) before answering:\n${child.stderrTail()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`PORTICO_BENCH_SERVER_TIMEOUT: no answer from ${url} within ${timeoutMs} ms:\n${child.stderrTail()}`);
}

/**
 * CPU seconds (user + system, all threads) a live process has used so far, from
 * /proc/<pid>/stat; undefined where /proc is missing. Requests per CPU-second of the server
 * barely move when other work shares the machine, unlike requests per wall-clock second.
 *
 * @example
 * const before = cpuSeconds(child.pid!);
 */
export function cpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name (which may hold spaces): utime is field 14,
  // stime 15 (proc(5)), counted in clock ticks, which Linux reports to /proc as USER_HZ = 100.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Milliseconds a live process has run on a CPU so far, summed over its threads, from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds: fine enough for a start-up of 50 ms, where
 * /proc/<pid>/stat counts 10 ms ticks); undefined where /proc is missing. Threads that already
 * ended are not counted. Time on a CPU barely moves when other work shares the machine, unlike
 * time on the clock.
 *
 * @example
 * const ms = cpuMilliseconds(child.pid!); // 38.4
 */
export function cpuMilliseconds(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    return undefined;
  }
}
