/**
 * Daemon mode's own command line: `--workers`, `--max-requests` and `--max-requests-jitter`,
 * taken out of a built server's arguments before its gateway's parser reads the rest, over
 * `PORTICO_WORKERS`, over the values baked in from bundle.config.ts. Shared by node's, the
 * fastcgi and the scgi `server.mjs`, so all three take the same flags and say the same errors.
 *
 * Run time only, and cheap: imported by every built server, also when it runs as one process.
 */

/**
 * One worker a CPU. node:os is fetched only here: it is not among the modules Node has loaded at
 * start, and a server running as one process should not pay for it.
 */
function availableParallelism(): number {
  return process.getBuiltinModule('node:os').availableParallelism();
}

/** What bundle.config.ts may bake in (`node: {...}`, `fastcgi: {...}`, `scgi: {...}`). */
export interface BakedDaemonOptions {
  /** Worker processes, or 'auto' for one a CPU. Default 1 (no primary: today's single process). */
  workers?: number | 'auto';
  /** Requests a worker serves before it is replaced; 0: never. Default 0. */
  maxRequests?: number;
  /** Up to this many more requests, drawn per worker, so workers do not all recycle at once. Default 0. */
  maxRequestsJitter?: number;
}

/** The settled daemon settings of a run. */
export interface DaemonSettings {
  /** How many workers; 1 with no `maxRequests` means no primary at all. */
  workers: number;
  /** 0: never recycle. */
  maxRequests: number;
  maxRequestsJitter: number;
}

const FLAGS = { workers: 'workers', 'max-requests': 'maxRequests', 'max-requests-jitter': 'maxRequestsJitter' } as const;

/** A count or 'auto' (one a CPU), as `--workers` and PORTICO_WORKERS take it. */
function workerCount(text: string, what: string): number {
  if (text === 'auto') return availableParallelism();
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1) throw new Error(`${what} must be a number of processes (1 or more) or "auto", got ${JSON.stringify(text)}`);
  return Number(text);
}

function count(text: string, what: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new Error(`${what} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * Take the daemon flags out of `argv`; returns the settings and the arguments left for the
 * gateway's own parser. Throws an Error whose message is one line naming the fix.
 *
 * @example
 * takeDaemonArgs(['--workers', '4', '--port', '9000'], {}, {});
 * // { settings: { workers: 4, maxRequests: 0, maxRequestsJitter: 0 }, rest: ['--port', '9000'] }
 */
export function takeDaemonArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  baked: BakedDaemonOptions,
): { settings: DaemonSettings; rest: string[] } {
  const rest: string[] = [];
  const given: Partial<Record<keyof DaemonSettings, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--(workers|max-requests|max-requests-jitter)(?:=([^]*))?$/.exec(arg);
    if (!match) {
      rest.push(arg);
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`--${match[1]} needs a value (see --help)`);
    given[FLAGS[match[1] as keyof typeof FLAGS]] = value;
  }
  const workersText = given.workers ?? (env.PORTICO_WORKERS || undefined);
  const workers =
    workersText !== undefined ? workerCount(workersText, given.workers !== undefined ? '--workers' : 'PORTICO_WORKERS')
    : baked.workers === 'auto' ? availableParallelism()
    : baked.workers ?? 1;
  return {
    settings: {
      workers,
      maxRequests: given.maxRequests !== undefined ? count(given.maxRequests, '--max-requests') : baked.maxRequests ?? 0,
      maxRequestsJitter: given.maxRequestsJitter !== undefined ? count(given.maxRequestsJitter, '--max-requests-jitter') : baked.maxRequestsJitter ?? 0,
    },
    rest,
  };
}

/**
 * Whether these settings need a primary and workers; `--workers 1` alone stays one process.
 *
 * @example
 * needsPrimary({ workers: 1, maxRequests: 0, maxRequestsJitter: 0 }); // false
 */
export function needsPrimary(settings: DaemonSettings): boolean {
  return settings.workers > 1 || settings.maxRequests > 0;
}

/**
 * The `--help` lines of the daemon flags (29-column flag column, as the other flags).
 *
 * @example
 * console.log(daemonUsage({ workers: 4 }));
 */
export function daemonUsage(baked: BakedDaemonOptions): string {
  return [
    `  --workers <n|auto>         worker processes behind one primary; auto: one a CPU (default: PORTICO_WORKERS, else ${baked.workers ?? 1}; 1: one process, no primary)`,
    `  --max-requests <n>         a worker serving this many requests is replaced, the new one first (default ${baked.maxRequests ?? 0}; 0: never)`,
    `  --max-requests-jitter <n>  up to this many more, drawn per worker (default ${baked.maxRequestsJitter ?? 0})`,
    '  With workers: SIGHUP replaces them one by one (no request fails); SIGTERM/SIGINT drain them all, then exit 0.',
  ].join('\n');
}
