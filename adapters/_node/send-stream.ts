/**
 * The stream path of sending a response (send.ts): a native Response's body peeked at to send
 * it whole when it is one ready chunk, else piped chunk by chunk with backpressure ('drain'),
 * a Content-Length held to, a stall cut after `idleMs`, and the stream cancelled when the client
 * goes away.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { endEmpty, writeHead } from './head.ts';

const TEXT_PLAIN = 'text/plain;charset=UTF-8';

/** Where the send path reports errors. */
export type Log = (message: string, error?: unknown) => void;

/** An app's Content-Length for a stream body, when it is a valid one (RFC 9110 §8.6: 1*DIGIT). */
export function declaredLength(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

type Reader = ReadableStreamDefaultReader<Uint8Array>;

/**
 * A native Response's body: read the first chunk and look whether the stream ends right
 * after it (a string or bytes body in undici does, within microtasks). If so, send it in one
 * piece with a Content-Length; if not by the next turn of the event loop, start streaming.
 */
export function peekStream(
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
export function pipeStream(
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
