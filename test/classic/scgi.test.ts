/**
 * The SCGI gateway over real sockets with a raw client: the netstring header, the body, the
 * CGI-style response, half-closing clients, limits and malformed headers.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { connect } from 'node:net';
import { serveSCGI } from '../../adapters/scgi/runtime/scgi.ts';
import { encodeScgiHeader } from '../../adapters/scgi/runtime/netstring.ts';
import type { ClassicHandle } from '../../adapters/_cgi/server.ts';
import { app, state } from './app.ts';
import { meta, parseCgi } from './fcgi-client.ts';

const logs: string[] = [];
let server: ClassicHandle;
let port: number;

before(async () => {
  server = serveSCGI(app, { port: 0, handleSignals: false, silent: true, maxParamsSize: 4096, logError: (m) => logs.push(m) });
  await server.ready;
  port = (server.server.address() as { port: number }).port;
});
after(() => server.close());

/** Send raw bytes, collect everything until the server closes. */
function exchange(bytes: Buffer | Buffer[], opts: { halfClose?: boolean } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(got)));
    for (const b of Array.isArray(bytes) ? bytes : [bytes]) s.write(b);
    if (opts.halfClose) s.end();
  });
}

function scgi(uri: string, extra: Record<string, string> = {}, body = ''): Buffer {
  const m = meta(uri, extra);
  const pairs: Array<[string, string]> = [['CONTENT_LENGTH', String(Buffer.byteLength(body))], ['SCGI', '1'], ...Object.entries(m)];
  return Buffer.concat([encodeScgiHeader(pairs), Buffer.from(body)]);
}

describe('SCGI', () => {
  it('answers a GET with a CGI-style response and closes', async () => {
    const r = parseCgi(await exchange(scgi('/a%2Fb?x=1+2')));
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body.toString());
    assert.deepEqual([body.url, body.gateway], ['http://example.test/a%2Fb?x=1+2', 'scgi']);
  });

  it('reads exactly CONTENT_LENGTH body bytes', async () => {
    const r = parseCgi(await exchange([scgi('/post', { REQUEST_METHOD: 'POST' }, 'hello body'), Buffer.from('trailing junk')]));
    assert.equal(JSON.parse(r.body.toString()).body, 'hello body');
  });

  it('the web server closing the connection (its client left) aborts request.signal', async () => {
    state.aborted = false;
    await exchange(scgi('/wait-abort'), { halfClose: true });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(state.aborted, true);
  });

  it('takes the header block in pieces, byte by byte', async () => {
    const wire = scgi('/pieces');
    const pieces = [...wire].map((b) => Buffer.from([b]));
    const r = parseCgi(await exchange(pieces));
    assert.equal(JSON.parse(r.body.toString()).url, 'http://example.test/pieces');
  });

  it('streams a large body back with backpressure', async () => {
    const r = parseCgi(await exchange(scgi('/stream?size=100000&n=30')));
    assert.equal(r.body.length, 3_000_000);
    assert.equal(state.cancelled, false);
  });

  it('a client that leaves while the gateway waits for it to read cancels the response stream, with one log line', async () => {
    // The pump waits for 'drain' on a full socket; a destroyed socket never drains, so leaving
    // must wake it, or the app's stream is never cancelled (a push stream, such as server-sent
    // events, would then buffer for nobody forever). Found by bench/soak-classic.ts.
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.pause();
    s.write(scgi('/stream?size=65536&n=2000')); // 128 MiB on offer
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(state.pulled < 16 * 1024 * 1024, `pulled ${state.pulled} bytes for a client that reads nothing`);
    logs.length = 0;
    s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(state.cancelled, true);
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /GET \/stream\?\S*: the client went away after \d+ body bytes/);
  });

  it('answers 431 for a header block over maxParamsSize, 400 for a truncated body, and closes on garbage with one log line', async () => {
    assert.equal(parseCgi(await exchange(scgi('/big', { HTTP_X_BIG: 'x'.repeat(5000) }))).status, 431);
    const truncated = scgi('/short', { REQUEST_METHOD: 'POST' }, 'abcdef').subarray(0, -3);
    assert.equal(parseCgi(await exchange(truncated, { halfClose: true })).status, 400);
    logs.length = 0;
    assert.equal((await exchange(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).length, 0);
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /PORTICO_SCGI_BAD_HEADER/);
    assert.equal(parseCgi(await exchange(scgi('/after'))).status, 200);
  });

  it('an app error is a 500 and one log line', async () => {
    logs.length = 0;
    assert.equal(parseCgi(await exchange(scgi('/throw'))).status, 500);
    assert.equal(logs.length, 1);
  });
});
