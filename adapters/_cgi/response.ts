/**
 * A Response to CGI output (RFC 3875 §6): a `Status:` line, one line per header (every
 * Set-Cookie its own), a blank line, the body. String and byte bodies go to the transport in
 * one piece with a Content-Length; only real streams are streamed, chunk by chunk, waiting
 * whenever the transport says its peer is full (backpressure), and cancelled when the client
 * goes away. The transport (FastCGI records, an SCGI socket, a CGI script's stdout) is a sink.
 */
import { Buffer } from 'node:buffer';
import { wireValue } from '../_http/headers.ts';
import { FastResponse, isPlainRecord, responseParts, type WireBody } from '../_http/response.ts';

/** Where a transport takes the CGI output of one response. */
export interface ResponseSink {
  /** The whole response at once: `head` (a latin1 string) and the body. Ends the response. */
  sendAll(head: string, body: string | Uint8Array | undefined): void;
  /** Send the head of a streamed response. */
  sendHead(head: string): void;
  /** A piece of a streamed body; false when the peer is full (wait for `onDrain`). */
  write(chunk: Uint8Array): boolean;
  /** Call `callback` once the peer can take more. */
  onDrain(callback: () => void): void;
  /** The streamed body is complete. */
  end(): void;
  /** The response cannot be completed after its head went out: close what carries it. */
  destroy(): void;
  /** Whether the client is gone (writes are then dropped). */
  readonly gone: boolean;
}

type Log = (message: string, error?: unknown) => void;

const TEXT_PLAIN = 'text/plain;charset=UTF-8';
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\0\r\n]/;
// RFC 9112 §4 reason-phrase characters.
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;
/**
 * Fields about one connection: the web server owns them (RFC 9110 §7.6.1; RFC 3875 §6.3.4 lets
 * the server drop them). An app's copy, often forwarded from an upstream fetch(), would
 * contradict the server's own framing.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'status']);

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable', 422: 'Unprocessable Content', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

function statusLine(status: number, statusText: string): string {
  const reason = statusText !== '' && REASON.test(statusText) ? statusText : REASONS[status] ?? '';
  return reason === '' ? `Status: ${status}\r\n` : `Status: ${status} ${wireValue(reason)}\r\n`;
}

/**
 * A whole small answer from the gateway itself (400, 404, 413, 500).
 *
 * @example
 * sendPlainCgi(sink, 404, 'Not Found\n');
 */
export function sendPlainCgi(sink: ResponseSink, status: number, text: string): void {
  sink.sendAll(`${statusLine(status, '')}Content-Type: ${TEXT_PLAIN}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n`, text);
}

/** Collected header lines, with what the writer needs to know about them. */
interface Head {
  lines: string;
  hasType: boolean;
  length: string | undefined;
}

function addHeader(head: Head, name: string, value: string): void {
  const lower = name.toLowerCase();
  if (lower === 'content-length') {
    head.length = value;
    return;
  }
  if (HOP_BY_HOP.has(lower)) return;
  if (lower === 'content-type') head.hasType = true;
  head.lines += `${name}: ${wireValue(value)}\r\n`;
}

