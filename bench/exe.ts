/**
 * The single-file executable (issue 9): spawn → first 200 of the exe target against a plain
 * node:http SEA hello made from the same base binary (goal ≤ 1.1×) and against the same app
 * run as `node dist/node/server.mjs`; the executable's size against the stripped base + 1 MB +
 * the assets; and `portico bundle --target exe` cold (base binary downloaded into an empty
 * cache) and warm. Beside them, the other runtimes' hellos (bench/_lib/runtime-hellos.ts): a
 * Bun executable, and Deno (`deno run`: `deno compile` needs a download from dl.deno.land).
 *
 *   node bench/exe.ts [--runs 15] [--cold]
 *
 * --cold downloads the ~50 MB base once more into a temporary cache. Prints a table; every
 * process it starts it stops by pid.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { firstResponseAndCpu } from './_lib/first-response.ts';
import { bunHello, denoHello } from './_lib/runtime-hellos.ts';
import { seaHello } from './_lib/sea-hello.ts';
import { median } from './_lib/stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, cold: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
const CLI = new URL('../bin/portico.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'portico-bench-exe-'));

const APP = "export default { fetch: () => new Response('hello') };\n";

function bundle(target: string, env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now();
  execFileSync(process.execPath, [CLI, 'bundle', 'app.mjs', '--target', target, '--outdir', join(dir, 'dist')], { cwd: dir, env, stdio: 'ignore' });
  return performance.now() - started;
}

try {
  writeFileSync(join(dir, 'app.mjs'), APP);
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'public', 'index.html'), '<h1>hello</h1>\n'.repeat(100));

  let cold: number | undefined;
  if (values.cold) {
    const cache = mkdtempSync(join(tmpdir(), 'portico-bench-cache-'));
    cold = bundle('exe', { ...process.env, XDG_CACHE_HOME: cache });
    rmSync(cache, { recursive: true, force: true });
  }
  const warmTimes = [bundle('exe'), bundle('exe'), bundle('exe')];
  const exe = join(dir, 'dist', 'exe', 'app');
  const exeSize = statSync(exe).size;
  bundle('node');
  const server = join(dir, 'dist', 'node', 'server.mjs');

  const { path: plain, base } = await seaHello(dir);

  const bun = await bunHello(dir);
  const deno = await denoHello(dir);
  const contenders: [string, string, string[]][] = [
    ['plain node:http SEA hello', plain, []],
    ['portico exe', exe, ['--host', '127.0.0.1']],
    ['node dist/node/server.mjs', process.execPath, [server, '--host', '127.0.0.1']],
    [`Bun.serve hello exe (${bun.version})`, ...bun.command],
    ...(deno ? [[`Deno.serve hello, deno run (${deno.version})`, ...deno.command] as [string, string, string[]]] : []),
  ];
  const times = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  const cpu = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  // Interleaved, so that load on the machine hits every contender alike.
  for (let i = 0; i < runs; i++) {
    for (const [name, cmd, args] of contenders) {
      const { wall, cpu: ms } = await firstResponseAndCpu(cmd, args);
      times.get(name)!.push(wall);
      if (ms !== undefined) cpu.get(name)!.push(ms);
    }
  }

  const plainMs = median(times.get('plain node:http SEA hello')!);
  const plainCpu = median(cpu.get('plain node:http SEA hello')!);
  console.log(`exe bench, ${new Date().toISOString()}, Node ${process.version}, base ${base.packageName}@${base.version}, ${cpus().length}× ${cpus()[0]?.model}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`\nspawn → first 200 (median of ${runs}, interleaved); CPU time of the process by then`);
  for (const [name] of contenders) {
    const ms = median(times.get(name)!);
    const onCpu = median(cpu.get(name)!);
    const cpuText = Number.isFinite(onCpu) ? `   CPU ${onCpu.toFixed(1).padStart(6)} ms  ${(onCpu / plainCpu).toFixed(2)}×` : '';
    console.log(`  ${name.padEnd(40)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / plainMs).toFixed(2)}×${cpuText}`);
  }
  const baseSize = statSync(base.path).size;
  const assets = statSync(join(dir, 'public', 'index.html')).size;
  const budget = baseSize + 1e6 + assets;
  console.log(`\nsize: exe ${(exeSize / 1e6).toFixed(2)} MB; stripped base ${(baseSize / 1e6).toFixed(2)} MB + 1 MB + assets ${(assets / 1e3).toFixed(1)} kB = ${(budget / 1e6).toFixed(2)} MB (${exeSize <= budget ? 'within' : 'OVER'} by ${(Math.abs(budget - exeSize) / 1e3).toFixed(0)} kB)`);
  console.log(`\nportico bundle --target exe: ${cold !== undefined ? `cold ${(cold / 1000).toFixed(1)} s, ` : ''}warm ${warmTimes.map((t) => (t / 1000).toFixed(1)).join(' / ')} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
