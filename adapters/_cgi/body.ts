/**
 * A request body that arrives in pieces from a transport (FastCGI STDIN records, the rest of an
 * SCGI connection, a CGI script's stdin) and is read by the app as bytes or as a stream.
 * Bounded: beyond `highWater` buffered bytes it asks the transport to pause its source, and
 * beyond `maxBody` received bytes it fails with 413.
 */

/** A request body the gateway refuses: the answer's status rides along (413, 400). */
export class BodyError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
    this.status = status;
  }
}

/** 413 for a body beyond `maxBodySize`. */
export function bodyTooLarge(limit: number): BodyError {
  return new BodyError('PORTICO_BODY_TOO_LARGE', 413, `the request body is larger than maxBodySize (${limit} bytes); raise the "maxBodySize" option if this is expected`);
}

const EMPTY = new Uint8Array(0);

/**
 * @example
 * const body = new BodyQueue(5, 1024, (paused) => paused ? socket.pause() : socket.resume());
 * body.push(Buffer.from('hello')); // ends by itself: 5 of 5 bytes
 * await body.readAll();            // Uint8Array 'hello'
 */
export class BodyQueue {
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #received = 0;
  #ended = false;
  #error: Error | undefined;
  #discarding = false;
  #paused = false;
  #wake: (() => void) | undefined;
  readonly #expected: number | undefined;
  readonly #max: number;
  readonly #highWater: number;
  readonly #pressure: ((paused: boolean) => void) | undefined;

  /**
   * @param expected CONTENT_LENGTH, or undefined to read until the transport calls `end()`.
   * @param max the largest body accepted (413 beyond).
   * @param pressure told true when the transport should stop sending, false when it may go on.
   */
  constructor(expected: number | undefined, max: number, pressure?: (paused: boolean) => void, highWater = 256 * 1024) {
    this.#expected = expected;
    this.#max = max;
    this.#pressure = pressure;
    this.#highWater = highWater;
    if (expected === 0) this.#ended = true;
  }

  /** Whether every byte has arrived (or the body failed, or is being thrown away). */
  get done(): boolean {
    return this.#ended || this.#error !== undefined || this.#discarding;
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Bytes received so far. */
  get received(): number {
    return this.#received;
  }

  /** The transport hands over a piece of the body. Bytes beyond CONTENT_LENGTH are dropped. */
  push(chunk: Uint8Array): void {
    if (this.done || chunk.byteLength === 0) return;
    if (this.#expected !== undefined && this.#received + chunk.byteLength > this.#expected) {
      chunk = chunk.subarray(0, this.#expected - this.#received);
    }
    this.#received += chunk.byteLength;
    if (this.#received > this.#max) {
      this.fail(bodyTooLarge(this.#max));
      return;
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
    if (this.#expected !== undefined && this.#received === this.#expected) this.#ended = true;
    if (this.#buffered >= this.#highWater && !this.#ended) this.#setPaused(true);
    this.#notify();
  }

  /** The transport's source ended. Short of CONTENT_LENGTH, the body is truncated: 400. */
  end(): void {
    if (this.done) return;
    if (this.#expected !== undefined && this.#received < this.#expected) {
      this.fail(new BodyError('PORTICO_BODY_TRUNCATED', 400, `the request body ended after ${this.#received} of ${this.#expected} bytes (CONTENT_LENGTH)`));
      return;
    }
    this.#ended = true;
    this.#notify();
  }

  /** The body cannot be completed (client gone, limit crossed): readers get `error`. */
  fail(error: Error): void {
    if (this.done) return;
    this.#error = error;
    this.#chunks = [];
    this.#buffered = 0;
    this.#setPaused(false);
    this.#notify();
  }

  /** Nobody will read the rest: drop what is buffered and whatever still comes. */
  discard(): void {
    this.#discarding = true;
    this.#chunks = [];
    this.#buffered = 0;
    this.#setPaused(false);
    this.#notify();
  }

  #setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    this.#pressure?.(paused);
  }

  #notify(): void {
    const wake = this.#wake;
    if (wake) {
      this.#wake = undefined;
      wake();
    }
  }

  #take(): Uint8Array | null | undefined {
    if (this.#chunks.length > 0) {
      const chunk = this.#chunks.shift()!;
      this.#buffered -= chunk.byteLength;
      if (this.#buffered < this.#highWater / 2) this.#setPaused(false);
      return chunk;
    }
    if (this.#error) throw this.#error;
    if (this.#ended || this.#discarding) return null;
    return undefined;
  }

  /** The next piece, or null at the end. Rejects with the body's error. */
  read(): Promise<Uint8Array | null> {
    try {
      const now = this.#take();
      if (now !== undefined) return Promise.resolve(now);
    } catch (error) {
      return Promise.reject(error);
    }
    // Nothing buffered: the reader is waiting, so the source must flow.
    this.#setPaused(false);
    return new Promise((resolve, reject) => {
      this.#wake = () => this.read().then(resolve, reject);
    });
  }

  /** The whole body in one piece. */
  readAll(): Promise<Uint8Array> {
    if (this.#ended && !this.#error) {
      const chunks = this.#chunks;
      this.#chunks = [];
      this.#buffered = 0;
      if (chunks.length === 0) return Promise.resolve(EMPTY);
      if (chunks.length === 1) return Promise.resolve(chunks[0]!);
      return Promise.resolve(concat(chunks));
    }
    const parts: Uint8Array[] = [];
    const next = (): Promise<Uint8Array> =>
      this.read().then((chunk) => {
        if (chunk === null) return parts.length === 1 ? parts[0]! : concat(parts);
        parts.push(chunk);
        return next();
      });
    return next();
  }

  /** The body as a stream that pulls from this queue. */
  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: (controller) =>
        this.read().then(
          (chunk) => (chunk === null ? controller.close() : controller.enqueue(chunk)),
          (error) => controller.error(error),
        ),
      cancel: () => this.discard(),
    }, { highWaterMark: 0 });
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const c of chunks) size += c.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
