/**
 * The limit keys a built server takes from bundle.config.ts (`node: {...}`, `exe: {...}`): what
 * each expects, its check, and what gets baked in. One list for both targets, so the config
 * keys stay the flags' (adapters/_node/server-args.ts) on each. `maxBodySize` is apart: every
 * Node gateway takes it, and the targets check it themselves.
 *
 * Build time only.
 */
import type { ServerLimitOptions } from '../config/define.ts';
import type { NodeLimits } from '../../adapters/_node/server-args.ts';

/** Each limit key → what it expects, for the PORTICO_BAD_OPTION message. */
export const LIMIT_OPTIONS: Record<keyof ServerLimitOptions, string> = {
  maxHeaderSize: 'a positive integer (bytes)',
  headersTimeout: 'a whole number of milliseconds',
  requestTimeout: 'a whole number of milliseconds (0: no limit)',
  keepAliveTimeout: 'a whole number of milliseconds',
  responseTimeout: 'a whole number of milliseconds (0: no limit)',
  streamIdleTimeout: 'a whole number of milliseconds (0: no limit)',
  maxPipelined: 'a positive integer',
};

/**
 * Whether `name` is a limit key; then `limitValueOk` checks its value.
 *
 * @example
 * isLimitOption('responseTimeout'); // true
 */
export function isLimitOption(name: string): name is keyof ServerLimitOptions {
  return Object.hasOwn(LIMIT_OPTIONS, name);
}

/**
 * A size or count must be positive; a time may be 0.
 *
 * @example
 * limitValueOk('maxPipelined', 0); // false
 * limitValueOk('responseTimeout', 0); // true
 */
export function limitValueOk(name: keyof ServerLimitOptions, value: unknown): boolean {
  if (!Number.isInteger(value)) return false;
  return name === 'maxHeaderSize' || name === 'maxPipelined' ? (value as number) > 0 : (value as number) >= 0;
}

/**
 * The limits set in a target's options, to bake into its server.
 *
 * @example
 * bakedLimits({ port: 80, responseTimeout: 5000 }); // { responseTimeout: 5000 }
 */
export function bakedLimits(options: ServerLimitOptions): NodeLimits {
  const limits: NodeLimits = {};
  for (const name of Object.keys(LIMIT_OPTIONS) as (keyof ServerLimitOptions)[]) if (options[name] !== undefined) limits[name] = options[name];
  return limits;
}
