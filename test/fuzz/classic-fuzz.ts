/**
 * Fuzz the classic gateways' handling of outside bytes: the FastCGI record and name-value
 * parsers, the SCGI netstring parser, and whole FastCGI and SCGI connections (the real
 * connection handlers and the shared CGI core, over an in-memory socket, with a real app).
 * Inputs are seeded mutations of valid requests (bit flips, cut points, spliced records,
 * random lengths, ids and types) and plain random bytes.
 *
 * A crash is an exception other than the parser's own error type, an exception escaping a
 * connection handler, an uncaught exception or unhandled rejection, or output that is not
 * well-formed FastCGI records. Run:
 *
 *   node test/fuzz/classic-fuzz.ts [--inputs 1000000] [--seed 1]
 *
 * It prints the inputs per target and the crash count, and exits 1 on any crash.
 */
import { EventEmitter } from 'node:events';
import { Buffer } from 'node:buffer';
import { parseArgs } from 'node:util';
import { createCgiHandler } from '../../adapters/_cgi/handler.ts';
import { FastResponse } from '../../adapters/_http/response.ts';
import { fastcgiConnection } from '../../adapters/fastcgi/runtime/connection.ts';
import { decodePairs, encodePairs, encodeRecord, RecordError, RecordReader, Type } from '../../adapters/fastcgi/runtime/records.ts';
import { scgiConnection } from '../../adapters/scgi/runtime/connection.ts';
import { encodeScgiHeader, NetstringError, parseScgiHeader } from '../../adapters/scgi/runtime/netstring.ts';

