/**
 * Static files on node:http, served before the app for GET and HEAD from a manifest: a request
 * that names no file costs one Map lookup and falls through to the app synchronously; a hit
 * needs no `stat` (size and validators are in the manifest) and is written as
 * `writeHead(status, flatHeaders)` plus the reader's stream (or bytes). The decisions (304,
 * 206/416, precompressed variants, index.html) are the shared core's (adapters/_static).
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { answerStatic, findStatic, type StaticOptions } from '../_static/answer.ts';
import { staticRoutes, type StaticManifest, type StaticRoutes } from '../_static/manifest.ts';
import type { StaticReader } from '../_static/reader.ts';
import { rawHeader } from './headers.ts';
import { scanStaticFolder } from './static-scan.ts';

/** What a node reader may hand back: a stream (files) or bytes (embedded assets). */
export type NodeStaticBody = Readable | Uint8Array;

/**
 * Static files for the node gateway (`static` option of `serve` / `toNodeListener`), when a
 * folder path is not enough: a built manifest, or another source of bytes (the executable's
 * embedded assets).
 */
export interface StaticFiles extends StaticOptions {
  /** The files: a manifest (what the bundler bakes in), or a routes lookup (dev's live view). */
  manifest: StaticManifest | StaticRoutes;
  /** Where the bytes come from: a folder (read with fs, no stat), or a reader (see adapters/_static/reader.ts). */
  from: string | StaticReader<NodeStaticBody>;
}

/** Answer a request from the files if one matches; returns whether it answered (synchronously). */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse, pathAndQuery: string, basePath: string) => boolean;

/**
 * Reads files below `root` as streams: `file` is a manifest key, already checked.
 *
 * @example
 * fsReader('/srv/public').read('/style.css', 0, 99); // a Readable of the first 100 bytes
 */
export function fsReader(root: string): StaticReader<Readable> {
  const base = resolve(root);
  return { read: (file, start, end) => createReadStream(join(base, file), { start, end }) };
}

function ignore(): void {
  // A failed body (client gone, file removed after the build) closes the connection; status
  // and length are already sent, so there is nothing else to tell anyone.
}

function sendBody(res: ServerResponse, body: NodeStaticBody): void {
  if (body instanceof Uint8Array) res.end(body);
  else pipeline(body, res, ignore);
}

/**
 * The handler for the `static` option: a folder path is scanned once, now (size-mtime ETags,
 * Last-Modified); a `StaticFiles` is used as given.
 *
 * @example
 * const statics = createStaticHandler('public');
 * if (!statics(req, res, req.url, '')) callTheApp();
 */
export function createStaticHandler(files: string | StaticFiles): StaticHandler {
  const source: StaticFiles = typeof files === 'string' ? { manifest: scanStaticFolder(files), from: files } : files;
  const routes: StaticRoutes = 'version' in source.manifest ? staticRoutes(source.manifest as StaticManifest) : source.manifest;
  const reader = typeof source.from === 'string' ? fsReader(source.from) : source.from;
  const options: StaticOptions = { cacheControl: source.cacheControl };
  return (req, res, pathAndQuery, basePath) => {
    const q = pathAndQuery.indexOf('?');
    const rawPath = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
    const method = req.method!;
    const route = findStatic(routes, method, rawPath);
    if (route === undefined) return false;
    const raw = req.rawHeaders;
    const answer = answerStatic(route, (name) => rawHeader(raw, name), method, rawPath, q === -1 ? '' : pathAndQuery.slice(q), basePath, options);
    res.writeHead(answer.status, answer.headers);
    const want = answer.body;
    if (want === undefined) {
      res.end();
      return true;
    }
    let body: NodeStaticBody | Promise<NodeStaticBody>;
    try {
      body = reader.read(want.file, want.start, want.end);
    } catch {
      res.destroy();
      return true;
    }
    if (body instanceof Promise) body.then((b) => sendBody(res, b), () => res.destroy());
    else sendBody(res, body);
    return true;
  };
}
