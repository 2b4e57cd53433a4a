/**
 * CGI meta-variables (RFC 3875 §4.1) to the pieces of a Fetch request: scheme, host, the raw
 * path + query, the mount and the headers. Shared by the fastcgi, scgi and cgi gateways, whose
 * servers all hand over the same variables; only the framing around them differs.
 *
 * Params are kept as byte strings (one char per byte, latin1), as node keeps header values, so
 * nothing is decoded twice; non-ASCII bytes in a path become their %XX escapes.
 */
import { LightHeaders } from '../_http/headers.ts';
import { stripBasePath } from '../_http/mount.ts';
import { parseTarget, splitQuery } from '../_node/url.ts';

/**
 * The meta-variables of one request, repeated names already joined (see `addParam`). A Map:
 * an object that gets ~30 keys from keyed stores falls into V8's slow dictionary mode (measured:
 * a sixth of a FastCGI request's CPU); apps see a plain object (`platformObject`).
 */
export type CgiParams = Map<string, string>;

/**
 * Add one name/value pair, joining a repeated name as the header it stands for would be joined:
 * nginx sends two `Cookie` headers as two HTTP_COOKIE params, and an app must see `a=1; b=2`
 * (RFC 6265 §5.4); other HTTP_* repeats join with ', ' (RFC 9110 §5.3). A repeated
 * non-header variable keeps its last value.
 *
 * @example
 * const p: CgiParams = new Map();
 * addParam(p, 'HTTP_COOKIE', 'a=1'); addParam(p, 'HTTP_COOKIE', 'b=2');
 * p.get('HTTP_COOKIE'); // 'a=1; b=2'
 */
export function addParam(params: CgiParams, name: string, value: string): void {
  const old = params.get(name);
  if (old === undefined || name.charCodeAt(0) !== 72 /* H */ || !name.startsWith('HTTP_')) params.set(name, value);
  else params.set(name, old + (name === 'HTTP_COOKIE' ? '; ' : ', ') + value);
}

/**
 * The params as a plain object (no prototype, so a name such as `__proto__` is just a key),
 * for `ctx.platform`.
 *
 * @example
 * platformObject(new Map([['REQUEST_METHOD', 'GET']])).REQUEST_METHOD; // 'GET'
 */
export function platformObject(params: CgiParams): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of params) out[k] = v;
  return out;
}

/**
 * The scheme: `HTTPS` set to anything but off/0 (Apache, nginx, lighttpd all say `on`), else
 * `REQUEST_SCHEME`, else http.
 *
 * @example
 * cgiScheme({ HTTPS: 'on' }); // 'https'
 */
export function cgiScheme(p: CgiParams): 'http' | 'https' {
  const https = p.get('HTTPS');
  if (https !== undefined && https !== '' && https !== '0' && https.toLowerCase() !== 'off') return 'https';
  return p.get('REQUEST_SCHEME')?.toLowerCase() === 'https' ? 'https' : 'http';
}

/**
 * The host the client asked for: `HTTP_HOST`, else `SERVER_NAME:SERVER_PORT` with the
 * scheme's default port left out (PEP 3333's URL reconstruction).
 *
 * @example
 * cgiHost({ SERVER_NAME: 'example.com', SERVER_PORT: '8080' }, 'http'); // 'example.com:8080'
 */
export function cgiHost(p: CgiParams, scheme: string): string {
  const host = p.get('HTTP_HOST');
  if (host) return host;
  let name = p.get('SERVER_NAME') || p.get('SERVER_ADDR') || 'localhost';
  if (name.includes(':') && !name.startsWith('[')) name = `[${name}]`;
  const port = p.get('SERVER_PORT');
  return port && port !== (scheme === 'https' ? '443' : '80') ? `${name}:${port}` : name;
}

// Characters a decoded path may keep as they are in a URL path (RFC 3986 pchar and '/'); the
// rest, '%' included (a decoded '%' is a literal one), is escaped.
const PATH_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
// In a raw REQUEST_URI only what no URL may hold is escaped: controls, space, '#', non-ASCII.
const RAW_UNSAFE = /[^\x21-\x22\x24-\x7e]/;

function escapeByte(ch: string): string {
  const code = ch.charCodeAt(0);
  // Params are byte strings; a char above 0xff cannot come from the wire but may from a test.
  if (code > 0xff) return encodeURIComponent(ch);
  return `%${code < 16 ? '0' : ''}${code.toString(16).toUpperCase()}`;
}

/** A decoded path (SCRIPT_NAME, PATH_INFO) in URL form. */
export function encodePath(decoded: string): string {
  if (PATH_SAFE.test(decoded)) return decoded;
  let out = '';
  for (const ch of decoded) out += PATH_SAFE.test(ch) ? ch : escapeByte(ch);
  return out;
}

/** A raw path + query from REQUEST_URI, with only what cannot stand in a URL escaped. */
function cleanRaw(raw: string): string {
  if (!RAW_UNSAFE.test(raw)) return raw;
  let out = '';
  for (const ch of raw) out += RAW_UNSAFE.test(ch) ? escapeByte(ch) : ch;
  return out;
}

/**
 * The path and query the client sent: `REQUEST_URI` as is (never re-encoded, so `%2F` and `+`
 * survive), else SCRIPT_NAME + PATH_INFO (re-encoded) + `?QUERY_STRING`.
 *
 * @example
 * cgiPath({ REQUEST_URI: '/a%2Fb?x=1+2' });                       // '/a%2Fb?x=1+2'
 * cgiPath({ SCRIPT_NAME: '/app', PATH_INFO: '/a b', QUERY_STRING: 'q=1' }); // '/app/a%20b?q=1'
 */
