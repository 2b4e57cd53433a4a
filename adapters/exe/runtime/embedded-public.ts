/**
 * public/ served from inside the executable: the manifest the bundler baked in decides every
 * answer (adapters/_static), and the bytes are the `public/<path>` SEA assets, handed out as
 * views of the executable's mapped memory (no copy, no disk).
 *
 * Run time only.
 */
import type { StaticFiles } from '../../_node/static.ts';
import type { StaticManifest } from '../../_static/manifest.ts';
import type { StaticReader } from '../../_static/reader.ts';
import { seaAsset } from './sea-assets.ts';

/**
 * A reader of the embedded files: `file` is a manifest key (`/css/app.css`, or a `.br`/`.gz`
 * sibling), `end` inclusive (adapters/_static/reader.ts).
 *
 * @example
 * seaReader().read('/index.html', 0, 99); // Uint8Array(100)
 */
export function seaReader(asset: (key: string) => Uint8Array | undefined = seaAsset): StaticReader<Uint8Array> {
  const found = new Map<string, Uint8Array>();
  return {
    read(file, start, end) {
      let bytes = found.get(file);
      if (bytes === undefined) {
        bytes = asset(`public${file}`);
        if (bytes === undefined) throw new Error(`PORTICO_EXE_ASSET: the executable holds no public${file}; rebuild it with portico bundle --target exe`);
        found.set(file, bytes);
      }
      if (end >= bytes.byteLength) throw new Error(`PORTICO_EXE_ASSET: public${file} is shorter than its manifest entry; rebuild the executable`);
      return bytes.subarray(start, end + 1);
    },
  };
}

/**
 * The `static` option of `serve` for the embedded public/.
 *
 * @example
 * serve(app, { static: embeddedPublic(manifest) });
 */
export function embeddedPublic(manifest: StaticManifest, cacheControl?: string | Record<string, string>): StaticFiles {
  return { manifest, from: seaReader(), ...(cacheControl !== undefined ? { cacheControl } : {}) };
}
