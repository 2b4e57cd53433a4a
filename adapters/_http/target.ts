/**
 * `request.url`'s path and query as the WHATWG URL parser serialises them, for every gateway:
 * Workers hand the app a URL workerd has parsed, so a gateway that builds the URL itself from a
 * raw request-target (node, Lambda, the CGI family) must spell it the same way, or an app sees
 * `/<script>` on one platform and `/%3Cscript%3E` on another. Web APIs only.
 *
 * Most targets are already in that form; one regex test finds them, and only the others pay
 * for a `new URL`.
 */

// A target the WHATWG parser serialises unchanged: each path segment from characters outside
// the path percent-encode set (and not `\`, a slash to it), not starting a dot segment (`.`,
// `%2e`); then an optional query from characters outside the special-query percent-encode set.
const SAFE_TARGET = /^(?:\/(?!\.|%2[eE])[!$-.0-;=@-[\]_a-z|~]*)+(?:\?[!$-&(-;=?-~]*)?$/;

/**
 * Whether a path + query goes into `request.url` as it is: the hot path's one test.
 *
 * @example
 * isPlainTarget('/users/42?x=1+2'); // true
 * isPlainTarget('/<script>');       // false: serialiseTarget encodes it
 */
export function isPlainTarget(target: string): boolean {
  return SAFE_TARGET.test(target);
}

/**
 * The WHATWG serialisation of an origin-form path + query (starting with `/`): characters in
 * the percent-encode sets encoded (non-ASCII as UTF-8), dot segments resolved, `\` as `/`.
 * Undefined when it has no URL (a fragment: `#` is not allowed in a request-target).
 *
 * @example
 * serialiseTarget('/a/../<b>?q=<'); // '/%3Cb%3E?q=%3C'
 * serialiseTarget('/x#y');          // undefined
 */
export function serialiseTarget(target: string): string | undefined {
  if (isPlainTarget(target)) return target;
  if (target.includes('#') || target.charCodeAt(0) !== 47 /* / */) return undefined;
  try {
    // Appended to an origin, not resolved against it: `//x/p` is a path here, where a
    // relative reference would make `x` the host. 'http://h' is 8 chars; the rest is ours.
    const out = new URL(`http://h${target}`).href.slice(8);
    return out.includes('^') ? encodeCaret(out) : out;
  } catch {
    return undefined;
  }
}

/**
 * `^` joined the path percent-encode set in 2024; workerd and Node 24 encode it in paths, the
 * URL parser of Node 20 and 22 does not. Encoded here, so the string is the same on all.
 */
function encodeCaret(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
  return path.replaceAll('^', '%5E') + (q === -1 ? '' : pathAndQuery.slice(q));
}
