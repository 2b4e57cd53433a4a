/**
 * One FastCGI request on a connection, which is also its response sink: STDOUT records out
 * through the connection, END_REQUEST when done. One object a request (a class, not a bag of
 * closures: measurable on the hot path).
 */
import { Buffer } from 'node:buffer';
import type { CgiExchange } from '../../_cgi/handler.ts';
import type { ResponseSink } from '../../_cgi/response.ts';
import { endRecords, stdoutRecords, wholeResponse } from './output.ts';

/** What a request needs of its connection. */
export interface Link {
  readonly closed: boolean;
  write(bytes: Uint8Array): boolean;
  complete(req: Pending): void;
  close(): void;
  waitDrain(callback: () => void): void;
}

/** One request on a connection, and its response sink (a class: one object a request). */
export class Pending implements ResponseSink {
  readonly id: number;
  readonly keepConn: boolean;
  params: Uint8Array[] | undefined = [];
  paramsSize = 0;
  exchange: CgiExchange | undefined = undefined;
  /** The response is being made (the app was called). */
  started = false;
  aborted = false;
  readonly #link: Link;

  constructor(id: number, keepConn: boolean, link: Link) {
    this.id = id;
    this.keepConn = keepConn;
    this.#link = link;
  }

  get gone(): boolean {
    return this.aborted || this.#link.closed;
  }

  sendAll(head: string, body: string | Uint8Array | undefined): void {
    if (this.gone) return;
    this.#link.write(wholeResponse(this.id, head, body));
    this.#link.complete(this);
  }

  sendHead(head: string): void {
    if (!this.gone) this.#link.write(stdoutRecords(this.id, Buffer.from(head, 'latin1'), false));
  }

  write(chunk: Uint8Array): boolean {
    if (this.gone || chunk.byteLength === 0) return true;
    return this.#link.write(stdoutRecords(this.id, chunk, false));
  }

  onDrain(callback: () => void): void {
    if (this.gone) callback();
    else this.#link.waitDrain(callback);
  }

  end(): void {
    if (this.gone) return;
    this.#link.write(endRecords(this.id));
    this.#link.complete(this);
  }

  destroy(): void {
    // The head is out: only closing tells the web server (and so the client) the body is cut.
    this.#link.close();
  }
}
