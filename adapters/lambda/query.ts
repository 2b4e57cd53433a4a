/**
 * The raw query string of a request, rebuilt from what each event source kept of it.
 *
 * - payload 2.0 (HTTP API, Function URLs): `rawQueryString` is the bytes the client sent;
 *   portico uses it as is (`+`, `%2B`, order, empty values all preserved).
 * - REST API (payload 1.0): API Gateway hands over only percent-DECODED values in
 *   `multiValueQueryStringParameters` (or `queryStringParameters`, last value per name).
 *   portico re-encodes each name and value with encodeURIComponent, so
 *   `new URLSearchParams(url.search)` gives back exactly the decoded values API Gateway saw.
 *   What cannot be preserved: the client's original spelling (`%20` vs `+`, `%7E` vs `~`),
 *   the order between different names (JSON object order is per name), and `?a` vs `?a=`.
 * - ALB: values arrive exactly as sent, still percent-encoded ("the load balancer does not
 *   decode them"), so they are joined raw and never decoded twice. With multi-value headers
 *   off, ALB keeps only the last value of a repeated name.
 */
import type { MultiMap, StringMap } from './types.ts';

/**
 * `s` with lone surrogates replaced by U+FFFD (ES2024 `toWellFormed`, in Node 20+), since a
 * lone surrogate cannot be UTF-8 encoded.
 *
 * @example
 * wellFormed('a\ud800'); // 'a\ufffd'
 */
export function wellFormed(s: string): string {
  return (s as unknown as { toWellFormed(): string }).toWellFormed();
}

function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    // Replace a lone surrogate rather than fail the request.
    return encodeURIComponent(wellFormed(s));
  }
}

function identity(s: string): string {
  return s;
}

/**
 * Whether an object has an own enumerable key (no array built).
 *
 * @example
 * hasKeys({}); // false
 */
export function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

function join(multi: MultiMap | null | undefined, single: StringMap | null | undefined, enc: (s: string) => string): string {
  let out = '';
  // An empty multi-value map beside a filled single one (hand-written events) says nothing.
  if (multi && (!single || hasKeys(multi))) {
    for (const name in multi) {
      const list = multi[name];
      if (!list) continue;
      const k = enc(name);
      for (let i = 0; i < list.length; i++) out += (out ? '&' : '') + k + '=' + enc(String(list[i] ?? ''));
    }
    return out;
  }
  if (single) {
    for (const name in single) {
      const v = single[name];
      if (v == null) continue;
      out += (out ? '&' : '') + enc(name) + '=' + enc(String(v));
    }
  }
  return out;
}

/**
 * The query string (without `?`) of a REST API event, re-encoded from decoded values.
 *
 * @example
 * v1Query({ multiValueQueryStringParameters: { q: ['a b', 'c&d'] } }); // 'q=a%20b&q=c%26d'
 */
export function v1Query(event: { multiValueQueryStringParameters?: MultiMap | null; queryStringParameters?: StringMap | null }): string {
  return join(event.multiValueQueryStringParameters, event.queryStringParameters, encode);
}

/**
 * The query string (without `?`) of an ALB event, joined raw (values are still encoded).
 *
 * @example
 * albQuery({ queryStringParameters: { q: 'a%20b' } }); // 'q=a%20b'
 */
export function albQuery(event: { multiValueQueryStringParameters?: MultiMap | null; queryStringParameters?: StringMap | null }): string {
  return join(event.multiValueQueryStringParameters, event.queryStringParameters, identity);
}
