/**
 * A short account of a value an app handed a gateway where a Response belonged, for the log
 * line or error that names the mistake. Shared by every gateway so the same slip reads the
 * same everywhere. Web APIs only.
 */

/**
 * @example
 * describeValue({ hello: 1 }); // 'an object of class Object (keys: hello)'
 * describeValue(undefined);    // 'undefined (did the handler forget to return?)'
 * describeValue('hi');         // 'a string'
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined (did the handler forget to return?)';
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return `an object${name ? ` of class ${name}` : ''} (keys: ${Object.keys(value).slice(0, 5).join(', ') || 'none'})`;
  }
  return `a ${typeof value}`;
}
