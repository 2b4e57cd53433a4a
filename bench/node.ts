/**
 * Node HTTP benchmark: portico's node gateway against raw node:http and its peers, each server
 * in its own process pinned to one core, the load generator (wrk) pinned to another.
 *
 * Rounds are interleaved (every contender once per round, the order rotated each round), so a
 * burst of noise from the machine lands on one round of everyone rather than on one contender;
 * each ratio is taken against raw node:http FROM THE SAME ROUND, and the table shows medians.
 *
 *   node bench/node.ts [--rounds 5] [--duration 5] [--only raw,portico-bundle] [--profile portico-bundle]
 *
 * A script, not a test: it prints a Markdown table and exits. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import { topSelfTime } from './_lib/cpuprofile.ts';
import { detectLoader, runLoad, type LoaderName, type LoadResult } from './_lib/load.ts';
import { payloadJson } from './_lib/payload.ts';
import { canPin, cpuSeconds, freePort, installCleanup, start, stop, stopAll, waitForHttp } from './_lib/processes.ts';
import { formatInt, formatRatio, markdownTable, median } from './_lib/stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const servers = join(here, 'servers');

interface Contender {
  id: string;
  label: string;
  /** Returns the server script to run (building it first when needed). */
  script(work: string): string;
  env?: Record<string, string>;
  /** Run only when named in --only. */
  optional?: boolean;
}

const CONTENDERS: Contender[] = [
  { id: 'raw', label: 'node:http (raw)', script: () => join(servers, 'raw.ts') },
  { id: 'portico-bundle', label: 'portico bundle (FastResponse)', script: buildPorticoBundle },
  { id: 'portico-listener', label: 'portico toNodeListener (native Response)', script: () => join(servers, 'portico-listener.ts') },
  { id: 'hono', label: '@hono/node-server + Hono', script: () => join(servers, 'hono.ts') },
  { id: 'srvx', label: 'srvx (native Response)', script: () => join(servers, 'srvx.ts') },
  { id: 'srvx-fast', label: 'srvx (its FastResponse)', script: () => join(servers, 'srvx.ts'), env: { SRVX_FAST: '1' } },
  { id: 'whatwg', label: '@whatwg-node/server', script: () => join(servers, 'whatwg.ts') },
  { id: 'raw-array', label: 'node:http (raw, array headers)', script: () => join(servers, 'raw-array.ts'), optional: true },
];

/** The portico contenders the issue's targets are about; the bundle is what users run. */
const PORTICO = 'portico-bundle';

interface Workload {
  id: 'GET' | 'POST';
  path: string;
  body?: string;
  contentType?: string;
}

function usage(): string {
  return `Usage: node bench/node.ts [options]

  --rounds <n>        interleaved rounds (default 5)
  --duration <s>      seconds of load per contender, workload and round (default 5)
  --warmup <s>        seconds of warm-up load per contender and workload before round 1 (default 3)
  --connections <n>   keep-alive connections (default 50)
  --only <ids>        comma-separated contenders (raw is always added, for the ratios)
                      ids: ${CONTENDERS.map((c) => c.id + (c.optional ? ' (only when named)' : '')).join(', ')}
  --loader <name>     wrk or autocannon (default: wrk when installed)
  --server-cpu <n>    core for the servers (default 1)
  --load-cpu <n>      core for the load generator (default 0)
  --no-pin            do not pin with taskset
  --extra <id=path>   also run the server script at <path> as contender <id> (repeatable), e.g. a
                      patched server.mjs to try a change to the runtime; it must honour PORT/HOST
  --json <file>       also write every figure as JSON
  --profile <id>      instead of the table: run <id> under node --cpu-prof through both workloads
                      and print its top self-time frames
  -h, --help          this text`;
}

function parseOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        rounds: { type: 'string', default: '5' },
        duration: { type: 'string', default: '5' },
        warmup: { type: 'string', default: '3' },
        connections: { type: 'string', default: '50' },
        only: { type: 'string' },
        loader: { type: 'string' },
        'server-cpu': { type: 'string', default: '1' },
        'load-cpu': { type: 'string', default: '0' },
        'no-pin': { type: 'boolean', default: false },
        json: { type: 'string' },
        extra: { type: 'string', multiple: true, default: [] },
        profile: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    fail(`PORTICO_BAD_OPTION: ${(err as Error).message}; see --help`);
  }
  if (parsed.help) {
    console.log(usage());
    process.exit(0);
  }
  const int = (name: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) fail(`PORTICO_BAD_OPTION: --${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
    return n;
  };
  for (const spec of parsed.extra) {
    const m = /^([\w-]+)=(.+)$/.exec(spec) as [string, string, string] | null;
    if (!m) fail(`PORTICO_BAD_OPTION: --extra must look like id=path/to/server.mjs, got ${JSON.stringify(spec)}`);
    const file = resolve(m[2]);
    if (!existsSync(file)) fail(`PORTICO_BAD_OPTION: --extra ${m[1]}: no file at ${file}`);
    if (CONTENDERS.some((c) => c.id === m[1])) fail(`PORTICO_BAD_OPTION: --extra: the id "${m[1]}" is taken; pick another`);
    CONTENDERS.push({ id: m[1], label: `${m[1]} (extra)`, script: () => file });
  }
  const ids = new Set(CONTENDERS.map((c) => c.id));
  let only: string[] | undefined;
  if (parsed.only !== undefined) {
    only = parsed.only.split(',').map((s) => s.trim()).filter(Boolean);
    for (const id of only) if (!ids.has(id)) fail(`PORTICO_BAD_OPTION: --only: unknown contender "${id}"; choose from ${[...ids].join(', ')}`);
  }
  if (parsed.profile !== undefined && !ids.has(parsed.profile)) {
    fail(`PORTICO_BAD_OPTION: --profile: unknown contender "${parsed.profile}"; choose from ${[...ids].join(', ')}`);
  }
  if (parsed.loader !== undefined && parsed.loader !== 'wrk' && parsed.loader !== 'autocannon') {
    fail(`PORTICO_BAD_OPTION: --loader must be wrk or autocannon, got ${JSON.stringify(parsed.loader)}`);
  }
  const pin = !parsed['no-pin'] && canPin();
  return {
    rounds: int('rounds', parsed.rounds, 1),
    seconds: int('duration', parsed.duration, 1),
    warmup: int('warmup', parsed.warmup, 0),
    connections: int('connections', parsed.connections, 1),
    only,
    loader: parsed.loader as LoaderName | undefined,
    serverCpu: pin ? int('server-cpu', parsed['server-cpu'], 0) : undefined,
    loadCpu: pin ? int('load-cpu', parsed['load-cpu'], 0) : undefined,
    json: parsed.json,
    profile: parsed.profile,
  };
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** Build `bench/servers/app.ts` with `portico bundle --target node` and return the server.mjs. */
function buildPorticoBundle(work: string): string {
  const cli = join(root, 'bin', 'portico.mjs');
  if (!existsSync(cli)) throw new Error(`PORTICO_BENCH_NO_CLI: ${cli} is missing, so the portico bundle cannot be built`);
  const outDir = join(work, 'portico-bundle');
  const r = spawnSync(process.execPath, [cli, 'bundle', join(servers, 'app.ts'), '--target', 'node', '--outdir', outDir], {
    // From the temp folder, so no bundle.config.ts is found (the repo's own config adds the
    // example's public/ folder): the bundle is the bare app and the gateway, nothing else.
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
  });
  // --outdir is the output folder itself or its parent (`<dir>/node/`), depending on the CLI version.
  const server = [join(outDir, 'server.mjs'), join(outDir, 'node', 'server.mjs')].find((f) => existsSync(f)) ?? join(outDir, 'server.mjs');
  if (r.status !== 0 || !existsSync(server)) {
    throw new Error(`PORTICO_BENCH_BUILD_FAILED: portico bundle exited with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  }
  return server;
}

interface Running {
  contender: Contender;
  child: ReturnType<typeof start>;
  base: string;
}

