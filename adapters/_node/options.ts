/**
 * Checks for the node gateway's numeric options: one message shape for all of them, naming the
 * option and what it takes (STYLE §9).
 */

/**
 * A number of milliseconds (>= 0), or `fallback` when undefined.
 *
 * @example
 * checkMs('keepAliveTimeout', undefined, 5000); // 5000
 */
export function checkMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`PORTICO_BAD_OPTION: "${name}" must be a number of milliseconds (>= 0), got ${String(value)}`);
  }
  return value;
}

/**
 * A positive integer (a count or a size in bytes), or `fallback` when undefined.
 *
 * @example
 * checkPositive('maxPipelined', 8, 16); // 8
 */
export function checkPositive(name: string, value: number | undefined, fallback: number, unit = 'a positive integer'): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`PORTICO_BAD_OPTION: "${name}" must be ${unit}, got ${String(value)}`);
  return value;
}
