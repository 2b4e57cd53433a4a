/**
 * A project with a public/ folder for the static-file tests: text, binary, precompressed
 * siblings, folders with an index, a name that needs encoding, `.well-known`, and files that
 * must never be served (a dotfile inside, a secret beside the folder).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export const css = 'body { color: red }\n'.repeat(50);
export const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff)]);
export const home = '<h1>home</h1>';
export const docs = '<h1>docs</h1>';

/** The app behind the files: echoes method and path, so a test sees what fell through. */
export const APP_SOURCE = `export default {
  fetch(request) {
    return new Response('app ' + request.method + ' ' + new URL(request.url).pathname, { headers: { 'content-type': 'text/plain' } });
  },
};
`;

/**
 * A fresh project folder: `app.mjs`, `public/`, and `secret.txt` beside public/.
 *
 * @example
 * const dir = makeProject(); // bundle `${dir}/app.mjs` with cwd dir
 */
export function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-static-'));
  const pub = join(dir, 'public');
  mkdirSync(join(pub, 'docs'), { recursive: true });
  mkdirSync(join(pub, '.well-known'));
  mkdirSync(join(pub, '.git'));
  writeFileSync(join(dir, 'app.mjs'), APP_SOURCE);
  writeFileSync(join(pub, 'index.html'), home);
  writeFileSync(join(pub, 'docs', 'index.html'), docs);
  writeFileSync(join(pub, 'style.css'), css);
  writeFileSync(join(pub, 'style.css.br'), brotliCompressSync(css));
  writeFileSync(join(pub, 'style.css.gz'), gzipSync(css));
  writeFileSync(join(pub, 'logo.png'), png);
  writeFileSync(join(pub, 'empty.txt'), '');
  writeFileSync(join(pub, 'a b+c.txt'), 'spaced');
  writeFileSync(join(pub, '.env'), 'SECRET=1');
  writeFileSync(join(pub, '.git', 'config'), 'SECRET=2');
  writeFileSync(join(pub, '.well-known', 'security.txt'), 'Contact: x');
  writeFileSync(join(dir, 'secret.txt'), 'SECRET=3 outside the folder');
  return dir;
}

/** The staticCacheControl every static test builds with (node.*, lambda.*, and in dev). */
export const CACHE_CONTROL = { '/': 'no-cache', '/style.css': 'public, max-age=60', '/docs/': 'private, max-age=5' };