async function startServer(c: Contender, work: string, cpu: number | undefined, nodeFlags: string[] = []): Promise<Running> {
  const script = c.script(work);
  const port = await freePort();
  // Production settings: NODE_ENV=production, and the host/port in both spellings the
  // gateways read (PORT/HOST; the bundled server also accepts them).
  const child = start(process.execPath, [...nodeFlags, script], {
    cpu,
    cwd: root,
    env: { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', ...c.env },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/`, child);
  return { contender: c, child, base };
}

/** Check that a server answers both workloads correctly before its figures count. */
async function verify(s: Running, payload: string): Promise<void> {
  const get = await fetch(`${s.base}/`);
  const text = await get.text();
  if (get.status !== 200 || text !== 'Hello, World!') {
    throw new Error(`PORTICO_BENCH_WRONG_ANSWER: ${s.contender.id} GET / gave ${get.status} ${JSON.stringify(text.slice(0, 80))}`);
  }
  const post = await fetch(`${s.base}/echo`, { method: 'POST', body: payload, headers: { 'content-type': 'application/json' } });
  const echoed = await post.text();
  let same = false;
  try {
    same = isDeepStrictEqual(JSON.parse(echoed), JSON.parse(payload));
  } catch {}
  if (post.status !== 200 || !same || !(post.headers.get('content-type') ?? '').includes('application/json')) {
    throw new Error(`PORTICO_BENCH_WRONG_ANSWER: ${s.contender.id} POST /echo gave ${post.status} ${post.headers.get('content-type')} ${JSON.stringify(echoed.slice(0, 80))}`);
  }
}

/** One load run against one server; `perCpuSecond` is requests per second of the server's own CPU time. */
async function loadOne(
  loader: LoaderName,
  s: Running,
  w: Workload,
  seconds: number,
  opts: ReturnType<typeof parseOptions>,
  work: string,
): Promise<LoadResult & { perCpuSecond: number }> {
  const cpu0 = cpuSeconds(s.child.pid!);
  const res = await runLoad(
    loader,
    { url: s.base + w.path, method: w.id, body: w.body, contentType: w.contentType, seconds, connections: opts.connections, cpu: opts.loadCpu },
    work,
  );
  const cpu1 = cpuSeconds(s.child.pid!);
  const used = cpu0 === undefined || cpu1 === undefined ? NaN : cpu1 - cpu0;
  return { ...res, perCpuSecond: used > 0 ? (res.rps * seconds) / used : NaN };
}

function rotate<T>(list: T[], by: number): T[] {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}`;
}

const load1 = () => Number((loadavg()[0] ?? NaN).toFixed(2));

/** One figure per workload, contender and round. */
class Series {
  #data = new Map<string, number[]>();
  set(workload: string, id: string, round: number, value: number): void {
    const key = `${workload} ${id}`;
    const list = this.#data.get(key) ?? [];
    list[round] = value;
    this.#data.set(key, list);
  }
  get(workload: string, id: string): number[] {
    return this.#data.get(`${workload} ${id}`) ?? [];
  }
  /** Each round's figure over raw node:http's figure of the same round. */
  ratios(workload: string, id: string): number[] {
    const raw = this.get(workload, 'raw');
    return this.get(workload, id).map((v, r) => v / (raw[r] ?? NaN));
  }
  toJSON(): Record<string, number[]> {
    return Object.fromEntries(this.#data);
  }
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const loader = opts.loader ?? detectLoader();
  if (!loader) fail('PORTICO_BENCH_NO_LOADER: neither wrk nor autocannon found; run `apt-get install -y wrk` (or `npm i -D autocannon`)');
  const payload = payloadJson();
  const workloads: Workload[] = [
    { id: 'GET', path: '/' },
    { id: 'POST', path: '/echo', body: payload, contentType: 'application/json' },
  ];

  if (opts.profile) return profile(opts, loader, workloads);

  let chosen = CONTENDERS.filter((c) => !c.optional);
  if (opts.only) chosen = CONTENDERS.filter((c) => c.id === 'raw' || opts.only!.includes(c.id) || c.label.endsWith('(extra)'));

  const perRun = opts.seconds + 1; // one load run plus start/stop of wrk
  const limitMs = (chosen.length * (workloads.length * (opts.warmup + 1 + opts.rounds * perRun) + 20) + 120) * 1000 * 1.5;
  installCleanup(limitMs);
  const work = mkdtempSync(join(tmpdir(), 'portico-bench-'));

  console.log(`portico node benchmark — ${new Date().toISOString()}`);
  console.log(`Node ${process.version}, ${machine()}; load generator ${loader}, ${opts.connections} keep-alive connections`);
  console.log(opts.serverCpu === undefined ? 'not pinned (taskset missing, one core, or --no-pin)' : `servers on core ${opts.serverCpu}, load generator on core ${opts.loadCpu}`);
  console.log(`${opts.rounds} rounds × ${chosen.length} contenders × ${workloads.length} workloads × ${opts.seconds} s, after ${opts.warmup} s warm-up each; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`(at most ${Math.round(limitMs / 60_000)} min)\n`);

  // Start every server once; an idle server costs nothing, and each stays warm between rounds.
  const running: Running[] = [];
  const skipped: string[] = [];
  try {
    for (const c of chosen) {
      try {
        const s = await startServer(c, work, opts.serverCpu);
        await verify(s, payload);
        running.push(s);
      } catch (err) {
        if (c.id === 'raw') throw err;
        skipped.push(`${c.id}: ${(err as Error).message.split('\n')[0]}`);
        console.log(`skipping ${c.id}: ${(err as Error).message}`);
      }
    }
    if (opts.warmup > 0) {
      for (const s of running) for (const w of workloads) await loadOne(loader, s, w, opts.warmup, opts, work);
    }

    // Figures per workload, contender and round, with the load average seen at each round's start.
    const rps = new Series();
    const perCpu = new Series();
    const errors = new Map<string, number>();
    const roundLoad: number[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      roundLoad.push(load1());
      const line: string[] = [];
      for (const w of workloads) {
        for (const s of rotate(running, r)) {
          const res = await loadOne(loader, s, w, opts.seconds, opts, work);
          rps.set(w.id, s.contender.id, r, res.rps);
          perCpu.set(w.id, s.contender.id, r, res.perCpuSecond);
          const key = `${s.contender.id} ${w.id}`;
          errors.set(key, (errors.get(key) ?? 0) + res.non2xx + res.errors);
          line.push(`${w.id} ${s.contender.id} ${formatInt(res.rps)}`);
        }
      }
      console.log(`round ${r + 1}/${opts.rounds} (load ${roundLoad[r]}): ${line.join(', ')}`);
    }
    const endLoad = load1();

    const ratio = (w: string, id: string) => median(rps.ratios(w, id));
    const rows = running.map(({ contender: c }) => [
      c.label,
      formatInt(median(rps.get('GET', c.id))),
      formatRatio(ratio('GET', c.id)),
      formatInt(median(rps.get('POST', c.id))),
      formatRatio(ratio('POST', c.id)),
    ]);
    console.log('');
    console.log(markdownTable(['contender', 'GET / req/s', 'GET ratio', 'POST /echo req/s', 'POST ratio'], rows));
    console.log('');
    console.log(`medians of ${opts.rounds} rounds; ratios are to raw node:http in the same round, then the median.`);
    const spread = (w: string, id: string) => {
      const r = rps.ratios(w, id);
      return `${formatRatio(Math.min(...r))}–${formatRatio(Math.max(...r))}`;
    };
    console.log(
      `ratio range across rounds (the noise): ${running
        .filter((s) => s.contender.id !== 'raw')
        .map((s) => `${s.contender.id} GET ${spread('GET', s.contender.id)} POST ${spread('POST', s.contender.id)}`)
        .join('; ')}`,
    );
    console.log(`load average (1 min) at each round's start: ${roundLoad.join(', ')}; at the end: ${endLoad}`);
    console.log('');
    console.log('The same runs as requests per CPU-second of the server process (less sensitive to other work on the machine):');
    console.log('');
    console.log(
      markdownTable(
        ['contender', 'GET req/CPU-s', 'GET ratio', 'POST req/CPU-s', 'POST ratio'],
        running.map(({ contender: c }) => [
          c.label,
          formatInt(median(perCpu.get('GET', c.id))),
          formatRatio(median(perCpu.ratios('GET', c.id))),
          formatInt(median(perCpu.get('POST', c.id))),
          formatRatio(median(perCpu.ratios('POST', c.id))),
        ]),
      ),
    );
    console.log('');
    for (const [key, n] of errors) if (n > 0) console.log(`warning: ${key}: ${n} errors or non-2xx responses`);
    for (const s of skipped) console.log(`skipped ${s}`);

    if (rps.get('GET', PORTICO).length > 0) {
      const g = ratio('GET', PORTICO);
      const p = ratio('POST', PORTICO);
      // The issue's peers run the same app as written (global Response); srvx-fast is srvx at
      // its own best (its FastResponse in the app's code), reported beside them.
      const bestOf = (ids: string[]) => {
        const found = running.filter((s) => ids.includes(s.contender.id)).map((s) => [s.contender.id, ratio('GET', s.contender.id)] as const);
        return found.reduce<readonly [string, number]>((a, b) => (b[1] > a[1] ? b : a), ['none', 0]);
      };
      const [peer, best] = bestOf(['hono', 'srvx', 'whatwg']);
      const [, fast] = bestOf(['srvx-fast']);
      console.log(`\ntargets (${PORTICO}):`);
      console.log(`  GET ≥ 0.95× raw: ${formatRatio(g)} — ${g >= 0.95 ? 'met' : 'MISSED'}`);
      console.log(`  GET ahead of every peer (best: ${peer} ${formatRatio(best)}): ${g > best ? 'met' : 'MISSED'}`);
      if (fast > 0) console.log(`  (beside them, srvx with its own FastResponse: ${formatRatio(fast)} — portico ${g > fast ? 'ahead' : 'behind'})`);
      console.log(`  POST ≥ 1.05× raw: ${formatRatio(p)} — ${p >= 1.05 ? 'met' : 'MISSED'}`);
    }

    if (opts.json) {
      writeFileSync(
        opts.json,
        JSON.stringify({ date: new Date().toISOString(), node: process.version, machine: machine(), loader, options: opts, roundLoad, endLoad, rps: rps.toJSON(), perCpu: perCpu.toJSON(), errors: Object.fromEntries(errors), skipped }, null, 2),
      );
    }
  } finally {
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Run one contender under --cpu-prof through both workloads and print its top self-time frames. */
async function profile(opts: ReturnType<typeof parseOptions>, loader: LoaderName, workloads: Workload[]): Promise<void> {
  installCleanup((opts.warmup + opts.seconds + 10) * 2 * 1000 * 2 + 60_000);
  const work = mkdtempSync(join(tmpdir(), 'portico-bench-prof-'));
  const c = CONTENDERS.find((x) => x.id === opts.profile)!;
  try {
    for (const w of workloads) {
      const profDir = join(work, `prof-${w.id}`);
      const flags = ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--import', join(here, '_lib', 'exit-on-signal.mjs')];
      const s = await startServer(c, work, opts.serverCpu, flags);
      await verify(s, payloadJson());
      // Verification requests are too few to matter; warm-up requests are in the profile too.
      let requests = 2;
      if (opts.warmup) requests += (await loadOne(loader, s, w, opts.warmup, opts, work)).rps * opts.warmup;
      const res = await loadOne(loader, s, w, opts.seconds, opts, work);
      requests += res.rps * opts.seconds;
      await stop(s.child);
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`PORTICO_BENCH_NO_PROFILE: ${c.id} wrote no .cpuprofile in ${profDir}:\n${s.child.stderrTail()}`);
      console.log(`\n${c.id} ${w.id}: ${formatInt(res.rps)} req/s under the profiler, ${formatInt(requests)} requests profiled (warm-up included); top self time:`);
      const { frames: top, busyMs } = topSelfTime(join(profDir, file), 30, root);
      console.log(
        markdownTable(
          ['self %', 'self ms', 'µs/request', 'function'],
          top.map((f) => [f.percent.toFixed(1), f.selfMs.toFixed(0), f.frame === '(idle)' ? '' : ((f.selfMs * 1000) / requests).toFixed(2), f.frame]),
        ),
      );
      console.log(`(all busy time, start-up included: ${((busyMs * 1000) / requests).toFixed(1)} µs per request)`);
      if (process.env.PORTICO_BENCH_KEEP_PROFILE) {
        const keep = join(process.env.PORTICO_BENCH_KEEP_PROFILE, `${c.id}-${w.id}.cpuprofile`);
        writeFileSync(keep, readFileSync(join(profDir, file)));
        console.log(`profile kept at ${keep}`);
      }
    }
  } finally {
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
