/**
 * The static-file answer, decided from the manifest alone: no I/O, synchronous, the same for
 * every gateway. `findStatic` is the hot path every GET takes (one Map lookup on a miss);
 * `answerStatic` runs on a hit and returns status, headers and which bytes to send, which the
 * gateway then reads through its `StaticReader` (reader.ts).
 *
 * Semantics (RFC 9110): GET and HEAD only (other methods fall through to the app); ETag and,
 * when known, Last-Modified, with 304 for If-None-Match (weak comparison) or, without it,
 * If-Modified-Since (§13.2.2); one byte range with 206, 416 when unsatisfiable, several ranges
 * answered whole (§14.2), If-Range by strong comparison; precompressed `.br`/`.gz` siblings by
 * Accept-Encoding with `Vary: accept-encoding`, never for a range (a range is of the plain
 * bytes); `index.html` for a folder, and a 301 to `folder/` without the slash, so that the
 * index's relative links resolve. `X-Content-Type-Options: nosniff` on every file.
 */
import { acceptedEncodings, anyMatch, modifiedSince, noneMatch, notModifiedSince, parseRange, rangeStillValid } from './conditional.ts';
import type { StaticEntry, StaticFileInfo, StaticRoute, StaticRoutes } from './manifest.ts';
import { staticKey } from './path.ts';

/** Options of the static answer. */
export interface StaticOptions {
  /**
   * Cache-Control for a served file: one value for every file, an object of path prefix →
   * value (the longest prefix of the file's manifest key wins; '/' for the rest), or a function
   * of the key (e.g. `/assets/app-3f9a.js`) returning the value or undefined. Default: none, so
   * a CDN in front applies its own default TTL and a browser revalidates with the ETag.
   *
   * @example
   * { cacheControl: { '/assets/': 'public, max-age=31536000, immutable', '/': 'no-cache' } }
   */
  cacheControl?: string | Readonly<Record<string, string>> | ((file: string) => string | undefined);
}

/** What to send: status, header pairs flattened (`[name, value, name, value]`, lower-case names), and the bytes. */
export interface StaticAnswer {
  status: 200 | 206 | 301 | 304 | 412 | 416;
  headers: string[];
  /** The bytes to read: `file` is a manifest key or its `.br`/`.gz` sibling, `end` inclusive. None for HEAD, 3xx, 416 and empty files. */
  body: { file: string; start: number; end: number } | undefined;
}

/**
 * The route a request names, or undefined (the app answers). A path without '%' is looked up
 * as it is (manifest keys are all plain, checked paths, so a hostile path simply misses);
 * one with '%' is decoded once and checked by `staticKey`.
 *
 * @example
 * const route = findStatic(routes, 'GET', '/style.css');
 * if (route === undefined) return app.fetch(request, env, ctx);
 */
export function findStatic(routes: StaticRoutes, method: string, rawPath: string): StaticRoute | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (!rawPath.includes('%')) return routes.get(rawPath);
  const key = staticKey(rawPath);
  return key === undefined ? undefined : routes.get(key);
}

function cacheControlOf(options: StaticOptions | undefined, file: string): string | undefined {
  const c = options?.cacheControl;
  if (c === undefined || typeof c === 'string') return c;
  if (typeof c === 'function') return c(file);
  let best: string | undefined;
  for (const prefix in c) {
    if (file.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? undefined : c[best];
}

/**
 * Status, headers and bytes for a route `findStatic` returned.
 *
 * @param header request header by lower-case name (undefined when absent)
 * @param rawPath the path as requested (below the mount), for the folder redirect
 * @param search the query ('?a=1' or ''), kept by the folder redirect
 * @param basePath the mount ('' or '/shop'), put back in front of the redirect's Location
 *
 * @example
 * const a = answerStatic(route, (name) => headers.get(name) ?? undefined, 'GET', '/docs', '', '');
 * // { status: 301, headers: ['location', '/docs/', 'content-length', '0'], body: undefined }
 */
export function answerStatic(
  route: StaticRoute,
  header: (name: string) => string | undefined,
  method: string,
  rawPath: string,
  search: string,
  basePath: string,
  options?: StaticOptions,
): StaticAnswer {
  if (route.kind === 'folder') {
    return { status: 301, headers: ['location', `${basePath}${rawPath}/${search}`, 'content-length', '0'], body: undefined };
  }
  const entry: StaticEntry = route.entry;
  const rangeHeader = header('range');
  let info: StaticFileInfo = entry;
  let file = route.file;
  const headers: string[] = ['content-type', entry.type];
  const negotiated = entry.br !== undefined || entry.gzip !== undefined;
  if (negotiated) {
    headers.push('vary', 'accept-encoding');
    if (rangeHeader === undefined) {
      for (const encoding of acceptedEncodings(header('accept-encoding'))) {
        const variant = encoding === 'br' ? entry.br : entry.gzip;
        if (variant === undefined) continue;
        info = variant;
        file = `${route.file}.${encoding === 'br' ? 'br' : 'gz'}`;
        headers.push('content-encoding', encoding);
        break;
      }
    }
  }
  const lastModified = info.mtime === undefined ? undefined : new Date(info.mtime).toUTCString();
  headers.push('etag', info.etag);
  if (lastModified !== undefined) headers.push('last-modified', lastModified);
  const cache = cacheControlOf(options, route.file);
  if (cache !== undefined) headers.push('cache-control', cache);
  headers.push('accept-ranges', 'bytes', 'x-content-type-options', 'nosniff');

  // RFC 9110 §13.2.2's order: the preconditions that fail with 412 first, then the 304s.
  const im = header('if-match');
  const ius = im === undefined ? header('if-unmodified-since') : undefined;
  if (im !== undefined ? !anyMatch(im, info.etag) : ius !== undefined && info.mtime !== undefined && modifiedSince(ius, info.mtime)) {
    return { status: 412, headers: ['content-length', '0'], body: undefined };
  }
  const inm = header('if-none-match');
  const ims = inm === undefined ? header('if-modified-since') : undefined;
  if (inm !== undefined ? noneMatch(inm, info.etag) : ims !== undefined && info.mtime !== undefined && notModifiedSince(ims, info.mtime)) {
    return { status: 304, headers, body: undefined };
  }
  let range = parseRange(rangeHeader, info.size);
  if (range !== undefined) {
    const ifRange = header('if-range');
    if (ifRange !== undefined && !rangeStillValid(ifRange, info.etag, lastModified)) range = undefined;
  }
  if (range === 'unsatisfiable') {
    headers.push('content-range', `bytes */${info.size}`, 'content-length', '0');
    return { status: 416, headers, body: undefined };
  }
  let status: 200 | 206 = 200;
  let start = 0;
  let end = info.size - 1;
  if (range !== undefined) {
    ({ start, end } = range);
    status = 206;
    headers.push('content-range', `bytes ${start}-${end}/${info.size}`);
  }
  headers.push('content-length', String(end - start + 1));
  const body = method === 'HEAD' || end < start ? undefined : { file, start, end };
  return { status, headers, body };
}
