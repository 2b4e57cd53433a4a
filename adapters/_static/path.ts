/**
 * From a raw request path to a manifest key. The path comes from outside, so it is decoded
 * once, and refused when it could name something outside the folder or hidden: encoded
 * separators (`%2f`, `%5c`) and NUL, a backslash, `.`/`..` segments (also encoded), hidden
 * names other than `.well-known`. Only manifest entries are ever served, so this is the
 * second fence, not the only one.
 */

/**
 * The manifest key a raw (percent-encoded) path names, or undefined when it may name nothing.
 *
 * @example
 * staticKey('/css/a%20b.css');     // '/css/a b.css'
 * staticKey('/%2e%2e/etc/passwd'); // undefined
 * staticKey('/.env');              // undefined
 */
export function staticKey(rawPath: string): string | undefined {
  if (rawPath.charCodeAt(0) !== 47 /* / */) return undefined;
  let path = rawPath;
  if (rawPath.includes('%')) {
    // An encoded '/', '\' or NUL has no business in a file name; refuse before decoding.
    if (/%(?:2f|5c|00)/i.test(rawPath)) return undefined;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return undefined;
    }
  }
  if (path.includes('\\') || path.includes('\0')) return undefined;
  // Dot segments and hidden names all start a segment with '.': check segments only then.
  if (path.includes('/.')) {
    for (const s of path.split('/')) {
      if (s.charCodeAt(0) === 46 /* . */ && s !== '.well-known') return undefined;
    }
  }
  return path;
}

/**
 * Whether a manifest key is one `staticKey` can produce (what the scanner checks before
 * listing a file, and `staticRoutes` relies on).
 *
 * @example
 * isServableKey('/a/b.css'); // true
 * isServableKey('/a/.git/config'); // false
 */
export function isServableKey(key: string): boolean {
  if (key.charCodeAt(0) !== 47 || key.includes('\\') || key.includes('\0') || key.includes('//')) return false;
  for (const s of key.slice(1).split('/')) {
    if (s === '' || (s.charCodeAt(0) === 46 && s !== '.well-known')) return false;
  }
  return true;
}
