/**
 * The request headers a static answer depends on, parsed: If-Match (RFC 9110 §13.1.1),
 * If-Unmodified-Since (§13.1.4), If-None-Match (§13.1.2), If-Modified-Since (§13.1.3), Range (§14.1.2), If-Range (§13.1.5), Accept-Encoding (§12.5.3).
 * Every function takes the raw header value (or undefined) and never throws.
 */

/**
 * If-None-Match against the current ETag, by the weak comparison; '*' matches any file.
 *
 * @example
 * noneMatch('"a", W/"b"', '"b"'); // true
 */
export function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.charCodeAt(0) === 87 /* W */ ? etag.slice(2) : etag;
  for (const part of header.split(',')) {
    const tag = part.trim();
    if ((tag.charCodeAt(0) === 87 ? tag.slice(2) : tag) === bare) return true;
  }
  return false;
}

/**
 * If-Match against the current ETag, by the strong comparison (§8.8.3.2: a weak tag matches
 * nothing); '*' matches any file. False means 412.
 *
 * @example
 * anyMatch('"a", "b"', '"b"'); // true
 * anyMatch('W/"b"', '"b"');    // false
 */
export function anyMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  if (etag.charCodeAt(0) === 87 /* W */) return false;
  for (const part of header.split(',')) if (part.trim() === etag) return true;
  return false;
}

/**
 * If-Unmodified-Since: true when the file changed after the date, which means 412. An
 * unparseable date counts as absent (§13.1.4).
 *
 * @example
 * modifiedSince('Thu, 01 Jan 2026 00:00:00 GMT', Date.UTC(2026, 5, 1)); // true
 */
export function modifiedSince(header: string, mtime: number): boolean {
  const since = Date.parse(header);
  if (Number.isNaN(since)) return false;
  return Math.floor(mtime / 1000) * 1000 > since;
}

/**
 * If-Modified-Since: true when the file has not changed since the date (whole seconds, as
 * HTTP dates carry). An unparseable date counts as absent (§13.1.3: ignore it).
 *
 * @example
 * notModifiedSince('Thu, 01 Jan 2026 00:00:00 GMT', Date.UTC(2025, 0, 1)); // true
 */
export function notModifiedSince(header: string, mtime: number): boolean {
  const since = Date.parse(header);
  if (Number.isNaN(since)) return false;
  return Math.floor(mtime / 1000) * 1000 <= since;
}

/**
 * A single byte range (§14.1.2), 'unsatisfiable', or undefined when the header is absent,
 * malformed or asks for several ranges (which a server may ignore, §14.2). `end` is inclusive.
 *
 * @example
 * parseRange('bytes=-5', 10); // { start: 5, end: 9 }
 * parseRange('bytes=20-', 10); // 'unsatisfiable'
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Number(b);
  if (b !== '' && end < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

/**
 * If-Range: whether a Range still applies. An entity tag must equal the current one by the
 * strong comparison (a weak ETag never qualifies, §13.1.5); a date must equal Last-Modified.
 *
 * @example
 * rangeStillValid('"abc"', '"abc"', undefined); // true
 * rangeStillValid('W/"abc"', 'W/"abc"', undefined); // false
 */
export function rangeStillValid(header: string, etag: string, lastModified: string | undefined): boolean {
  const value = header.trim();
  if (value.charCodeAt(0) === 34 /* " */) return etag.charCodeAt(0) === 34 && value === etag;
  if (value.startsWith('W/')) return false;
  return lastModified !== undefined && value === lastModified;
}

/**
 * The precompressed encodings the client accepts, best first: br before gzip, each unless
 * its q-value (or that of `*`) is 0. No header means identity only.
 *
 * @example
 * acceptedEncodings('gzip, br;q=0'); // ['gzip']
 */
export function acceptedEncodings(header: string | undefined): Array<'br' | 'gzip'> {
  if (!header) return [];
  const q: Record<string, number> = {};
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().split(';');
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) weight = Number(m[1]);
    }
    q[name!.trim().toLowerCase()] = weight;
  }
  const star = q['*'];
  const out: Array<'br' | 'gzip'> = [];
  for (const e of ['br', 'gzip'] as const) {
    const w = q[e] ?? (e === 'gzip' ? q['x-gzip'] : undefined) ?? star ?? 0;
    if (w > 0) out.push(e);
  }
  return out;
}
