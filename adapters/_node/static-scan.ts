/**
 * A folder of static files read into a manifest (adapters/_static/manifest.ts), with node:fs.
 * Used at build time by the bundler (src/bundle/static-manifest.ts, content-hash ETags) and at
 * start by `serve({ static: 'public' })` run unbundled (size-mtime ETags, no file read), and,
 * for `portico dev`, as a live view that looks at the disk on every request so that a file
 * saved while dev runs is served at once.
 *
 * Hidden names (`.env`, `.git/`) are left out, except `.well-known/`; so are symlinks that
 * lead nowhere, a folder reached a second time through a symlink (a loop), and anything that
 * is not a regular file. Other symlinks are followed, as the copy into the bundle follows them.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StaticEntry, StaticFileInfo, StaticManifest, StaticRoute, StaticRoutes } from '../_static/manifest.ts';
import { contentTypeOf } from '../_static/mime.ts';
import { isServableKey } from '../_static/path.ts';

/** Options of `scanStaticFolder`. */
export interface ScanOptions {
  /**
   * ETags from the content (a strong `"<sha256, 27 chars base64url>"`, the same for the same
   * bytes on any machine) and no mtime. Default false: weak `W/"<size>-<mtime>"` ETags and
   * Last-Modified, with no file read (fast for a server starting over a large folder).
   */
  hash?: boolean;
}

function isHidden(name: string): boolean {
  return name.charCodeAt(0) === 46 /* . */ && name !== '.well-known';
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function weakInfo(stat: Stats): StaticFileInfo {
  const mtime = Math.floor(stat.mtimeMs);
  return { size: stat.size, etag: `W/"${stat.size.toString(16)}-${mtime.toString(16)}"`, mtime };
}

function hashedInfo(path: string, size: number): StaticFileInfo {
  const digest = createHash('sha256').update(readFileSync(path)).digest('base64url').slice(0, 27);
  return { size, etag: `"${digest}"` };
}

/** Every regular file below `dir` as [key, absolute path, stats], sorted by key. */
function walk(root: string): Array<[string, string, Stats]> {
  const out: Array<[string, string, Stats]> = [];
  // Folders already walked, by device and inode: a symlink back up the tree is walked once.
  const seen = new Set<string>();
  const visit = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (isHidden(name) || name.includes('\\')) continue;
      const path = join(dir, name);
      const stat = statOrUndefined(path); // follows symlinks, as the copy into dist/ does
      if (stat === undefined) continue;
      if (stat.isDirectory()) {
        const id = `${stat.dev}:${stat.ino}`;
        if (seen.has(id)) continue;
        seen.add(id);
        visit(path, `${prefix}/${name}`);
      } else if (stat.isFile()) out.push([`${prefix}/${name}`, path, stat]);
    }
  };
  const rootStat = statSync(root);
  seen.add(`${rootStat.dev}:${rootStat.ino}`);
  visit(root, '');
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * The manifest of a folder. Keys are sorted, so the same folder gives the same JSON.
 *
 * @example
 * const manifest = scanStaticFolder('public', { hash: true });
 * manifest.files['/style.css']; // { size: 1000, etag: '"q3...', type: 'text/css; charset=utf-8', br: {...} }
 */
export function scanStaticFolder(folder: string, options: ScanOptions = {}): StaticManifest {
  const root = resolve(folder);
  const rootStat = statOrUndefined(root);
  if (rootStat === undefined || !rootStat.isDirectory()) {
    throw new Error(`PORTICO_NO_STATIC_FOLDER: ${root} is not a folder; create it, or turn static files off (static: false)`);
  }
  const found = walk(root);
  const info = new Map<string, StaticFileInfo>();
  for (const [key, path, stat] of found) info.set(key, options.hash ? hashedInfo(path, stat.size) : weakInfo(stat));
  const files: Record<string, StaticEntry> = {};
  for (const [key] of found) {
    const entry: StaticEntry = { ...info.get(key)!, type: contentTypeOf(key) };
    const br = info.get(`${key}.br`);
    const gz = info.get(`${key}.gz`);
    if (br !== undefined) entry.br = br;
    if (gz !== undefined) entry.gzip = gz;
    files[key] = entry;
  }
  return { version: 1, files };
}

/**
 * A `StaticRoutes` view of a folder that asks the disk on every lookup (`statSync`), for
 * `portico dev`: files added or changed while dev runs are served at once. Never for
 * production: it is the per-request disk probe the manifest exists to avoid.
 *
 * @example
 * const routes = liveStaticRoutes('public');
 * findStatic(routes, 'GET', '/style.css');
 */
export function liveStaticRoutes(folder: string): StaticRoutes {
  const root = resolve(folder);
  const fileRoute = (key: string): StaticRoute | undefined => {
    const stat = statOrUndefined(join(root, key));
    if (stat === undefined || !stat.isFile()) return undefined;
    const entry: StaticEntry = { ...weakInfo(stat), type: contentTypeOf(key) };
    const br = statOrUndefined(join(root, `${key}.br`));
    const gz = statOrUndefined(join(root, `${key}.gz`));
    if (br?.isFile()) entry.br = weakInfo(br);
    if (gz?.isFile()) entry.gzip = weakInfo(gz);
    return { kind: 'file', file: key, entry };
  };
  return {
    get(path) {
      // findStatic hands over decoded paths, and plain ones unchecked (a Map's keys are
      // checked once, when it is built): check here, without decoding a second time.
      const key = path;
      if (key.endsWith('/')) return key === '/' || isServableKey(key.slice(0, -1)) ? fileRoute(`${key}index.html`) : undefined;
      if (!isServableKey(key)) return undefined;
      const route = fileRoute(key);
      if (route !== undefined) return route;
      return statOrUndefined(join(root, key, 'index.html'))?.isFile() ? { kind: 'folder' } : undefined;
    },
  };
}
