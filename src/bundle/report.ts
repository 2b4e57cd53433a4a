/**
 * The table of output files printed after a build, as vite prints it: path, raw size and
 * gzip size, aligned.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { OutputFile } from './target.ts';

/** Sizes in kB with two decimals, as vite shows them. */
function kB(bytes: number): string {
  return `${(bytes / 1000).toFixed(2)} kB`;
}

/**
 * The files under `dir`, sorted, as absolute paths (folders themselves left out).
 *
 * @example
 * filesUnder('/app/dist/cloudflare/public'); // ['/app/dist/cloudflare/public/a.css', '/app/dist/cloudflare/public/img/logo.png']
 */
export function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .sort();
}

/**
 * One row a file; a folder in `files` becomes a row for each file in it (a folder's own size is
 * its directory entry, a few kB whatever it holds).
 *
 * @example
 * console.log(sizeTable([{ path: '/app/dist/node/server.mjs', kind: 'entry' }], '/app'));
 * // dist/node/server.mjs  entry  12.34 kB │ gzip: 4.01 kB
 */
export function sizeTable(files: OutputFile[], cwd: string): string {
  const expanded = files.flatMap((file) => (statSync(file.path).isDirectory() ? filesUnder(file.path).map((path) => ({ path, kind: file.kind })) : [file]));
  const rows = expanded.map((file) => {
    const stat = statSync(file.path);
    const size = stat.size;
    // Only files worth compressing get a gzip figure: a zip or an executable is already final.
    const gzip = stat.isFile() && /\.(m?js|cjs|json|html|css|svg|txt|map|xml)$/i.test(file.path) ? gzipSync(readFileSync(file.path), { level: 9 }).length : undefined;
    return { name: relative(cwd, file.path) || file.path, kind: file.kind ?? '', size: kB(size), gzip };
  });
  const nameWidth = Math.max(0, ...rows.map((r) => r.name.length));
  const kindWidth = Math.max(0, ...rows.map((r) => r.kind.length));
  const sizeWidth = Math.max(0, ...rows.map((r) => r.size.length));
  return rows
    .map((r) => {
      const line = `${r.name.padEnd(nameWidth)}  ${r.kind.padEnd(kindWidth)}  ${r.size.padStart(sizeWidth)}`;
      return r.gzip === undefined ? line.trimEnd() : `${line} │ gzip: ${kB(r.gzip)}`;
    })
    .join('\n');
}
