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
import { parseArgs } from 'node:util';
import { startBuilt } from '../test/fuzz/built-server.ts';
import { oversizedAndAborts, printSoak, RssSampler, sleep, Tally, wellBehavedClient, type Running } from './_lib/soak.ts';

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
const target = { host: hostname, port: Number(port) };
const endAt = Date.now() + durationMs;
const state: Running = { running: true };
let died = false;
server.child.once('exit', () => {
  if (state.running) died = true;
});

const tally = new Tally();

// ---- hostile clients of the node server alone --------------------------------------------------
function slowloris(): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(target.port, target.host);
    const opened = Date.now();
    s.on('error', () => {});
    s.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => s.write('X-a: b\r\n'), 1000);
    s.on('data', () => {});
    s.on('close', () => {
      clearInterval(drip);
      const lived = Date.now() - opened;
      tally.note(lived < HEADERS_TIMEOUT + 2000 ? 'slowloris cut within headersTimeout + 2 s' : 'slowloris cut later');
      resolve();
    });
    const stop = setInterval(() => {
      if (!state.running) {
        clearInterval(stop);
        s.destroy();
      }
    }, 500);
    s.on('close', () => clearInterval(stop));
  });
}

async function slowlorisLoop(): Promise<void> {
  while (state.running) await slowloris();
}

async function pipeliner(): Promise<void> {
  while (state.running) {
    const s: Socket = connect(target.port, target.host);
    s.on('error', () => {});
    s.pause(); // never reads
    s.write('GET /big?size=1048576 HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2000));
    await sleep(5000);
    s.destroy();
    tally.note('pipeliner (2,000 x 1 MB, never read)');
    await sleep(1000);
  }
}

// ---- run ------------------------------------------------------------------------------------
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(values.clients) });
const rss = new RssSampler(() => server.rssKiB(), tally);
rss.sample();
const sampler = setInterval(() => rss.sample(), sampleMs);
const tasks = [
  ...Array.from({ length: Number(values.clients) }, (_, n) => wellBehavedClient(target, agent, n, tally, state)),
  ...Array.from({ length: Number(values.slowloris) }, slowlorisLoop),
  pipeliner(),
  oversizedAndAborts(target, MAX_BODY, tally, state),
];
while (Date.now() < endAt && !died) await sleep(500);
rss.sample();
state.running = false;
clearInterval(sampler);
await Promise.race([Promise.all(tasks), sleep(20_000)]);
agent.destroy();
const logs = server.logs();
const exitCode = died ? server.child.exitCode : await server.stop();

printSoak(`Soak of the built node server: ${(durationMs / 60_000).toFixed(1)} min`, rss, tally);
console.log(`server: ${died ? 'DIED' : 'alive to the end'}; exit code after SIGTERM ${exitCode}; log ${logs.split('\n').filter(Boolean).length} lines`);
if (values.json) writeFileSync(values.json, JSON.stringify({ samples: rss.samples, good: { ok: tally.ok, failed: tally.failed, failures: [...tally.failures] }, hostile: [...tally.hostile], died, exitCode }, null, 2));
process.exitCode = died || tally.failed > 0 ? 1 : 0;