export function cgiPath(p: CgiParams): string {
  const uri = p.get('REQUEST_URI');
  if (uri) {
    // Spelled as the WHATWG URL parser spells it, as on every gateway (adapters/_node/url.ts).
    const path = parseTarget(uri)?.path;
    if (path !== undefined) return cleanRaw(path);
  }
  const path = encodePath((p.get('SCRIPT_NAME') ?? '') + (p.get('PATH_INFO') ?? '')) || '/';
  const query = p.get('QUERY_STRING');
  return query ? `${path}?${cleanRaw(query)}` : path;
}

/** Where the app is mounted and the path + query it sees below the mount. */
export interface Mount {
  basePath: string;
  path: string;
}

/**
 * The mount (WSGI's SCRIPT_NAME / PATH_INFO split). A configured `basePath` wins: the request
 * path must lie below it (undefined otherwise: 404). Else the server's SCRIPT_NAME is the mount,
 * with one exception for the long-running gateways: a SCRIPT_NAME without any PATH_INFO param
 * is the whole request path (nginx's stock fastcgi_params, Apache's ProxyPass), not a mount,
 * so the app sits at the root. A CGI script's SCRIPT_NAME is always its mount.
 *
 * @example
 * cgiMount({ REQUEST_URI: '/shop/cart?x', SCRIPT_NAME: '/shop', PATH_INFO: '/cart' }, '', false);
 * // { basePath: '/shop', path: '/cart?x' }
 */
export function cgiMount(p: CgiParams, configured: string, scriptIsMount: boolean): Mount | undefined {
  const full = cgiPath(p);
  if (configured !== '') {
    const [path, query] = splitQuery(full);
    const inner = stripBasePath(path, configured);
    return inner === undefined ? undefined : { basePath: configured, path: inner + query };
  }
  let script = p.get('SCRIPT_NAME');
  if (!script || script === '/' || (!scriptIsMount && p.get('PATH_INFO') === undefined)) return { basePath: '', path: full };
  if (script.endsWith('/')) script = script.replace(/\/+$/, '');
  const [path, query] = splitQuery(full);
  const inner = stripBasePath(path, encodePath(script));
  if (inner !== undefined) return { basePath: script, path: inner + query };
  // REQUEST_URI does not start with SCRIPT_NAME (a rewrite, or another encoding of the same
  // path): the server's own split says what lies below the mount.
  return { basePath: script, path: encodePath(p.get('PATH_INFO') || '/') + query };
}

// RFC 9110 token: what a header name must be to reach an app through Fetch Headers.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The request headers: every HTTP_* param (HTTP_X_FOO → x-foo), CONTENT_TYPE and a non-empty
 * CONTENT_LENGTH (servers send both as plain variables, nginx also as HTTP_CONTENT_*, which the
 * plain ones replace).
 *
 * @example
 * cgiHeaders({ HTTP_X_A: '1', CONTENT_TYPE: 'text/plain' }).get('x-a'); // '1'
 */
export function cgiHeaders(p: CgiParams): LightHeaders {
  const h = new LightHeaders();
  for (const [name, value] of p) {
    if (name.length > 5 && name.charCodeAt(0) === 72 /* H */ && name.startsWith('HTTP_')) {
      if (name === 'HTTP_CONTENT_TYPE' || name === 'HTTP_CONTENT_LENGTH') continue;
      const header = name.slice(5).toLowerCase().replaceAll('_', '-');
      if (!TOKEN.test(header)) continue;
      try {
        h.append(header, name === 'HTTP_COOKIE' ? cookieList(value) : value);
      } catch {
        // A value Fetch refuses (a NUL): the raw param is still in ctx.platform.
      }
    }
  }
  const type = p.get('CONTENT_TYPE') ?? p.get('HTTP_CONTENT_TYPE');
  if (type) h.set('content-type', type);
  const length = p.get('CONTENT_LENGTH') || p.get('HTTP_CONTENT_LENGTH');
  if (length) h.set('content-length', length);
  return h;
}

/**
 * Apache joins two `Cookie` request headers with ', ' (as for any list header); a cookie string
 * separates pairs with '; ' (RFC 6265 §5.4), and cookie parsers split on ';' only. When every
 * comma-separated piece starts a `name=` pair, the commas were joins and become '; '; a comma
 * inside a value (not allowed by RFC 6265, but sent) leaves the header as it is.
 *
 * @example
 * cookieList('a=1, b=2'); // 'a=1; b=2'
 * cookieList('a=x,y');    // 'a=x,y'
 */
export function cookieList(value: string): string {
  if (!value.includes(',')) return value;
  const parts = value.split(/\s*,\s*/);
  for (const part of parts) if (!/^[^=;,\s]+=/.test(part)) return value;
  return parts.join('; ');
}

/**
 * The declared body length: a number, undefined when absent or empty (a GET arrives with
 * CONTENT_LENGTH "", "0" or none; Apache streams a chunked upload with none), NaN when invalid.
 */
export function cgiContentLength(p: CgiParams): number | undefined {
  const text = p.get('CONTENT_LENGTH');
  if (text === undefined || text === '') return undefined;
  return /^\d{1,15}$/.test(text) ? Number(text) : NaN;
}

/** A header value from the params by lower-case header name, for trusted-proxy resolution. */
export function paramHeader(p: CgiParams, lower: string): string | undefined {
  return p.get(`HTTP_${lower.toUpperCase().replaceAll('-', '_')}`);
}
