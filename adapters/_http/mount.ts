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
  if (!path.startsWith(basePath)) return undefined;
  const rest = path.slice(basePath.length);
  if (rest === '') return '/';
  return rest.charCodeAt(0) === 47 /* / */ ? rest : undefined;
}

/** The answer for a request outside the mount: a plain 404, the app never called. */
export function outsideMountText(path: string, basePath: string): string {
  return `Not Found: ${path} is outside this app's mount point ${basePath}\n`;
}
