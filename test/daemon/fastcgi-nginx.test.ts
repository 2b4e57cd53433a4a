/**
 * Daemon mode of the fastcgi server.mjs behind a real nginx (the generated nginx.conf and
 * nginx-upstream.conf included as written, kept-alive upstream): the primary never evaluates
 * the app, N workers serve, a killed worker costs at most its in-flight requests and comes back,
 * SIGHUP replaces every worker with no failed request, a bad deploy stops the reload while the
 * old workers serve on, --max-requests recycles, SIGTERM drains and removes the socket, and a
 * worker that cannot start makes the primary give up with one line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildClassic, type BuiltApp } from '../classic/classic-app.ts';
import { requireBinary, startNginx, type RunningPeer } from '../classic/peers.ts';
import { stopper } from '../child-output.ts';
import { answeringPids, appLoads, childPids, get, killWorker, reloadUnderLoad, startServer, steadyLoad, titleOf, until, workersOf, type Server } from './processes.ts';

const APP = new URL('./app.ts', import.meta.url).pathname;
let app: BuiltApp;
let nginx: RunningPeer;
let socket: string;
let script: string;
let runs = 0;

before(async () => {
  // workers: 2 baked in from bundle.config.ts: the servers below take no --workers flag.
  app = await buildClassic(APP, 'fastcgi', { options: (dir) => ({ socket: join(dir, 'app.sock'), workers: 2, name: 'shop' }) });
  socket = join(app.dir, 'app.sock');
  script = join(app.dist, 'server.mjs');
  nginx = await startNginx(app.dir, { http: `include ${app.dist}/nginx-upstream.conf;`, server: `include ${app.dist}/nginx.conf;` });
});
after(async () => {
  await nginx?.stop();
  if (app) rmSync(app.dir, { recursive: true, force: true });
});

/** A fresh side file, and the server with it. */
async function start(args: string[] = [], env: Record<string, string> = {}): Promise<{ server: Server; side: string }> {
  const side = join(app.dir, `loads-${++runs}.txt`);
  const server = await startServer(script, args, { SIDE_FILE: side, ...env });
  return { server, side };
}

const url = (path = '/'): string => `${nginx.baseUrl}${path}`;

/** The body of a GET sent straight to a FastCGI socket by libfcgi's cgi-fcgi (no web server). */
function fcgiGet(socket: string, uri: string): Promise<string> {
  const [path, query = ''] = uri.split('?');
  const env = { REQUEST_METHOD: 'GET', REQUEST_URI: uri, SCRIPT_NAME: '', PATH_INFO: path!, QUERY_STRING: query, SERVER_NAME: 'localhost', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1' };
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/cgi-fcgi', ['-bind', '-connect', socket], { env }, (error, stdout) => {
      if (error) return reject(error);
      const [head, body = ''] = stdout.split('\r\n\r\n');
      if (/^Status: (?!200)/m.test(head!)) return reject(new Error(stdout));
      resolve(body);
    });
  });
}

