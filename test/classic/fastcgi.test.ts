/**
 * The FastCGI gateway over real sockets, with a raw FastCGI client (fcgi-client.ts) speaking the
 * records a web server sends: keep-conn, multiplexing, split params, GET_VALUES, unknown types
 * and roles, abort, limits, malformed input, backpressure and a draining close().
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { serveFastCGI } from '../../adapters/fastcgi/runtime/fastcgi.ts';
import { decodePairs, encodePairs, encodeRecord, Type } from '../../adapters/fastcgi/runtime/records.ts';
import { socketModeHint, type ClassicHandle } from '../../adapters/_cgi/server.ts';
import { app, state } from './app.ts';
import { begin, FcgiConnection, meta, params, request, stdin } from './fcgi-client.ts';

// The retention test below measures what stays alive after a collection.
setFlagsFromString('--expose-gc');
const dir = mkdtempSync(join(tmpdir(), 'portico-fcgi-'));
const logs: string[] = [];
let server: ClassicHandle;
let port: number;

before(async () => {
  server = serveFastCGI(app, { port: 0, handleSignals: false, silent: true, maxParamsSize: 4096, maxBodySize: 1 << 20, logError: (m) => logs.push(m) });
  await server.ready;
  port = (server.server.address() as { port: number }).port;
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(): Promise<FcgiConnection> {
  const c = new FcgiConnection(port);
  await c.ready();
  return c;
}

const json = (body: Buffer) => JSON.parse(body.toString());

describe('FastCGI responder', () => {
  it('answers a GET with Status, headers and a Content-Length body; the request URL is REQUEST_URI as sent', async () => {
    const c = await open();
    c.write(request(1, meta('/a%2Fb/c+d?x=1+2', { HTTP_COOKIE: 'a=1', REMOTE_ADDR: '203.0.113.9' })));
    const r = await c.reply(1);
    assert.equal(r.status, 200);
    assert.equal(r.protocolStatus, 0);
    const body = json(r.body);
    assert.equal(body.url, 'http://example.test/a%2Fb/c+d?x=1+2');
    assert.equal(body.gateway, 'fastcgi');
    assert.equal(body.clientAddress, '203.0.113.9');
    assert.equal(r.headers.find(([k]) => k === 'content-length')?.[1], String(r.body.length));
    await c.closed; // no FCGI_KEEP_CONN: the application closes the connection
  });

  it('keeps the connection with FCGI_KEEP_CONN and serves the next request on it', async () => {
    const c = await open();
    for (let i = 0; i < 3; i++) {
      c.write(request(1, meta(`/n${i}`), '', true));
      const r = await c.reply(1);
      assert.equal(json(r.body).url, `http://example.test/n${i}`);
    }
    assert.equal(c.socket.destroyed, false);
    c.close();
  });

  it('runs multiplexed requests on one connection, records interleaved', async () => {
    const c = await open();
    c.write(Buffer.concat([begin(1, true), begin(2, true), params(2, meta('/two', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '3' })), params(1, meta('/one')), stdin(2, 'abc'), stdin(1, '')]));
    const [one, two] = await Promise.all([c.reply(1), c.reply(2)]);
    assert.equal(json(one.body).url, 'http://example.test/one');
    assert.deepEqual([json(two.body).url, json(two.body).body], ['http://example.test/two', 'abc']);
    c.close();
  });

  it('keeps reading for the other requests on a connection while one app leaves its body unread', { timeout: 10_000 }, async () => {
    // Request 1's app reads nothing until request 2 has been answered; its 600 KB body passes
    // the 256 KB at which a lone request pauses the socket. Pausing here would stall both.
    const c = await open();
    const big = Buffer.alloc(600 * 1024, 97);
    const twoParams = params(2, meta('/open-gate'));
    const paramsEnd = encodeRecord(Type.PARAMS, 2); // request 2's params are still open while request 1's body arrives
    c.write(Buffer.concat([begin(1, true), params(1, meta('/read-later', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(big.length) })), begin(2, true), twoParams.subarray(0, twoParams.length - paramsEnd.length)]));
    c.write(Buffer.concat([stdin(1, big), paramsEnd, stdin(2, '')]));
    const [one, two] = await Promise.all([c.reply(1), c.reply(2)]);
    assert.equal(two.body.toString(), 'open');
    assert.equal(one.body.toString(), String(big.length));
    c.close();
  });

  it('reads params split over many records, with 4-byte lengths and padding', async () => {
    const c = await open();
    const long = 'v'.repeat(1000);
    c.write(Buffer.concat([begin(7, false), params(7, meta('/split', { HTTP_X_LONG: long, ['HTTP_X_' + 'N'.repeat(200)]: 'n' }), 7), stdin(7, '')]));
    const r = await c.reply(7);
    const body = json(r.body);
    assert.equal(body.headers['x-long'], long);
    assert.equal(body.headers['x-' + 'n'.repeat(200)], 'n');
  });

  it('joins repeated Cookie params and keeps every Set-Cookie apart', async () => {
    const c = await open();
    c.write(Buffer.concat([begin(1, false), params(1, [...Object.entries(meta('/echo')), ['HTTP_COOKIE', 'a=1'], ['HTTP_COOKIE', 'b=2']]), stdin(1, '')]));
    assert.equal(json((await c.reply(1)).body).headers.cookie, 'a=1; b=2');
    const d = await open();
    d.write(request(1, meta('/cookies')));
    const r = await d.reply(1);
    assert.deepEqual(r.headers.filter(([k]) => k === 'set-cookie').map(([, v]) => v), ['a=1', 'b=2']);
  });

  it('takes a body over many STDIN records, and one without CONTENT_LENGTH to the empty STDIN', async () => {
    const body = Buffer.alloc(200_000, 'x');
    const c = await open();
    c.write(request(1, meta('/post', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(body.length) }), body));
    assert.equal(json((await c.reply(1)).body).body.length, body.length);
    const d = await open();
    d.write(request(1, meta('/post', { REQUEST_METHOD: 'POST' }), 'chunked upload'));
    assert.equal(json((await d.reply(1)).body).body, 'chunked upload');
  });

  it('answers FCGI_GET_VALUES and FCGI_UNKNOWN_TYPE on the management id', async () => {
    const c = await open();
    c.write(encodeRecord(Type.GET_VALUES, 0, encodePairs([['FCGI_MPXS_CONNS', ''], ['FCGI_MAX_REQS', ''], ['NOT_A_VALUE', '']])));
    c.write(encodeRecord(200, 0, Buffer.alloc(3)));
    await new Promise((r) => setTimeout(r, 100));
    const values = c.records.find((r) => r.type === Type.GET_VALUES_RESULT)!;
    const got: Record<string, string> = {};
    decodePairs(values.content, (n, v) => (got[n] = v));
    assert.equal(got.FCGI_MPXS_CONNS, '1');
    assert.ok(Number(got.FCGI_MAX_REQS) > 0);
    assert.equal('NOT_A_VALUE' in got, false);
    const unknown = c.records.find((r) => r.type === Type.UNKNOWN_TYPE)!;
    assert.equal(unknown.content[0], 200);
    c.close();
  });

  it('refuses roles other than responder with FCGI_UNKNOWN_ROLE', async () => {
    const c = await open();
    c.write(begin(3, true, 2));
    assert.equal((await c.reply(3)).protocolStatus, 3);
    c.close();
  });

  it('refuses requests beyond maxRequestsPerConnection with FCGI_OVERLOADED', async () => {
    const s = serveFastCGI(app, { port: 0, handleSignals: false, silent: true, maxRequestsPerConnection: 1 });
    await s.ready;
    const c = new FcgiConnection((s.server.address() as { port: number }).port);
    c.write(Buffer.concat([begin(1, true), begin(2, true)]));
    assert.equal((await c.reply(2)).protocolStatus, 2);
    c.write(Buffer.concat([params(1, meta('/first')), stdin(1, '')]));
    assert.equal(JSON.parse((await c.reply(1)).body.toString()).url, 'http://example.test/first');
    c.close();
    await s.close();
  });

  it('FCGI_ABORT_REQUEST aborts request.signal and ends the request', async () => {
    const c = await open();
    c.write(request(5, meta('/wait-abort'), '', true));
    await new Promise((r) => setTimeout(r, 50));
    c.write(encodeRecord(Type.ABORT_REQUEST, 5));
    const r = await c.reply(5);
    assert.equal(r.protocolStatus, 0);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(state.aborted, true);
    c.close();
  });

  it('the web server closing the connection (nginx, when its client left) aborts request.signal', async () => {
    for (const how of ['end', 'destroy'] as const) {
      state.aborted = false;
      const c = await open();
      c.write(request(1, meta('/wait-abort'), '', true));
      await new Promise((r) => setTimeout(r, 50));
      if (how === 'end') c.socket.end();
      else c.socket.destroy();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(state.aborted, true, how);
    }
  });

  it('an app that throws gets 500 and one log line', async () => {
    logs.length = 0;
    const c = await open();
    c.write(request(1, meta('/throw')));
    assert.equal((await c.reply(1)).status, 500);
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /GET \/throw failed: Error: boom \(at /);
    assert.doesNotMatch(logs[0]!, /\n/);
  });

  it('params over maxParamsSize get 431; CONTENT_LENGTH over maxBodySize 413; a truncated body 400', async () => {
    const c = await open();
    c.write(request(1, meta('/big', { HTTP_X_BIG: 'x'.repeat(5000) })));
    assert.equal((await c.reply(1)).status, 431);
    const d = await open();
    d.write(request(1, meta('/big', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(2 << 20) })));
    assert.equal((await d.reply(1)).status, 413);
    const e = await open();
    e.write(request(1, meta('/short', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '10' }), 'abc'));
    assert.equal((await e.reply(1)).status, 400);
  });

  it('a connection holding unfinished params of many requests past 8 × maxParamsSize is closed, with one log line', { timeout: 10_000 }, async () => {
    // Each request stays under maxParamsSize (4096 here), but 256 of them may be open at once:
    // found by bench/soak-classic.ts's probe, 30 MiB a connection at the default limit.
    logs.length = 0;
    const c = await open();
    const piece = 'x'.repeat(3000);
    const opened: Buffer[] = [];
    for (let id = 1; id <= 16; id++) opened.push(begin(id, true), encodeRecord(Type.PARAMS, id, encodePairs([['HTTP_X_PART', piece]])));
    c.write(Buffer.concat(opened));
    await c.closed;
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /unfinished params of 11 requests pass 32768 bytes \(8 × maxParamsSize\)/);
    // A few requests open at once, under the bound, are served.
    const d = await open();
    d.write(Buffer.concat([1, 2, 3].flatMap((id) => [begin(id, true), encodeRecord(Type.PARAMS, id, encodePairs([['HTTP_X_PART', piece]]))])));
    d.write(Buffer.concat([1, 2, 3].map((id) => Buffer.concat([params(id, meta(`/m${id}`)), stdin(id, '')]))));
    assert.deepEqual(await Promise.all([1, 2, 3].map(async (id) => json((await d.reply(id)).body).url)), [1, 2, 3].map((id) => `http://example.test/m${id}`));
    d.close();
  });

  it('keeps a copy, not a view of the whole read, of a small body piece that waits for its app', { timeout: 20_000 }, async () => {
    // One body byte a read, each read filled up with a 64 KB record for no request (ignored):
    // kept as views, 200 bytes of body would hold 13 MB of reads until the app reads them.
    const gc = runInNewContext('gc') as () => void;
    const c = await open();
    c.write(Buffer.concat([begin(1, true), params(1, meta('/read-later', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '200' }))]));
    await new Promise((r) => setTimeout(r, 50));
    gc();
    const before = process.memoryUsage().arrayBuffers;
    const filler = encodeRecord(Type.STDIN, 999, Buffer.alloc(65000));
    for (let i = 0; i < 200; i++) {
      c.write(Buffer.concat([stdin(1, 'b', false), filler]));
      await new Promise((r) => setImmediate(r));
    }
    // Until the reads are all in and handled (a loaded machine takes longer than a fixed wait):
    // kept as views they stay held however long this waits, so the bound still tells.
    let held = Infinity;
    for (const end = Date.now() + 5_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      gc();
      held = process.memoryUsage().arrayBuffers - before;
      if (held < 4_000_000 && c.socket.writableLength === 0) break;
    }
    assert.ok(held < 4_000_000, `${held} bytes held for 200 body bytes`);
    const gate = await open();
    gate.write(request(1, meta('/open-gate')));
    await gate.reply(1);
    c.write(stdin(1, ''));
    assert.equal((await c.reply(1)).body.toString(), '200');
    c.close();
  });

  it('a malformed record closes that connection only, with one log line', async () => {
    logs.length = 0;
    const good = await open();
    good.write(begin(1, true));
    const bad = await open();
    bad.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await bad.closed;
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /version/);
    good.write(Buffer.concat([params(1, meta('/still-fine')), stdin(1, '')]));
    assert.equal(json((await good.reply(1)).body).url, 'http://example.test/still-fine');
    good.close();
  });

  it('sends a large streamed body in STDOUT records of at most 65,535 bytes', async () => {
    const c = await open();
    c.write(request(1, meta('/stream?size=100000&n=20')));
    const r = await c.reply(1);
    assert.equal(r.body.length, 2_000_000);
    assert.ok(r.sizes.every((s) => s <= 65535));
    assert.ok(Math.max(...r.sizes) === 65535);
  });

  it('a slow client holds the app back (backpressure), and leaving cancels the stream', async () => {
    const c = await open();
    c.socket.pause();
    c.write(request(1, meta('/stream?size=65536&n=2000'))); // 128 MiB on offer
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(state.pulled < 16 * 1024 * 1024, `pulled ${state.pulled} bytes for a client that reads nothing`);
    logs.length = 0;
    c.close();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(state.cancelled, true);
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /GET \/stream\?\S*: the client went away after \d+ body bytes/);
  });

  it('trustProxy: X-Forwarded-For/-Proto count only from a trusted REMOTE_ADDR', async () => {
    const trusting = serveFastCGI(app, { port: 0, handleSignals: false, silent: true, trustProxy: 'loopback' });
    await trusting.ready;
    const c = new FcgiConnection((trusting.server.address() as { port: number }).port);
    const forwarded = { HTTP_X_FORWARDED_FOR: '198.51.100.1, 203.0.113.5', HTTP_X_FORWARDED_PROTO: 'https' };
    c.write(request(1, meta('/xff', { REMOTE_ADDR: '127.0.0.1', ...forwarded }), '', true));
    const viaProxy = json((await c.reply(1)).body);
    assert.deepEqual([viaProxy.clientAddress, viaProxy.url], ['203.0.113.5', 'https://example.test/xff']);
    c.write(request(2, meta('/xff', { REMOTE_ADDR: '192.0.2.7', ...forwarded }), '', true));
    const direct = json((await c.reply(2)).body);
    assert.deepEqual([direct.clientAddress, direct.url], ['192.0.2.7', 'http://example.test/xff']);
    c.close();
    await trusting.close();
  });

  it('a configured basePath answers 404 outside it and strips it inside', async () => {
    const mounted = serveFastCGI(app, { port: 0, handleSignals: false, silent: true, basePath: '/shop' });
    await mounted.ready;
    const p = (mounted.server.address() as { port: number }).port;
    const c = new FcgiConnection(p);
    c.write(request(1, meta('/shop/cart?x=1'), '', true));
    const inside = json((await c.reply(1)).body);
    assert.deepEqual([inside.url, inside.basePath], ['http://example.test/cart?x=1', '/shop']);
    c.write(request(2, meta('/other'), '', true));
    assert.equal((await c.reply(2)).status, 404);
    c.close();
    await mounted.close();
  });
});

describe('FastCGI server lifecycle', () => {
  it('replaces a stale unix socket file, drains in-flight requests on close() and removes the socket', async () => {
    const path = join(dir, 'app.sock');
    // A stale socket: bound, then the process "crashed" without removing it.
    execFileSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);
    assert.ok(existsSync(path));
    const s = serveFastCGI(app, { socket: path, handleSignals: false, silent: true });
    await s.ready;
    const c = new FcgiConnection(path);
    await c.ready();
    c.write(request(1, meta('/slow?ms=300'), '', true));
    await new Promise((r) => setTimeout(r, 50));
    const closing = s.close();
    const r = await c.reply(1);
    assert.equal(r.body.toString(), 'slow done');
    await c.closed; // drained: the connection is closed after its last request
    await closing;
    assert.equal(existsSync(path), false);
  });

  it('closes a connection idle past idleTimeout, or stuck inside a request, but not one whose app is at work', async () => {
    const idleLogs: string[] = [];
    const s = serveFastCGI(app, { port: 0, handleSignals: false, silent: true, idleTimeout: 200, logError: (m) => idleLogs.push(m) });
    await s.ready;
    const p = (s.server.address() as { port: number }).port;
    const idle = new FcgiConnection(p);
    const stuck = new FcgiConnection(p);
    stuck.write(begin(1, true));
    const working = new FcgiConnection(p);
    working.write(request(1, meta('/slow?ms=600'), '', true));
    await Promise.all([idle.closed, stuck.closed]);
    assert.equal(idleLogs.filter((l) => /no bytes for 200 ms/.test(l)).length, 1);
    assert.equal((await working.reply(1)).body.toString(), 'slow done');
    working.close();
    await s.close();
  });

  it('names the socketMode to set when the umask left the unix socket closed to other users', async () => {
    const path = join(dir, 'mode.sock');
    const s = serveFastCGI(app, { socket: path, handleSignals: false, silent: true });
    await s.ready;
    try {
      chmodSync(path, 0o755);
      assert.match(socketModeHint(path, 'fastcgi', undefined) ?? '', /mode 0755: only its owner can connect;.*Permission denied.*fastcgi\.socketMode/);
      chmodSync(path, 0o770);
      assert.match(socketModeHint(path, 'scgi', undefined) ?? '', /mode 0770: only its owner and group can connect;.*scgi\.socketMode/);
      chmodSync(path, 0o666);
      assert.equal(socketModeHint(path, 'fastcgi', undefined), undefined);
      chmodSync(path, 0o700);
      assert.equal(socketModeHint(path, 'fastcgi', 0o700), undefined, 'a socketMode asked for is not second-guessed');
    } finally {
      await s.close();
    }
    assert.equal(socketModeHint(path, 'fastcgi', undefined), undefined, 'no socket, no note');
  });

  it('close() waits for waitUntil work', async () => {
    const s = serveFastCGI(app, { port: 0, handleSignals: false, silent: true });
    await s.ready;
    const c = new FcgiConnection((s.server.address() as { port: number }).port);
    c.write(request(1, meta('/wait-until')));
    assert.equal((await c.reply(1)).body.toString(), 'answered');
    assert.equal(state.waitUntilDone, false);
    await s.close();
    assert.equal(state.waitUntilDone, true);
  });
});
