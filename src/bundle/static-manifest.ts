/**
 * The static-file manifest at build time: walk `publicDir` once (content-hash ETags, no mtime,
 * so the same files give the same bytes on any machine) and write it into the entry of every
 * target that serves files (node, lambda; the executable and the classic gateways reuse it).
 *
 * Baked into the bundle as `JSON.parse('<json>')` rather than written beside it: measured on a
 * 2,000-file manifest (bench/README.md, "Static files"), parsing a JSON string literal at
 * import costs about as much as reading and parsing a file, without the extra file to ship,
 * to find at run time, and to keep in step with the bundle.
 *
 * Build time only.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scanStaticFolder } from '../../adapters/_node/static-scan.ts';
import type { StaticManifest } from '../../adapters/_static/manifest.ts';
import type { BuildContext } from './target.ts';

/** One walk per build: the entry (entrySource) and the packaging step see the same files. */
const perBuild = new WeakMap<BuildContext, StaticManifest>();

/**
 * The manifest of a public folder, for a bundle.
 *
 * @example
 * const manifest = buildStaticManifest('/app/public');
 * Object.keys(manifest.files); // ['/favicon.ico', '/index.html', ...]
 */
export function buildStaticManifest(publicDir: string): StaticManifest {
  return scanStaticFolder(publicDir, { hash: true });
}

/**
 * The manifest of this build's public folder (walked once per build context), or undefined
 * when the build has none.
 *
 * @example
 * const manifest = staticManifestFor(ctx); // in entrySource, and again in package
 */
export function staticManifestFor(ctx: BuildContext): StaticManifest | undefined {
  if (ctx.publicDir === undefined) return undefined;
  let manifest = perBuild.get(ctx);
  if (manifest === undefined) {
    manifest = buildStaticManifest(ctx.publicDir);
    perBuild.set(ctx, manifest);
  }
  return manifest;
}

/**
 * Copy exactly the manifest's files (precompressed siblings are files of their own in it) from
 * `from` to `to`, so that a bundle ships what it serves and nothing else: no `.env` or `.git`
 * that happened to sit in public/. Returns the absolute paths written, sorted.
 *
 * @example
 * copyStaticFiles(manifest, ctx.publicDir, join(ctx.outDir, 'public'));
 */
export function copyStaticFiles(manifest: StaticManifest, from: string, to: string): string[] {
  const written: string[] = [];
  for (const key of Object.keys(manifest.files)) {
    const dest = join(to, key);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(join(from, key), dest);
    written.push(dest);
  }
  return written.sort();
}

/**
 * A JavaScript expression that evaluates to `manifest`, for an entry's source: JSON parsed at
 * import, which V8 does faster than it compiles the same object literal.
 *
 * @example
 * `const files = ${manifestExpression(buildStaticManifest(publicDir))};`
 */
export function manifestExpression(manifest: StaticManifest): string {
  return `JSON.parse(${JSON.stringify(JSON.stringify(manifest))})`;
}

/** What a target's `staticCacheControl` option must be, for its PORTICO_BAD_OPTION message. */
export const CACHE_CONTROL_EXPECTED =
  "a Cache-Control value for every file (e.g. 'no-cache'), or an object of path prefix to value such as { '/assets/': 'public, max-age=31536000, immutable' }";

/**
 * Whether a `staticCacheControl` option is well formed: a header value (no line breaks), or an
 * object whose keys start with '/' and whose values are header values.
 *
 * @example
 * isCacheControlOption({ '/assets/': 'public, max-age=31536000, immutable' }); // true
 * isCacheControlOption({ 'assets/': 'x' }); // false
 */
export function isCacheControlOption(value: unknown): boolean {
  const header = (v: unknown) => typeof v === 'string' && v !== '' && !/[\r\n\0]/.test(v);
  if (typeof value === 'string') return header(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.entries(value).every(([k, v]) => k.startsWith('/') && header(v));
}
