/**
 * Writing an app's Response to a node ServerResponse (STYLE §6). A string or byte body goes out
 * as one `writeHead(status, flatHeaders)` and one `end(body)` with Content-Length; a flat
 * [name, value, ...] array keeps several Set-Cookie apart. Only real streams take the stream
 * path, which waits for 'drain' (backpressure) and cancels the stream when the client leaves.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { wireValue } from '../_http/headers.ts';
import { FastResponse, isPlainRecord, responseParts, type WireBody } from '../_http/response.ts';

const TEXT_PLAIN = 'text/plain;charset=UTF-8';
// RFC 9112 §4: reason-phrase = *( HTAB / SP / VCHAR / obs-text )
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

type Log = (message: string, error?: unknown) => void;

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

/** An app's Content-Length for a stream body, when it is a valid one (RFC 9110 §8.6: 1*DIGIT). */
function declaredLength(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
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

function writeHead(res: ServerResponse, status: number, statusText: string, flat: string[]): void {
  if (statusText !== '' && REASON.test(statusText)) res.writeHead(status, statusText, flat);
  else res.writeHead(status, flat);
}

/** A response without a body: keep the app's Content-Length (a HEAD answer), else say 0. */
function endEmpty(res: ServerResponse, status: number, statusText: string, flat: string[], appLength: string | undefined): void {
  if (appLength !== undefined) flat.push('content-length', appLength);
  else if (status !== 204 && status !== 304 && status >= 200) flat.push('content-length', '0');
  writeHead(res, status, statusText, flat);
  res.end();
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

type Reader = ReadableStreamDefaultReader<Uint8Array>;

/**
 * A native Response's body: read the first chunk and look whether the stream ends right
 * after it (a string or bytes body in undici does, within microtasks). If so, send it in one
 * piece with a Content-Length; if not by the next turn of the event loop, start streaming.
 */
function peekStream(
  res: ServerResponse,
  status: number,
  statusText: string,
  flat: string[],
  appLength: string | undefined,
  reader: Reader,
  log: Log,
  idleMs: number,
): void {
  const startStreaming = (): boolean => {
    if (appLength !== undefined) flat.push('content-length', appLength);
    writeHead(res, status, statusText, flat);
    if (res.req?.method !== 'HEAD') return true;
    // HEAD: the length is not known in time; send the head alone and stop the body.
    res.end();
    reader.cancel().catch(() => {});
    return false;
  };
  // The first chunk is timed too: a body that never starts must not hold the connection.
  let timedOut = false;
  const idle =
    idleMs > 0
      ? setTimeout(() => {
          timedOut = true;
          failStream(res, reader, idleError(idleMs), log, true);
        }, idleMs)
      : undefined;
  idle?.unref();
  reader.read().then(
    (first) => {
      clearTimeout(idle);
      if (timedOut) return;
      if (first.done) {
        endEmpty(res, status, statusText, flat, appLength);
        return;
      }
      let decided = false;
      const timer = setImmediate(() => {
        if (decided) return;
        decided = true;
        if (!startStreaming()) return;
        pipeStream(res, reader, log, idleMs, declaredLength(appLength), first.value, second);
      });
      const second = reader.read();
      second.then(
        (next) => {
          if (decided) return;
          decided = true;
          clearImmediate(timer);
          if (next.done) {
            const chunk = first.value;
            flat.push('content-length', String(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength));
            writeHead(res, status, statusText, flat);
            res.end(bytesOf(chunk));
            return;
          }
          if (!startStreaming()) return;
          pipeStream(res, reader, log, idleMs, declaredLength(appLength), first.value, second);
        },
        () => {
          // Handled by the stream path, which sees the same rejection.
          if (decided) return;
          decided = true;
          clearImmediate(timer);
          if (!startStreaming()) return;
          pipeStream(res, reader, log, idleMs, declaredLength(appLength), first.value, second);
        },
      );
    },
    (error) => {
      clearTimeout(idle);
      if (!timedOut) failStream(res, reader, error, log, true);
    },
  );
}

/** Strings go out as bytes, so node never writes the head in a string's encoding. */
function bytesOf(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/**
 * Pump a reader into `res`: write each chunk as it comes (node sends it at once), wait for
 * 'drain' when the socket buffer is full, and cancel the reader when the client goes away.
 */
function pipeStream(
  res: ServerResponse,
  reader: Reader,
  log: Log,
  idleMs: number,
  expected?: number,
  first?: Uint8Array | string,
  pending?: Promise<ReadableStreamReadResult<Uint8Array>>,
): void {
  let finished = false;
  // Bytes still owed under the app's Content-Length. Node writes whatever it is given: too
  // many bytes would be read by the client as the start of the next response, too few leave
  // it waiting. Either is the app's error; the connection is closed, as for a failed stream.
  let owed = expected;
  const mismatch = (more: boolean): void =>
    fail(new RangeError(`PORTICO_LENGTH_MISMATCH: the response has Content-Length: ${expected} but its body stream is ${more ? 'longer' : `${expected! - owed!} bytes short`}; remove the header or make it match`));
  const onClose = () => {
    if (!finished) {
      finished = true;
      clearTimeout(idle);
      reader.cancel(new DOMException('The client went away', 'AbortError')).catch(() => {});
    }
  };
  res.once('close', onClose);
  // Progress is a chunk from the app or a drained socket; none for idleMs ends the response.
  const idle =
    idleMs > 0
      ? setTimeout(
          () => fail(idleError(idleMs)),
          idleMs,
        )
      : undefined;
  idle?.unref();
  const pump = (): void => {
    if (finished) return;
    idle?.refresh();
    reader.read().then(step, fail);
  };
  const step = (result: ReadableStreamReadResult<Uint8Array>): void => {
    if (finished) return;
    if (result.done) {
      if (owed !== undefined && owed > 0) return mismatch(false);
      finished = true;
      clearTimeout(idle);
      res.off('close', onClose);
      res.end();
      return;
    }
    idle?.refresh();
    if (write(result.value as Uint8Array | string)) pump();
    else if (!finished) res.once('drain', pump);
  };
  /** Write one chunk; false when the socket is full (or the stream failed). */
  const write = (chunk: Uint8Array | string): boolean => {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
      fail(new TypeError(`PORTICO_BAD_CHUNK: a response stream yielded ${Object.prototype.toString.call(chunk)}; yield Uint8Array or string chunks`));
      return false;
    }
    const bytes = bytesOf(chunk);
    if (owed !== undefined) {
      if (bytes.byteLength > owed) {
        mismatch(true);
        return false;
      }
      owed -= bytes.byteLength;
    }
    return res.write(bytes);
  };
  const fail = (error: unknown): void => {
    if (finished) return;
    finished = true;
    clearTimeout(idle);
    res.off('close', onClose);
    failStream(res, reader, error, log, false);
  };
  if (first !== undefined && !write(first)) {
    if (finished) return;
    // The socket is full already: read on once it drains.
    res.once('drain', () => (pending ? pending.then(step, fail) : pump()));
    return;
  }
  if (pending) pending.then(step, fail);
  else pump();
}

function idleError(idleMs: number): Error {
  return new Error(`PORTICO_STREAM_IDLE: the response stream made no progress for ${idleMs} ms (the app sent no chunk, or the client stopped reading); raise "streamIdleTimeout" if this is expected`);
}

function failStream(res: ServerResponse, reader: Reader, error: unknown, log: Log, beforeHead: boolean): void {
  reader.cancel(error).catch(() => {});
  log(`the response stream failed${beforeHead ? '' : ' after the headers were sent; the connection is closed'}`, error);
  if (beforeHead && !res.headersSent) {
    res.writeHead(500, STATUS_CODES[500], ['content-type', TEXT_PLAIN, 'content-length', '22']);
    res.end('Internal Server Error\n');
  } else {
    // The status is out; closing the connection is the only way to tell the client the
    // body is incomplete (a chunked body then lacks its last chunk).
    res.destroy();
  }
}
