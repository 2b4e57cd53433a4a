/**
 * Errors meant for the user: a stable code prefix, what is wrong, and the fix. The CLI prints
 * the message of a PorticoError as one line with no stack trace.
 */

/**
 * @example
 * throw new PorticoError('PORTICO_NO_ENTRY', 'no app module found; pass one: portico bundle src/app.ts');
 */
export class PorticoError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'PorticoError';
    this.code = code;
  }
}

/** A short, readable rendering of a wrong value for an error message. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * The error for an option of the wrong type or value.
 *
 * @example
 * throw badOption('outDir', 'a string (a folder path)', 3);
 * // PORTICO_BAD_OPTION: "outDir" must be a string (a folder path), got 3
 */
export function badOption(name: string, expected: string, got: unknown): PorticoError {
  return new PorticoError('PORTICO_BAD_OPTION', `"${name}" must be ${expected}, got ${showValue(got)}`);
}
