/**
 * The raw query string of a request, rebuilt from what each event source kept of it.
 *
 * - payload 2.0 (HTTP API, Function URLs): `rawQueryString` is the bytes the client sent;
 *   portico uses it as is (`+`, `%2B`, order, empty values all preserved). AWS always sets it
 *   (`""` for none); an event without it (hand-written, older local emulators) falls back to
 *   its decoded `queryStringParameters`, re-encoded as for REST.
 * - REST API (payload 1.0): API Gateway hands over only DECODED values in
 *   `multiValueQueryStringParameters` (or `queryStringParameters`, last value per name), and
 *   it decodes the way HTML forms encode (application/x-www-form-urlencoded): `+` becomes a
 *   space, `%2B` a `+`, `%20` a space. So `?a=1+2&b=%2B` arrives as `{ a: ['1 2'], b: ['+'] }`:
 *   a literal `+` in a value can only have come from `%2B`, and there is nothing ambiguous to
 *   undo. Evidence: a live REST capture (hotsock/voker `vokerhttp/testdata/apigwv1-request.json`,
 *   2026: `literalPlus=a+b` -> "a b", `encodedPlus=a%2Bb` -> "a+b"), aws/aws-cdk#19827 (a logged
 *   event with `?sort=-+createdAt` -> "- createdAt"), micronaut-aws#1412 (`aa%2Bbb` -> "aa+bb").
 *   The older belief that REST leaves `+` undecoded does not match those recordings.
 *   portico therefore re-encodes each name and value with encodeURIComponent (`' '` -> `%20`,
 *   `'+'` -> `%2B`), so `new URLSearchParams(url.search)` gives back exactly the values API
 *   Gateway decoded, and a second decode can never turn a real `+` into a space. What cannot be
 *   preserved: the client's spelling (`+` vs `%20`, `%7E` vs `~`), the order between different
 *   names (JSON object order is per name), and `?a` vs `?a=`.
 * - ALB: names and values arrive exactly as sent, still percent-encoded ("If the query
 *   parameters are URL-encoded, the load balancer does not decode them", ALB docs "Lambda
 *   functions as targets"; live capture: `a%2Bb` and `a+b` kept apart), so they are joined raw
 *   and never decoded twice: every value keeps its spelling. Lost: the interleaving of repeated
 *   names with others (`a=1&b=2&a=3` comes back as `a=1&a=3&b=2`) and, with multi-value headers
 *   off, every value of a repeated name but the last.
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
 * The query string (without `?`) of a payload 2.0 event: `rawQueryString`, else rebuilt.
 *
 * @example
 * v2Query({ rawQueryString: 'a=1+2' }); // 'a=1+2'
 * v2Query({ queryStringParameters: { q: 'a b' } }); // 'q=a%20b'
 */
export function v2Query(event: { rawQueryString?: string; queryStringParameters?: StringMap | null }): string {
  const raw = event.rawQueryString;
  if (typeof raw === 'string') return raw;
  return join(undefined, event.queryStringParameters, encode);
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
