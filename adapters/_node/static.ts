/**
 * Static files from a folder, served before the app for GET and HEAD: ETag and Last-Modified
 * with 304 answers (RFC 9110 §13), single byte ranges with 206/416 (§14), precompressed
 * `.br`/`.gz` siblings when Accept-Encoding allows, `index.html` for folders. Files are
 * streamed, never read whole. A miss (no such file) falls through to the app.
 *
 * The path comes from outside, so it is decoded once and refused when it could leave the
 * folder: `..` segments (also as `%2e%2e`), encoded slashes and backslashes, NUL bytes.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { rawHeader } from './headers.ts';
import { contentTypeOf } from './mime.ts';

/** Serve `pathAndQuery` from the folder if a file is there; resolves to whether it answered. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse, pathAndQuery: string, basePath: string) => Promise<boolean>;

/**
 * The path below `root` that a raw URL path names, or undefined when it names nothing that
 * may be served (traversal, encoded separators, NUL, hidden files other than .well-known).
 *
 * @example
 * safeStaticPath('/srv/public', '/css/a%20b.css'); // '/srv/public/css/a b.css'
 * safeStaticPath('/srv/public', '/%2e%2e/etc/passwd'); // undefined
 */
export function safeStaticPath(root: string, rawPath: string): string | undefined {
  if (rawPath.charCodeAt(0) !== 47 /* / */) return undefined;
  // An encoded '/', '\' or NUL has no business in a file path; refuse before decoding.
  if (rawPath.includes('\\') || rawPath.includes('\0') || /%(?:2f|5c|00)/i.test(rawPath)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return undefined;
  const segments = decoded.split('/');
  for (const s of segments) {
    if (s === '..' || s === '.') return undefined;
    if (s.charCodeAt(0) === 46 /* . */ && s !== '.well-known') return undefined;
  }
  const full = join(root, decoded);
  // Belt and braces: whatever the checks above missed, the result stays inside the root.
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  return full;
}

interface Found {
  fh: FileHandle;
  stat: Stats;
}

async function openFile(file: string): Promise<Found | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    return { fh, stat: await fh.stat() };
  } catch {
    await fh.close().catch(() => {});
    return undefined;
  }
}

function etagOf(stat: Stats): string {
  return `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison; '*' matches any current file. */
function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  for (const part of header.split(',')) {
    if (part.trim().replace(/^W\//, '') === bare) return true;
  }
  return false;
}

/** Which precompressed variants the client accepts (RFC 9110 §12.5.3), best first. */
function acceptedEncodings(header: string | undefined): Array<'br' | 'gzip'> {
  if (!header) return [];
  const q: Record<string, number> = {};
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().split(';');
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q=([0-9.]+)\s*$/i.exec(p);
      if (m) weight = Number(m[1]);
    }
    q[name!.trim().toLowerCase()] = weight;
  }
  const star = q['*'];
  const out: Array<'br' | 'gzip'> = [];
  for (const e of ['br', 'gzip'] as const) {
    const w = q[e] ?? star ?? 0;
    if (w > 0) out.push(e);
  }
  return out;
}

/**
 * A single byte range (RFC 9110 §14.1.2), 'unsatisfiable', or undefined when the header is
 * absent, malformed or asks for several ranges (which a server may ignore, §14.2).
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
 * @example
 * const statics = createStaticHandler('public');
 * if (!(await statics(req, res, req.url, ''))) callTheApp();
 */
export function createStaticHandler(folder: string): StaticHandler {
  const root = resolve(folder);
  return async (req, res, pathAndQuery, basePath) => {
    const q = pathAndQuery.indexOf('?');
    const rawPath = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
    const file = safeStaticPath(root, rawPath);
    if (file === undefined) return false;
    let found = await openFile(file);
    if (found === undefined) return false;
    let name = file;
    if (found.stat.isDirectory()) {
      await found.fh.close();
      if (!rawPath.endsWith('/')) {
        // Relative links in the index need the trailing slash: redirect as a file server does.
        const location = `${basePath}${rawPath}/${q === -1 ? '' : pathAndQuery.slice(q)}`;
        res.writeHead(301, ['location', location, 'content-length', '0']);
        res.end();
        return true;
      }
      name = join(file, 'index.html');
      found = await openFile(name);
      if (found === undefined) return false;
    }
    if (!found.stat.isFile()) {
      await found.fh.close();
      return false;
    }
    const raw = req.rawHeaders;
    const rangeHeader = rawHeader(raw, 'range');
    const headers: string[] = ['content-type', contentTypeOf(name), 'vary', 'accept-encoding', 'x-content-type-options', 'nosniff'];
    // A range asks for bytes of the plain file; precompressed variants are for whole answers.
    if (rangeHeader === undefined) {
      for (const encoding of acceptedEncodings(rawHeader(raw, 'accept-encoding'))) {
        const variant = await openFile(`${name}.${encoding === 'br' ? 'br' : 'gz'}`);
        if (variant === undefined) continue;
        if (!variant.stat.isFile()) {
          await variant.fh.close();
          continue;
        }
        await found.fh.close();
        found = variant;
        headers.push('content-encoding', encoding);
        break;
      }
    }
    const { fh, stat } = found;
    const etag = etagOf(stat);
    const lastModified = stat.mtime.toUTCString();
    headers.push('etag', etag, 'last-modified', lastModified, 'accept-ranges', 'bytes');
    const inm = rawHeader(raw, 'if-none-match');
    const ims = rawHeader(raw, 'if-modified-since');
    const notModified = inm !== undefined ? noneMatch(inm, etag) : ims !== undefined && Math.floor(stat.mtimeMs / 1000) <= Date.parse(ims) / 1000;
    if (notModified) {
      await fh.close();
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    let range = parseRange(rangeHeader, stat.size);
    // If-Range (§13.1.5): the range counts only if the file is still the one the client has.
    const ifRange = rawHeader(raw, 'if-range');
    if (range !== undefined && ifRange !== undefined && ifRange !== etag.slice(2) && ifRange !== lastModified) range = undefined;
    if (range === 'unsatisfiable') {
      await fh.close();
      headers.push('content-range', `bytes */${stat.size}`, 'content-length', '0');
      res.writeHead(416, headers);
      res.end();
      return true;
    }
    let start = 0;
    let end = stat.size - 1;
    let status = 200;
    if (range !== undefined) {
      ({ start, end } = range);
      status = 206;
      headers.push('content-range', `bytes ${start}-${end}/${stat.size}`);
    }
    headers.push('content-length', String(end - start + 1));
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || end < start) {
      await fh.close();
      res.end();
      return true;
    }
    pipeline(fh.createReadStream({ start, end }), res, () => {
      // Errors (the client left, the file vanished) end in a closed connection; nothing to log.
    });
    return true;
  };
}