describe('fastcgi --workers behind nginx', { timeout: 120_000 }, () => {
  it('runs two workers from the baked config; only they evaluate the app, the primary never; titles name the app', async () => {
    const { server, side } = await start();
    try {
      const workers = await workersOf(server.pid);
      await until(() => appLoads(side).length === 2, 'both workers to load the app');
      assert.deepEqual(appLoads(side).sort((a, b) => a - b), workers, 'exactly the workers loaded the app, once each');
      assert.ok(!appLoads(side).includes(server.pid), 'the primary did not');
      assert.match(titleOf(server.pid), /^portico: primary shop/);
      for (const pid of workers) assert.match(titleOf(pid), /^portico: worker shop/);
      assert.match(await get(url()), /^\d+$/, 'nginx reaches them');
      // A connection per request, straight to the socket: nginx keeps its upstream connections,
      // all accepted by whichever worker listened first.
      assert.deepEqual(await answeringPids(() => fcgiGet(socket, '/slow?ms=50'), workers), workers, 'requests reached both workers');
    } finally {
      await server.stop();
    }
  });

  it('a worker killed with SIGKILL under load costs at most its in-flight requests, and another takes its place', async () => {
    const { server, side } = await start();
    try {
      const before = await workersOf(server.pid);
      const concurrency = 8;
      const load = steadyLoad(() => get(url('/slow?ms=20')), concurrency);
      await sleep(500);
      const after = await killWorker(server.pid, before[0]!);
      await sleep(500);
      const result = await load.stop();
      assert.ok(result.ok >= concurrency, `the load ran (${result.ok} answered)`);
      // Each of the killed worker's in-flight requests may fail; no other may.
      assert.ok(result.failed <= concurrency, `${result.failed} failed: ${result.errors.join('; ')}`);
      // ...and fail at once: no connection is left hanging (as round-robin scheduling left one for 60 s).
      assert.ok(result.slowest < 3_000, `the slowest request took ${result.slowest} ms`);
      const fresh = after.find((p) => !before.includes(p))!;
      // Straight to the socket: nginx would go on with its kept-alive connections to the survivor.
      assert.ok((await answeringPids(() => fcgiGet(socket, '/slow?ms=50'), [fresh])).includes(fresh), 'the new worker serves');
      assert.equal(appLoads(side).length, 3, 'two workers, then one more');
      assert.match(server.logs(), new RegExp(`worker ${before[0]} was killed by SIGKILL; starting another`));
    } finally {
      await server.stop();
    }
  });

  it('SIGHUP under load replaces every worker one by one with zero failed requests', async () => {
    const { server } = await start();
    try {
      const before = await workersOf(server.pid);
      const result = await reloadUnderLoad(server, () => get(url('/slow?ms=30')), 8);
      assert.match(server.logs(), /reload done: 2 workers replaced/);
      assert.equal(result.failed, 0, `failed: ${result.errors.join('; ')}`);
      const after = await workersOf(server.pid);
      assert.deepEqual(after.filter((p) => before.includes(p)), [], 'no old worker is left');
      assert.deepEqual(await answeringPids(() => fcgiGet(socket, '/slow?ms=50'), after), after, 'the new workers serve (asked straight, past nginx\'s kept-alive connections)');
    } finally {
      await server.stop();
    }
  });

  it('a bad deploy on SIGHUP: the reload stops at the first worker that cannot start, the old ones serve on', async () => {
    const { server, side } = await start();
    const saved = `${script}.good`;
    copyFileSync(script, saved);
    try {
      const before = await workersOf(server.pid);
      // Both have read the good build (a worker still starting would read the broken one).
      await until(() => appLoads(side).length === 2, 'both workers to load the app');
      writeFileSync(script, 'throw new Error("a broken build");\n');
      process.kill(server.pid, 'SIGHUP');
      await until(() => /reload stopped after 0 of 2: the old workers go on serving/.test(server.logs()), 'the reload to stop');
      assert.deepEqual(childPids(server.pid), before);
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) seen.add(await get(url(), { headers: { connection: 'close' } }));
      assert.ok([...seen].every((pid) => before.includes(Number(pid))), `answered by the old workers: ${[...seen]}`);
    } finally {
      copyFileSync(saved, script);
      await server.stop();
    }
  });

  it('--max-requests recycles workers (the replacement first): no request fails and new pids answer', async () => {
    const { server, side } = await start(['--max-requests', '10', '--max-requests-jitter', '2']);
    try {
      await until(() => childPids(server.pid).length === 2, 'two workers');
      const load = steadyLoad(() => get(url()), 2);
      await until(() => appLoads(side).length >= 5, 'at least three recycles', 20_000);
      const result = await load.stop();
      assert.equal(result.failed, 0, `failed: ${result.errors.join('; ')}`);
      // A recycled worker serves on until its replacement listens, so counts may pass 12 a little;
      // which replacement nginx's kept-alive connections reach is nginx's choice.
      assert.ok(result.bodies.size >= 3, `${result.bodies.size} pids answered`);
      assert.match(server.logs(), /served its --max-requests; starting its replacement/);
    } finally {
      await server.stop();
    }
  });

  it('SIGTERM finishes a slow request in a worker, removes the socket, and exits 0 with every worker gone', async () => {
    const { server } = await start();
    const workers = await workersOf(server.pid);
    assert.ok(existsSync(socket));
    const slow = get(url('/slow?ms=1500'));
    await sleep(400);
    process.kill(server.pid, 'SIGTERM');
    assert.match(await slow, /^\d+$/, 'the slow request was answered');
    assert.equal(await server.exited, 0);
    assert.equal(existsSync(socket), false, 'the socket file is gone');
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} exited`);
    assert.match(server.logs(), /SIGTERM: finishing in-flight requests in 2 workers/);
  });

  it('under systemd socket activation (LISTEN_FDS naming the primary), the workers serve the socket systemd passed', async () => {
    requireBinary('/usr/bin/systemd-socket-activate', 'systemd');
    requireBinary('/usr/bin/cgi-fcgi', 'libfcgi-bin');
    const sdSocket = join(app.dir, 'sd.sock');
    const side = join(app.dir, `loads-${++runs}.txt`);
    const child = spawn('/usr/bin/systemd-socket-activate', ['-l', sdSocket, '-E', `SIDE_FILE=${side}`, process.execPath, script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = stopper(child);
    try {
      await until(() => existsSync(sdSocket), 'systemd-socket-activate to listen');
      // Socket activation: the first connection starts the app, as systemd would.
      const ask = (): Promise<string> => fcgiGet(sdSocket, '/slow?ms=150');
      await Promise.all(Array.from({ length: 8 }, ask));
      const workers = await workersOf(child.pid!);
      assert.deepEqual(await answeringPids(ask, workers), workers);
      assert.deepEqual(appLoads(side).sort((a, b) => a - b), workers, 'the primary did not load the app');
    } finally {
      await stop();
    }
  });

  it('workers that die at start: the primary retries with a backoff, then exits 1 with one PORTICO_WORKERS_FAILING line', async () => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FAIL_AT_START: '1' } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    const took = Date.now() - started;
    assert.equal(code, 1, out);
    assert.equal(out.match(/PORTICO_WORKERS_FAILING/g)?.length, 1, out);
    assert.match(out, /server\.mjs: PORTICO_WORKERS_FAILING: 5 workers in a row exited before listening \(the last exited with code 1\)/);
    assert.equal(out.match(/this app fails at start/g)?.length, 5, 'one start at a time: five tries, five errors');
    // 100 + 200 + 400 + 800 ms between the five tries: a backoff, not a spin.
    assert.ok(took >= 1_500, `gave up after ${took} ms`);
    assert.equal(existsSync(socket), false, 'no socket was left behind');
  });
});
