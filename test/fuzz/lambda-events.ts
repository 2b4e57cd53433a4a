/**
 * Fuzz the BUILT Lambda handler with generated events (issue 7): recorded well-formed events of
 * every source, each mutated at 0-3 of the fields portico reads (test/fuzz/lambda-mutate.ts:
 * wrong types, array-likes, huge and sparse lengths, bad base64, string booleans, odd names),
 * through a `portico bundle --target lambda` build of test/fuzz/lambda-fuzz-app.ts, buffered
 * and streaming (each in its own worker thread, in parallel).
 *
 *   node test/fuzz/lambda-events.ts [--events 500000] [--seed 1] [--modes buffered,streaming] [--hang-ms 1000]
 *
 * `--events` is per mode. Outcomes by kind: results by status, PORTICO_LAMBDA_BAD_EVENT (by
 * field) and PORTICO_LAMBDA_UNKNOWN_EVENT errors, raw errors (anything else thrown: must be 0),
 * "the app threw" log lines (the app never throws: must be 0), hangs (an invocation over
 * --hang-ms, or a worker silent for 30 s: must be 0), crashes (uncaught exceptions, unhandled
 * rejections, a worker that died: must be 0). Exits 1 when a must-be-0 count is not. A script,
 * not a test; the bounded property tests live in test/unit/lambda-bad-event.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

type Mode = 'buffered' | 'streaming';

interface Stats {
  mode: Mode;
  events: number;
  byStatus: Record<string, number>;
  badEvent: number;
  badEventByField: Record<string, number>;
  unknownEvent: number;
  raw: number;
  rawSamples: string[];
  appBlamed: number;
  otherLogs: number;
  hangs: number;
  crashes: number;
  maxMs: number;
  seconds: number;
  rssMaxMB: number;
}

/** mulberry32: a small seeded generator, so a run replays from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function worker(): Promise<void> {
  const { mode, file, events, seed, hangMs } = workerData as { mode: Mode; file: string; events: number; seed: number; hangMs: number };
  const { installAwsLambdaGlobal } = await import('../../adapters/lambda/build/emulate-invoke.ts');
  const { RecordingStream, invokeStreaming } = await import('../unit/lambda-helpers.ts');
  const { TEMPLATES, VALUE_KINDS, mutatedEvent } = await import('./lambda-mutate.ts');
  const s: Stats = {
    mode, events: 0, byStatus: {}, badEvent: 0, badEventByField: {}, unknownEvent: 0, raw: 0, rawSamples: [],
    appBlamed: 0, otherLogs: 0, hangs: 0, crashes: 0, maxMs: 0, seconds: 0, rssMaxMB: 0,
  };
  // The built handler logs with console.error: count what it says.
  let current = '';
  const sample = (line: string): void => {
    if (s.rawSamples.length < 8) s.rawSamples.push(`${current}: ${line}`.slice(0, 900));
  };
  console.error = (...args: unknown[]) => {
    if (String(args[0]).includes('the app threw')) {
      s.appBlamed++;
      sample(String(args[0]));
    } else s.otherLogs++;
  };
  process.on('uncaughtException', (err) => {
    s.crashes++;
    s.rawSamples.push(`uncaught: ${err?.stack ?? err}`.slice(0, 600));
  });
  process.on('unhandledRejection', (err: any) => {
    s.crashes++;
    s.rawSamples.push(`unhandled rejection: ${err?.stack ?? err}`.slice(0, 600));
  });
  installAwsLambdaGlobal();
  const { handler } = (await import(pathToFileURL(file).href)) as { handler: (...a: any[]) => Promise<any> };
  const context = { awsRequestId: 'fuzz', functionName: 'fuzz', getRemainingTimeInMillis: () => 30_000 };
  const next = rng(seed);
  const pick = (n: number): number => Math.floor(next() * n);
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    const muts: Array<[number, number, number, number]> = [];
    const count = next() < 0.1 ? 0 : 1 + pick(3);
    for (let m = 0; m < count; m++) muts.push([pick(1000), pick(100), pick(3), pick(VALUE_KINDS)]);
    const t = pick(TEMPLATES.length);
    const { event } = mutatedEvent(t, muts);
    current = `event ${i} (template ${t}, mutations ${JSON.stringify(muts)})`;
    const t0 = performance.now();
    try {
      let status: number;
      if (mode === 'buffered') {
        status = (await handler(event, context))?.statusCode;
      } else {
        const stream = await invokeStreaming(handler, event, context, new RecordingStream());
        status = stream.parsed().prelude.statusCode;
      }
      s.byStatus[status] = (s.byStatus[status] ?? 0) + 1;
    } catch (err: any) {
      if (err?.code === 'PORTICO_LAMBDA_BAD_EVENT') {
        s.badEvent++;
        const top = String(err.field).split(/[.[]/, 1)[0]!;
        s.badEventByField[top] = (s.badEventByField[top] ?? 0) + 1;
      } else if (err?.code === 'PORTICO_LAMBDA_UNKNOWN_EVENT') s.unknownEvent++;
      else {
        s.raw++;
        sample(String(err?.stack ?? err));
      }
    }
    const ms = performance.now() - t0;
    if (ms > s.maxMs) s.maxMs = ms;
    if (ms > hangMs) {
      s.hangs++;
      sample(`took ${ms.toFixed(0)} ms`);
    }
    s.events++;
    if ((i & 16383) === 0) {
      s.rssMaxMB = Math.max(s.rssMaxMB, process.memoryUsage.rss() / 1048576);
      parentPort!.postMessage({ progress: i });
    }
  }
  s.seconds = (performance.now() - started) / 1000;
  s.rssMaxMB = Math.max(s.rssMaxMB, process.memoryUsage.rss() / 1048576);
  parentPort!.postMessage({ stats: s });
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      events: { type: 'string', default: '500000' },
      seed: { type: 'string', default: '1' },
      modes: { type: 'string', default: 'buffered,streaming' },
      'hang-ms': { type: 'string', default: '1000' },
    },
  });
  const events = Number(args.events);
  const seed = Number(args.seed);
  const hangMs = Number(args['hang-ms']);
  const modes = args.modes!.split(',') as Mode[];
  const { bundle } = await import('../../src/bundle/bundle.ts');
  const root = join(import.meta.dirname, '../..');
  const work = mkdtempSync(join(tmpdir(), 'portico-lambda-fuzz-'));
  try {
    const files: Record<string, string> = {};
    for (const mode of modes) {
      const outDir = join(work, mode);
      await bundle({ target: 'lambda', entry: join(import.meta.dirname, 'lambda-fuzz-app.ts'), root, outDir, options: { streaming: mode === 'streaming' } });
      files[mode] = join(outDir, 'lambda/index.mjs');
    }
    console.log(`fuzz: ${events} events per mode (${modes.join(', ')}), seed ${seed}, built handlers in ${work}`);
    const results = await Promise.all(modes.map((mode, n) => runWorker(mode, files[mode]!, events, seed + n * 7919, hangMs)));
    let failed = false;
    for (const s of results) {
      const bad = s.raw + s.appBlamed + s.hangs + s.crashes;
      failed ||= bad > 0 || s.events !== events;
      console.log(`\n${s.mode}: ${s.events} events in ${s.seconds.toFixed(1)} s (${((s.seconds / s.events) * 1e6).toFixed(1)} µs each), slowest ${s.maxMs.toFixed(1)} ms, peak RSS ${s.rssMaxMB.toFixed(0)} MB`);
      console.log(`  results by status: ${Object.entries(s.byStatus).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
      console.log(`  PORTICO_LAMBDA_BAD_EVENT: ${s.badEvent} (${Object.entries(s.badEventByField).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')})`);
      console.log(`  PORTICO_LAMBDA_UNKNOWN_EVENT: ${s.unknownEvent}`);
      console.log(`  raw errors: ${s.raw}, "the app threw": ${s.appBlamed}, other log lines: ${s.otherLogs}, hangs (> ${hangMs} ms): ${s.hangs}, crashes: ${s.crashes}`);
      for (const line of s.rawSamples) console.log(`    ${line}`);
    }
    process.exitCode = failed ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Run one mode in a worker; a worker silent for 30 s is a hang, one that dies is a crash. */
