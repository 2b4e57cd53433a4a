/**
 * Request headers as a lazy view over node's `rawHeaders` (STYLE §5). `get()` and `has()` scan
 * the raw name/value list in place (a request has a dozen fields, so a scan beats building a
 * map); anything else (iteration, mutation, getSetCookie) copies the fields once into the
 * LightHeaders store and then behaves exactly like it.
 *
 * Repeated fields come out as Fetch (undici) gives them: joined with ", ", Cookie joined with
 * "; " (undici's HeadersList does this, after RFC 9113 §8.2.3), Set-Cookie kept apart for
 * getSetCookie(). Node's own `req.headers` differs: it drops repeats of Host, User-Agent,
 * Authorization and a dozen others, which is why this reads `rawHeaders`.
 */
import { LightHeaders } from '../_http/headers.ts';

/**
 * @example
 * const h = new NodeHeaders(['Host', 'x', 'Accept', 'a', 'accept', 'b']);
 * h.get('accept'); // 'a, b'
 */
export class NodeHeaders extends LightHeaders {
  /** node's [name, value, name, value, ...] list; null once copied into the store. */
  #raw: string[] | null;

  constructor(raw: string[]) {
    super();
    this.#raw = raw;
  }

  /** Copy the raw fields into the LightHeaders store, once. */
  #materialize(): void {
    const raw = this.#raw;
    if (raw === null) return;
    this.#raw = null;
    let cookie: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.length === 6 && name.toLowerCase() === 'cookie') {
        const v = trimOws(raw[i + 1]!);
        cookie = cookie === undefined ? v : `${cookie}; ${v}`;
        continue;
      }
      try {
        super.append(name, raw[i + 1]!);
      } catch {
        // node's parser already rejected invalid names and values; a field that still does
        // not pass Fetch's checks is dropped rather than failing the whole request.
      }
    }
    if (cookie !== undefined) super.append('cookie', cookie);
  }

  override get(name: string): string | null {
    const raw = this.#raw;
    if (raw === null) return super.get(name);
    const key = name.toLowerCase();
    let out: string | null = null;
    for (let i = 0; i < raw.length; i += 2) {
      const k = raw[i]!;
      if (k.length === key.length && (k === key || k.toLowerCase() === key)) {
        const v = trimOws(raw[i + 1]!);
        out = out === null ? v : out + (key === 'cookie' ? '; ' : ', ') + v;
      }
    }
    return out;
  }

  override has(name: string): boolean {
    const raw = this.#raw;
    if (raw === null) return super.has(name);
    const key = name.toLowerCase();
    for (let i = 0; i < raw.length; i += 2) {
      const k = raw[i]!;
      if (k.length === key.length && k.toLowerCase() === key) return true;
    }
    return false;
  }

  override set(name: string, value: string): void {
    this.#materialize();
    super.set(name, value);
  }

  override append(name: string, value: string): void {
    this.#materialize();
    super.append(name, value);
  }

  override delete(name: string): void {
    this.#materialize();
    super.delete(name);
  }

  override getSetCookie(): string[] {
    this.#materialize();
    return super.getSetCookie();
  }

  override entries(): IterableIterator<[string, string]> {
    this.#materialize();
    return super.entries();
  }

  override rawPairs(): Array<[string, string]> {
    this.#materialize();
    return super.rawPairs();
  }
}

/** node keeps values as received minus leading/trailing OWS already; this is a cheap guard. */
function trimOws(v: string): string {
  return v.length > 0 && (v.charCodeAt(0) <= 32 || v.charCodeAt(v.length - 1) <= 32) ? v.trim() : v;
}

/**
 * The first value of a header in node's rawHeaders, without building `req.headers`.
 *
 * @example
 * rawHeader(['Host', 'example.com'], 'host'); // 'example.com'
 */
export function rawHeader(raw: string[], key: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === key.length && (k === key || k.toLowerCase() === key)) return raw[i + 1];
  }
  return undefined;
}

/**
 * The Host field of node's rawHeaders: its value, undefined when there is none, null when there
 * are several (RFC 9112 §3.2 wants a 400 then; node itself keeps the first).
 *
 * @example
 * hostField(['Host', 'a', 'host', 'b']); // null
 */
export function hostField(raw: string[]): string | undefined | null {
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === 4 && (k === 'Host' || k === 'host' || k.toLowerCase() === 'host')) {
      if (value !== undefined) return null;
      value = raw[i + 1]!;
    }
  }
  return value;
}
