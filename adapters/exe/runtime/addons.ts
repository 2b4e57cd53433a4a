/**
 * Native addons inside the executable: the exe target embeds each `.node` file as a SEA asset
 * (`native/<name>-<hash>.node`) and the bundled `require('./x.node')` becomes `loadAddon(key)`.
 * A shared library can only be loaded from a file, so the first start writes it to
 * `<user cache>/portico/native/<hash>/<name>.node`; later starts (and other executables holding
 * the same addon) load that copy. Nothing is written beside the executable.
 *
 * Run time only.
 */
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { porticoCacheDir } from './cache-dir.ts';
import { seaAsset } from './sea-assets.ts';

const loaded = new Map<string, unknown>();

/**
 * Where an embedded addon goes: the hash in its asset key names the folder, so two contents
 * never share a path and an upgraded addon never loads a stale copy.
 *
 * @example
 * addonPath('native/sharp-0123456789ab.node', '/home/ada/.cache/portico'); // '/home/ada/.cache/portico/native/0123456789ab/sharp.node'
 */
export function addonPath(key: string, cacheDir: string): string {
  const match = /^native\/(.+)-([0-9a-f]{12,64})\.node$/.exec(key);
  if (!match) throw new Error(`PORTICO_EXE_ADDON: ${JSON.stringify(key)} is not an embedded addon name; rebuild the executable`);
  return join(cacheDir, 'native', match[2]!, `${match[1]}.node`);
}

/**
 * The exports of the embedded addon `key`, written to the user cache on first use.
 *
 * @example
 * module.exports = loadAddon('native/hello-0123456789ab.node');
 */
export function loadAddon(key: string): unknown {
  const cached = loaded.get(key);
  if (cached !== undefined) return cached;
  const bytes = seaAsset(key);
  if (!bytes) throw new Error(`PORTICO_EXE_ADDON: the executable holds no asset ${JSON.stringify(key)}; rebuild it with portico bundle --target exe`);
  const file = addonPath(key, porticoCacheDir());
  if (!existsSync(file) || statSync(file).size !== bytes.byteLength) {
    mkdirSync(join(file, '..'), { recursive: true });
    // Write then rename: two executables starting at once never load a half-written file.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, bytes);
    renameSync(temp, file);
  }
  const module = { exports: {} as unknown };
  process.dlopen(module, file);
  loaded.set(key, module.exports);
  return module.exports;
}