/** Headers from a plain-object init: checked here, as no Headers class checked them. */
function plainHead(init: Record<string, unknown>): Head {
  const head: Head = { lines: '', hasType: false, length: undefined };
  for (const name of Object.keys(init)) {
    const value = init[name];
    if (value === undefined) continue;
    if (!TOKEN.test(name)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
    for (const v of Array.isArray(value) ? value : [value]) {
      const text = String(v).trim();
      if (BAD_VALUE.test(text)) throw new TypeError(`Invalid value for header ${JSON.stringify(name)}`);
      addHeader(head, name, text);
    }
  }
  return head;
}

function pairsHead(pairs: Array<[string, string]>): Head {
  const head: Head = { lines: '', hasType: false, length: undefined };
  for (const [k, v] of pairs) addHeader(head, k, v);
  return head;
}

/**
 * Write `response` to `sink` as CGI output. Stream bodies finish in the background and report
 * a failure through `log`. Throws synchronously only for an invalid header, before anything
 * was sent, so the caller can still answer 500.
 *
 * @example
 * sendCgiResponse(sink, new Response('hi'), false, console.error);
 */
export function sendCgiResponse(sink: ResponseSink, response: Response | FastResponse, head: boolean, log: Log): void {
  if (FastResponse.isLight(response) && !response._hasNative && !response.bodyUsed) {
    const body = response._body;
    const init = response._headersInit;
    if ((typeof body === 'string' || body == null || body instanceof Uint8Array) && (init == null || isPlainRecord(init))) {
      const h = init == null ? { lines: '', hasType: false, length: undefined } : plainHead(init);
      if (typeof body === 'string' && !h.hasType) h.lines += `Content-Type: ${TEXT_PLAIN}\r\n`;
      writeWhole(sink, response._status, response._statusText, h, body ?? undefined, head);
      return;
    }
  }
  const parts = responseParts(response as Response);
  writeBody(sink, parts.status, parts.statusText, pairsHead(parts.headers), parts.body, FastResponse.isLight(response), head, log);
}

function writeWhole(sink: ResponseSink, status: number, statusText: string, h: Head, body: string | Uint8Array | undefined, head: boolean): void {
  let length: string | undefined;
  if (body !== undefined) length = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  else if (h.length !== undefined) length = h.length; // a HEAD answer's length, as the app gave it
  else if (status !== 204 && status !== 304) length = '0';
  const lines = length === undefined ? h.lines : `${h.lines}Content-Length: ${length}\r\n`;
  sink.sendAll(`${statusLine(status, statusText)}${lines}\r\n`, head ? undefined : body);
}

function writeBody(sink: ResponseSink, status: number, statusText: string, h: Head, body: WireBody, eager: boolean, head: boolean, log: Log): void {
  switch (body.kind) {
    case 'none':
      return writeWhole(sink, status, statusText, h, undefined, head);
    case 'text':
      if (!h.hasType) h.lines += `Content-Type: ${TEXT_PLAIN}\r\n`;
      return writeWhole(sink, status, statusText, h, body.text, head);
    case 'bytes':
      return writeWhole(sink, status, statusText, h, body.bytes, head);
    case 'stream':
      break;
  }
  const reader = body.stream.getReader();
  const length = h.length !== undefined && /^\d{1,15}$/.test(h.length) ? h.length : undefined;
  const streamHead = () => `${statusLine(status, statusText)}${h.lines}${length !== undefined ? `Content-Length: ${length}\r\n` : ''}\r\n`;
  if (head) {
    reader.cancel().catch(() => {});
    sink.sendAll(streamHead(), undefined);
    return;
  }
  if (eager) {
    // The app's own stream (server-sent events, a slow producer): the head goes out at once.
    sink.sendHead(streamHead());
    pump(sink, reader, log);
    return;
  }
  // A native Response's body is often one ready chunk: send it whole, with a Content-Length.
  reader.read().then(
    (first) => {
      if (first.done) return writeWhole(sink, status, statusText, h, undefined, false);
      const second = reader.read();
      let decided = false;
      const stream = () => {
        if (decided) return;
        decided = true;
        sink.sendHead(streamHead());
        if (!sink.gone && !sink.write(bytesOf(first.value))) sink.onDrain(() => pump(sink, reader, log, second));
        else pump(sink, reader, log, second);
      };
      const timer = setImmediate(stream);
      second.then(
        (next) => {
          if (decided || !next.done) return;
          decided = true;
          clearImmediate(timer);
          writeWhole(sink, status, statusText, h, bytesOf(first.value), false);
        },
        () => {},
      );
    },
    (error) => {
      log('the response stream failed before its first byte', error);
      sendPlainCgi(sink, 500, 'Internal Server Error\n');
    },
  );
}

function bytesOf(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/** Pump `reader` into the sink, waiting for drain, cancelling when the client goes away. */
function pump(sink: ResponseSink, reader: ReadableStreamDefaultReader<Uint8Array>, log: Log, pending?: Promise<ReadableStreamReadResult<Uint8Array>>): void {
  let sent = 0;
  const next = (): void => {
    if (sink.gone) {
      // The web server dropped the request (its client left, FCGI_ABORT_REQUEST): one line, so
      // a cut download shows in the log, and the app's stream stops producing.
      log(`the client went away after ${sent} body bytes; the response stream is cancelled`);
      reader.cancel(new DOMException('The client went away', 'AbortError')).catch(() => {});
      return;
    }
    (pending ?? reader.read()).then(step, fail);
    pending = undefined;
  };
  const step = (result: ReadableStreamReadResult<Uint8Array>): void => {
    if (result.done) {
      sink.end();
      return;
    }
    const chunk = result.value as Uint8Array | string;
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
      fail(new TypeError(`PORTICO_BAD_CHUNK: a response stream yielded ${Object.prototype.toString.call(chunk)}; yield Uint8Array or string chunks`));
      return;
    }
    const bytes = bytesOf(chunk);
    sent += bytes.byteLength;
    if (sink.gone || sink.write(bytes)) next();
    else sink.onDrain(next);
  };
  const fail = (error: unknown): void => {
    reader.cancel(error).catch(() => {});
    if (sink.gone) return;
    log('the response stream failed after the headers were sent; the connection is closed', error);
    sink.destroy();
  };
  next();
}
