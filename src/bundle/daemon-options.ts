/**
 * The daemon-mode keys of bundle.config.ts (`workers`, `maxRequests`, `maxRequestsJitter` under
 * `node`, `fastcgi` and `scgi`): what each expects, its check, and what gets baked in. One list
 * for the three targets, so the keys stay the flags' (adapters/_daemon/settings.ts) on each.
 *
 * Build time only.
 */
import type { BakedDaemonOptions } from '../../adapters/_daemon/settings.ts';

/** Each daemon key → what it expects, for the PORTICO_BAD_OPTION message. */
export const DAEMON_OPTIONS: Record<keyof BakedDaemonOptions, string> = {
  workers: 'a number of worker processes (1 or more) or "auto" (one a CPU)',
  maxRequests: 'a whole number of requests (0: never recycle)',
  maxRequestsJitter: 'a whole number of requests',
};

/**
 * Whether `name` is a daemon key; then `daemonValueOk` checks its value.
 *
 * @example
 * isDaemonOption('workers'); // true
 */
export function isDaemonOption(name: string): name is keyof BakedDaemonOptions {
  return Object.hasOwn(DAEMON_OPTIONS, name);
}

/**
 * `workers` is 'auto' or at least 1; the request counts may be 0.
 *
 * @example
 * daemonValueOk('workers', 'auto'); // true
 * daemonValueOk('workers', 0); // false
 */
export function daemonValueOk(name: keyof BakedDaemonOptions, value: unknown): boolean {
  if (name === 'workers' && value === 'auto') return true;
  return Number.isInteger(value) && (value as number) >= (name === 'workers' ? 1 : 0);
}

/**
 * The daemon keys set in a target's options, to bake into its server.
 *
 * @example
 * bakedDaemon({ port: 80, workers: 4 }); // { workers: 4 }
 */
export function bakedDaemon(options: BakedDaemonOptions): BakedDaemonOptions {
  const baked: BakedDaemonOptions = {};
  if (options.workers !== undefined) baked.workers = options.workers;
  if (options.maxRequests !== undefined) baked.maxRequests = options.maxRequests;
  if (options.maxRequestsJitter !== undefined) baked.maxRequestsJitter = options.maxRequestsJitter;
  return baked;
}
