/**
 * The CGI gateway as a web server runs it: a process per request with the meta-variables in its
 * environment and the body on stdin. What must hold: stdout carries the response and nothing
 * else, the body is read to CONTENT_LENGTH or to EOF, HTTP_PROXY never steers fetch (httpoxy),
 * waitUntil work finishes before the process exits.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCgi } from './fcgi-client.ts';

const main = join(import.meta.dirname, 'cgi-main.ts');
const dir = mkdtempSync(join(tmpdir(), 'portico-cgi-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function runCgi(env: Record<string, string>, stdin?: Buffer | string, keepStdinOpen = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH!, GATEWAY_INTERFACE: 'CGI/1.1', SERVER_PROTOCOL: 'HTTP/1.1', SERVER_NAME: 'cgi.test', SERVER_PORT: '80', REMOTE_ADDR: '127.0.0.1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
    if (stdin !== undefined) child.stdin.write(stdin);
    if (!keepStdinOpen) child.stdin.end();
  });
}

describe('CGI', () => {
  it('writes only the response to stdout; the app\'s console output goes to stderr', async () => {
    const r = await runCgi({ REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/app.cgi', PATH_INFO: '/x/y', QUERY_STRING: 'q=1', REQUEST_URI: '/cgi-bin/app.cgi/x/y?q=1', HTTP_COOKIE: 'a=1; b=2' });
    assert.equal(r.code, 0);
    const res = parseCgi(r.stdout);
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.filter(([k]) => k === 'set-cookie').map(([, v]) => v), ['a=1', 'b=2']);
    const body = JSON.parse(res.body.toString());
    assert.deepEqual([body.url, body.basePath, body.cookie], ['http://cgi.test/x/y?q=1', '/cgi-bin/app.cgi', 'a=1; b=2']);
    assert.equal(res.body.length, Number(res.headers.find(([k]) => k === 'content-length')![1]));
    assert.match(r.stderr, /loading the app/);
    assert.match(r.stderr, /in fetch/);
    assert.match(r.stderr, /a direct stdout write/);
    assert.doesNotMatch(r.stdout.toString(), /must not reach stdout|info too/);
  });

  it('reads CONTENT_LENGTH bytes of stdin, even when the server leaves stdin open', async () => {
    const r = await runCgi({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '5', SCRIPT_NAME: '/app.cgi' }, 'helloEXTRA', true);
    assert.equal(JSON.parse(parseCgi(r.stdout).body.toString()).body, 'hello');
  });

  it('reads stdin to its end when there is no CONTENT_LENGTH (Apache streams a chunked upload so)', async () => {
    const big = 'z'.repeat(300_000);
    const r = await runCgi({ REQUEST_METHOD: 'POST', SCRIPT_NAME: '/app.cgi' }, big);
    assert.equal(JSON.parse(parseCgi(r.stdout).body.toString()).body.length, big.length);
  });

  it('a truncated body is 400', async () => {
    const r = await runCgi({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '50', SCRIPT_NAME: '/app.cgi' }, 'short');
    assert.equal(parseCgi(r.stdout).status, 400);
  });

  it('an app error is a 500 and one stderr line from the gateway', async () => {
    const r = await runCgi({ REQUEST_METHOD: 'GET', SCRIPT_NAME: '/app.cgi', PATH_INFO: '/throw' });
    assert.equal(parseCgi(r.stdout).status, 500);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('[portico]'));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /cgi boom/);
  });

  it('a configured basePath wins over SCRIPT_NAME', async () => {
    const r = await runCgi({ REQUEST_METHOD: 'GET', SCRIPT_NAME: '/shop/cart', REQUEST_URI: '/shop/cart', TEST_BASE_PATH: '/shop' });
    const body = JSON.parse(parseCgi(r.stdout).body.toString());
    assert.deepEqual([body.url, body.basePath], ['http://cgi.test/cart', '/shop']);
  });

  it('finishes waitUntil work before the process exits, after closing stdout (the server\'s end of the response), through a SIGTERM', async () => {
    const mark = join(dir, 'mark');
    const release = join(dir, 'release');
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH!, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', SCRIPT_NAME: '/app.cgi', PATH_INFO: '/wait-until', MARK_FILE: mark, RELEASE_FILE: release },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // The work cannot end before the release below: stdout ending now shows it does not hold the response.
    await Promise.race([new Promise((r) => child.stdout.on('end', r)), new Promise((_, no) => setTimeout(() => no(new Error('stdout held open by the waitUntil work')), 10_000))]);
    assert.equal(parseCgi(Buffer.from(out)).body.toString(), 'answered');
    assert.equal(existsSync(mark), false, 'stdout ended before the waitUntil work was done');
    child.kill('SIGTERM'); // what Apache and lighttpd send once the response is complete
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(release, ''); // the work may end now; the SIGTERM must have waited for it
    assert.equal(await exited, 0);
    assert.equal(existsSync(mark), true);
  });

  it('hands the app header bytes one char per byte (the environment read as bytes, not UTF-8)', async () => {
    const r = await runCgi({ REQUEST_METHOD: 'GET', SCRIPT_NAME: '/app.cgi', PATH_INFO: '/bytes', HTTP_X_BYTES: 'café ☃' });
    assert.deepEqual(JSON.parse(parseCgi(r.stdout).body.toString()), [...Buffer.from('café ☃', 'utf8')]);
  });

  it('HTTP_PROXY (a client\'s Proxy: header) never steers fetch, and is gone from env and process.env', async () => {
    const hits = { target: 0, proxy: 0 };
    const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
    const target = createServer((_q, s) => { hits.target++; s.end('from target'); });
    const proxy = createServer((_q, s) => { hits.proxy++; s.end('from the evil proxy'); });
    const [tp, pp] = await Promise.all([listen(target), listen(proxy)]);
    try {
      const r = await runCgi({ REQUEST_METHOD: 'GET', SCRIPT_NAME: '/app.cgi', PATH_INFO: '/fetch', HTTP_PROXY: `http://127.0.0.1:${pp}`, TARGET_URL: `http://127.0.0.1:${tp}/` });
      const body = JSON.parse(parseCgi(r.stdout).body.toString() || '{}');
      assert.equal(body.upstream, 'from target', `${r.stdout}\n${r.stderr}`);
      assert.equal(body.envProxy, null);
      assert.equal(body.processProxy, null);
      assert.equal(body.platformProxy, `http://127.0.0.1:${pp}`);
      assert.deepEqual(hits, { target: 1, proxy: 0 });
    } finally {
      target.closeAllConnections();
      proxy.closeAllConnections();
      target.close();
      proxy.close();
    }
  });
});
