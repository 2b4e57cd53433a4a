/**
 * Which of the node server's limits the bun executable honours, and how each maps onto
 * `Bun.serve`. The Node executable takes them all (adapters/_node/serve.ts); under Bun:
 *
 * - `maxBodySize`: Bun's `maxRequestBodySize`, plus bun-serve.ts's Content-Length check.
 * - `streamIdleTimeout`: Bun's `idleTimeout`, whole seconds, at most 255 (0: none). It is per
 *   connection, so it also closes an idle keep-alive connection: there is no separate
 *   `keepAliveTimeout` to honour, and one asked for is refused rather than folded into it.
 * - `responseTimeout`: bun-serve.ts's own sweeper (a 504; Bun's `request.signal` cannot be
 *   aborted from outside, see there).
 *
 * The rest Bun.serve has no setting for; asked for, they are refused with one line, never
 * ignored. The build refuses them in `exe.*` (build/options.ts), so at run time only a flag
 * can bring one.
 *
 * Run time only: pure, no dependencies.
 */
import { limitFlag, type LimitUsageOptions, type NodeLimits } from '../../_node/server-args.ts';

/** The limits the bun executable honours. */
export const BUN_LIMITS: readonly (keyof NodeLimits)[] = ['maxBodySize', 'responseTimeout', 'streamIdleTimeout'];

/** The limits it refuses, each with why. */
export const BUN_REFUSED: Readonly<Partial<Record<keyof NodeLimits, string>>> = {
  maxHeaderSize: 'Bun.serve has no such setting',
  headersTimeout: 'Bun.serve has no such setting',
  requestTimeout: 'Bun.serve has no such setting',
  keepAliveTimeout: 'Bun.serve has one idle timeout per connection, set by --stream-idle-timeout',
  maxPipelined: 'Bun.serve has no such setting',
};

/** Bun.serve's largest `idleTimeout`, seconds. */
export const BUN_MAX_IDLE_SECONDS = 255;

/** `--help` of the bun executable: its limit flags, in words true under Bun. */
export const BUN_LIMIT_USAGE: LimitUsageOptions = {
  only: BUN_LIMITS,
  text: { streamIdleTimeout: 'longest silence on a connection, idle keep-alive included; whole seconds, at most 255000' },
};

/** What `bunServe` gets from the limits. */
export interface BunLimits {
  maxBodySize?: number;
  /** Milliseconds; 0: none. */
  responseTimeout?: number;
  /** Bun's `idleTimeout`, seconds; 0: none. */
  idleTimeout?: number;
}

/**
 * Milliseconds as Bun's `idleTimeout`: rounded up to whole seconds (a limit never shortened).
 * Undefined when beyond what Bun takes.
 *
 * @example
 * idleSeconds(1500); // 2
 * idleSeconds(300_000); // undefined
 */
export function idleSeconds(ms: number): number | undefined {
  const seconds = Math.ceil(ms / 1000);
  return seconds <= BUN_MAX_IDLE_SECONDS ? seconds : undefined;
}

/**
 * Why a limit cannot be honoured under Bun, as `<what> <why>`; undefined when it can. `what` is
 * how the user gave it: a flag (`--max-pipelined`) or a config key (`exe.maxPipelined`).
 *
 * @example
 * bunLimitProblem('maxPipelined', 4, '--max-pipelined'); // '--max-pipelined is not available with --runtime bun (Bun.serve has no such setting)'
 * bunLimitProblem('streamIdleTimeout', 60_000, '--stream-idle-timeout'); // undefined
 */
export function bunLimitProblem(key: keyof NodeLimits, value: number, what: string): string | undefined {
  const refused = BUN_REFUSED[key];
  if (refused !== undefined) return `${what} is not available with --runtime bun (${refused})`;
  if (key === 'streamIdleTimeout' && idleSeconds(value) === undefined) {
    return `${what} ${value} is more than Bun.serve's idleTimeout allows (${BUN_MAX_IDLE_SECONDS * 1000} ms; 0: none)`;
  }
  return undefined;
}

/**
 * The command line's limits (flags over the baked ones) as `bunServe` options, the baked
 * `maxBodySize` under a `--max-body-size` flag. Throws an Error whose message is one line,
 * `PORTICO_EXE_BUN_LIMIT: ...`, for a limit Bun cannot honour.
 *
 * @example
 * bunLimits({ responseTimeout: 5000, streamIdleTimeout: 1500 }, 1000); // { maxBodySize: 1000, responseTimeout: 5000, idleTimeout: 2 }
 * bunLimits({ maxPipelined: 4 }, undefined); // throws: PORTICO_EXE_BUN_LIMIT: --max-pipelined is not available with --runtime bun (...)
 */
export function bunLimits(limits: NodeLimits, bakedMaxBodySize: number | undefined): BunLimits {
  for (const [key, value] of Object.entries(limits) as [keyof NodeLimits, number | undefined][]) {
    if (value === undefined) continue;
    const problem = bunLimitProblem(key, value, limitFlag(key));
    if (problem !== undefined) throw new Error(`PORTICO_EXE_BUN_LIMIT: ${problem}`);
  }
  const out: BunLimits = {};
  const maxBodySize = limits.maxBodySize ?? bakedMaxBodySize;
  if (maxBodySize !== undefined) out.maxBodySize = maxBodySize;
  if (limits.responseTimeout !== undefined) out.responseTimeout = limits.responseTimeout;
  if (limits.streamIdleTimeout !== undefined) out.idleTimeout = idleSeconds(limits.streamIdleTimeout)!;
  return out;
}
