/**
 * `fromNodeHandler`: an Express/Connect/Koa-callback `(req, res, next?)` handler as a portico app
 * (DESIGN §1, the serverless-http idea). On the node gateway the real IncomingMessage and
 * ServerResponse are handed over as they are (no conversion at all); on other Node-based
 * gateways a synthetic pair is built from the Request, and what the handler writes becomes a
 * streamed Response.
 */
import { IncomingMessage, ServerResponse, STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';
import type { App, Context } from '../../src/app.ts';
import { LightHeaders } from '../_http/headers.ts';
import { FastResponse } from '../_http/response.ts';
import type { NodeRequest } from './request.ts';

/** An Express/Connect style handler. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => unknown;

const NOT_FOUND = 'Not Found\n';

/**
 * An error with an HTTP status handed to `next`, answered with that status as Express's final
 * handler does, instead of a 500 blamed on the app:
 * - 4xx (body-parser's 400 for malformed JSON, http-errors' 4xx): a client's mistake, not logged;
 *   its message is shown only when the error says it may be (`expose`, http-errors' flag).
 * - 501–599 (`next(createError(503))` while a dependency is down): the app chose the status; it
 *   is logged as a server error and the body is the status text only.
 * Undefined (the caller rejects, and the gateway logs it and answers 500) for anything else.
 */
function statusErrorResponse(error: unknown): Response | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown; stack?: unknown };
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599 || status === 500) return undefined;
  let text: string;
  if (status >= 500) {
    console.error(`[portico] the app answered ${status} through next(error): ${typeof e.stack === 'string' ? e.stack : String(e.message)}`);
    text = `${STATUS_CODES[status] ?? 'Server Error'}\n`;
  } else {
    text = e.expose !== false && typeof e.message === 'string' && e.message !== '' ? `${e.message}\n` : 'Bad Request\n';
  }
  return new FastResponse(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } }) as unknown as Response;
}

/**
 * @example
 * import express from 'express';
 * import { fromNodeHandler, serve } from 'portico/node';
 * const ex = express();
 * ex.get('/', (req, res) => res.json({ ok: true }));
 * serve(fromNodeHandler(ex), { port: 3000 });
 */
export function fromNodeHandler(handler: NodeHandler): App<any> {
  if (typeof handler !== 'function') {
    throw new TypeError('PORTICO_BAD_HANDLER: fromNodeHandler(handler) needs a function (req, res, next) such as an Express app');
  }
  return {
    fetch(request: Request, _env: unknown, ctx: Context): Promise<Response> {
      const platform = ctx.platform as { req?: unknown; res?: unknown } | undefined;
      const r = request as unknown as NodeRequest;
      // Not `instanceof`: LightRequest's instanceof is also true of native Requests.
      if (platform?.req !== undefined && platform.req === r._req && platform.res === r._res && !r._bodyTouched) {
        return runDirect(handler, r);
      }
      return runSynthetic(handler, request, ctx);
    },
  };
}

/** The app-relative path + query of a request URL (what `req.url` is in node). */
function pathOf(href: string): string {
  const scheme = href.indexOf('://');
  const slash = href.indexOf('/', scheme === -1 ? 0 : scheme + 3);
  return slash === -1 ? '/' : href.slice(slash);
}

/**
 * The node gateway: the handler writes to the real response. Resolves once it has answered
 * (with a placeholder the gateway does not send, since the headers are out), 404 when it
 * passes the request on with `next()`, and rejects with `next(error)` or a throw.
 */
function runDirect(handler: NodeHandler, request: NodeRequest): Promise<Response> {
  const req = request._req as IncomingMessage & { originalUrl?: string };
  const res = request._res;
  request._bodyTouched = true;
  const inner = pathOf(request.url);
  // Connect's mount convention: `url` relative to the mount, `originalUrl` as received.
  if (inner !== req.url) {
    req.originalUrl ??= req.url;
    req.url = inner;
  }
  return new Promise<Response>((resolve, reject) => {
    const answered = () => resolve(new FastResponse(null, { status: res.statusCode >= 200 ? res.statusCode : 200 }) as unknown as Response);
    res.once('finish', answered);
    res.once('close', answered);
    const next = (error?: unknown) => {
      const answer = res.headersSent ? undefined : statusErrorResponse(error);
      if (answer !== undefined) resolve(answer);
      else if (error !== undefined && error !== null && error !== 'route' && error !== 'router') reject(error);
      else if (!res.headersSent) resolve(new FastResponse(NOT_FOUND, { status: 404 }) as unknown as Response);
    };
    try {
      const out = handler(req, res, next);
      if (out !== null && typeof out === 'object' && typeof (out as Promise<unknown>).then === 'function') {
        (out as Promise<unknown>).then(undefined, reject);
      }
    } catch (error) {
      reject(error);
    }
  });
}

/** A socket stand-in for the synthetic pair: it carries the addresses and swallows writes. */
class SyntheticSocket extends Duplex {
  remoteAddress: string | undefined;
  encrypted: boolean;
  constructor(remoteAddress: string | undefined, encrypted: boolean) {
    super();
    this.remoteAddress = remoteAddress;
    this.encrypted = encrypted;
  }
  override _read(): void {}
  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    callback();
  }
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

interface Collecting {
  onHead: (status: number, statusText: string, headers: Array<[string, string]>) => void;
  controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  waitingForDrain: boolean;
}

/**
 * A ServerResponse that sends nothing anywhere: the head it would write becomes the status and
 * headers of a Response, and the body bytes go into that Response's stream (with 'drain' when
 * the reader catches up, so handlers that respect backpressure keep memory bounded). The two
 * hooks are own properties, not a subclass: Express swaps the prototype of `res` for its own.
 */
