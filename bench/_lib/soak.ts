/**
 * What the soak scripts share (bench/soak.ts: the node server; bench/soak-classic.ts: FastCGI
 * and SCGI behind nginx): the tally, the well-behaved keep-alive clients and their checks, the
 * hostile HTTP clients, RSS sampling over time and the report. The app they all drive is
 * test/fuzz/fuzz-app.ts (/hello, /echo, /big?size=, /stream?size=, /slow?ms=). Bench tooling.
 */
import http from 'node:http';
import { connect } from 'node:net';
import { loadavg } from 'node:os';

/** Where the HTTP clients connect. */
export interface HttpTarget {
  host: string;
  port: number;
}

/** Whether the run goes on: every loop checks it between rounds. */
export interface Running {
  running: boolean;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What happened: well-behaved requests ok / failed (and why), hostile clients by outcome. */
export class Tally {
  ok = 0;
  failed = 0;
  readonly failures = new Map<string, number>();
  readonly hostile = new Map<string, number>();

  /** A well-behaved request went wrong. */
  fail(what: string, why: string): void {
    this.failed++;
    bump(this.failures, `${what}: ${why}`);
  }

  /** One hostile client's outcome. */
  note(outcome: string): void {
    bump(this.hostile, outcome);
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

const POST_BODY = 'p'.repeat(4096);

/** The well-behaved mix: each answer is checked for status 200 and its size or content. */
export const WELL_BEHAVED: ReadonlyArray<{ method: string; path: string; body?: string; check(body: Buffer): boolean }> = [
  { method: 'GET', path: '/hello?x=1', check: (b) => JSON.parse(b.toString()).path === '/hello' },
  { method: 'POST', path: '/echo', body: POST_BODY, check: (b) => JSON.parse(b.toString()).size === 4096 },
  { method: 'GET', path: '/big?size=262144', check: (b) => b.length === 262144 },
  { method: 'GET', path: '/slow?ms=50', check: (b) => JSON.parse(b.toString()).path === '/slow' },
];

function wellBehaved(target: HttpTarget, agent: http.Agent, i: number, tally: Tally): Promise<void> {
  const w = WELL_BEHAVED[i % WELL_BEHAVED.length]!;
  return new Promise((resolve) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      tally.fail(`${w.method} ${w.path}`, why);
      resolve();
    };
    const headers = w.body ? { 'content-length': w.body.length } : {};
    const req = http.request({ host: target.host, port: target.port, method: w.method, path: w.path, agent, headers }, (res) => {
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
        if (settled) return;
        settled = true;
        tally.ok++;
        resolve();
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', (e) => fail(e.message));
    req.end(w.body);
  });
}

/**
 * One keep-alive client looping over WELL_BEHAVED (starting at `n`) while `state.running`.
 *
 * @example
 * const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
 * await wellBehavedClient({ host: '127.0.0.1', port }, agent, 0, tally, state);
 */
export async function wellBehavedClient(target: HttpTarget, agent: http.Agent, n: number, tally: Tally, state: Running): Promise<void> {
  for (let i = n; state.running; i++) {
    await wellBehaved(target, agent, i, tally);
    await sleep(5);
  }
}

/**
 * Write `bytes` on a new TCP connection, collect what comes back, leave after `leaveAfterMs`.
 *
 * @example
 * const got = await rawHttp(target, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 1000);
 */
export function rawHttp(target: HttpTarget, bytes: string, leaveAfterMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(target.port, target.host);
    let got = '';
    s.on('data', (c) => (got += c.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(got));
    s.write(bytes);
    setTimeout(() => s.destroy(), leaveAfterMs);
  });
}

const statusOf = (reply: string): string => /^HTTP\/1\.1 (\d+)/.exec(reply)?.[1] ?? 'closed';

/**
 * Hostile HTTP clients in turn while `state.running`: a declared body of 10 × `maxBody`, a
 * chunked body of 2 × `maxBody`, a client leaving mid-upload and ones leaving mid-answer (a
 * whole 4 MiB answer, and a streamed one).
 *
 * @example
 * await oversizedAndAborts(target, 1 << 20, tally, state);
 */
export async function oversizedAndAborts(target: HttpTarget, maxBody: number, tally: Tally, state: Running): Promise<void> {
  for (let i = 0; state.running; i++) {
    const kind = i % 5;
    if (kind === 0) {
      const got = await rawHttp(target, `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${10 * maxBody}\r\n\r\n${'x'.repeat(65536)}`);
      tally.note(`oversized declared body: ${statusOf(got)}`);
    } else if (kind === 1) {
      const chunk = `10000\r\n${'y'.repeat(0x10000)}\r\n`;
      // Whole, last chunk included: a web server that buffers chunked uploads (nginx before SCGI,
      // which needs a CONTENT_LENGTH) passes it on only once it has all of it.
      const got = await rawHttp(target, `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.repeat(Math.ceil((2 * maxBody) / 0x10000))}0\r\n\r\n`);
      tally.note(`oversized chunked body: ${statusOf(got)}`);
    } else if (kind === 2) {
      await rawHttp(target, `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'z'.repeat(30000)}`, 50);
      tally.note('left mid-upload');
    } else if (kind === 3) {
      await rawHttp(target, 'GET /big?size=4194304 HTTP/1.1\r\nHost: x\r\n\r\n', 30);
      tally.note('left mid-answer');
    } else {
      await rawHttp(target, 'GET /stream?size=4194304 HTTP/1.1\r\nHost: x\r\n\r\n', 30);
      tally.note('left mid-answer (streamed)');
    }
    await sleep(100);
  }
}

/**
 * A slow reader of a big answer, again and again while `state.running`: asks for 8 MiB (a whole
 * answer, or a streamed one: `path` is /big or /stream), lets one read through every 200 ms for
 * 10 s, then leaves with most of it unread.
 *
 * @example
 * await slowReader(target, '/stream', tally, state);
 */
export async function slowReader(target: HttpTarget, path: '/big' | '/stream', tally: Tally, state: Running): Promise<void> {
  while (state.running) {
    const bytes = await new Promise<number>((resolve) => {
      const s = connect(target.port, target.host);
      let got = 0;
      s.on('data', (c: Buffer) => {
        got += c.length;
        s.pause();
      });
      s.on('error', () => {});
      s.write(`GET ${path}?size=8388608 HTTP/1.1\r\nHost: x\r\n\r\n`);
      const trickle = setInterval(() => s.resume(), 200);
      const leave = (): void => {
        clearInterval(trickle);
        clearInterval(watch);
        s.destroy();
        resolve(got);
      };
      const until = Date.now() + 10_000;
      const watch = setInterval(() => {
        if (!state.running || Date.now() > until) leave();
      }, 250);
      s.on('close', leave);
    });
    tally.note(`slow reader of ${path}: ${bytes >= 8388608 ? 'got all 8 MiB' : bytes > 0 ? 'left mid-answer' : 'got nothing'}`);
    await sleep(500);
  }
}

/**
 * Run `clients` (each one hostile client against `address`) in turn, 100 ms apart, while
 * `state.running`; a client that throws is counted under `label`.
 *
 * @example
 * await inTurn('fcgi', FCGI_HOSTILE, '/tmp/x/app.sock', tally, state);
 */
export async function inTurn(label: string, clients: ReadonlyArray<(address: string, tally: Tally) => Promise<void>>, address: string, tally: Tally, state: Running): Promise<void> {
  for (let i = 0; state.running; i++) {
    try {
      await clients[i % clients.length]!(address, tally);
    } catch (error) {
      tally.note(`${label} client error: ${(error as Error).message.slice(0, 60)}`);
    }
    await sleep(100);
  }
}

/**
 * Hold `count` connections to the unix socket `path` that never finish a request (each first
 * sends `first(n)`, if given, then nothing), reopening any the gateway closes; each close by
 * the gateway is counted with how long the connection lived, in tens of seconds.
 *
 * @example
 * await idleConnections('/tmp/x/app.sock', 10, tally, state, 'fcgi idle connection');
 */
export async function idleConnections(path: string, count: number, tally: Tally, state: Running, label: string, first?: (n: number) => Uint8Array | undefined): Promise<void> {
  const hold = async (n: number): Promise<void> => {
    while (state.running) {
      const s = connect(path);
      s.on('error', () => {});
      const opened = Date.now();
      const bytes = first?.(n);
      if (bytes) s.write(bytes);
      s.resume();
      const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
      while (state.running && !s.destroyed) await Promise.race([closed, sleep(500)]);
      if (state.running) tally.note(`${label} closed by the gateway after ~${Math.round((Date.now() - opened) / 10_000) * 10} s`);
      s.destroy();
      await sleep(100);
    }
  };
  await Promise.all(Array.from({ length: count }, (_, n) => hold(n)));
}

/** One RSS sample. */
export interface Sample {
  s: number;
  rssMiB: number;
  ok: number;
  failed: number;
}

/**
 * RSS of a process over time (with the tally's counts at each sample), printed to stderr as it goes.
 *
 * @example
 * const rss = new RssSampler(() => server.rssKiB(), tally);
 * const timer = setInterval(() => rss.sample(), 15_000);
 */
export class RssSampler {
  readonly samples: Sample[] = [];
  readonly #started = Date.now();
  readonly #read: () => number | undefined;
  readonly #tally: Tally;

