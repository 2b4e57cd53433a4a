/**
 * Soak of the built node server (issue 7): minutes of mixed load with hostile clients mixed in,
 * reporting the server's RSS over time and every failed request of the well-behaved clients
 * (goal: none, RSS flat).
 *
 * Well-behaved: keep-alive clients looping over GET JSON, POST 4 KB echo, GET 256 KB, GET after
 * a 50 ms wait; each answer checked (status and size). Hostile, all the time: slowloris
 * connections that send a header byte a second and never finish; a pipeliner that writes 2,000
 * requests for 1 MB each and never reads; oversized bodies (declared and chunked); clients
 * that leave mid-upload and mid-answer.
 *
 *   node bench/soak.ts [--minutes 10] [--sample 15] [--clients 4] [--slowloris 40] [--json file]
 *
 * A script, not a test: it prints a table and exits (1 when a well-behaved request failed or the
 * server died). Binds 127.0.0.1 only; stops everything it started.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startBuilt } from '../test/fuzz/built-server.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    sample: { type: 'string', default: '15' },
    clients: { type: 'string', default: '4' },
    slowloris: { type: 'string', default: '40' },
    json: { type: 'string' },
  },
});
const durationMs = Number(values.minutes) * 60_000;
const sampleMs = Number(values.sample) * 1000;
const MAX_BODY = 1024 * 1024;
const HEADERS_TIMEOUT = 5000;

const server = await startBuilt(new URL('../test/fuzz/fuzz-app.ts', import.meta.url).pathname, [
  '--port', '0', '--host', '127.0.0.1',
  '--max-body-size', String(MAX_BODY), '--headers-timeout', String(HEADERS_TIMEOUT), '--response-timeout', '10000',
]);
const { hostname, port } = new URL(server.url);
const started = Date.now();
const endAt = started + durationMs;
let running = true;
let died = false;
server.child.once('exit', () => {
  if (running) died = true;
});

const good = { ok: 0, failed: 0, failures: new Map<string, number>() };
const hostile = new Map<string, number>();
const bump = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- well-behaved clients -------------------------------------------------------------------
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(values.clients) });
const POST_BODY = 'p'.repeat(4096);
const WORK: Array<{ method: string; path: string; body?: string; check(body: Buffer): boolean }> = [
  { method: 'GET', path: '/hello?x=1', check: (b) => JSON.parse(b.toString()).path === '/hello' },
  { method: 'POST', path: '/echo', body: POST_BODY, check: (b) => JSON.parse(b.toString()).size === 4096 },
  { method: 'GET', path: '/big?size=262144', check: (b) => b.length === 262144 },
  { method: 'GET', path: '/slow?ms=50', check: (b) => JSON.parse(b.toString()).path === '/slow' },
];

function wellBehaved(i: number): Promise<void> {
  const w = WORK[i % WORK.length]!;
  return new Promise((resolve) => {
    const fail = (why: string) => {
      good.failed++;
      bump(good.failures, `${w.method} ${w.path}: ${why}`);
      resolve();
    };
    const req = http.request({ host: hostname, port, method: w.method, path: w.path, agent, headers: w.body ? { 'content-length': w.body.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => fail(e.message));
      res.on('end', () => {
        if (res.statusCode !== 200) return fail(`status ${res.statusCode}`);
        let okBody = false;
        try {
          okBody = w.check(Buffer.concat(chunks));
        } catch {}
        if (!okBody) return fail('wrong body');
        good.ok++;
        resolve();
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', (e) => fail(e.message));
    req.end(w.body);
  });
}

async function client(n: number): Promise<void> {
  for (let i = n; running; i++) {
    await wellBehaved(i);
    await sleep(5);
  }
}

// ---- hostile clients ------------------------------------------------------------------------
function slowloris(): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(Number(port), hostname);
    const opened = Date.now();
    s.on('error', () => {});
    s.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => s.write('X-a: b\r\n'), 1000);
    s.on('data', () => {});
    s.on('close', () => {
      clearInterval(drip);
      const lived = Date.now() - opened;
      bump(hostile, lived < HEADERS_TIMEOUT + 2000 ? 'slowloris cut within headersTimeout + 2 s' : 'slowloris cut later');
      resolve();
    });
    const stop = setInterval(() => {
      if (!running) {
        clearInterval(stop);
        s.destroy();
      }
    }, 500);
    s.on('close', () => clearInterval(stop));
  });
}

async function slowlorisLoop(): Promise<void> {
  while (running) await slowloris();
}

async function pipeliner(): Promise<void> {
  while (running) {
    const s: Socket = connect(Number(port), hostname);
    s.on('error', () => {});
    s.pause(); // never reads
    s.write('GET /big?size=1048576 HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2000));
    await sleep(5000);
    s.destroy();
    bump(hostile, 'pipeliner (2,000 x 1 MB, never read)');
    await sleep(1000);
  }
}

function rawOnce(bytes: string, leaveAfterMs?: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(Number(port), hostname);
    let got = '';
    s.on('data', (c) => (got += c.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(got));
    s.write(bytes);
    setTimeout(() => s.destroy(), leaveAfterMs ?? 5000);
  });
}

async function oversizedAndAborts(): Promise<void> {
  for (let i = 0; running; i++) {
    const kind = i % 4;
    if (kind === 0) {
      const got = await rawOnce(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${10 * MAX_BODY}\r\n\r\n${'x'.repeat(65536)}`);
      bump(hostile, `oversized declared body: ${/^HTTP\/1\.1 (\d+)/.exec(got)?.[1] ?? 'closed'}`);
    } else if (kind === 1) {
      const chunk = `10000\r\n${'y'.repeat(0x10000)}\r\n`;
      const got = await rawOnce(`POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.repeat(20)}`);
      bump(hostile, `oversized chunked body: ${/^HTTP\/1\.1 (\d+)/.exec(got)?.[1] ?? 'closed'}`);
    } else if (kind === 2) {
      await rawOnce(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'z'.repeat(30000)}`, 50);
      bump(hostile, 'left mid-upload');
    } else {
      await rawOnce('GET /big?size=4194304 HTTP/1.1\r\nHost: x\r\n\r\n', 30);
      bump(hostile, 'left mid-answer');
    }
    await sleep(100);
  }
}

// ---- run ------------------------------------------------------------------------------------
const samples: Array<{ s: number; rssMiB: number; ok: number; failed: number }> = [];
const sample = (): void => {
  const rss = server.rssKiB();
  samples.push({ s: Math.round((Date.now() - started) / 1000), rssMiB: rss === undefined ? NaN : Math.round(rss / 102.4) / 10, ok: good.ok, failed: good.failed });
  const last = samples.at(-1)!;
  console.error(`t=${last.s}s rss=${last.rssMiB} MiB ok=${last.ok} failed=${last.failed}`);
};
sample();
const sampler = setInterval(sample, sampleMs);
const tasks = [
  ...Array.from({ length: Number(values.clients) }, (_, n) => client(n)),
  ...Array.from({ length: Number(values.slowloris) }, slowlorisLoop),
  pipeliner(),
  oversizedAndAborts(),
];
while (Date.now() < endAt && !died) await sleep(500);
sample();
running = false;
clearInterval(sampler);
await Promise.race([Promise.all(tasks), sleep(20_000)]);
agent.destroy();
const logs = server.logs();
const exitCode = died ? server.child.exitCode : await server.stop();

const rss = samples.map((s) => s.rssMiB).filter((n) => !Number.isNaN(n));
const warm = rss.slice(Math.min(2, rss.length - 1));
console.log(`# Soak of the built node server: ${(durationMs / 60_000).toFixed(1)} min, Node ${process.version}, load average at the end ${loadavg()[0]!.toFixed(2)}\n`);
console.log('| t (s) | RSS (MiB) | well-behaved ok | failed |');
console.log('| ---: | ---: | ---: | ---: |');
for (const s of samples) console.log(`| ${s.s} | ${s.rssMiB} | ${s.ok} | ${s.failed} |`);
console.log(`\nRSS: start ${rss[0]} MiB, after warm-up min ${Math.min(...warm)} / max ${Math.max(...warm)} MiB, end ${rss.at(-1)} MiB`);
console.log(`well-behaved requests: ${good.ok} ok, ${good.failed} failed${good.failed ? `: ${JSON.stringify([...good.failures])}` : ''}`);
console.log('hostile clients:');
for (const [k, v] of [...hostile].sort()) console.log(`  ${k}: ${v}`);
console.log(`server: ${died ? 'DIED' : 'alive to the end'}; exit code after SIGTERM ${exitCode}; log ${logs.split('\n').filter(Boolean).length} lines`);
if (values.json) writeFileSync(values.json, JSON.stringify({ samples, good: { ok: good.ok, failed: good.failed, failures: [...good.failures] }, hostile: [...hostile], died, exitCode }, null, 2));
process.exitCode = died || good.failed > 0 ? 1 : 0;