function collectingResponse(req: IncomingMessage): ServerResponse & Collecting {
  const res = new ServerResponse(req) as ServerResponse & Collecting & { _send: unknown; _header: string; _headerSent: boolean; chunkedEncoding: boolean };
  res.controller = undefined;
  res.waitingForDrain = false;
  const writeHead = res.writeHead as (...a: unknown[]) => unknown;
  res.writeHead = function (this: typeof res, ...args: unknown[]) {
    writeHead.apply(this, args);
    // node has rendered the head as text; reading it back covers every way of setting
    // headers (setHeader, writeHead objects, arrays, raw pairs).
    const lines = String(this._header).split('\r\n');
    const headers: Array<[string, string]> = [];
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (!HOP_BY_HOP.has(name)) headers.push([name, line.slice(colon + 1).trim()]);
    }
    // The body goes to a stream, never through node's chunked framing.
    this.chunkedEncoding = false;
    this.onHead(this.statusCode, this.statusMessage ?? '', headers);
    return this;
  } as unknown as typeof res.writeHead;
  res._send = function (this: typeof res, data: string | Uint8Array, encoding: BufferEncoding | null, callback?: (() => void) | null): boolean {
    this._headerSent = true;
    const c = this.controller;
    if (c !== undefined && data.length > 0) {
      try {
        c.enqueue(typeof data === 'string' ? Buffer.from(data, encoding ?? 'utf8') : data);
      } catch {
        // The reader cancelled: drop the bytes.
      }
    }
    if (callback) process.nextTick(callback);
    if (c !== undefined && c.desiredSize !== null && c.desiredSize <= 0) {
      this.waitingForDrain = true;
      return false;
    }
    return true;
  };
  return res;
}

/** Fields of a Headers as node's `req.headers` object and `rawHeaders` list. */
function nodeHeaders(headers: Headers | LightHeaders): { object: Record<string, string | string[]>; raw: string[] } {
  const object: Record<string, string | string[]> = {};
  const raw: string[] = [];
  headers.forEach((value, name) => {
    raw.push(name, value);
    if (name === 'set-cookie') object[name] = value.split(', ');
    else object[name] = value;
  });
  return { object, raw };
}

/** Other Node-based gateways: a synthetic IncomingMessage/ServerResponse pair. */
function runSynthetic(handler: NodeHandler, request: Request, ctx: Context): Promise<Response> {
  const url = new URL(request.url);
  const socket = new SyntheticSocket(ctx.clientAddress, url.protocol === 'https:');
  const req = new IncomingMessage(socket as never) as IncomingMessage & { originalUrl?: string };
  req.method = request.method;
  req.url = pathOf(request.url);
  req.httpVersion = '1.1';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  const { object, raw } = nodeHeaders(request.headers as Headers);
  // A body with neither length nor framing (a Lambda event, a CGI request without
  // CONTENT_LENGTH) is, to node's readers, no body at all: body-parser's `hasBody` looks for one
  // of the two. Say it comes chunked, as node:http would for a streamed upload.
  if (request.body !== null && object['content-length'] === undefined && object['transfer-encoding'] === undefined) {
    object['transfer-encoding'] = 'chunked';
    raw.push('transfer-encoding', 'chunked');
  }
  req.headers = object;
  req.rawHeaders = raw;
  if (ctx.basePath !== '') req.originalUrl = ctx.basePath + req.url;

  // Body: pull from the Request's stream only as the handler reads (backpressure).
  const body = request.body;
  if (body === null) {
    req.push(null);
  } else {
    const reader = body.getReader();
    let reading = false;
    req._read = () => {
      if (reading) return;
      reading = true;
      reader.read().then(
        ({ done, value }) => {
          reading = false;
          if (done) req.push(null);
          else if (req.push(value)) req._read(0);
        },
        (error) => req.destroy(error),
      );
    };
  }
  request.signal?.addEventListener('abort', () => req.destroy(), { once: true });

  const res = collectingResponse(req);
  return new Promise<Response>((resolve, reject) => {
    let responded = false;
    res.onHead = (status, statusText, headers) => {
      responded = true;
      const noBody = request.method === 'HEAD' || status === 204 || status === 304 || status < 200;
      const stream = noBody
        ? null
        : new ReadableStream<Uint8Array>({
            start(c) {
              res.controller = c;
            },
            pull() {
              if (res.waitingForDrain) {
                res.waitingForDrain = false;
                res.emit('drain');
              }
            },
            cancel() {
              res.controller = undefined;
              res.destroy();
            },
          });
      resolve(new FastResponse(stream, { status: status < 200 ? 200 : status, statusText, headers: new LightHeaders(headers) as unknown as HeadersInit }) as unknown as Response);
    };
    res.once('finish', () => {
      try {
        res.controller?.close();
      } catch {
        // already closed or cancelled
      }
    });
    const next = (error?: unknown) => {
      if (responded) return;
      const answer = statusErrorResponse(error);
      if (answer !== undefined) resolve(answer);
      else if (error !== undefined && error !== null && error !== 'route' && error !== 'router') reject(error);
      else resolve(new FastResponse(NOT_FOUND, { status: 404 }) as unknown as Response);
    };
    try {
      const out = handler(req, res, next);
      if (out !== null && typeof out === 'object' && typeof (out as Promise<unknown>).then === 'function') {
        (out as Promise<unknown>).then(undefined, (error) => {
          if (responded) res.controller?.error(error);
          else reject(error);
        });
      }
    } catch (error) {
      reject(error);
    }
  });
}
