/**
 * The Request a node:http gateway hands the app: a LightRequest over an IncomingMessage (srvx's
 * NodeRequest idea, STYLE §5). The URL string is built by the listener; headers are a lazy view
 * over `rawHeaders`; `text()`/`json()`/`arrayBuffer()` collect the Buffer chunks directly, and
 * `body` is a web stream that pauses the socket while the app is not reading (backpressure).
 * Both enforce the body size limit while reading.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Buffer } from 'node:buffer';
import { LightRequest } from '../_http/request.ts';
import { NodeHeaders } from './headers.ts';

/**
 * Thrown into a body read (and the body stream) when a request body crosses `maxBodySize`.
 * The gateway answers 413 when the response has not started.
 */
export class BodyTooLargeError extends Error {
  readonly code = 'PORTICO_BODY_TOO_LARGE';
  readonly status = 413;
  constructor(limit: number) {
    super(`PORTICO_BODY_TOO_LARGE: the request body is larger than maxBodySize (${limit} bytes); raise the "maxBodySize" option if this is expected`);
  }
}

/** Thrown into a body read when the client goes away before the body is complete. */
function clientGone(): Error {
  return new DOMException('The client went away before sending the whole body', 'AbortError');
}

/**
 * @example
 * const request = new NodeRequest(req, res, 'http://localhost:3000/path?x=1', 100 * 1024 * 1024);
 * await request.text();
 */
export class NodeRequest extends LightRequest {
  /** node's request and response, for `fromNodeHandler`'s fast path and for the gateway. */
  readonly _req: IncomingMessage;
  readonly _res: ServerResponse;
  #href: string;
  #maxBody: number;
  #watching = false;
  /** Set once the body crossed the limit: the gateway then answers 413. */
  _tooLarge = false;
  /** Set once anything started reading the body through this object. */
  _bodyTouched = false;
  /** When the app was called, for the response deadline (listener, deadline.ts). */
  _startedAt = 0;

  constructor(req: IncomingMessage, res: ServerResponse, href: string, maxBody: number) {
    super(req.method!);
    this._req = req;
    this._res = res;
    this.#href = href;
    this.#maxBody = maxBody;
  }

  protected _url(): string {
    return this.#href;
  }

  protected _headers(): NodeHeaders {
    return new NodeHeaders(this._req.rawHeaders);
  }

  /** Buffer's UTF-8 decoder, faster than TextDecoder here; it keeps a BOM, which Fetch drops. */
  protected override _decode(bytes: Uint8Array): string {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const text = buf.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /**
   * Abort on disconnect, wired only when someone asks for the signal: a listener per request
   * would cost every request for the few that care.
   */
  override get signal(): AbortSignal {
    if (!this.#watching) {
      this.#watching = true;
      const res = this._res;
      if (res.closed) {
        if (!res.writableFinished) this._abort();
      } else {
        res.once('close', () => {
          if (!res.writableFinished) this._abort();
        });
      }
    }
    return super.signal;
  }

  protected _readBody(): Promise<Uint8Array> {
    this._bodyTouched = true;
    const req = this._req;
    const max = this.#maxBody;
    return new Promise<Uint8Array>((resolve, reject) => {
      if (req.readableEnded) return resolve(new Uint8Array(0));
      const chunks: Buffer[] = [];
      let size = 0;
      const cleanup = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          cleanup();
          this._tooLarge = true;
          req.pause();
          reject(new BodyTooLargeError(max));
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onClose = () => {
        cleanup();
        if (!req.complete) reject(clientGone());
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('close', onClose);
    });
  }

  protected _streamBody(): ReadableStream<Uint8Array> {
    this._bodyTouched = true;
    const req = this._req;
    const max = this.#maxBody;
    let size = 0;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        this._tooLarge = true;
        req.pause();
        controller.error(new BodyTooLargeError(max));
        return;
      }
      controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      // Backpressure: stop the socket until the reader pulls again.
      if (controller.desiredSize! <= 0) req.pause();
    };
    const onEnd = () => {
      cleanup();
      controller.close();
    };
    const onError = (error: Error) => {
      cleanup();
      controller.error(error);
    };
    const onClose = () => {
      if (!req.complete) {
        cleanup();
        controller.error(clientGone());
      }
    };
    return new ReadableStream<Uint8Array>(
      {
        start(c) {
          controller = c;
          if (req.readableEnded) {
            c.close();
            return;
          }
          req.on('data', onData);
          req.on('end', onEnd);
          req.on('error', onError);
          req.on('close', onClose);
          req.pause();
        },
        pull() {
          req.resume();
        },
        cancel() {
          // The app does not want the rest: let node discard it so keep-alive still works.
          cleanup();
          req.resume();
        },
      },
      // Up to 64 KiB buffered ahead of the reader (node reads the socket in 64 KiB pieces).
      { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
    );
  }
}
