/**
 * Mounting, after WSGI's SCRIPT_NAME / PATH_INFO split (PEP 3333): an app mounted at `/shop`
 * sees `/cart` for `/shop/cart`, finds `/shop` in `ctx.basePath`, and a request outside the
 * mount never reaches it. Every gateway uses these two functions, so all of them agree.
 * Web APIs only.
 */

/**
 * The canonical form of a mount point: '' for the root, else one leading slash and no
 * trailing one. Throws on anything that cannot be a path prefix.
 *
 * @example
 * normalizeBasePath('shop/');  // '/shop'
 * normalizeBasePath('/');      // ''
 */
export function normalizeBasePath(basePath: string | undefined): string {
  if (basePath == null) return '';
  if (typeof basePath !== 'string') throw new TypeError('"basePath" must be a string such as "/shop"');
  if (/[?#\s]/.test(basePath)) throw new TypeError(`"basePath" must be a plain path such as "/shop", got ${JSON.stringify(basePath)}`);
  const trimmed = basePath.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * The path the app sees (PATH_INFO) for a raw request path under `basePath`, or undefined
 * when the request is outside the mount. The comparison is on the raw (still percent-encoded)
 * path and case-sensitive, as path prefixes are in URLs.
 *
 * @example
 * stripBasePath('/shop/cart', '/shop');  // '/cart'
 * stripBasePath('/shop', '/shop');       // '/'
 * stripBasePath('/shopping', '/shop');   // undefined
 */
export function stripBasePath(path: string, basePath: string): string | undefined {
  if (basePath === '') return path;
  // `/shop/../admin` is `/admin` to every URL parser (the app's `new URL()` included): outside
  // the mount. Resolve dot segments before comparing, so such a path never reaches the app.
  if (DOT_SEGMENT.test(path)) path = removeDotSegments(path);
  if (!path.startsWith(basePath)) return undefined;
  const rest = path.slice(basePath.length);
  if (rest === '') return '/';
  return rest.charCodeAt(0) === 47 /* / */ ? rest : undefined;
}

// A segment that may be `.` or `..`: after a `/` (or a `\\`, a slash to WHATWG URL parsers for
// http), a dot or its percent-encoding (`%2e` is a dot in dot segments: RFC 3986 §6.2.2.2).
const DOT_SEGMENT = /[/\\](?:\.|%2e)/i;

function isDot(segment: string): boolean {
  return segment === '.' || segment.toLowerCase() === '%2e';
}

function isDotDot(segment: string): boolean {
  const s = segment.toLowerCase();
  return s === '..' || s === '.%2e' || s === '%2e.' || s === '%2e%2e';
}

/**
 * RFC 3986 §5.2.4 remove_dot_segments on an absolute path, with `\\` as a separator and
 * `%2e` as a dot, as WHATWG URL parsing does for http(s). Other characters stay raw.
 *
 * @example
 * removeDotSegments('/a/b/../c/./d'); // '/a/c/d'
 * removeDotSegments('/a/%2e%2e/b');   // '/b'
 */
export function removeDotSegments(path: string): string {
  const segments = path.split(/[/\\]/);
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (isDot(segment)) {
      if (last) out.push('');
    } else if (isDotDot(segment)) {
      out.pop();
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  }
  return `/${out.join('/')}`;
}

/** The answer for a request outside the mount: a plain 404, the app never called. */
export function outsideMountText(path: string, basePath: string): string {
  return `Not Found: ${path} is outside this app's mount point ${basePath}\n`;
}
