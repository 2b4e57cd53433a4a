/**
 * HTTP fuzzing of the built node server (issue 7): bundle test/fuzz/fuzz-app.ts with the real
 * CLI, run server.mjs on a unix socket with short limits, send generated raw requests
 * (test/fuzz/http-requests.ts, one connection each, many at once) and report the outcomes by
 * kind: status codes, connections closed without an answer, resets, hangs, and whether the
 * server crashed. A well-formed canary request every 2,000 must keep getting 200. Bounded by
 * --seconds; exits 1 when anything crashed, hung or answered 500.
 *
 *   node test/fuzz/http-fuzz.ts [--requests 100000] [--concurrency 64] [--seconds 600] [--seed 1]
 *
 * A script, not a test (the bounded variant is test/unit/node-fuzz.test.ts).
 */
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBuilt } from './built-server.ts';
import { exchange, type Outcome } from './exchange.ts';
import { generateRequest } from './http-requests.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '600' },
    seed: { type: 'string', default: '1' },
  },
});
const total = Number(values.requests);
const concurrency = Number(values.concurrency);
const deadline = Date.now() + Number(values.seconds) * 1000;
const firstSeed = Number(values.seed);
const MAX_BODY = 4096;
// The server's limits are short, so every request settles within seconds; a client waits
// longer than all of them before calling it a hang.
const LIMITS = ['--max-body-size', String(MAX_BODY), '--headers-timeout', '2000', '--request-timeout', '3000', '--response-timeout', '5000', '--keep-alive-timeout', '1000'];
const HANG_MS = 10_000;

const socketPath = join(tmpdir(), `portico-fuzz-${process.pid}.sock`);
const server = await startBuilt(new URL('./fuzz-app.ts', import.meta.url).pathname, ['--socket', socketPath, ...LIMITS]);
const where = { path: socketPath };

const byOutcome = new Map<string, number>();
const byShape = new Map<string, Map<string, number>>();
const examples = new Map<string, string>();
let crashed = false;
server.child.once('exit', () => (crashed = true));
let canaryFailures = 0;
let sent = 0;
const started = Date.now();

function label(outcome: Outcome): string {
  if (outcome.kind === 'status') return outcome.status === 0 ? 'not HTTP' : String(outcome.status);
  if (outcome.kind === 'reset') return `reset (${outcome.code})`;
  return outcome.kind;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

async function canary(): Promise<void> {
  const outcome = await exchange(where, Buffer.from('GET /canary?x=1 HTTP/1.1\r\nHost: canary.example\r\nConnection: close\r\n\r\n'), 'GET', HANG_MS);
  if (outcome.kind !== 'status' || outcome.status !== 200) canaryFailures++;
}

async function worker(): Promise<void> {
  while (sent < total && Date.now() < deadline && !crashed) {
    const seed = firstSeed + sent++;
    if (seed % 2000 === 0) await canary();
    const { bytes, kind } = generateRequest(seed, MAX_BODY);
    const method = bytes.subarray(0, bytes.indexOf(0x20)).toString('latin1');
    const outcome = await exchange(where, bytes, method, HANG_MS);
    const l = label(outcome);
    count(byOutcome, l);
    let shapes = byShape.get(l);
    if (!shapes) byShape.set(l, (shapes = new Map()));
    for (const k of kind.split('+')) count(shapes, k);
    if ((l === '500' || l === 'hang' || l === 'not HTTP' || l === 'closed') && !examples.has(l)) examples.set(l, `seed ${seed}: ${JSON.stringify(bytes.subarray(0, 300).toString('latin1'))}`);
  }
}

try {
  await Promise.all(Array.from({ length: concurrency }, worker));
  await canary();
} finally {
  const logs = server.logs();
  const crashedBefore = crashed;
  const exitCode = await server.stop();
  crashed = crashedBefore;
  if (existsSync(socketPath)) rmSync(socketPath);
  const seconds = (Date.now() - started) / 1000;
  const answered = [...byOutcome].filter(([k]) => /^\d+$/.test(k)).reduce((n, [, v]) => n + v, 0);
  console.log(`# HTTP fuzz of the built node server: ${sent} generated requests in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)}/s), seeds ${firstSeed}..${firstSeed + sent - 1}\n`);
  console.log('| outcome | requests | most common shapes |');
  console.log('| --- | ---: | --- |');
  for (const [k, v] of [...byOutcome].sort((a, b) => b[1] - a[1])) {
    const shapes = [...byShape.get(k)!].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([s, n]) => `${s} ${n}`).join(', ');
    console.log(`| ${k} | ${v} | ${shapes} |`);
  }
  const hangs = byOutcome.get('hang') ?? 0;
  const fivehundreds = byOutcome.get('500') ?? 0;
  console.log(`\nanswered with a status: ${answered}; crashes: ${crashed ? 1 : 0}; hangs: ${hangs}; 500s: ${fivehundreds}; canary failures: ${canaryFailures}`);
  console.log(`server log: ${logs.split('\n').filter(Boolean).length} lines (${logs.length} bytes); exit code after SIGTERM: ${exitCode}`);
  for (const [k, v] of examples) console.log(`example ${k}: ${v}`);
  const stacky = logs.split('\n').filter((l) => /^\s+at /.test(l)).length;
  if (stacky) console.log(`stack-trace lines in the server log: ${stacky}\n${logs.slice(0, 2000)}`);
  process.exitCode = crashed || hangs > 0 || fivehundreds > 0 || canaryFailures > 0 ? 1 : 0;
}
