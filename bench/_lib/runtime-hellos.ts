/**
 * Hello servers of the other runtimes that ship single executables, for the executable
 * benchmarks to set beside portico's: a `Bun.serve` hello compiled by `bun build --compile`,
 * and a `Deno.serve` hello run by `deno run`. Deno's own executables (`deno compile`) embed a
 * slimmed runtime, denort, that deno downloads from dl.deno.land; only the npm registry is
 * reachable here, so the full deno binary stands in (it starts the same V8 isolate, with a
 * few more built-ins to load).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseBinary } from '../../adapters/exe/build/base-binary.ts';
import { hostBun } from '../../adapters/exe/build/bun-binary.ts';
import { hostPlatform, platformInfo, type ExePlatform } from '../../adapters/exe/build/platforms.ts';

/** A command and its arguments; the benchmark appends `--port <n>`. */
export type Command = [string, string[]];

const BUN_HELLO = "Bun.serve({ port: +process.argv[3], hostname: '127.0.0.1', fetch: () => new Response('hello') });\n";
const DENO_HELLO = "Deno.serve({ port: +Deno.args[1], hostname: '127.0.0.1', onListen() {} }, () => new Response('hello'));\n";

/**
 * The Bun hello, compiled under `dir` by the Bun the build would use (PORTICO_BUN, the
 * project's, else the registry's): its path and that Bun's version.
 *
 * @example
 * const { command } = await bunHello(dir); // spawn(...command) then add '--port', '3000'
 */
export async function bunHello(dir: string): Promise<{ command: Command; version: string }> {
  const bun = await hostBun(dir, platformInfo(hostPlatform()).platform as ExePlatform);
  writeFileSync(join(dir, 'bun-hello.mjs'), BUN_HELLO);
  const output = join(dir, 'bun-hello');
  execFileSync(bun.path, ['build', '--compile', 'bun-hello.mjs', '--outfile', output], { cwd: dir, stdio: 'ignore' });
  return { command: [output, []], version: bun.version };
}

/**
 * The Deno hello under `dir`, run by PORTICO_DENO, else Deno 2 from the npm registry
 * (@deno/linux-x64-glibc, cached like the Node and Bun binaries). Undefined off linux-x64.
 *
 * @example
 * const deno = await denoHello(dir); // deno?.command: ['/…/deno', ['run', '--allow-net', …]]
 */
export async function denoHello(dir: string): Promise<{ command: Command; version: string } | undefined> {
  let path = process.env.PORTICO_DENO;
  if (path === undefined) {
    if (hostPlatform() !== 'linux-x64') return undefined;
    const info = { platform: 'linux-x64' as const, packageName: '@deno/linux-x64-glibc', binaryPath: 'package/deno', suffix: '' as const };
    path = (await baseBinary(info, { version: '2', runtime: { folder: 'deno', fileName: 'deno', prepare: () => {}, label: 'Deno', size: '42 MB' } })).path;
  }
  if (!existsSync(path)) throw new Error(`PORTICO_DENO names ${path}, which does not exist`);
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.replace(/^deno /, '').split(' ')[0]!;
  const script = join(dir, 'deno-hello.mjs');
  writeFileSync(script, DENO_HELLO);
  return { command: [path, ['run', '--allow-net', '--no-config', '--no-lock', '--no-prompt', script]], version };
}