function runWorker(mode: Mode, file: string, events: number, seed: number, hangMs: number): Promise<Stats> {
  return new Promise((resolve) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { mode, file, events, seed, hangMs } });
    let last = 0;
    let settled = false;
    const empty = (why: 'hangs' | 'crashes', note: string): Stats => ({
      mode, events: last, byStatus: {}, badEvent: 0, badEventByField: {}, unknownEvent: 0, raw: 0, rawSamples: [note],
      appBlamed: 0, otherLogs: 0, hangs: why === 'hangs' ? 1 : 0, crashes: why === 'crashes' ? 1 : 0, maxMs: 0, seconds: 0, rssMaxMB: 0,
    });
    const done = (s: Stats): void => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      resolve(s);
    };
    let heard = Date.now();
    const watch = setInterval(() => {
      if (Date.now() - heard > 30_000) {
        void w.terminate();
        done(empty('hangs', `worker silent for 30 s after event ${last}`));
      }
    }, 1000);
    w.on('message', (m: { progress?: number; stats?: Stats }) => {
      heard = Date.now();
      if (m.progress !== undefined) {
        last = m.progress;
        process.stderr.write(`${mode} ${last}\r`);
      }
      if (m.stats) done(m.stats);
    });
    w.on('error', (err: Error) => done(empty('crashes', `worker died: ${err.stack ?? err}`)));
    w.on('exit', (code) => done(empty('crashes', `worker exited with ${code} before reporting`)));
  });
}

if (isMainThread) await main();
else await worker();
