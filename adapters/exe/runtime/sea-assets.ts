/**
 * Reading the executable's embedded assets (`node:sea`, Node 20+). Outside an executable (a
 * test importing the runtime) there are none.
 *
 * Run time only.
 */
import { createRequire } from 'node:module';

interface Sea {
  isSea(): boolean;
  getRawAsset(key: string): ArrayBuffer;
}

let sea: Sea | null | undefined;

function load(): Sea | null {
  if (sea === undefined) {
    try {
      // A plain require in the bundle: inside an executable `require` only loads built-ins,
      // which node:sea is. createRequire keeps the ESM dev build working too.
      const s = (typeof require === 'function' ? require : createRequire(process.execPath))('node:sea') as Sea;
      sea = s.isSea() ? s : null;
    } catch {
      sea = null;
    }
  }
  return sea;
}

/**
 * The bytes of embedded asset `key` without a copy (they live in the executable's mapped
 * memory, read-only), or undefined when there is no such asset or no executable.
 *
 * @example
 * seaAsset('public/index.html'); // Uint8Array(512) [...]
 */
export function seaAsset(key: string): Uint8Array | undefined {
  const s = load();
  if (!s) return undefined;
  try {
    return new Uint8Array(s.getRawAsset(key));
  } catch {
    return undefined; // ERR_SINGLE_EXECUTABLE_APPLICATION_ASSET_NOT_FOUND
  }
}
