/**
 * Soak of the classic gateways (issue 8): the FastCGI and the SCGI build of one small app, each
 * behind a real nginx configured with the generated nginx.conf (and nginx-upstream.conf) as
 * they are, under minutes of mixed load, reporting the gateway's RSS over time, every failed
 * well-behaved request (goal: none), the gateway's log lines by kind, and whether it stayed up.
 *
 * Well-behaved, through nginx: keep-alive clients looping over GET JSON, POST 4 KB echo, GET
 * 256 KB and GET after a 50 ms wait, each answer checked (bench/_lib/soak.ts). Hostile through
 * nginx, all the time: declared and chunked bodies over maxBodySize, clients leaving mid-upload
 * and mid-answer, slow readers of an 8 MiB answer. Hostile straight at the gateway's socket:
 * malformed and truncated records or header blocks, params over the limit, truncated bodies,
 * FCGI_ABORT_REQUEST mid-answer, 100 multiplexed requests then gone (FastCGI), bursts of
 * requests whose clients leave at once (SCGI), and idle connections held open
 * (bench/_lib/fcgi-hostile.ts, bench/_lib/scgi-hostile.ts).
 *
 *   node bench/soak-classic.ts [--minutes 3] [--protocol both|fastcgi|scgi] [--sample 15]
 *                              [--clients 4] [--idle 10] [--json file]
 *
 * `--minutes` is per protocol. A script, not a test: it prints a table per protocol and exits
 * (1 when a well-behaved request failed or a gateway died). nginx binds 127.0.0.1, the gateway
 * a unix socket in a temp folder; it stops only what it started, by pid. Needs nginx (Debian).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { begin } from '../test/classic/fcgi-client.ts';
import { startNginx, type RunningPeer } from '../test/classic/peers.ts';
import { startBuilt, type BuiltServer } from '../test/fuzz/built-server.ts';
import { FCGI_HOSTILE } from './_lib/fcgi-hostile.ts';
import { logKinds } from './_lib/log-kinds.ts';
import { SCGI_HOSTILE, scgiRequest } from './_lib/scgi-hostile.ts';
import { idleConnections, inTurn, oversizedAndAborts, printSoak, RssSampler, sleep, slowReader, Tally, wellBehavedClient, type Running } from './_lib/soak.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    protocol: { type: 'string', default: 'both' },
    sample: { type: 'string', default: '15' },
    clients: { type: 'string', default: '4' },
    idle: { type: 'string', default: '10' },
    json: { type: 'string' },
  },
});
const protocols = values.protocol === 'both' ? (['fastcgi', 'scgi'] as const) : [values.protocol as 'fastcgi' | 'scgi'];
if (!protocols.every((p) => p === 'fastcgi' || p === 'scgi')) {
  console.error(`soak-classic: --protocol must be both, fastcgi or scgi, got ${JSON.stringify(values.protocol)}`);
  process.exit(2);
}
const durationMs = Number(values.minutes) * 60_000;
const sampleMs = Number(values.sample) * 1000;
const MAX_BODY = 1024 * 1024;
const APP = new URL('../test/fuzz/fuzz-app.ts', import.meta.url).pathname;

// Whatever ends the run (Ctrl-C included), the gateway and nginx go too, by pid.
const live = new Set<{ stop(): Promise<unknown> }>();
process.once('SIGINT', () => void Promise.all([...live].map((p) => p.stop())).then(() => process.exit(130)));

interface Outcome {
  protocol: string;
  samples: RssSampler['samples'];
  ok: number;
  failed: number;
  failures: Array<[string, number]>;
  hostile: Array<[string, number]>;
  gatewayLog: Array<[string, number]>;
  nginxLog: Array<[string, number]>;
  died: boolean;
  afterwards: string;
  exitCode: number | null;
}

async function soak(protocol: 'fastcgi' | 'scgi'): Promise<Outcome> {
  const work = mkdtempSync(join(tmpdir(), `portico-soak-${protocol}-`));
  const socket = join(work, `${protocol}.sock`);
  let server: (BuiltServer & { dist: string }) | undefined;
  let nginx: RunningPeer | undefined;
  try {
    server = await startBuilt(APP, [], { target: protocol, config: { [protocol]: { socket, maxBodySize: MAX_BODY }, publicDir: false } });
    live.add(server);
    // The generated files, included as they are.
    nginx = await startNginx(work, { http: protocol === 'fastcgi' ? `include ${server.dist}/nginx-upstream.conf;` : '', server: `include ${server.dist}/nginx.conf;` });
    live.add(nginx);
    const target = { host: '127.0.0.1', port: nginx.port };
    const state: Running = { running: true };
    let died = false;
    server.child.once('exit', () => {
      if (state.running) died = true;
    });

    const tally = new Tally();
    const agent = new http.Agent({ keepAlive: true, maxSockets: Number(values.clients) });
    const rss = new RssSampler(() => server!.rssKiB(), tally);
    rss.sample();
    const sampler = setInterval(() => rss.sample(), sampleMs);
    const idle = Number(values.idle);
    const tasks = [
      ...Array.from({ length: Number(values.clients) }, (_, n) => wellBehavedClient(target, agent, n, tally, state)),
      oversizedAndAborts(target, MAX_BODY, tally, state),
      slowReader(target, '/big', tally, state),
      slowReader(target, '/stream', tally, state),
      protocol === 'fastcgi' ? inTurn('fcgi', FCGI_HOSTILE, socket, tally, state) : inTurn('scgi', SCGI_HOSTILE, socket, tally, state),
      idleConnections(socket, idle, tally, state, `${protocol} idle connection`),
      // Connections stuck inside a request: a lone BEGIN_REQUEST, or half an SCGI header block.
      idleConnections(socket, idle, tally, state, `${protocol} connection stuck mid-request`, () =>
        protocol === 'fastcgi' ? begin(1, true) : scgiRequest('/hello').subarray(0, 40)),
    ];
    const endAt = Date.now() + durationMs;
    while (Date.now() < endAt && !died) await sleep(500);
    rss.sample();
    state.running = false;
    clearInterval(sampler);
    await Promise.race([Promise.all(tasks), sleep(30_000)]);
    agent.destroy();
    // Once the hostile load is gone, one more request through nginx: is the gateway still serving?
    const afterwards = died ? 'gateway died' : await fetch(`${nginx.baseUrl}/hello`).then((r) => r.text().then((t) => `${r.status} ${t.length} bytes`), (e: Error) => e.message);
    const gatewayLog = server.logs();
    const nginxLog = nginx.logs();
    const exitCode = died ? server.child.exitCode : await server.stop();

    printSoak(`Soak of the ${protocol} gateway behind nginx: ${(durationMs / 60_000).toFixed(1)} min`, rss, tally);
    const gatewayKinds = logKinds(gatewayLog);
    const nginxKinds = logKinds(nginxLog);
    console.log(`gateway log lines by kind (${gatewayLog.split('\n').filter(Boolean).length}):`);
    for (const [k, v] of gatewayKinds) console.log(`  ${v} × ${k}`);
    console.log(`nginx error log lines by kind (${nginxLog.split('\n').filter(Boolean).length}):`);
    for (const [k, v] of nginxKinds) console.log(`  ${v} × ${k}`);
    console.log(`gateway: ${died ? 'DIED' : 'alive to the end'}; GET /hello after the load: ${afterwards}; exit code after SIGTERM ${exitCode}\n`);
    return {
      protocol, samples: rss.samples, ok: tally.ok, failed: tally.failed, failures: [...tally.failures], hostile: [...tally.hostile],
      gatewayLog: gatewayKinds, nginxLog: nginxKinds, died, afterwards, exitCode,
    };
  } finally {
    for (const p of [nginx, server]) {
      if (p) {
        await p.stop();
        live.delete(p);
      }
    }
    rmSync(work, { recursive: true, force: true });
  }
}

const outcomes: Outcome[] = [];
for (const protocol of protocols) outcomes.push(await soak(protocol));
if (values.json) writeFileSync(values.json, JSON.stringify(outcomes, null, 2));
process.exitCode = outcomes.some((o) => o.died || o.failed > 0) ? 1 : 0;
