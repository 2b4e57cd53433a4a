/**
 * Lambda benchmark: what each adapter costs per event, and what a hello function costs to
 * import and answer its first event (the cold-start share an adapter controls).
 *
 * Contenders, all in ONE run:
 * - portico: `handle(app)` from adapters/lambda/runtime/lambda.ts, the app answering with FastResponse
 *   (what `portico bundle` injects where the app says `Response`);
 * - portico+native: the same, the app answering with undici's Response (an unbundled app);
 * - hono: `handle(app)` from hono/aws-lambda;
 * - srvx: `toLambdaHandler({ fetch })` from srvx/aws-lambda;
 * - serverless-http + Express 5, and @codegenie/serverless-express + Express 5.
 *
 * Every Fetch contender runs the same app (reads method and url, answers a small JSON or a 1 KiB
 * PNG-typed body); the Express ones run the same through `res.json` / `res.type().send()`.
 *
 * Per-event cost: rounds are interleaved (every contender once per round, order rotated) and
 * each contender answers a batch of pre-cloned events per round; the table shows the median
 * ns per event over rounds, and the ratio to Hono from the same round (median of ratios).
 *
 * Cold: each hello handler is bundled with esbuild into one ESM file (as a Lambda zip would
 * hold it); a fresh `node` per sample imports it and answers one v2 event, samples interleaved.
 * Figures are ms from the runner's start (after Node's own boot) to the first result, and
 * ms from process start (`performance.timeOrigin`).
 *
 *   node bench/lambda.ts [--rounds 15] [--batch 2000] [--cold 15] [--write]
 *
 * `--write` replaces the "Lambda" section of bench/README.md with the tables. A script, not a test.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const fixtures = join(root, 'test/fixtures/lambda-events');

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    batch: { type: 'string', default: '2000' },
    cold: { type: 'string', default: '15' },
    write: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const BATCH = Number(args.batch);
const COLD = Number(args.cold);

// ---------------------------------------------------------------- the contenders, in-process

const PNG = new Uint8Array(1024).map((_, i) => (i * 31) & 255);
PNG.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JSON_BODY = JSON.stringify({ hello: 'world', items: [1, 2, 3] });

type Kind = 'json' | 'binary';
type Handler = (event: any, context: any) => Promise<any>;

function fetchApp(R: any, kind: Kind) {
  return {
    fetch(req: Request) {
      // What any router does first: look at method and url.
      if (req.method === 'TRACE' || req.url.length === 0) return new R(null, { status: 405 });
      return kind === 'json'
        ? new R(JSON_BODY, { headers: { 'content-type': 'application/json' } })
        : new R(PNG, { headers: { 'content-type': 'image/png' } });
    },
  };
}

async function expressApp(kind: Kind) {
  const express = (await import('express')).default;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((req: any, res: any) => {
    if (req.method === 'TRACE' || req.url.length === 0) return res.status(405).end();
    if (kind === 'json') res.type('application/json').send(JSON_BODY);
    else res.type('image/png').send(Buffer.from(PNG));
  });
  return app;
}

interface Contender {
  name: string;
  make(kind: Kind): Promise<Handler>;
}

const allContenders: Contender[] = [
  {
    name: 'portico',
    async make(kind) {
      const { handle } = await import('../adapters/lambda/runtime/lambda.ts');
      const { FastResponse } = await import('../adapters/_http/response.ts');
      return handle(fetchApp(FastResponse, kind) as any) as Handler;
    },
  },
  {
    name: 'portico+native',
    async make(kind) {
      const { handle } = await import('../adapters/lambda/runtime/lambda.ts');
      return handle(fetchApp(Response, kind) as any) as Handler;
    },
  },
  {
    name: 'hono',
    async make(kind) {
      const { handle } = await import('hono/aws-lambda');
      return handle(fetchApp(Response, kind) as any) as unknown as Handler;
    },
  },
  {
    name: 'srvx',
    async make(kind) {
      const { toLambdaHandler } = await import('srvx/aws-lambda');
      return toLambdaHandler({ fetch: fetchApp(Response, kind).fetch } as any) as unknown as Handler;
    },
  },
  {
    name: 'serverless-http',
    async make(kind) {
      const serverless = (await import('serverless-http')).default as any;
      return serverless(await expressApp(kind), { binary: ['image/*'] });
    },
  },
  {
    name: 'serverless-express',
    async make(kind) {
      const serverlessExpress = ((await import('@codegenie/serverless-express')) as any).default;
      const handler = serverlessExpress({ app: await expressApp(kind), binarySettings: { contentTypes: ['image/*'] }, logSettings: { level: 'error' } });
      return (event: any, context: any) => handler(event, context, () => {});
    },
  },
];
const contenders = allContenders.filter((c) => !args.only || args.only.split(',').includes(c.name));

const EVENTS: Record<string, any> = {
  v2: load('http-v2'),
  v1: load('rest-v1-stage'),
  alb: load('alb-single'),
};

function load(name: string): any {
  const e = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8'));
  // A GET without a body: the common case, and the same for every adapter.
  if (e.requestContext?.http) e.requestContext.http.method = 'GET';
  else e.httpMethod = 'GET';
  e.body = null;
  e.isBase64Encoded = false;
  return e;
}

const context = {
  awsRequestId: 'bench-0001',
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
  memoryLimitInMB: '1024',
  logGroupName: '/aws/lambda/bench',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done() {},
  fail() {},
  succeed() {},
};

/** Check each handler answers correctly before timing it (a broken adapter would look fast). */
function check(name: string, event: string, kind: Kind, result: any): void {
  if (!result || result.statusCode !== 200) throw new Error(`${name} ${event} ${kind}: status ${result?.statusCode}: ${JSON.stringify(result).slice(0, 300)}`);
  const bytes = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  const expected = kind === 'json' ? Buffer.from(JSON_BODY) : Buffer.from(PNG);
  if (!bytes.equals(expected)) throw new Error(`${name} ${event} ${kind}: wrong body (base64=${result.isBase64Encoded}, ${bytes.length} bytes)`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timeBatch(handler: Handler, event: any): Promise<number> {
  const events = Array.from({ length: BATCH }, () => structuredClone(event));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) await handler(events[i], context);
  return Number(process.hrtime.bigint() - t0) / BATCH;
}

async function perEvent(): Promise<string> {
  const cases: Array<{ event: string; kind: Kind }> = [];
  for (const event of Object.keys(EVENTS)) for (const kind of ['json', 'binary'] as Kind[]) cases.push({ event, kind });
  const handlers = new Map<string, Handler>();
  for (const c of contenders) {
    for (const kind of ['json', 'binary'] as Kind[]) {
      const h = await c.make(kind);
      for (const event of Object.keys(EVENTS)) check(c.name, event, kind, await h(structuredClone(EVENTS[event]), context));
      handlers.set(`${c.name}/${kind}`, h);
    }
  }
  // ns[case][contender] = per-round figures
  const ns = new Map<string, Map<string, number[]>>();
  for (let round = -1; round < ROUNDS; round++) {
    for (const cs of cases) {
      const key = `${cs.event}/${cs.kind}`;
      const order = contenders.map((c) => c.name);
      const shift = (round + 1) % order.length;
      const rotated = [...order.slice(shift), ...order.slice(0, shift)];
      for (const name of rotated) {
        const t = await timeBatch(handlers.get(`${name}/${cs.kind}`)!, EVENTS[cs.event]);
        if (round < 0) continue; // warm-up round
        const m = ns.get(key) ?? new Map<string, number[]>();
        ns.set(key, m);
        (m.get(name) ?? m.set(name, []).get(name)!).push(t);
      }
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS}\r`);
  }
  process.stderr.write('\n');
  const names = contenders.map((c) => c.name);
  const lines = [`| event / body | ${names.join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`];
  for (const cs of cases) {
    const m = ns.get(`${cs.event}/${cs.kind}`)!;
    const hono = m.get('hono');
    const cells = names.map((n) => {
      const xs = m.get(n)!;
      const med = median(xs);
      const ratio = hono ? median(xs.map((x, i) => x / hono[i]!)) : NaN;
      return `${(med / 1000).toFixed(2)} µs${hono ? ` (${ratio.toFixed(2)}×)` : ''}`;
    });
    lines.push(`| ${cs.event} ${cs.kind} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- cold: import + first invocation

const COLD_ENTRIES: Record<string, string> = {
  portico: `
import { handle } from ${JSON.stringify(join(root, 'adapters/lambda/runtime/lambda.ts'))};
import { FastResponse as Response } from ${JSON.stringify(join(root, 'adapters/_http/response.ts'))};
export const handler = handle({ fetch: () => new Response('{"hello":"world"}', { headers: { 'content-type': 'application/json' } }) });`,
  'portico+native': `
import { handle } from ${JSON.stringify(join(root, 'adapters/lambda/runtime/lambda.ts'))};
export const handler = handle({ fetch: () => new Response('{"hello":"world"}', { headers: { 'content-type': 'application/json' } }) });`,
  hono: `
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
const app = new Hono();
app.get('*', (c) => c.json({ hello: 'world' }));
export const handler = handle(app);`,
  srvx: `
import { toLambdaHandler } from 'srvx/aws-lambda';
export const handler = toLambdaHandler({ fetch: () => Response.json({ hello: 'world' }) });`,
  'serverless-http': `
import serverless from 'serverless-http';
import express from 'express';
const app = express();
app.get('/{*splat}', (req, res) => res.json({ hello: 'world' }));
export const handler = serverless(app);`,
  'serverless-express': `
import serverlessExpress from '@codegenie/serverless-express';
import express from 'express';
const app = express();
app.get('/{*splat}', (req, res) => res.json({ hello: 'world' }));
export const handler = serverlessExpress({ app });`,
};

const RUNNER = `
const t0 = performance.now();
const { handler } = await import(process.argv[2]);
const event = JSON.parse(process.argv[3]);
const result = await handler(event, { awsRequestId: 'cold', getRemainingTimeInMillis: () => 30000 }, () => {});
const t1 = performance.now();
if (result.statusCode !== 200) { console.error(JSON.stringify(result)); process.exit(1); }
console.log(JSON.stringify({ run: t1 - t0, total: t1 }));
`;

async function cold(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-lambda-cold-'));
  try {
    const bundles = new Map<string, { file: string; size: number }>();
    for (const c of contenders) {
      const src = join(dir, `${c.name}.entry.ts`);
      writeFileSync(src, COLD_ENTRIES[c.name]!);
      const out = join(dir, `${c.name}.mjs`);
      const res = await build({
        entryPoints: [src],
        outfile: out,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        minify: true,
        nodePaths: [join(root, 'node_modules')],
        banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
        logLevel: 'error',
        metafile: true,
      });
      bundles.set(c.name, { file: out, size: Object.values(res.metafile.outputs)[0]!.bytes });
    }
    const runner = join(dir, 'runner.mjs');
    writeFileSync(runner, RUNNER);
    const event = JSON.stringify(load('http-v2'));
    const runs = new Map<string, number[]>();
    const totals = new Map<string, number[]>();
    const base: number[] = [];
    for (let i = 0; i < COLD; i++) {
      // Node's own boot, for scale: a process that does nothing.
      const b = spawnSync(process.execPath, ['-e', 'console.log(performance.now())'], { encoding: 'utf8' });
      base.push(Number(b.stdout.trim()));
      const order = contenders.map((c) => c.name);
      const shift = i % order.length;
      for (const name of [...order.slice(shift), ...order.slice(0, shift)]) {
        const p = spawnSync(process.execPath, [runner, pathToFileURL(bundles.get(name)!.file).href, event], { encoding: 'utf8' });
        if (p.status !== 0) throw new Error(`${name} cold run failed: ${p.stderr}`);
        const r = JSON.parse(p.stdout.trim());
        (runs.get(name) ?? runs.set(name, []).get(name)!).push(r.run);
        (totals.get(name) ?? totals.set(name, []).get(name)!).push(r.total);
      }
      process.stderr.write(`cold ${i + 1}/${COLD}\r`);
    }
    process.stderr.write('\n');
    const hono = runs.get('hono');
    const lines = [
      '| handler | bundle | import + first invocation | ratio to Hono | from process start |',
      '|---|---:|---:|---:|---:|',
    ];
    for (const c of contenders) {
      const r = runs.get(c.name)!;
      const ratio = hono ? median(r.map((x, i) => x / hono[i]!)) : NaN;
      lines.push(
        `| ${c.name} | ${(bundles.get(c.name)!.size / 1024).toFixed(1)} KiB | ${median(r).toFixed(1)} ms | ${hono ? ratio.toFixed(2) + '×' : '—'} | ${median(totals.get(c.name)!).toFixed(1)} ms |`,
      );
    }
    lines.push(`| (empty node process) | | | | ${median(base).toFixed(1)} ms |`);
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LAMBDA_NOTES = `\`node bench/lambda.ts --write\` regenerates this section (bench/lambda.ts says how it measures).
Each adapter answers recorded events (test/fixtures/lambda-events: HTTP API v2, REST v1 with a stage,
ALB single-value) in one process, rounds interleaved; the app is the same fetch function for every
Fetch adapter, and the same handler through Express for serverless-http and @codegenie/serverless-express.
"portico" is what a \`portico bundle --target lambda\` build runs (the app's \`Response\` is FastResponse);
"portico+native" is an app that builds undici Responses itself. The cold figures bundle each hello
handler with esbuild and import it in a fresh node, so they include undici's first load wherever the
adapter or the app touches \`Request\`/\`Response\`/\`Headers\` (Hono, srvx, the native app).`;

const started = new Date().toISOString().slice(0, 10);
const hot = await perEvent();
const coldTable = COLD > 0 ? await cold() : '';
const header = `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${started}; \`node bench/lambda.ts --rounds ${ROUNDS} --batch ${BATCH} --cold ${COLD}\``;
const report = `${header}\n\nPer event (median over rounds; in brackets: ratio to Hono in the same round, lower is better):\n\n${hot}\n\nImport + first invocation of a hello handler (esbuild bundle, fresh node per sample, median of ${COLD}):\n\n${coldTable}\n`;
console.log(report);

if (args.write) {
  const readme = join(here, 'README.md');
  let text = '';
  try {
    text = readFileSync(readme, 'utf8');
  } catch {
    text = '# Benchmarks\n';
  }
  const section = `## Lambda\n\n${LAMBDA_NOTES}\n\n${report}`;
  const start = text.indexOf('\n## Lambda\n');
  if (start === -1) text = `${text.trimEnd()}\n\n${section}`;
  else {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start + 1) + section + (next === -1 ? '' : text.slice(next));
  }
  writeFileSync(readme, text);
  console.error(`wrote the Lambda section of ${readme}`);
}
