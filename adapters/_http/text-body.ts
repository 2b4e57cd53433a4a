/**
 * Whether a response body is text, by its Content-Type: the rule every gateway that must
 * choose between a string and base64 (Lambda, and logging elsewhere) shares. Text means a
 * `text/*` type, a JSON / XML / JavaScript type (`+json`, `+xml` suffixes included), form
 * data, or any type that names a charset; everything else, and no type at all, is binary.
 * Web APIs only.
 */

const TEXT_TYPES = new Set([
  'application/json',
  'application/javascript',
  'application/ecmascript',
  'application/x-javascript',
  'application/xml',
  'application/xhtml+xml',
  'application/x-www-form-urlencoded',
  'application/graphql',
  'application/x-ndjson',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'image/svg+xml',
]);

/**
 * @example
 * isTextContentType('text/html; charset=utf-8');      // true
 * isTextContentType('application/vnd.api+json');      // true
 * isTextContentType('application/octet-stream');      // false
 * isTextContentType('application/pdf;charset=utf-8'); // true: a charset says it is text
 * isTextContentType(null);                            // false
 */
export function isTextContentType(contentType: string | null | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  const essence = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (essence.startsWith('text/')) return true;
  if (TEXT_TYPES.has(essence)) return true;
  if (essence.endsWith('+json') || essence.endsWith('+xml')) return true;
  return semi !== -1 && /;\s*charset\s*=/i.test(contentType);
}
