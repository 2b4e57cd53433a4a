/**
 * A small FastCGI client for tests: speaks raw records over node:net, so the tests see exactly
 * what the gateway sends (record sizes, padding, END_REQUEST statuses), as a web server would.
 */
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { Buffer } from 'node:buffer';
import { encodePairs, encodeRecord, RecordReader, Type, type FcgiRecord } from '../../adapters/fastcgi/runtime/records.ts';

/** BEGIN_REQUEST for `id` (responder unless `role` says otherwise). */
export function begin(id: number, keepConn: boolean, role = 1): Buffer {
  return encodeRecord(Type.BEGIN_REQUEST, id, Buffer.from([role >> 8, role & 0xff, keepConn ? 1 : 0, 0, 0, 0, 0, 0]));
}

/** PARAMS records for `params` (split into pieces of `split` bytes), then the empty one. */
export function params(id: number, pairs: Record<string, string> | Array<[string, string]>, split = 65535): Buffer {
  const block = encodePairs(Array.isArray(pairs) ? pairs : Object.entries(pairs));
  const out: Buffer[] = [];
  for (let at = 0; at < block.length; at += split) out.push(encodeRecord(Type.PARAMS, id, block.subarray(at, at + split)));
  out.push(encodeRecord(Type.PARAMS, id));
  return Buffer.concat(out);
}

/** STDIN records for `body`, then the empty one (unless `end` is false). */
export function stdin(id: number, body: Uint8Array | string, end = true): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 65535) out.push(encodeRecord(Type.STDIN, id, bytes.subarray(at, at + 65535)));
  if (end) out.push(encodeRecord(Type.STDIN, id));
  return Buffer.concat(out);
}

/** One whole request: BEGIN, PARAMS, STDIN. */
export function request(id: number, meta: Record<string, string>, body: Uint8Array | string = '', keepConn = false): Buffer {
  return Buffer.concat([begin(id, keepConn), params(id, meta), stdin(id, body)]);
}

/** What came back for one request. */
export interface Reply {
  stdout: Buffer;
  /** Content sizes of the STDOUT records, in order. */
  sizes: number[];
  appStatus: number;
  protocolStatus: number;
  /** Status, headers and body of the CGI output. */
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** Split CGI output into status, header pairs (lower-case names) and body. */
export function parseCgi(out: Buffer): Pick<Reply, 'status' | 'headers' | 'body'> {
  const end = out.indexOf('\r\n\r\n');
  if (end === -1) return { status: 0, headers: [], body: out };
  const headers: Array<[string, string]> = [];
  for (const line of out.subarray(0, end).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
  }
  const status = Number(headers.find(([k]) => k === 'status')?.[1].split(' ')[0] ?? 200);
  return { status, headers, body: out.subarray(end + 4) };
}

/** A connection that collects replies by request id, and management records. */
export class FcgiConnection {
  readonly socket: Socket;
  readonly records: FcgiRecord[] = [];
  #reader = new RecordReader();
  #stdout = new Map<number, Buffer[]>();
  #sizes = new Map<number, number[]>();
  #waiters = new Map<number, (reply: Reply) => void>();
  #replies = new Map<number, Reply>();
  readonly closed: Promise<void>;

  constructor(address: string | number) {
    this.socket = typeof address === 'number' ? connect(address, '127.0.0.1') : connect(address);
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('data', (chunk: Buffer) => {
      for (const r of this.#reader.push(chunk)) {
        this.records.push({ ...r, content: Buffer.from(r.content) });
        if (r.type === Type.STDOUT) {
          if (!this.#stdout.has(r.requestId)) this.#stdout.set(r.requestId, []);
          this.#stdout.get(r.requestId)!.push(Buffer.from(r.content));
          if (r.content.length > 0) {
            if (!this.#sizes.has(r.requestId)) this.#sizes.set(r.requestId, []);
            this.#sizes.get(r.requestId)!.push(r.content.length);
          }
        } else if (r.type === Type.END_REQUEST) {
          const c = Buffer.from(r.content);
          const stdout = Buffer.concat(this.#stdout.get(r.requestId) ?? []);
          this.#stdout.delete(r.requestId);
          const reply: Reply = { stdout, sizes: this.#sizes.get(r.requestId) ?? [], appStatus: c.readUInt32BE(0), protocolStatus: c[4]!, ...parseCgi(stdout) };
          this.#sizes.delete(r.requestId);
          const waiter = this.#waiters.get(r.requestId);
          if (waiter) {
            this.#waiters.delete(r.requestId);
            waiter(reply);
          } else this.#replies.set(r.requestId, reply);
        }
      }
    });
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.socket.connecting) return resolve();
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The reply of request `id` (END_REQUEST seen), or a rejection when the connection closes first. */
  reply(id: number, timeoutMs = 10_000): Promise<Reply> {
    const ready = this.#replies.get(id);
    if (ready) {
      this.#replies.delete(id);
      return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no END_REQUEST for ${id} in ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.closed.then(() => {
        setImmediate(() => {
          if (this.#waiters.has(id)) {
            clearTimeout(timer);
            reject(new Error(`connection closed before END_REQUEST for ${id}`));
          }
        });
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Standard params for a request to `uri`. */
export function meta(uri: string, extra: Record<string, string> = {}): Record<string, string> {
  const q = uri.indexOf('?');
  return {
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: 'GET',
    REQUEST_URI: uri,
    SCRIPT_NAME: q === -1 ? uri : uri.slice(0, q),
    QUERY_STRING: q === -1 ? '' : uri.slice(q + 1),
    SERVER_NAME: 'localhost',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: '127.0.0.1',
    HTTP_HOST: 'example.test',
    ...extra,
  };
}

/**
 * One request through libfcgi's `cgi-fcgi -bind -connect` (Debian: libfcgi-bin), a FastCGI
 * client other than ours: params from the environment, body on stdin.
 *
 * @example
 * const reply = await cgiFcgi('127.0.0.1:9000', meta('/hello'));
 */
export function cgiFcgi(address: string, env: Record<string, string>, body = ''): Promise<ReturnType<typeof parseCgi>> {
  return new Promise((resolve, reject) => {
    const child = execFile('cgi-fcgi', ['-bind', '-connect', address], { env: { ...env }, encoding: 'buffer' }, (error, stdout) => {
      if (error) reject(error);
      else resolve(parseCgi(stdout));
    });
    child.stdin!.end(body);
  });
}
