/**
 * A fastcgi `server.mjs` as a process, driven by libfcgi's `cgi-fcgi` (Debian: libfcgi-bin) as
 * the raw client and spawner: TCP and unix sockets, the socket on fd 0 that `cgi-fcgi -start`
 * (like lighttpd bin-path and spawn-fcgi) hands over, systemd's fd 3, flags and their errors,
 * and SIGTERM draining in-flight requests.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitOutput } from '../child-output.ts';
import { cgiFcgi, FcgiConnection, meta, request } from './fcgi-client.ts';
import { freePort } from './peers.ts';

const main = join(import.meta.dirname, 'server-main.ts');
const dir = mkdtempSync(join(tmpdir(), 'portico-cgifcgi-'));
const children: ChildProcess[] = [];
const pids: number[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function server(args: string[], env: Record<string, string> = {}, stdin: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
  const child = spawn(process.execPath, [main, ...args], { env: { PATH: process.env.PATH!, ...env }, stdio: [stdin, 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const json = (r: { body: Buffer }) => JSON.parse(r.body.toString());

describe('fastcgi server.mjs flags', () => {
  it('--help prints the usage and exits 0', async () => {
    const r = await exited(server(['--help']));
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--socket <path>/);
    assert.match(r.stdout, /LISTEN_FDS/);
  });
  for (const [args, pattern] of [[['--bogus'], /unknown argument "--bogus"/], [['--port', 'abc'], /--port must be a port number/], [['--socket'], /--socket needs a value/], [[], /nowhere to listen/]] as const) {
    it(`${JSON.stringify(args)} exits 2 with one line`, async () => {
      const r = await exited(server([...args]));
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
    });
  }
});

describe('fastcgi server.mjs with cgi-fcgi', () => {
  it('serves TCP (--port) to cgi-fcgi: GET and a POST body', async () => {
    const child = server(['--port', '0']);
    const { match: address } = await awaitOutput(child, /listening on (\S+)/, 'server-main.ts', 20_000);
    const get = await cgiFcgi(address, meta('/hello?x=1'));
    assert.equal(json(get).url, 'http://example.test/hello?x=1');
    const post = await cgiFcgi(address, meta('/post', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '11', CONTENT_TYPE: 'text/plain' }), 'hello world');
    assert.deepEqual([json(post).body, json(post).headers['content-type']], ['hello world', 'text/plain']);
    child.kill('SIGTERM');
    assert.equal((await exited(child)).code, 0);
  });

  it('accepts on the listening socket on fd 0 that `cgi-fcgi -start` hands over (as lighttpd bin-path does)', async () => {
    const sock = join(dir, 'fd0.sock');
    const pidFile = join(dir, 'fd0.pid');
    const wrapper = join(dir, 'app.fcgi');
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${main}"\n`);
    chmodSync(wrapper, 0o755);
    await new Promise<void>((resolve, reject) => {
      execFile('cgi-fcgi', ['-start', '-connect', sock, wrapper], { env: { PATH: process.env.PATH!, TEST_PID_FILE: pidFile } }, (e) => (e ? reject(e) : resolve()));
    });
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    pids.push(Number(readFileSync(pidFile, 'utf8')));
    const r = await cgiFcgi(sock, meta('/on-fd-0'));
    assert.equal(json(r).url, 'http://example.test/on-fd-0');
  });

  it('falls back from a stdin that is a socket but not a listening one (a parent\'s pipe) to the baked address', async () => {
    const port = await freePort();
    const child = server([], { TEST_BAKED_PORT: String(port) }, 'pipe');
    await awaitOutput(child, /(listening on 127\.0\.0\.1:)/, 'server-main.ts', 20_000);
    const r = await cgiFcgi(`127.0.0.1:${port}`, meta('/baked'));
    assert.equal(json(r).url, 'http://example.test/baked');
    child.kill('SIGTERM');
  });

  it('takes the socket systemd passes (LISTEN_FDS=1, LISTEN_PID, fd 3)', async () => {
    const sock = join(dir, 'systemd.sock');
    const script = 'import os, socket, sys\ns = socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\ns.listen(16)\nif s.fileno() != 3: os.dup2(s.fileno(), 3)\nos.set_inheritable(3, True)\nos.environ["LISTEN_FDS"] = "1"\nos.environ["LISTEN_PID"] = str(os.getpid())\nos.execv(sys.argv[2], sys.argv[2:])\n';
    const child = spawn('python3', ['-c', script, sock, process.execPath, main], { env: { PATH: process.env.PATH! }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    await awaitOutput(child, /(listening on the systemd socket)/, 'server-main.ts', 20_000);
    const r = await cgiFcgi(sock, meta('/systemd'));
    assert.equal(json(r).url, 'http://example.test/systemd');
    child.kill('SIGTERM');
  });

  it('SIGTERM finishes the in-flight request, removes the unix socket and exits 0', async () => {
    const sock = join(dir, 'term.sock');
    const child = server(['--socket', sock]);
    const done = exited(child);
    await awaitOutput(child, /(listening on unix:)/, 'server-main.ts', 20_000);
    const c = new FcgiConnection(sock);
    await c.ready();
    c.write(request(1, meta('/slow?ms=400'), '', true));
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    const reply = await c.reply(1);
    assert.equal(reply.body.toString(), 'slow done');
    assert.equal((await done).code, 0);
    assert.equal(existsSync(sock), false);
  });

  it('serves SCGI the same way (TEST_PROTOCOL=scgi, --socket)', async () => {
    const sock = join(dir, 'scgi.sock');
    const child = server(['--socket', sock], { TEST_PROTOCOL: 'scgi' });
    await awaitOutput(child, /(scgi listening on unix:)/, 'server-main.ts', 20_000);
    child.kill('SIGTERM');
    assert.equal((await exited(child)).code, 0);
  });
});