const { values } = parseArgs({ options: { inputs: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' } } });
const TOTAL = Number(values.inputs);
let seed = Number(values.seed) >>> 0 || 1;

/** xorshift32: reproducible from --seed. */
function rand(): number {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed;
}
const below = (n: number) => rand() % n;

const crashes: string[] = [];
function crash(target: string, what: unknown, input: Uint8Array): void {
  if (crashes.length < 20) crashes.push(`${target}: ${what instanceof Error ? (what.stack ?? what.message) : String(what)}\n  input (hex, first 200 bytes): ${Buffer.from(input).subarray(0, 200).toString('hex')}`);
  else crashes.push(target);
}
process.on('uncaughtException', (e) => crash('uncaught', e, new Uint8Array()));
process.on('unhandledRejection', (e) => crash('unhandled rejection', e, new Uint8Array()));

// ---- valid inputs to mutate ----
const metas: Array<Record<string, string>> = [
  { REQUEST_METHOD: 'GET', REQUEST_URI: '/a?b=1', HTTP_HOST: 'x.test', HTTP_COOKIE: 'a=1' },
  { REQUEST_METHOD: 'POST', REQUEST_URI: '/post', CONTENT_LENGTH: '5', CONTENT_TYPE: 'text/plain', HTTP_HOST: 'x.test' },
  { REQUEST_METHOD: 'POST', REQUEST_URI: '/stream', HTTP_HOST: 'x.test', ['HTTP_X_' + 'L'.repeat(150)]: 'v'.repeat(300) },
  { REQUEST_METHOD: 'HEAD', SCRIPT_NAME: '/app', PATH_INFO: '/p q', QUERY_STRING: 'x', SERVER_NAME: '::1', SERVER_PORT: '81' },
];
function fcgiRequest(id: number, m: Record<string, string>, body: string, keep: boolean): Buffer {
  const block = encodePairs(Object.entries(m));
  const split = 1 + below(block.length + 1);
  const parts = [encodeRecord(Type.BEGIN_REQUEST, id, Buffer.from([0, 1, keep ? 1 : 0, 0, 0, 0, 0, 0]))];
  for (let at = 0; at < block.length; at += split) parts.push(encodeRecord(Type.PARAMS, id, block.subarray(at, at + split)));
  parts.push(encodeRecord(Type.PARAMS, id), encodeRecord(Type.STDIN, id, Buffer.from(body)), encodeRecord(Type.STDIN, id));
  return Buffer.concat(parts);
}
function validFcgi(): Buffer {
  const n = 1 + below(3);
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) parts.push(fcgiRequest(1 + below(3), metas[below(metas.length)]!, 'hello', below(2) === 0));
  if (below(4) === 0) parts.push(encodeRecord(Type.GET_VALUES, 0, encodePairs([['FCGI_MPXS_CONNS', '']])));
  if (below(8) === 0) parts.push(encodeRecord(Type.ABORT_REQUEST, 1));
  return Buffer.concat(parts);
}
function validScgi(): Buffer {
  const m = metas[below(metas.length)]!;
  const body = 'hello';
  return Buffer.concat([encodeScgiHeader([['CONTENT_LENGTH', String(body.length)], ...Object.entries(m)]), Buffer.from(body)]);
}

/** Mutate: flip bytes, cut, duplicate a slice, insert random bytes, or all-random. */
function mutate(valid: Buffer): Buffer {
  const kind = below(8);
  if (kind === 0) {
    const out = Buffer.allocUnsafe(below(300));
    for (let i = 0; i < out.length; i++) out[i] = below(256);
    return out;
  }
  const buf = Buffer.from(valid);
  const flips = 1 + below(kind === 1 ? 20 : 4);
  for (let i = 0; i < flips && buf.length > 0; i++) buf[below(buf.length)] = kind === 2 ? [0, 0x7f, 0x80, 0xff, 1, 8][below(6)]! : below(256);
  if (kind === 3) return buf.subarray(0, below(buf.length + 1));
  if (kind === 4) {
    const a = below(buf.length + 1);
    const b = a + below(buf.length - a + 1);
    return Buffer.concat([buf.subarray(0, b), buf.subarray(a, b), buf.subarray(b)]);
  }
  if (kind === 5) {
    const at = below(buf.length + 1);
    const extra = Buffer.allocUnsafe(1 + below(16));
    for (let i = 0; i < extra.length; i++) extra[i] = below(256);
    return Buffer.concat([buf.subarray(0, at), extra, buf.subarray(at)]);
  }
  return buf;
}
/** Cut `buf` into 1-4 pieces, as a socket may deliver it. */
function pieces(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  const n = below(4);
  for (let i = 0; i < n && at < buf.length; i++) {
    const len = below(buf.length - at + 1);
    out.push(buf.subarray(at, at + len));
    at += len;
  }
  out.push(buf.subarray(at));
  return out;
}

// ---- targets ----
function fuzzRecords(input: Buffer): void {
  const reader = new RecordReader();
  try {
    for (const chunk of pieces(input)) {
      for (const r of reader.push(chunk)) {
        if (r.content.length > 65535) throw new Error('record content over 65535');
        decodePairs(r.content, () => {});
      }
    }
  } catch (error) {
    if (!(error instanceof RecordError)) crash('records', error, input);
  }
}

function fuzzNetstring(input: Buffer): void {
  try {
    const r = parseScgiHeader(input, 4096);
    if (r && (r.consumed > input.length || r.params.get('CONTENT_LENGTH') === undefined)) throw new Error('inconsistent parse');
  } catch (error) {
    if (!(error instanceof NetstringError)) crash('netstring', error, input);
  }
}

/** An in-memory socket with what the connection handlers use. */
class FakeSocket extends EventEmitter {
  written: Buffer[] = [];
  destroyed = false;
  connecting = false;
  write(chunk: Uint8Array | string, encoding?: BufferEncoding): boolean {
    if (!this.destroyed) this.written.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : Buffer.from(chunk));
    return below(4) !== 0; // now and then "full": the drain path runs
  }
  end(): void {
    this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    queueMicrotask(() => this.emit('close'));
  }
  cork(): void {}
  uncork(): void {}
  pause(): void {}
  resume(): void {}
  setNoDelay(): void {}
  setTimeout(): void {}
}

let appCalls = 0;
const app = {
  async fetch(request: Request): Promise<Response> {
    appCalls++;
    const path = new URL(request.url).pathname;
    if (path === '/stream') {
      let n = 0;
      return new FastResponse(new ReadableStream({ pull(c) { if (n++ < 3) c.enqueue(new Uint8Array(70_000)); else c.close(); } })) as unknown as Response;
    }
    const body = request.method === 'POST' ? await request.text() : '';
    return new FastResponse(`ok ${body.length}`, { headers: { 'set-cookie': 'a=1' } }) as unknown as Response;
  },
};
const quiet = () => {};
const handler = createCgiHandler(app, { logError: quiet, maxBodySize: 1 << 16 }, 'fastcgi');
const scgiHandler = createCgiHandler(app, { logError: quiet, maxBodySize: 1 << 16 }, 'scgi');

function fuzzFcgiConnection(input: Buffer): FakeSocket {
  const socket = new FakeSocket();
  try {
    const conn = fastcgiConnection(socket as never, handler, { maxParamsSize: 4096, maxRequests: 8, idleTimeout: 1 }, quiet);
    for (const chunk of pieces(input)) socket.emit('data', chunk);
    if (below(4) === 0) for (let i = 0; i < 3; i++) conn.sweep(1); // the idle timeout fires
    socket.emit('drain');
    if (below(2) === 0) socket.emit('end');
    else socket.destroy();
  } catch (error) {
    crash('fastcgi connection', error, input);
  }
  return socket;
}

function checkFcgiOutput(socket: FakeSocket, input: Buffer): void {
  try {
    const reader = new RecordReader();
    reader.push(Buffer.concat(socket.written));
  } catch (error) {
    crash('fastcgi output', error, input);
  }
}

function fuzzScgiConnection(input: Buffer): void {
  const socket = new FakeSocket();
  try {
    const conn = scgiConnection(socket as never, scgiHandler, { maxParamsSize: 4096, idleTimeout: 1 }, quiet);
    for (const chunk of pieces(input)) socket.emit('data', chunk);
    if (below(4) === 0) for (let i = 0; i < 3; i++) conn.sweep!(1); // the idle timeout fires
    socket.emit('drain');
    socket.emit('end');
  } catch (error) {
    crash('scgi connection', error, input);
  }
}

// ---- run ----
const share = { records: 0.3, netstring: 0.3, fastcgi: 0.25, scgi: 0.15 };
const counts = { records: 0, netstring: 0, fastcgi: 0, scgi: 0 };
const started = performance.now();
let pending: Array<[FakeSocket, Buffer]> = [];
for (let i = 0; i < TOTAL; i++) {
  const pick = (i % 100) / 100;
  if (pick < share.records) {
    fuzzRecords(mutate(validFcgi()));
    counts.records++;
  } else if (pick < share.records + share.netstring) {
    fuzzNetstring(mutate(validScgi()));
    counts.netstring++;
  } else if (pick < share.records + share.netstring + share.fastcgi) {
    const input = mutate(validFcgi());
    pending.push([fuzzFcgiConnection(input), input]);
    counts.fastcgi++;
  } else {
    fuzzScgiConnection(mutate(validScgi()));
    counts.scgi++;
  }
  if (i % 2000 === 1999) {
    // Let the app calls, streams and socket closes of this batch run before checking output.
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setImmediate(r));
    for (const [socket, input] of pending) checkFcgiOutput(socket, input);
    pending = [];
  }
}
await new Promise((r) => setTimeout(r, 50));
for (const [socket, input] of pending) checkFcgiOutput(socket, input);

const seconds = (performance.now() - started) / 1000;
console.log(`inputs: ${TOTAL} in ${seconds.toFixed(1)} s (seed ${values.seed})`);
console.log(`  FastCGI records + name-value pairs: ${counts.records}`);
console.log(`  SCGI netstring headers:             ${counts.netstring}`);
console.log(`  FastCGI connections (core + app):   ${counts.fastcgi}`);
console.log(`  SCGI connections (core + app):      ${counts.scgi}`);
console.log(`  requests that reached the app:      ${appCalls}`);
console.log(`crashes: ${crashes.length}`);
for (const c of crashes.slice(0, 20)) console.log(c);
process.exit(crashes.length === 0 ? 0 : 1);
