/**
 * Helpers for the node gateway tests: start `serve()` on 127.0.0.1:0 and talk to it with
 * node:http (raw paths are sent as given, which fetch would normalise) or a raw socket.
 */
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { serve, type ServeHandle, type ServeOptions } from '../../adapters/node/runtime/node.ts';
import type { App } from '../../src/app.ts';

export interface Started {
  handle: ServeHandle;
  port: number;
  url: string;
  logs: string[];
  close(): Promise<void>;
}

/** serve() on an ephemeral loopback port, quietly, with error lines collected in `logs`. */
export async function start(app: App<any>, options: ServeOptions<any> = {}): Promise<Started> {
  const logs: string[] = [];
  const handle = serve(app, {
    port: 0,
    host: '127.0.0.1',
    handleSignals: false,
    silent: true,
    logError: (message, error) => logs.push(`${message} ${error instanceof Error ? error.message : error ?? ''}`),
    ...options,
  });
  await handle.ready;
  const port = Number(new URL(handle.url).port);
  return { handle, port, url: handle.url, logs, close: () => handle.close() };
}

export interface RawResponse {
  status: number;
  statusMessage: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  body: Buffer;
}

/** One request with node:http; `path` goes on the wire exactly as given. */
export function send(
  port: number,
  opts: { method?: string; path?: string; headers?: OutgoingHttpHeaders | string[]; body?: string | Uint8Array; agent?: false } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = opts.headers ?? {};
    if (opts.body !== undefined && !Array.isArray(headers) && headers['content-length'] === undefined) {
      headers['content-length'] = Buffer.byteLength(opts.body as string);
    }
    // With raw header arrays node's client adds no Host; HTTP/1.1 requires one.
    if (Array.isArray(headers) && !headers.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'host')) headers.unshift('Host', `127.0.0.1:${port}`);
    if (opts.body !== undefined && Array.isArray(headers) && !headers.some((h) => h.toLowerCase() === 'content-length')) {
      headers.push('content-length', String(Buffer.byteLength(opts.body as string)));
    }
    const req = httpRequest(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: headers as OutgoingHttpHeaders, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error('test request timed out')));
    req.end(opts.body);
  });
}

/** Write raw bytes to the server and collect everything it answers until it closes (or `ms`). */
export function rawExchange(port: number, bytes: string | Buffer, ms = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      if (chunks.length) resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(e);
    });
    socket.write(bytes);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
