/**
 * How long `portico bundle --target node` takes on examples/hello (target: ≤ 300 ms), two ways:
 *
 *   - in-process, through the bundle API (`bundle()` from src/bundle/bundle.ts): the first
 *     build (esbuild's service starting) and the median of the following ones;
 *   - as a CLI process (`node bin/portico.mjs bundle ... --target node`), wall time from spawn
 *     to exit, Node's own start-up included: what a user waits for.
 *
 *   node bench/bundle-time.ts [--runs 10]
 *
 * A script, not a test. Every build writes to a temp folder that is removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './_lib/stats.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples', 'hello');
const entry = join(example, 'app.ts');
const TARGET_MS = 300;

function options(): { runs: number } {
  let runs: string;
  try {
    runs = parseArgs({ options: { runs: { type: 'string', default: '10' } } }).values.runs;
  } catch (err) {
    console.error(`PORTICO_BAD_OPTION: ${(err as Error).message}; usage: node bench/bundle-time.ts [--runs 10]`);
    process.exit(2);
  }
  const n = Number(runs);
  if (!Number.isInteger(n) || n < 1 || n > 200) {
    console.error(`PORTICO_BAD_OPTION: --runs must be an integer from 1 to 200, got ${JSON.stringify(runs)}`);
    process.exit(2);
  }
  return { runs: n };
}

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const verdict = (ms: number) => (ms <= TARGET_MS ? `met (≤ ${TARGET_MS} ms)` : `MISSED (> ${TARGET_MS} ms)`);

async function inProcess(runs: number, work: string): Promise<{ first: number; rest: number[] }> {
  const { bundle } = (await import(join(root, 'src', 'bundle', 'bundle.ts'))) as typeof import('../src/bundle/bundle.ts');
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const outDir = join(work, `api-${i}`);
    const t0 = performance.now();
    const result = await bundle({
      target: 'node',
      entry,
      root: example,
      outDir,
      publicDir: existsSync(join(example, 'public')) ? 'public' : undefined,
    });
    times.push(performance.now() - t0);
    if (!result.files.some((f) => f.path.endsWith('server.mjs'))) {
      throw new Error(`PORTICO_BENCH_BUILD_FAILED: the bundle API wrote no server.mjs (files: ${result.files.map((f) => f.path).join(', ')})`);
    }
  }
  return { first: times[0]!, rest: times.slice(1) };
}

function asCli(runs: number, work: string): number[] {
  const cli = join(root, 'bin', 'portico.mjs');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const outDir = join(work, `cli-${i}`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'bundle', entry, '--target', 'node', '--outdir', outDir], {
      // From the repo root, as `npm run build` runs it: the root bundle.config.ts (which points
      // at examples/hello and its public/ folder) is found and loaded, as a user's would be.
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`PORTICO_BENCH_BUILD_FAILED: portico bundle exited with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  }
  return times;
}

async function main(): Promise<void> {
  const { runs } = options();
  if (!existsSync(join(root, 'bin', 'portico.mjs')) || !existsSync(join(root, 'src', 'bundle', 'bundle.ts'))) {
    console.error('PORTICO_BENCH_NO_CLI: bin/portico.mjs or src/bundle/bundle.ts is missing; build the CLI first');
    process.exit(1);
  }
  const work = mkdtempSync(join(tmpdir(), 'portico-bundle-time-'));
  // Bounded: a hung esbuild must not keep this script alive forever.
  const watchdog = setTimeout(() => {
    console.error('PORTICO_BENCH_TIMEOUT: bundle-time passed its limit');
    rmSync(work, { recursive: true, force: true });
    process.exit(1);
  }, (runs * 2 + 2) * 60_000);
  watchdog.unref();
  try {
    console.log(`portico bundle --target node on examples/hello — ${new Date().toISOString()}, Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    const cli = asCli(runs, work);
    const api = await inProcess(runs, work);
    console.log('');
    console.log(`| how | runs | median | min | max | target ${TARGET_MS} ms |`);
    console.log('| --- | ---: | ---: | ---: | ---: | --- |');
    console.log(`| CLI process (spawn to exit) | ${runs} | ${fmt(median(cli))} | ${fmt(Math.min(...cli))} | ${fmt(Math.max(...cli))} | ${verdict(median(cli))} |`);
    console.log(`| bundle API, first build | 1 | ${fmt(api.first)} | | | ${verdict(api.first)} |`);
    console.log(`| bundle API, later builds | ${runs} | ${fmt(median(api.rest))} | ${fmt(Math.min(...api.rest))} | ${fmt(Math.max(...api.rest))} | ${verdict(median(api.rest))} |`);
    console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
