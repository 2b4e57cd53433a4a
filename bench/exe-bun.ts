/**
 * `portico bundle --target exe --runtime bun` (issue 9's stretch) beside the Node executable:
 * spawn → first 200 of the same app as a Bun executable (esbuild bundle + `bun build --compile`,
 * what portico ships), the same entry bundled by Bun's bundler alone (the alternative weighed in
 * adapters/exe/build/bun.ts), a plain `Bun.serve` hello compiled by the same Bun, the Node exe
 * and a plain node:http SEA hello from the Node base binary; the sizes; and the bun build time.
 *
 *   PORTICO_BUN=/path/to/bun node bench/exe-bun.ts [--runs 15]
 *
 * The Bun is found as the build finds it (PORTICO_BUN, else a download into the user cache).
 * Prints a table; every process it starts it stops by pid.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hostBun } from '../adapters/exe/build/bun-binary.ts';
import { hostPlatform, platformInfo, type ExePlatform } from '../adapters/exe/build/platforms.ts';
import { prepareBuild } from '../src/bundle/bundle.ts';
import { firstResponse } from './_lib/first-response.ts';
import { bunHello } from './_lib/runtime-hellos.ts';
import { seaHello } from './_lib/sea-hello.ts';
import { median } from './_lib/stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);
const CLI = new URL('../bin/portico.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'portico-bench-exe-bun-'));

const APP = "export default { fetch: () => new Response('hello') };\n";

function bundle(runtime: 'node' | 'bun', outdir: string): number {
  const started = performance.now();
  execFileSync(process.execPath, [CLI, 'bundle', 'app.mjs', '--target', 'exe', '--runtime', runtime, '--outdir', outdir], { cwd: dir, stdio: 'ignore' });
  return performance.now() - started;
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;

try {
  writeFileSync(join(dir, 'app.mjs'), APP);
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'public', 'index.html'), '<h1>hello</h1>\n'.repeat(100));
  const bun = await hostBun(dir, platformInfo(hostPlatform()).platform as ExePlatform);

  const bunTimes = [bundle('bun', join(dir, 'dist-bun')), bundle('bun', join(dir, 'dist-bun')), bundle('bun', join(dir, 'dist-bun'))];
  bundle('node', join(dir, 'dist-node'));
  const bunExe = join(dir, 'dist-bun', 'exe', 'app');
  const nodeExe = join(dir, 'dist-node', 'exe', 'app');

  // The same entry, bundled by Bun alone: the portico entry source written to a file.
  const prepared = await prepareBuild({ target: 'exe', entry: 'app.mjs', root: dir, publicDir: 'public', options: { runtime: 'bun' } });
  writeFileSync(join(dir, 'entry.mjs'), prepared.esbuildOptions.stdin!.contents as string);
  const bunOnly = join(dir, 'bun-bundler');
  execFileSync(bun.path, ['build', '--compile', '--bytecode', 'entry.mjs', '--outfile', bunOnly, '--asset', 'public', '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig'], { cwd: dir, stdio: 'ignore' });

  const [bunHelloPath] = (await bunHello(dir)).command;

  const { path: plainSea, base } = await seaHello(dir);

  const contenders: [string, string, string[]][] = [
    ['plain node:http SEA hello', plainSea, []],
    ['portico exe (node)', nodeExe, ['--host', '127.0.0.1']],
    ['plain Bun.serve hello', bunHelloPath, []],
    ['portico exe --runtime bun', bunExe, ['--host', '127.0.0.1']],
    ['  same, Bun bundler alone', bunOnly, ['--host', '127.0.0.1']],
  ];
  const times = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  // Interleaved, so that load on the machine hits every contender alike.
  for (let i = 0; i < runs; i++) for (const [name, cmd, args] of contenders) times.get(name)!.push(await firstResponse(cmd, args));

  const seaMs = median(times.get('plain node:http SEA hello')!);
  const bunMs = median(times.get('plain Bun.serve hello')!);
  console.log(`exe --runtime bun bench, ${new Date().toISOString()}, Node ${process.version}, Bun ${bun.version} (${bun.source}), ${cpus().length}× ${cpus()[0]?.model}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`\nspawn → first 200 (median of ${runs}, interleaved; ratios to the plain SEA hello and to the plain Bun hello)`);
  for (const [name, cmd] of contenders) {
    const ms = median(times.get(name)!);
    console.log(`  ${name.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / seaMs).toFixed(2)}×  ${(ms / bunMs).toFixed(2)}×  ${mb(statSync(cmd).size).padStart(10)}`);
  }
  console.log(`\nsize: Bun binary ${mb(statSync(bun.path).size)}; stripped Node base ${mb(statSync(base.path).size)}; public/ ${(statSync(join(dir, 'public', 'index.html')).size / 1e3).toFixed(1)} kB`);
  console.log(`\nportico bundle --target exe --runtime bun: warm ${bunTimes.map((t) => (t / 1000).toFixed(1)).join(' / ')} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
