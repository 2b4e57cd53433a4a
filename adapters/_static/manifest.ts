/**
 * The static-file manifest: what a gateway knows about `public/` without touching the disk.
 * The bundler writes it at build time (src/bundle/static-manifest.ts) and bakes it into the
 * bundle; `serve()` with a folder path builds it once at start (adapters/_node/static-scan.ts).
 * At run time it becomes a `StaticRoutes` map, so that a request that names no file (every
 * dynamic GET) costs one Map lookup, and a hit needs no `stat`.
 *
 * Web APIs only: this ships in every bundle that serves files (node, lambda, exe, classic).
 */
import { isServableKey } from './path.ts';

/** One stored file: what the validators and Content-Length need. */
export interface StaticFileInfo {
  /** Bytes on disk. */
  size: number;
  /**
   * The entity tag, quotes included: `"<content hash>"` (strong) from the bundler,
   * `W/"<size>-<mtime>"` (weak) from a folder scanned at start.
   */
  etag: string;
  /**
   * Modification time in ms since the epoch, for Last-Modified / If-Modified-Since. Absent in
   * bundles: it changes with every checkout, and would make the same sources give different
   * bytes (the Lambda zip is reproducible); the content-hash ETag validates instead.
   */
  mtime?: number;
}

/** A servable file, with its precompressed siblings (`<name>.br`, `<name>.gz`) when present. */
export interface StaticEntry extends StaticFileInfo {
  /** Content-Type header value, by extension (mime.ts). */
  type: string;
  /** The `.br` sibling, served with Content-Encoding: br when the client accepts it. */
  br?: StaticFileInfo;
  /** The `.gz` sibling, served with Content-Encoding: gzip when the client accepts it. */
  gzip?: StaticFileInfo;
}

/**
 * path → entry. Keys are decoded URL paths below the folder, '/'-separated, starting with '/'
 * (`/css/a b.css`), never with a `.` or `..` segment or a hidden name (other than
 * `.well-known`): the scanner leaves those out, so they can never be served.
 */
export interface StaticManifest {
  version: 1;
  files: Record<string, StaticEntry>;
}

/** What a request path leads to: a file (its manifest key), or a folder to redirect to `path/`. */
export type StaticRoute = { kind: 'file'; file: string; entry: StaticEntry } | { kind: 'folder' };

/**
 * Any `get(path)` lookup: a Map built from a manifest (`staticRoutes`), or a live view of a
 * folder for `portico dev` (`liveStaticRoutes` in adapters/_node/static-scan.ts).
 */
export interface StaticRoutes {
  get(path: string): StaticRoute | undefined;
}

/**
 * The routes of a manifest, ready for `findStatic`: each file under its key, and for every
 * `index.html` its folder both with the slash (the index) and without it (a redirect), so
 * that any request needs exactly one lookup.
 *
 * @example
 * const routes = staticRoutes({ version: 1, files: { '/docs/index.html': entry } });
 * routes.get('/docs/');  // { kind: 'file', file: '/docs/index.html', entry }
 * routes.get('/docs');   // { kind: 'folder' }
 */
export function staticRoutes(manifest: StaticManifest): Map<string, StaticRoute> {
  if (manifest === null || typeof manifest !== 'object' || manifest.version !== 1 || typeof manifest.files !== 'object') {
    throw new TypeError('PORTICO_BAD_MANIFEST: the static manifest is not a version 1 manifest; rebuild the bundle with this portico');
  }
  const routes = new Map<string, StaticRoute>();
  // Only keys staticKey can produce: a hand-written manifest cannot expose a hidden file, and
  // findStatic may look a plain path up as it came.
  const files = Object.keys(manifest.files).filter(isServableKey);
  for (const file of files) routes.set(file, { kind: 'file', file, entry: manifest.files[file]! });
  for (const file of files) {
    if (!file.endsWith('/index.html')) continue;
    const folder = file.slice(0, -'index.html'.length);
    routes.set(folder, { kind: 'file', file, entry: manifest.files[file]! });
    // A file of that name wins over the redirect (it cannot exist beside a folder on disk).
    if (folder !== '/' && !routes.has(folder.slice(0, -1))) routes.set(folder.slice(0, -1), { kind: 'folder' });
  }
  return routes;
}
