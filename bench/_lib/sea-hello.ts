/**
 * The plain node:http hello as a single executable: the anchor both executable benchmarks
 * measure against, made from the same cached base binary and with the same code-cache setting
 * as the exe target, and no portico.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseBinary, type BaseBinary } from '../../adapters/exe/build/base-binary.ts';
import { hostPlatform, platformInfo } from '../../adapters/exe/build/platforms.ts';
import { buildSea } from '../../adapters/exe/build/sea.ts';

const HELLO = "require('node:http').createServer((q, s) => s.end('hello')).listen(+process.argv[3], '127.0.0.1');\n";

/**
 * Build it under `dir` (in `dir/hello-sea/`): the executable's path, and the base binary it
 * was made from.
 *
 * @example
 * const { path } = await seaHello(dir); // spawn(path, ['x', '3000'])
 */
export async function seaHello(dir: string): Promise<{ path: string; base: BaseBinary }> {
  const base = await baseBinary(platformInfo(hostPlatform()));
  const work = join(dir, 'hello-sea');
  mkdirSync(work);
  writeFileSync(join(work, 'hello.cjs'), HELLO);
  const output = join(dir, 'sea-hello');
  await buildSea({ main: join(work, 'hello.cjs'), assets: {}, base: base.path, output, workDir: work, codeCache: base.version === process.versions.node });
  return { path: output, base };
}
