/**
 * Reading the executable's embedded assets (`node:sea`, Node 20+). Outside an executable (a
 * test importing the runtime) there are none.
 *
 * Run time only.
 */
interface Sea {
  isSea(): boolean;
  getRawAsset(key: string): ArrayBuffer;
}

let sea: Sea | null | undefined;

function load(): Sea | null {
  if (sea === undefined) {
    try {
      // getBuiltinModule (Node 20.16+) works in the CommonJS executable and in ESM alike, and
      // spares the executable loading node:module (and its source-map support) at start.
      const s = process.getBuiltinModule('node:sea') as Sea;
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
