/**
 * Daemon mode of the node server.mjs over plain HTTP (no proxy in front): workers from the
 * --workers flag serve on one port with distinct pids and the primary never evaluates the app;
 * a killed worker costs at most its in-flight requests and comes back; SIGTERM drains a slow
 * request and removes the unix socket; `--workers 1` alone stays one process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundle } from '../../src/bundle/bundle.ts';
import { freePort } from '../classic/peers.ts';
import { answeringPids, appLoads, childPids, get, killWorker, startServer, steadyLoad, titleOf, until, workersOf } from './processes.ts';

const APP = new URL('./app.ts', import.meta.url).pathname;
let dir: string;
let script: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-node-workers-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'blog' }));
  await bundle({ target: 'node', entry: APP, root: dir, basePath: '', options: {} });
  script = join(dir, 'dist', 'node', 'server.mjs');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A new connection each time (no keep-alive), so the kernel picks the accepting worker each time. */
const once = (base: string, path = '/'): Promise<string> => get(`${base}${path}`, { headers: { connection: 'close' } });

describe('node server.mjs --workers over HTTP', { timeout: 90_000 }, () => {
  it('two workers serve one port with distinct pids; only they load the app', async () => {
    const side = join(dir, 'loads-a.txt');
    const port = await freePort();
    const server = await startServer(script, ['--workers', '2', '--port', String(port), '--host', '127.0.0.1'], { SIDE_FILE: side });
    try {
      assert.match(server.logs(), new RegExp(`listening on http://127\\.0\\.0\\.1:${port} with 2 workers \\(primary pid ${server.pid}\\)`));
      const workers = await workersOf(server.pid);
      await until(() => appLoads(side).length === 2, 'both workers to load the app');
      assert.deepEqual(appLoads(side).sort((a, b) => a - b), workers);
      assert.match(titleOf(server.pid), /^portico: primary blog/);
      const base = `http://127.0.0.1:${port}`;
      assert.deepEqual(await answeringPids(() => once(base, '/slow?ms=50'), workers), workers);
    } finally {
      await server.stop();
    }
  });

  it('a worker killed with SIGKILL under load costs at most its in-flight requests and comes back', async () => {
    const port = await freePort();
    const server = await startServer(script, ['--workers', '2', '--port', String(port), '--host', '127.0.0.1']);
    try {
      const before = await workersOf(server.pid);
      const base = `http://127.0.0.1:${port}`;
      const concurrency = 4;
      const load = steadyLoad(() => once(base, '/slow?ms=20'), concurrency);
      await sleep(400);
      await killWorker(server.pid, before[1]!);
      await sleep(400);
      const result = await load.stop();
      assert.ok(result.ok >= concurrency, `the load ran (${result.ok} answered)`);
      assert.ok(result.failed <= concurrency, `${result.failed} failed: ${result.errors.join('; ')}`);
      assert.ok(result.slowest < 3_000, `the slowest request took ${result.slowest} ms`);
    } finally {
      await server.stop();
    }
  });

  it('SIGTERM on a unix socket: a slow request is answered, the socket removed, exit 0', async () => {
    const socket = join(dir, 'http.sock');
    // A stale socket file, as a crashed server leaves it: the primary replaces it.
    const crashed = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    assert.equal(crashed.signal, 'SIGKILL');
    assert.ok(existsSync(socket));
    const server = await startServer(script, ['--workers', '2', '--socket', socket]);
    await until(() => childPids(server.pid).length === 2, 'two workers');
    const slow = new Promise<string>((resolve, reject) => {
      const req = request({ socketPath: socket, path: '/slow?ms=1500' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
    await sleep(400);
    process.kill(server.pid, 'SIGTERM');
    assert.match(await slow, /^\d+$/);
    assert.equal(await server.exited, 0);
    assert.equal(existsSync(socket), false, 'the socket file is gone');
  });

  it('--workers 1 alone is one process, as without the flag: no primary, no child', async () => {
    const side = join(dir, 'loads-b.txt');
    const port = await freePort();
    const server = await startServer(script, ['--workers', '1', '--port', String(port), '--host', '127.0.0.1'], { SIDE_FILE: side });
    try {
      assert.equal(await once(`http://127.0.0.1:${port}`), String(server.pid));
      assert.deepEqual(childPids(server.pid), []);
      assert.deepEqual(appLoads(side), [server.pid]);
    } finally {
      await server.stop();
    }
  });

  it('a bad value is one line and exit 2', async () => {
    const run = spawnSync(process.execPath, [script, '--workers', 'many'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.equal(run.stderr, 'server.mjs: --workers must be a number of processes (1 or more) or "auto", got "many"\n');
    const env = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, PORTICO_WORKERS: '0' } });
    assert.equal(env.status, 2);
    assert.match(env.stderr, /PORTICO_WORKERS must be a number of processes/);
  });
});