  constructor(read: () => number | undefined, tally: Tally) {
    this.#read = read;
    this.#tally = tally;
  }

  sample(): void {
    const rss = this.#read();
    const last: Sample = { s: Math.round((Date.now() - this.#started) / 1000), rssMiB: rss === undefined ? NaN : Math.round(rss / 102.4) / 10, ok: this.#tally.ok, failed: this.#tally.failed };
    this.samples.push(last);
    console.error(`t=${last.s}s rss=${last.rssMiB} MiB ok=${last.ok} failed=${last.failed} load=${loadavg()[0]!.toFixed(2)}`);
  }

  /** Start, min / max after the first two samples (warm-up), end; MiB. */
  summary(): string {
    const rss = this.samples.map((s) => s.rssMiB).filter((n) => !Number.isNaN(n));
    if (rss.length === 0) return 'RSS: no sample';
    const warm = rss.slice(Math.min(2, rss.length - 1));
    return `RSS: start ${rss[0]} MiB, after warm-up min ${Math.min(...warm)} / max ${Math.max(...warm)} MiB, end ${rss.at(-1)} MiB`;
  }
}

/**
 * Print the RSS table, the well-behaved counts and the hostile outcomes as markdown.
 *
 * @example
 * printSoak('Soak of the built node server: 10 min', rss, tally);
 */
export function printSoak(title: string, rss: RssSampler, tally: Tally): void {
  console.log(`# ${title}, Node ${process.version}, load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log('| t (s) | RSS (MiB) | well-behaved ok | failed |');
  console.log('| ---: | ---: | ---: | ---: |');
  for (const s of rss.samples) console.log(`| ${s.s} | ${s.rssMiB} | ${s.ok} | ${s.failed} |`);
  console.log(`\n${rss.summary()}`);
  console.log(`well-behaved requests: ${tally.ok} ok, ${tally.failed} failed${tally.failed ? `: ${JSON.stringify([...tally.failures])}` : ''}`);
  console.log('hostile clients:');
  for (const [k, v] of [...tally.hostile].sort()) console.log(`  ${k}: ${v}`);
}
