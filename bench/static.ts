/**
 * Static files on node: the portico node bundle WITH a public/ folder, against raw node:http and
 * @hono/node-server with its serveStatic in front of the same app, for a dynamic GET (a request
 * that names no file: what a manifest miss costs) and a static hit (a 1 KB stylesheet). The
 * portico bundle without public/ runs beside them, so the miss's cost shows as the gap between
 * the two. Same method as bench/node.ts: servers pinned to one core, wrk to the other, rounds
 * interleaved, each ratio against raw node:http of the same round, medians.
 *
 *   node bench/static.ts [--rounds 3] [--duration 5] [--warmup 2] [--files 500] [--before <bin/portico.mjs>]
 *
 * `--before` builds the same app and public/ with another checkout's CLI (e.g. the commit
 * before the manifest, which probed the disk on every GET) and runs it as `portico-before`.
 *
 * A script, not a test. See bench/README.md, "Static files".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { detectLoader, runLoad } from './_lib/load.ts';
import { canPin, cpuSeconds, freePort, installCleanup, start, stopAll, waitForHttp } from './_lib/processes.ts';
import { formatInt, formatRatio, markdownTable, median } from './_lib/stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const servers = join(here, 'servers');
const CSS = 'body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #222 }\n'.repeat(15).slice(0, 1024);

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    files: { type: 'string', default: '500' },
    before: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log('usage: node bench/static.ts [--rounds 3] [--duration 5] [--warmup 2] [--connections 50] [--files 500] [--before path/to/other/bin/portico.mjs]');
  process.exit(0);
}
const rounds = Number(args.rounds);
const seconds = Number(args.duration);
const warmup = Number(args.warmup);
const connections = Number(args.connections);
const fileCount = Number(args.files);

/** A public/ folder: style.css (1 KB), index.html, and `fileCount` more files in 10 folders. */
function makePublic(work: string): string {
  const pub = join(work, 'public');
  mkdirSync(pub, { recursive: true });
  writeFileSync(join(pub, 'style.css'), CSS);
  writeFileSync(join(pub, 'about.html'), '<h1>about</h1>');
  for (let i = 0; i < fileCount; i++) {
    const folder = join(pub, `assets${i % 10}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `chunk-${i}.js`), `export const n = ${i};\n`);
  }
  return pub;
}

function buildBundle(work: string, name: string, publicDir: string | false, cli = join(root, 'bin/portico.mjs')): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bundle.config.ts'), `export default { publicDir: ${JSON.stringify(publicDir)} };\n`);
  const r = spawnSync(process.execPath, [cli, 'bundle', join(servers, 'app.ts'), '--target', 'node', '--outdir', join(dir, 'dist')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  const server = join(dir, 'dist/node/server.mjs');
  if (r.status !== 0 || !existsSync(server)) throw new Error(`PORTICO_BENCH_BUILD_FAILED: ${r.stdout}\n${r.stderr}`);
  return server;
}

interface Contender {
  id: string;
  label: string;
  script: string;
  env?: Record<string, string>;
}

async function main(): Promise<void> {
  const loader = detectLoader();
  if (loader === null) throw new Error('PORTICO_BENCH_NO_LOADER: apt-get install -y wrk');
  const work = mkdtempSync(join(tmpdir(), 'portico-bench-static-'));
  const pin = canPin();
  const [serverCpu, loadCpu] = pin ? [1, 0] : [undefined, undefined];
  try {
    const pub = makePublic(work);
    const contenders: Contender[] = [
      { id: 'raw', label: 'node:http (raw; the file streamed, length known)', script: join(servers, 'raw-static.ts') },
      { id: 'raw-memory', label: 'node:http (raw; the file in memory)', script: join(servers, 'raw-static.ts'), env: { RAW_STATIC_MEMORY: '1' } },
      { id: 'portico-public', label: 'portico bundle with public/ (manifest)', script: buildBundle(work, 'with-public', pub) },
      { id: 'portico-bare', label: 'portico bundle without public/', script: buildBundle(work, 'bare', false) },
      { id: 'hono-static', label: '@hono/node-server + serveStatic + Hono', script: join(servers, 'hono-static.ts') },
    ];
    if (args.before !== undefined) {
      contenders.push({ id: 'portico-before', label: `portico bundle with public/, built by ${args.before}`, script: buildBundle(work, 'before', pub, resolve(args.before)) });
    }
    installCleanup((contenders.length * 2 * (warmup + rounds * (seconds + 1)) + 120) * 1500);
    const running: Array<{ c: Contender; child: ReturnType<typeof start>; base: string }> = [];
    for (const c of contenders) {
      const port = await freePort();
      const child = start(process.execPath, [c.script], { cpu: serverCpu, cwd: work, env: { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', PUBLIC_DIR: pub, ...c.env } });
      const base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}/`, child);
      // Check both answers before any figure counts (the bare bundle has no file to serve).
      const dyn = await (await fetch(`${base}/`)).text();
      const hit = await fetch(`${base}/style.css`);
      const css = await hit.text();
      if (dyn !== 'Hello, World!' || (c.id !== 'portico-bare' && (hit.status !== 200 || css !== CSS))) {
        throw new Error(`PORTICO_BENCH_WRONG_ANSWER: ${c.id}: GET / ${JSON.stringify(dyn.slice(0, 40))}, GET /style.css ${hit.status}`);
      }
      running.push({ c, child, base });
    }
    const workloads = [
      { id: 'dynamic', path: '/' },
      { id: 'static', path: '/style.css' },
    ];
    console.log(`portico static-files benchmark — ${new Date().toISOString()}`);
    console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}; ${loader}, ${connections} connections; ${pin ? 'servers on core 1, load on core 0' : 'not pinned'}`);
    console.log(`public/ with ${fileCount + 2} files; ${rounds} rounds × ${seconds} s after ${warmup} s warm-up; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
    const run = async (s: (typeof running)[number], path: string, secs: number) => {
      const cpu0 = cpuSeconds(s.child.pid!);
      const r = await runLoad(loader, { url: s.base + path, method: 'GET', seconds: secs, connections, cpu: loadCpu }, work);
      const cpu1 = cpuSeconds(s.child.pid!);
      return { rps: r.rps, usPerRequest: cpu0 !== undefined && cpu1 !== undefined ? ((cpu1 - cpu0) * 1e6) / (r.rps * secs) : NaN, bad: r.non2xx + r.errors };
    };
    if (warmup > 0) for (const s of running) for (const w of workloads) await run(s, w.path, warmup);
    const rps = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const push = (m: Map<string, number[]>, k: string, v: number) => m.set(k, [...(m.get(k) ?? []), v]);
    for (let r = 0; r < rounds; r++) {
      const order = [...running.slice(r % running.length), ...running.slice(0, r % running.length)];
      for (const w of workloads) {
        for (const s of order) {
          if (w.id === 'static' && s.c.id === 'portico-bare') continue;
          const res = await run(s, w.path, seconds);
          if (res.bad > 0) console.log(`warning: ${s.c.id} ${w.id}: ${res.bad} errors or non-2xx`);
          push(rps, `${w.id} ${s.c.id}`, res.rps);
          push(cpu, `${w.id} ${s.c.id}`, res.usPerRequest);
        }
      }
      console.log(`round ${r + 1}/${rounds} done (load ${loadavg()[0]!.toFixed(2)})`);
    }
    const ratio = (w: string, id: string) => {
      const own = rps.get(`${w} ${id}`) ?? [];
      const raw = rps.get(`${w} raw`) ?? [];
      return own.length ? median(own.map((v, i) => v / raw[i]!)) : NaN;
    };
    const cell = (w: string, id: string, f: (n: number) => string, m: Map<string, number[]>) => {
      const v = m.get(`${w} ${id}`);
      return v?.length ? f(median(v)) : '–';
    };
    console.log('');
    console.log(
      markdownTable(
        ['contender', 'dynamic GET req/s', 'ratio', 'CPU µs/req', 'static hit req/s', 'ratio', 'CPU µs/req'],
        running.map(({ c }) => [
          c.label,
          cell('dynamic', c.id, formatInt, rps),
          formatRatio(ratio('dynamic', c.id)),
          cell('dynamic', c.id, (n) => n.toFixed(1), cpu),
          cell('static', c.id, formatInt, rps),
          c.id === 'portico-bare' ? '–' : formatRatio(ratio('static', c.id)),
          cell('static', c.id, (n) => n.toFixed(1), cpu),
        ]),
      ),
    );
    console.log(`\nmedians of ${rounds} rounds; ratios to raw node:http (streaming the file) in the same round. Load average at the end: ${loadavg()[0]!.toFixed(2)}`);
    // Requests per CPU-second barely move when other work shares the cores; req/s does.
    const cpuRatio = (w: string, id: string) => {
      const own = cpu.get(`${w} ${id}`) ?? [];
      const raw = cpu.get(`${w} raw`) ?? [];
      return own.length ? median(own.map((v, i) => raw[i]! / v)) : NaN;
    };
    console.log(`\nthe same as CPU cost: raw's CPU per request over the contender's (above 1× = cheaper than raw)\n`);
    console.log(
      markdownTable(
        ['contender', 'dynamic GET', 'static hit'],
        running.map(({ c }) => [c.label, formatRatio(cpuRatio('dynamic', c.id)), c.id === 'portico-bare' ? '–' : formatRatio(cpuRatio('static', c.id))]),
      ),
    );
  } finally {
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
