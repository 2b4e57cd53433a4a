/**
 * The light `Request` every gateway hands the app (STYLE §5, srvx's NodeRequest idea): url,
 * headers and body are built on first use from the gateway's own input, `text()`/`json()`/
 * `arrayBuffer()` read the body bytes straight (no stream), and a real undici Request is built
 * only when someone needs one (`formData()`, `clone()` of a streamed body, `_native`).
 *
 * A gateway subclasses it and supplies four things: the URL, the headers, the body bytes (all
 * at once) and the body as a stream. Web APIs only.
 */
import { LightHeaders } from './headers.ts';
import { readAll } from './read-all.ts';

function nativeRequest(): typeof Request {
  return (globalThis as { Request: typeof Request }).Request;
}

const decoder = /* @__PURE__ */ new TextDecoder();

/**
 * @example
 * class MyRequest extends LightRequest {
 *   _url() { return 'http://x/'; }
 *   _headers() { return new LightHeaders(); }
 *   _readBody() { return Promise.resolve(new Uint8Array()); }
 *   _streamBody() { return null; }
 * }
 */
export abstract class LightRequest {
  readonly method: string;
  #url: string | undefined;
  #headers: LightHeaders | Headers | undefined;
  #signal: AbortSignal | undefined;
  #abort: AbortController | undefined;
  #stream: ReadableStream<Uint8Array> | null | undefined;
  #native: Request | undefined;
  #used = false;

  constructor(method: string) {
    this.method = method;
  }

  /** The full URL, built once. */
  protected abstract _url(): string;
  /** The request headers, built once. */
  protected abstract _headers(): LightHeaders | Headers;
  /** All the body bytes (empty when none). Called at most once. */
  protected abstract _readBody(): Promise<Uint8Array>;
  /** The body as a stream, or null when there is none. Called at most once. */
  protected abstract _streamBody(): ReadableStream<Uint8Array> | null;

  /** Whether the method can carry a body at all (Fetch forbids one on GET and HEAD). */
  protected get _hasBody(): boolean {
    return this.method !== 'GET' && this.method !== 'HEAD';
  }

  get url(): string {
    return (this.#url ??= this._url());
  }

  get headers(): LightHeaders | Headers {
    return (this.#headers ??= this._headers());
  }

  /** Aborts when the gateway calls `_abort()` (the client went away). */
  get signal(): AbortSignal {
    if (!this.#signal) {
      this.#abort ??= new AbortController();
      this.#signal = this.#abort.signal;
    }
    return this.#signal;
  }

  /** For gateways: abort `signal` (client disconnect, timeout). Cheap when nobody listens. */
  _abort(reason?: unknown): void {
    this.#abort ??= new AbortController();
    if (!this.#abort.signal.aborted) this.#abort.abort(reason ?? new DOMException('The client went away', 'AbortError'));
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#native) return this.#native.body;
    if (!this._hasBody) return null;
    if (this.#stream === undefined) {
      if (this.#used) throw new TypeError('Body has already been used');
      this.#used = true;
      this.#stream = this._streamBody();
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    if (this.#native) return this.#native.bodyUsed;
    return this.#used && (this.#stream == null || this.#stream.locked);
  }

  #takeBytes(): Promise<Uint8Array> {
    if (this.#native) return this.#native.arrayBuffer().then((b) => new Uint8Array(b));
    if (this.#stream !== undefined) {
      // `body` was taken but perhaps only looked at (`if (request.body) ...`, as frameworks
      // do): Fetch still lets text() read it, so read it through the stream unless it is locked.
      const stream = this.#stream;
      if (stream === null) return Promise.resolve(new Uint8Array(0));
      if (stream.locked) return Promise.reject(new TypeError('Body has already been used'));
      return readAll(stream);
    }
    if (this.#used) return Promise.reject(new TypeError('Body has already been used'));
    this.#used = true;
    if (!this._hasBody) return Promise.resolve(new Uint8Array(0));
    return this._readBody();
  }

  // Not `async`: one promise hop less per body read (STYLE §7), measurable on POST.
  text(): Promise<string> {
    return this.#takeBytes().then((bytes) => this._decode(bytes));
  }

  json(): Promise<any> {
    // Decode and parse in one step: a promise hop less than text().then(JSON.parse).
    return this.#takeBytes().then((bytes) => JSON.parse(this._decode(bytes)));
  }

  /**
   * UTF-8 bytes to text as Fetch's `text()` does (a leading BOM dropped, bad sequences as
   * U+FFFD). A gateway may override it with a faster platform decoder of the same behaviour.
   */
  protected _decode(bytes: Uint8Array): string {
    return decoder.decode(bytes);
  }

  async bytes(): Promise<Uint8Array> {
    return this.#takeBytes();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.#takeBytes();
    return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength
      ? (b.buffer as ArrayBuffer)
      : (b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }

  blob(): Promise<Blob> {
    return this._native.blob();
  }

  formData(): Promise<FormData> {
    return this._native.formData();
  }

  clone(): Request {
    return this._native.clone();
  }

  // Fields Fetch defines that gateways have nothing to say about.
  get cache(): RequestCache { return 'default'; }
  get credentials(): RequestCredentials { return 'same-origin'; }
  get destination(): RequestDestination { return ''; }
  get integrity(): string { return ''; }
  get keepalive(): boolean { return false; }
  get mode(): RequestMode { return 'cors'; }
  get redirect(): RequestRedirect { return 'follow'; }
  get referrer(): string { return 'about:client'; }
  get referrerPolicy(): ReferrerPolicy { return ''; }
  get duplex(): 'half' { return 'half'; }

  /** A real undici Request with the same method, URL, headers, body and signal; built once. */
  get _native(): Request {
    if (!this.#native) {
      const body = this._hasBody ? this.body : null;
      this.#native = new (nativeRequest())(this.url, {
        method: this.method,
        headers: this.headers as unknown as HeadersInit,
        body,
        signal: this.signal,
        // @ts-expect-error: required by undici for a stream body, absent from the DOM types
        duplex: 'half',
      });
    }
    return this.#native;
  }

  get [Symbol.toStringTag](): string {
    return 'Request';
  }

  /** A light request passes `instanceof Request` checks as well as the native one does. */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (value === null || typeof value !== 'object') return false;
    if (#used in value) return true;
    return Function.prototype[Symbol.hasInstance].call(nativeRequest(), value);
  }
}

/**
 * Make `instanceof Request` true for every LightRequest, by putting the native prototype
 * behind it. Touches `globalThis.Request`, so loads undici on Node: call it at start-up on
 * gateways where start-up is free (node, fastcgi), never on Lambda's first invocation.
 *
 * @example
 * linkNativeRequest(); // once, before serving
 */
export function linkNativeRequest(): void {
  const Native = nativeRequest();
  if (Object.getPrototypeOf(LightRequest.prototype) !== Native.prototype) {
    Object.setPrototypeOf(LightRequest.prototype, Native.prototype);
  }
}

export { LightHeaders };
