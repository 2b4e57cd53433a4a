/**
 * Writing an app's Response to a node ServerResponse (STYLE §6). A string or byte body goes out
 * as one `writeHead(status, flatHeaders)` and one `end(body)` with Content-Length; a flat
 * [name, value, ...] array keeps several Set-Cookie apart. Only real streams take the stream
 * path, which waits for 'drain' (backpressure) and cancels the stream when the client leaves.
 */
import type { ServerResponse } from 'node:http';
import { wireValue } from '../_http/headers.ts';
import { FastResponse, isPlainRecord, responseParts, type WireBody } from '../_http/response.ts';
import { endEmpty, writeHead } from './head.ts';
import { declaredLength, peekStream, pipeStream, type Log } from './send-stream.ts';

const TEXT_PLAIN = 'text/plain;charset=UTF-8';

/**
 * Whether `value` is something the gateway can send: a FastResponse or a native Response.
 *
 * @example
 * isResponse(new Response('')); // true
 * isResponse({ status: 200 });  // false
 */
export function isResponse(value: unknown): value is Response | FastResponse {
  if (FastResponse.isLight(value)) return true;
  const Native = (globalThis as { Response?: typeof Response }).Response;
  return Native !== undefined && value instanceof Native;
}

/**
 * Write `response` to `res`. Returns nothing; stream bodies finish in the background and
 * report errors through `log`; a stream body that makes no progress for `idleMs` (0: no limit)
 * is cut, the connection closed. Throws synchronously only when node rejects a header (invalid
 * name or value) before anything was sent, so the caller can still answer 500.
 *
 * @example
 * sendResponse(res, new FastResponse('hi'), console.error);
 */
export function sendResponse(res: ServerResponse, response: Response | FastResponse, log: Log, idleMs = 0): void {
  // Hot path: a FastResponse with a string (or no) body and a plain-object headers init,
  // flattened straight into writeHead's array without building a Headers object.
  if (FastResponse.isLight(response) && !response._hasNative && !response.bodyUsed) {
    const body = response._body;
    const init = response._headersInit;
    if ((typeof body === 'string' || body == null || body instanceof Uint8Array) && (init == null || isPlainRecord(init))) {
      const flat: string[] = [];
      let hasType = false;
      let appLength: string | undefined;
      if (init != null) {
        for (const key of Object.keys(init)) {
          const value = (init as Record<string, unknown>)[key];
          if (value === undefined) continue;
          const n = key.length;
          if (n === 10 || n === 12 || n === 14 || n === 16 || n === 17) {
            const lower = key.toLowerCase();
            if (lower === 'content-type') hasType = true;
            else if (lower === 'content-length') {
              appLength = String(value);
              continue;
            } else if (HOP_BY_HOP.has(lower)) {
              if (lower === 'connection') connection(res, String(value));
              continue;
            }
          }
          if (Array.isArray(value)) for (const v of value) flat.push(key, String(v));
          else flat.push(key, String(value));
        }
      }
      const wide = toWire(flat);
      if (typeof body === 'string') {
        if (!hasType) flat.push('content-type', TEXT_PLAIN);
        flat.push('content-length', String(Buffer.byteLength(body)));
        writeHead(res, response._status, response._statusText, flat);
        res.end(wide ? Buffer.from(body) : body);
      } else if (body != null) {
        flat.push('content-length', String(body.byteLength));
        writeHead(res, response._status, response._statusText, flat);
        res.end(body);
      } else {
        endEmpty(res, response._status, response._statusText, flat, appLength);
      }
      return;
    }
  }
  const parts = responseParts(response as Response);
  writeParts(res, parts.status, parts.statusText, parts.headers, parts.body, FastResponse.isLight(response), log, idleMs);
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Fields about this one connection, which the gateway owns (RFC 9110 §7.6.1): an app's copy
 * (often passed on from an upstream fetch()) would contradict node's own framing and
 * keep-alive. Upgrade stays: a 426 must carry it (RFC 9110 §15.5.22).
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding']);

/** An app's `Connection: close` is honoured (node then closes after this response); other values are node's to decide. */
function connection(res: ServerResponse, value: string): void {
  if (/(?:^|,)\s*close\s*(?:,|$)/i.test(value)) res.shouldKeepAlive = false;
}

/**
 * Make every header value of a flat list sendable (wireValue: UTF-8 bytes as Latin-1 chars)
 * and say whether any is not ASCII. node writes the head together with a string body in the
 * body's encoding (utf8), which would encode such a value a second time; the caller then
 * passes the body as bytes, so the head goes out as Latin-1 (node's _http_outgoing `_send`).
 */
function toWire(flat: string[]): boolean {
  let wide = false;
  for (let i = 1; i < flat.length; i += 2) {
    const v = flat[i]!;
    if (NON_ASCII.test(v)) {
      wide = true;
      flat[i] = wireValue(v);
    }
  }
  return wide;
}

/**
 * Write classified response parts: the general path for LightHeaders, native Headers and
 * native Responses. `eager` says whether a stream comes from the app itself (flush headers at
 * once, as server-sent events need) or from a native Response, where the whole body is often
 * one ready chunk that can go out with a Content-Length.
 */
export function writeParts(
  res: ServerResponse,
  status: number,
  statusText: string,
  headers: Array<[string, string]>,
  body: WireBody,
  eager: boolean,
  log: Log,
  idleMs = 0,
): void {
  const flat: string[] = [];
  let appLength: string | undefined;
  for (const [k, v] of headers) {
    if (k === 'content-length') {
      appLength = v;
      continue;
    }
    if (HOP_BY_HOP.has(k)) {
      if (k === 'connection') connection(res, v);
      continue;
    }
    flat.push(k, v);
  }
  const wide = toWire(flat);
  switch (body.kind) {
    case 'none':
      endEmpty(res, status, statusText, flat, appLength);
      return;
    case 'text':
      flat.push('content-length', String(Buffer.byteLength(body.text)));
      writeHead(res, status, statusText, flat);
      res.end(wide ? Buffer.from(body.text) : body.text);
      return;
    case 'bytes':
      flat.push('content-length', String(body.bytes.byteLength));
      writeHead(res, status, statusText, flat);
      res.end(body.bytes);
      return;
    case 'stream':
      // A stream's length is the app's word; an invalid one is dropped (chunked instead), a
      // wrong one is caught while sending (pipeStream).
      if (declaredLength(appLength) === undefined) appLength = undefined;
      if (eager && res.req?.method === 'HEAD') {
        if (appLength !== undefined) flat.push('content-length', appLength);
        writeHead(res, status, statusText, flat);
        res.end();
        body.stream.cancel().catch(() => {});
        return;
      }
      if (eager) {
        if (appLength !== undefined) flat.push('content-length', appLength);
        writeHead(res, status, statusText, flat);
        res.flushHeaders();
        pipeStream(res, body.stream.getReader(), log, idleMs, declaredLength(appLength));
      } else {
        peekStream(res, status, statusText, flat, appLength, body.stream.getReader(), log, idleMs);
      }
  }
}
