/**
 * Where this portico package lives on disk. The bundler points `portico`, `portico/node` ...
 * at these files for every app, including apps outside this folder with no portico installed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder of portico's package.json, found by walking up from this module. Works both from
 * the sources (src/bundle/) and from the prebuilt CLI (lib/cli.mjs).
 *
 * @example
 * join(porticoRoot(), 'adapters/node/runtime/node.ts');
 */
export function porticoRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'portico') return (cached = dir);
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('PORTICO_INTERNAL: cannot find the portico package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** portico's own package.json (version, exports: a path, or conditions such as "portico-source"). */
export function porticoPackage(): { version: string; exports: Record<string, string | Record<string, string>> } {
  return JSON.parse(readFileSync(join(porticoRoot(), 'package.json'), 'utf8'));
}
