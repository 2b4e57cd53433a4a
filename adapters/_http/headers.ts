/**
 * A light `Headers` for the hot path. Node loads undici (22–36 ms) the first time any of
 * `Request`, `Response` or `Headers` is touched; on Lambda that lands in the first invocation.
 * This class behaves like the Fetch `Headers` for what apps and frameworks use (get, set, append,
 * has, delete, iteration in sorted order, getSetCookie) and is accepted wherever a HeadersInit is,
 * because it is iterable as [name, value] pairs.
 *
 * Web APIs only: shipped in every bundle, Workers included.
 */

type HeadersLike = Iterable<readonly [string, string]> | Record<string, string | readonly string[] | undefined>;

// RFC 9110 §5.1 token characters; a name outside them is a TypeError, as in undici.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function checkName(name: string): string {
  if (!TOKEN.test(name)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
  return name.toLowerCase();
}

// Fetch normalises a value by trimming HTTP whitespace (tab, space, CR, LF) at both ends
// and rejects NUL, CR and LF inside it.
function checkValue(name: string, value: string): string {
  let v = String(value);
  if (v.length > 0 && (v.charCodeAt(0) <= 32 || v.charCodeAt(v.length - 1) <= 32)) v = v.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  if (/[\0\r\n]/.test(v)) throw new TypeError(`Invalid value for header ${JSON.stringify(name)}`);
  return v;
}

/**
 * Fetch-compatible headers without undici.
 *
 * @example
 * const h = new LightHeaders({ 'Content-Type': 'text/plain' });
 * h.append('set-cookie', 'a=1');
 * h.append('set-cookie', 'b=2');
 * h.get('content-type');  // 'text/plain'
 * h.getSetCookie();       // ['a=1', 'b=2']
 */
export class LightHeaders {
  /** lower-cased name -> values; several only for append()ed names. */
  #map = new Map<string, string[]>();

  constructor(init?: HeadersLike | LightHeaders | null) {
    if (init == null) return;
    if (#map in init) {
      // A brand check, not instanceof (which is also true of a native Headers), and through
      // rawPairs() so that a subclass with a lazy backing store copies what it holds.
      for (const [k, v] of (init as LightHeaders).rawPairs()) {
        const list = this.#map.get(k);
        if (list) list.push(v);
        else this.#map.set(k, [v]);
      }
    } else if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const pair of init as Iterable<readonly [string, string]>) {
        if (pair.length !== 2) throw new TypeError('Header pairs must have exactly two items');
        this.append(pair[0], pair[1]);
      }
    } else if (typeof init === 'object') {
      for (const key of Object.keys(init)) {
        const v = (init as Record<string, unknown>)[key];
        if (v === undefined) continue;
        if (Array.isArray(v)) for (const item of v) this.append(key, item);
        else this.append(key, v as string);
      }
    } else {
      throw new TypeError('Headers init must be an object or an iterable of pairs');
    }
  }

  append(name: string, value: string): void {
    const key = checkName(name);
    const v = checkValue(name, value);
    const list = this.#map.get(key);
    if (list) list.push(v);
    else this.#map.set(key, [v]);
  }

  set(name: string, value: string): void {
    this.#map.set(checkName(name), [checkValue(name, value)]);
  }

  get(name: string): string | null {
    const list = this.#map.get(name.toLowerCase());
    if (!list) return null;
    // Fetch joins repeated values with ", " (Set-Cookie too, which is why getSetCookie exists).
    return list.length === 1 ? list[0]! : list.join(', ');
  }

  has(name: string): boolean {
    return this.#map.has(name.toLowerCase());
  }

  delete(name: string): void {
    this.#map.delete(name.toLowerCase());
  }

  getSetCookie(): string[] {
    return this.#map.get('set-cookie')?.slice() ?? [];
  }

  forEach(callback: (value: string, name: string, parent: this) => void, thisArg?: unknown): void {
    for (const [k, v] of this) callback.call(thisArg, v, k, this);
  }

  /** Pairs sorted by name, values combined, but each Set-Cookie its own pair: the Fetch order. */
  *entries(): IterableIterator<[string, string]> {
    const keys = [...this.#map.keys()].sort();
    for (const k of keys) {
      const list = this.#map.get(k)!;
      if (k === 'set-cookie') for (const v of list) yield [k, v];
      else yield [k, list.length === 1 ? list[0]! : list.join(', ')];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /**
   * Every field as sent, in insertion order, one pair per value (not joined): what a
   * gateway writes on the wire. Not part of Fetch.
   */
  rawPairs(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [k, list] of this.#map) for (const v of list) out.push([k, v]);
    return out;
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }

  /**
   * `x instanceof LightHeaders` is also true of a native Headers, so that code written
   * against the Fetch class keeps working where the bundler swaps this class in.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (value === null || typeof value !== 'object') return false;
    if (#map in value) return true;
    const Native = nativeHeaders();
    return Native !== undefined && Function.prototype[Symbol.hasInstance].call(Native, value);
  }
}

/** The platform's Headers class, looked up without loading it when it is not loaded yet. */
function nativeHeaders(): typeof Headers | undefined {
  return (globalThis as { Headers?: typeof Headers }).Headers;
}

/**
 * Every header of `headers` as [name, value] pairs ready for the wire: lower-case names,
 * Set-Cookie split into one pair each, other repeats joined. Accepts a LightHeaders, a
 * native Headers, a plain record or pairs; never constructs a native Headers.
 *
 * @example
 * headerPairs({ 'X-A': '1', 'Set-Cookie': ['a=1', 'b=2'] });
 * // [['x-a', '1'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]
 */
export function headerPairs(headers: unknown): Array<[string, string]> {
  if (headers == null) return [];
  if (headers instanceof LightHeaders && typeof (headers as LightHeaders).rawPairs === 'function') return (headers as LightHeaders).rawPairs();
  const out: Array<[string, string]> = [];
  const native = headers as Headers;
  if (typeof native.getSetCookie === 'function' && typeof native.forEach === 'function') {
    native.forEach((v, k) => {
      if (k !== 'set-cookie') out.push([k, v]);
    });
    for (const c of native.getSetCookie()) out.push(['set-cookie', c]);
    return out;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string]>) out.push([k.toLowerCase(), checkValue(k, v)]);
    return out;
  }
  for (const key of Object.keys(headers as object)) {
    const v = (headers as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const k = checkName(key);
    if (Array.isArray(v)) for (const item of v) out.push([k, checkValue(key, String(item))]);
    else out.push([k, checkValue(key, String(v))]);
  }
  return out;
}

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * A header value that every wire can carry. HTTP/1.1 fields are bytes; JS strings beyond
 * Latin-1 (an emoji in a filename) make node:http throw ERR_INVALID_CHAR. Such a value is sent
 * as its UTF-8 bytes, one char per byte, which is what a browser reads back as UTF-8.
 *
 * @example
 * wireValue('naïve');  // 'naïve' (Latin-1 already: unchanged)
 * wireValue('☃');      // '\u00e2\u0098\u0083' (the three UTF-8 bytes of the snowman)
 */
export function wireValue(value: string): string {
  if (!BEYOND_LATIN1.test(value)) return value;
  const bytes = new TextEncoder().encode(value);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}
