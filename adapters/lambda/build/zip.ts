/**
 * A reproducible deployment zip for Lambda: the same files give the same bytes, on any machine,
 * in any time zone, at any time. Lambda (and `aws lambda update-function-code`) compares the
 * zip's SHA-256 (`CodeSha256`), so a byte-identical zip also means "nothing to deploy".
 *
 * What makes it reproducible:
 * - entries sorted by path (plain code-unit order), '/' separators, no directory entries;
 * - one fixed modification time for every entry (1980-01-01 00:00, the first DOS date;
 *   fflate encodes the local-time fields of the Date, so a local-time Date gives the same
 *   bytes in every time zone);
 * - fixed unix mode bits (0644, or 0755 when the source has any execute bit) with
 *   "made by: Unix" so they survive extraction (APPNOTE.txt 4.4.2, 4.4.15);
 * - one fixed deflate level, and no extra fields (no extended timestamps, no uid/gid).
 *
 * Build time only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { zipSync, type ZipAttributes } from 'fflate';

/** A file to put in the zip: its path inside the zip ('public/a.css') and its bytes. */
export interface ZipEntry {
  path: string;
  data: Uint8Array;
  /** True for files that must stay executable (mode 0755). Default false (0644). */
  executable?: boolean;
}

/** The fixed mtime of every entry: the DOS epoch, 1980-01-01 00:00:00 (local time, see above). */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
/** APPNOTE.txt 4.4.2.2: "3 - UNIX". */
const OS_UNIX = 3;
/** S_IFREG: a regular file, in the high 16 bits of the external attributes (4.4.15). */
const S_IFREG = 0o100000;
/** Deflate level used for every entry; changing it changes every zip, so it is fixed. */
export const ZIP_LEVEL = 9;

/**
 * Zip `entries` reproducibly (see the module comment).
 *
 * @example
 * const zip = zipEntries([{ path: 'index.mjs', data: readFileSync('dist/lambda/index.mjs') }]);
 * writeFileSync('dist/lambda/function.zip', zip);
 */
export function zipEntries(entries: readonly ZipEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const files: Record<string, [Uint8Array, ZipAttributes & { level: 9 }]> = {};
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i]!;
    const path = checkPath(entry.path);
    if (i > 0 && sorted[i - 1]!.path === entry.path) {
      throw new Error(`PORTICO_ZIP_DUPLICATE: "${path}" is in the zip twice; give each file one path`);
    }
    const mode = entry.executable ? 0o755 : 0o644;
    files[path] = [entry.data, { level: ZIP_LEVEL, mtime: FIXED_MTIME, os: OS_UNIX, attrs: ((S_IFREG | mode) << 16) >>> 0 }];
  }
  // Note: JS objects list integer-like keys ("404") first, in numeric order. That order is
  // still fixed for a given set of names, so the bytes stay reproducible.
  return zipSync(files);
}

/**
 * Every regular file under `dir`, as zip entries with paths relative to `dir` (or under
 * `prefix`), skipping names for which `skip(relativePath)` is true. Symlinks are followed.
 *
 * @example
 * zipEntries(filesUnder('dist/lambda', { skip: (p) => p === 'function.zip' }));
 */
export function filesUnder(dir: string, options: { prefix?: string; skip?: (path: string) => boolean } = {}): ZipEntry[] {
  const out: ZipEntry[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const full = join(current, name);
      const rel = (options.prefix ? options.prefix + '/' : '') + relative(dir, full).split(sep).join('/');
      if (options.skip?.(rel)) continue;
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile()) out.push({ path: rel, data: readFileSync(full), executable: (stat.mode & 0o111) !== 0 });
    }
  };
  walk(dir);
  return out;
}

function checkPath(path: string): string {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`PORTICO_ZIP_PATH: "${path}" cannot be a zip entry; use a relative path with '/' separators and no '.' or '..' parts`);
  }
  return path;
}
