/**
 * The request URL a Node-based gateway hands the app, spelled as the WHATWG URL parser spells
 * it, so `request.url` is the same string on every gateway (Workers, Lambda and a native
 * `Request` all serialise through that parser): `/<script>` arrives as `/%3Cscript%3E`, dot
 * segments are resolved, `\` is `/`. What the parser leaves alone stays byte for byte (`+`,
 * `%2B`, `%20`, `%2F`): the app's router decides what they mean.
 *
 * The serialisation is shared with the other gateways (adapters/_http/target.ts). Both halves
 * have a fast path, so the common request pays one regex test and no `new URL`: a target made
 * only of characters the parser keeps, and the Host of the previous request.
 * The Host comes from outside: a value the URL parser rejects (`a:99999`, `%00`, `[:::::]`)
 * or reinterprets (`0x7f.1` is 127.0.0.1 to it) is refused, never built into a URL the app
 * would then fail to parse (RFC 9112 §3.2, RFC 9110 §7.2).
 */
import { isPlainTarget, serialiseTarget } from '../_http/target.ts';

export { isPlainTarget };

// Bytes above 0x7f of the request line, which node hands over one char per byte (latin1).
const HIGH_BYTES = /[\x80-\xff]/g;

// absolute-form (RFC 9112 §3.2.2): scheme "://" authority, then path-abempty and query.
const ABSOLUTE = /^(https?):\/\/([^/?#]*)(.*)$/is;

/** What `parseTarget` makes of a request-target. */
export interface Target {
  /** The path and query as the URL parser serialises them ('/' at least). */
  path: string;
  /** For absolute-form: the scheme and authority it names, which beat Host (RFC 9112 §3.2.2). */
  scheme?: 'http' | 'https';
  authority?: string;
}

/**
 * A request-target reduced to what the app's URL holds, or undefined when there is no URL for
 * it: the asterisk-form of `OPTIONS *`, authority-form, a fragment (`#` is not allowed in a
 * request-target, RFC 9112 §3.2), userinfo in absolute-form.
 *
 * @example
 * parseTarget('/a/../<b>?q=<');              // { path: '/%3Cb%3E?q=%3C' }
 * parseTarget('http://h.example/p?q');       // { path: '/p?q', scheme: 'http', authority: 'h.example' }
 * parseTarget('*');                          // undefined
 */
export function parseTarget(target: string): Target | undefined {
  if (target.includes('#')) return undefined;
  let scheme: 'http' | 'https' | undefined;
  let authority: string | undefined;
  let rest = target;
  if (target.charCodeAt(0) !== 47 /* / */) {
    const m = ABSOLUTE.exec(target);
    if (m === null || m[2] === '' || m[2]!.includes('@')) return undefined;
    scheme = m[1]!.toLowerCase() as 'http' | 'https';
    authority = m[2]!;
    rest = m[3] === '' || m[3]![0] === '?' ? `/${m[3]}` : m[3]!;
    if (rest.charCodeAt(0) !== 47) return undefined;
  }
  const path = isPlainTarget(rest) ? rest : serialise(rest);
  if (path === undefined) return undefined;
  return scheme === undefined ? { path } : { path, scheme, authority };
}

/**
 * The WHATWG serialisation of a path + query from node (shared with every gateway), after
 * each byte above 0x7f becomes its own %XX: node hands the request line over one char per
 * byte, and the bytes on the wire are what a platform reading them would encode.
 */
function serialise(pathAndQuery: string): string | undefined {
  return serialiseTarget(pathAndQuery.replace(HIGH_BYTES, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
}

// Host syntax before the parser sees it (RFC 3986 §3.2.2): a reg-name of unreserved and
// sub-delims (no pct-encoded: the parser would decode it, a reinterpretation), or an IP-literal;
// then an optional port.
const HOST_SYNTAX = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]*)?$/;

let lastHost = '';
let lastScheme = '';
let lastOrigin = '';
const known = new Map<string, string | null>();
const KNOWN_MAX = 512;

/**
 * The origin (`scheme://host[:port]`, as `new URL(...).origin` spells it: lower case, default
 * port dropped) for a Host value, or undefined when the URL parser rejects or reinterprets it.
 * The last answer is remembered (nearly every request of a server carries the same Host), and
 * up to 512 others, so a distinct Host costs one `new URL` and a repeated one a map lookup.
 *
 * @example
 * originOf('http', 'Example.com:80');  // 'http://example.com'
 * originOf('http', '0x7f.1');          // undefined: the parser reads 127.0.0.1
 * originOf('http', 'a:99999');         // undefined
 */
export function originOf(scheme: string, host: string): string | undefined {
  if (host === lastHost && scheme === lastScheme) return lastOrigin;
  const key = `${scheme}://${host}`;
  let origin = known.get(key);
  if (origin === undefined) {
    origin = checkOrigin(scheme, host);
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(key, origin);
  }
  if (origin === null) return undefined;
  lastHost = host;
  lastScheme = scheme;
  lastOrigin = origin;
  return origin;
}

function checkOrigin(scheme: string, host: string): string | null {
  if (host.length > 255 || !HOST_SYNTAX.test(host)) return null;
  let url: URL;
  try {
    url = new URL(`${scheme}://${host}/`);
  } catch {
    return null;
  }
  if (url.pathname !== '/' || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return null;
  const colon = host.lastIndexOf(':');
  const name = host[0] === '[' ? host.slice(0, host.indexOf(']') + 1) : colon === -1 ? host : host.slice(0, colon);
  // An IPv6 literal may come back in its canonical spelling; any other name must come back as
  // it went in, case aside (`0x7f.1` and `1.2.3` come back as other addresses).
  if (name[0] !== '[' && url.hostname !== name.toLowerCase()) return null;
  return url.origin;
}

/**
 * `host:port` of a local or peer address, IPv6 in brackets, for a request with no Host.
 *
 * @example
 * hostOf('::1', 3000); // '[::1]:3000'
 */
export function hostOf(address: string | undefined, port: number | undefined): string {
  if (!address) return 'localhost';
  const a = address.includes(':') ? `[${address}]` : address;
  return port ? `${a}:${port}` : a;
}

/**
 * Split a path + query at the first `?`: the path (which the mount compares) and the query
 * with its `?` ('' when none).
 *
 * @example
 * splitQuery('/a?b?c'); // ['/a', '?b?c']
 */
export function splitQuery(pathAndQuery: string): [string, string] {
  const q = pathAndQuery.indexOf('?');
  return q === -1 ? [pathAndQuery, ''] : [pathAndQuery.slice(0, q), pathAndQuery.slice(q)];
}
