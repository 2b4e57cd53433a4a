/**
 * The request an app receives from the fastcgi, scgi and cgi gateways: a LightRequest whose
 * headers are built from the meta-variables on first use and whose body comes from a
 * BodyQueue the transport fills.
 */
import { Buffer } from 'node:buffer';
import type { LightHeaders } from '../_http/headers.ts';
import { LightRequest } from '../_http/request.ts';
import type { BodyQueue } from './body.ts';
import { cgiHeaders, type CgiParams } from './meta.ts';

/**
 * @example
 * const request = new CgiRequest('POST', 'http://x/path', params, body);
 * await request.text();
 */
export class CgiRequest extends LightRequest {
  readonly #href: string;
  readonly #params: CgiParams;
  readonly #body: BodyQueue;
  /** Set once anything started reading the body. */
  _bodyTouched = false;

  constructor(method: string, href: string, params: CgiParams, body: BodyQueue) {
    super(method);
    this.#href = href;
    this.#params = params;
    this.#body = body;
  }

  protected _url(): string {
    return this.#href;
  }

  protected _headers(): LightHeaders {
    return cgiHeaders(this.#params);
  }

  /** Buffer's UTF-8 decoder, faster than TextDecoder; it keeps a BOM, which Fetch drops. */
  protected override _decode(bytes: Uint8Array): string {
    const text = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  protected _readBody(): Promise<Uint8Array> {
    this._bodyTouched = true;
    return this.#body.readAll();
  }

  protected _streamBody(): ReadableStream<Uint8Array> {
    this._bodyTouched = true;
    return this.#body.stream();
  }
}
