/**
 * Workers benchmark: what portico's cloudflare gateway costs over a hand-written worker, in
 * bytes (bundle size, raw and gzip) and in requests per second in real workerd (Miniflare on
 * loopback), with a Hono hello as the peer.
 *
 *   node bench/workers.ts [--rounds 3] [--duration 5] [--connections 32]
 *
 * Every worker is built with the same esbuild settings (ESM, platform neutral, workerd
 * conditions, minified) and run the same way: its own Miniflare (one workerd), wrk with one
 * thread on 127.0.0.1. Rounds are interleaved (each worker once per round, the order rotated)
 * and every ratio is taken against the raw worker of the same round; the table shows medians.
 * Requests pass through Miniflare's entry worker before the app, as in `wrangler dev`, so the
 * figures are for local workerd, not the edge. A script, not a test: see bench/README.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { startWorkerd, type RunningWorker } from '../adapters/cloudflare/build/dev.ts';
import { bundle } from '../src/bundle/bundle.ts';
import { detectLoader, runLoad } from './_lib/load.ts';
import { installCleanup } from './_lib/processes.ts';
import { formatInt, formatRatio, markdownTable, median } from './_lib/stats.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
  },
});
const rounds = Number(args.rounds);
const seconds = Number(args.duration);
const connections = Number(args.connections);
if (!(rounds >= 1 && rounds <= 20 && seconds >= 1 && seconds <= 60 && connections >= 1 && connections <= 512)) {
  throw new Error('PORTICO_BAD_OPTION: --rounds 1-20, --duration 1-60 (seconds), --connections 1-512');
}
process.env.WRANGLER_SEND_METRICS = 'false';
process.env.CI = 'true';
// Hard stop well past the planned run (3 workers × rounds × duration, plus builds and starts).
installCleanup((3 * rounds * (seconds + 10) + 120) * 1000);

const RAW = "export default { fetch: () => new Response('hi') };\n";
const HONO = "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/', (c) => c.text('hi'));\nexport default app;\n";
const PORTICO = RAW; // the same app, through portico's gateway

interface Worker {
  id: string;
  label: string;
  dir: string;
  bytes: number;
  gzip: number;
}

const work = mkdtempSync(join(tmpdir(), 'portico-bench-workers-'));

function wranglerJson(dir: string, name: string): void {
  writeFileSync(join(dir, 'wrangler.json'), JSON.stringify({ name, main: 'worker.js', compatibility_date: '2025-09-01', no_bundle: true }));
}

function measure(id: string, label: string, dir: string): Worker {
  const code = readFileSync(join(dir, 'worker.js'));
  return { id, label, dir, bytes: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

/** A plain worker module built the way the cloudflare target builds (minus portico's entry). */
async function buildPlain(id: string, label: string, source: string): Promise<Worker> {
  const dir = join(work, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'app.ts'), source);
  await esbuild.build({
    entryPoints: [join(dir, 'app.ts')],
    outfile: join(dir, 'worker.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    // Hono resolves from portico's node_modules.
    nodePaths: [join(root, 'node_modules')],
    logLevel: 'error',
  });
  wranglerJson(dir, id);
  return measure(id, label, dir);
}

async function buildPortico(): Promise<Worker> {
  const project = join(work, 'portico-src');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'app.ts'), PORTICO);
  await bundle({ target: 'cloudflare', root: project, entry: 'app.ts', minify: true, options: { name: 'portico-hello' } });
  return measure('portico', 'portico (toWorker)', join(project, 'dist', 'cloudflare'));
}

const workers = [await buildPlain('raw', 'hand-written worker', RAW), await buildPortico(), await buildPlain('hono', 'Hono hello', HONO)];
const raw = workers[0]!;

console.log(`## Bundle size (minified ESM, esbuild ${esbuild.version})\n`);
console.log(
  markdownTable(
    ['worker', 'bytes', 'gzip bytes', 'over raw', 'gzip over raw'],
    workers.map((w) => [w.label, formatInt(w.bytes), formatInt(w.gzip), `+${formatInt(w.bytes - raw.bytes)}`, `+${formatInt(w.gzip - raw.gzip)}`]),
  ),
);

const loader = detectLoader();
if (!loader) throw new Error('PORTICO_BENCH_NO_LOADER: install wrk (apt-get install wrk) or autocannon (npm i -D autocannon)');
const running = new Map<string, RunningWorker>();
// Two ways in: Miniflare's entry socket (what `wrangler dev` serves: its entry worker routes to
// the app), and workerd's direct socket to the app's worker (no entry worker in between).
const urls = new Map<string, { entry: string; direct: string }>();
for (const w of workers) {
  const worker = await startWorkerd(w.dir, { onLog: () => {}, directSocket: true });
  running.set(w.id, worker);
  urls.set(w.id, { entry: worker.url.href, direct: (await worker.miniflare.unsafeGetDirectURL()).href });
}
const PATHS = ['entry', 'direct'] as const;

const key = (id: string, path: string) => `${id}/${path}`;
const rps = new Map<string, number[]>();
const ratios = new Map<string, number[]>();
try {
  for (let round = 0; round < rounds; round++) {
    const order = workers.map((_, i) => workers[(i + round) % workers.length]!);
    const thisRound = new Map<string, number>();
    for (const path of PATHS) {
      for (const w of order) {
        const url = urls.get(w.id)![path];
        // A short warm-up so the isolate and its JIT are hot before the measured run.
        await runLoad(loader, { url, method: 'GET', seconds: 1, connections }, work);
        const result = await runLoad(loader, { url, method: 'GET', seconds, connections }, work);
        if (result.errors > 0 || result.non2xx > 0) console.error(`! ${w.id} ${path}: ${result.errors} errors, ${result.non2xx} non-2xx`);
        thisRound.set(key(w.id, path), result.rps);
        (rps.get(key(w.id, path)) ?? rps.set(key(w.id, path), []).get(key(w.id, path))!).push(result.rps);
      }
      for (const w of workers) {
        const k = key(w.id, path);
        (ratios.get(k) ?? ratios.set(k, []).get(k)!).push(thisRound.get(k)! / thisRound.get(key('raw', path))!);
      }
    }
    console.error(`round ${round + 1}/${rounds}: ${[...thisRound].map(([k, v]) => `${k} ${formatInt(v)}`).join(', ')}`);
  }
} finally {
  for (const worker of running.values()) await worker.close();
  rmSync(work, { recursive: true, force: true });
}

console.log(`\n## Requests per second in workerd (GET /, ${loader} -c${connections}, ${seconds} s × ${rounds} rounds, medians)\n`);
console.log(
  markdownTable(
    ['worker', 'via entry worker: req/s', 'vs raw', 'direct socket: req/s', 'vs raw'],
    workers.map((w) => [
      w.label,
      ...PATHS.flatMap((path) => [formatInt(median(rps.get(key(w.id, path))!)), formatRatio(median(ratios.get(key(w.id, path))!))]),
    ]),
  ),
);
