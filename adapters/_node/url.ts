/**
 * The request URL a Node-based gateway hands the app: `proto://host` + the raw request-target
 * path and query, byte for byte (`+`, `%2B`, `%20` untouched: the app's router decides what
 * they mean). The host comes from outside, so it is checked against the RFC 3986 §3.2.2
 * authority syntax before it goes into a URL, where a `/` or `@` in it would change the path
 * or the origin the app sees.
 */

// reg-name (unreserved / pct-encoded / sub-delims) or an IP-literal, then an optional port.
const HOST = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=%]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{0,5})?$/;

/**
 * Whether `host` can be the authority of a URL without changing its meaning.
 *
 * @example
 * isValidHost('example.com:8080'); // true
 * isValidHost('evil.com/x?');     // false
 */
export function isValidHost(host: string): boolean {
  // Nearly every request of a server carries the same Host: remember the last good one and
  // skip the regex (measurable per request on a hello benchmark).
  if (host === lastValidHost) return true;
  if (host.length > 255 || !HOST.test(host)) return false;
  lastValidHost = host;
  return true;
}
let lastValidHost = '';

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
 * The path + query of a request-target (RFC 9112 §3.2): origin-form as is; absolute-form
 * (`http://h/p?q`, sent to proxies) reduced to its path + query; anything else (the
 * asterisk-form of `OPTIONS *`, authority-form) is undefined: there is no URL for it.
 *
 * @example
 * requestPath('/a%2Bb?x=1+2');         // '/a%2Bb?x=1+2'
 * requestPath('http://h.example/p?q');  // '/p?q'
 * requestPath('*');                     // undefined
 */
export function requestPath(target: string): string | undefined {
  if (target.charCodeAt(0) === 47 /* / */) return target;
  const m = /^https?:\/\/[^/?#]*/i.exec(target);
  if (m === null) return undefined;
  const rest = target.slice(m[0].length);
  return rest === '' || rest[0] === '?' ? `/${rest}` : rest;
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
