/**
 * A light `Response` for the hot path (DESIGN §6). It keeps the body and init exactly as the
 * app gave them, so a gateway can write a string or bytes body with one write and never build
 * undici's Response (which costs the 22–36 ms first load on Node and microseconds per request).
 * Anything that needs the real class (`body` as a stream of a string, `clone`, `formData`) gets
 * it lazily, built once from the same body and init.
 *
 * The bundler injects this class where the bundled app says `Response` (esbuild `inject`);
 * nothing global is patched. Web APIs only.
 */
import { LightHeaders } from './headers.ts';

type Body = BodyInit | null | undefined;

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

function nativeResponse(): typeof Response {
  return (globalThis as { Response: typeof Response }).Response;
}

/**
 * @example
 * const res = new FastResponse('hello', { headers: { 'content-type': 'text/plain' } });
 * res.status;          // 200
 * await res.text();    // 'hello' (no stream, no undici)
 */
export class FastResponse {
  /** The body as given. Read by gateways through `responseBody()`; undefined once used by a read. */
  _body: Body;
  _status: number;
  _statusText: string;
  /** Headers init as given, until someone reads `.headers`. */
  _headersInit: unknown;
  #headers: LightHeaders | undefined;
  #native: Response | undefined;
  #used = false;

  constructor(body?: Body, init?: ResponseInit | FastResponse | Response) {
    const status = init?.status ?? 200;
    if (status !== (status | 0) || status < 200 || status > 599) {
      throw new RangeError(`Response status must be an integer from 200 to 599, got ${init?.status}`);
    }
    if (body != null && NULL_BODY_STATUS.has(status)) {
      throw new TypeError(`Response with status ${status} cannot have a body`);
    }
    this._body = body;
    this._status = status;
    this._statusText = init?.statusText ?? '';
    const headers = init?.headers;
    // Fetch copies the init headers: a Headers object (or pairs) changed after this line must
    // not change the response. A plain object is copied too, shallowly, which is as cheap.
    this._headersInit = headers == null || typeof headers !== 'object' ? headers
      : isPlainRecord(headers) ? { ...headers }
      : new LightHeaders(headers as ConstructorParameters<typeof LightHeaders>[0]);
    // `new Response(upstream.body, upstream)`: the body undici already decoded, under headers
    // that still name the upstream's coding and length (see fetchDecoded).
    if (body != null && init != null && (init as Response).url && !FastResponse.isLight(init) && body === (init as Response).body && fetchDecoded(init as Response)) {
      this._decoded = true;
    }
  }

  /** The body came decoded from `fetch()`: the gateway drops the upstream's Content-Encoding and Content-Length. */
  _decoded = false;

  static json(data: unknown, init?: ResponseInit): FastResponse {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError('Response.json: value is not JSON-serializable');
    // The type goes in before the headers are first read: read after, the string body's
    // implicit text/plain would already be there.
    // No headers given: a plain object, which gateways write without building a Headers.
    if (init?.headers == null) {
      return new FastResponse(text, { status: init?.status, statusText: init?.statusText, headers: { 'content-type': 'application/json' } });
    }
    const headers = new LightHeaders(init.headers as ConstructorParameters<typeof LightHeaders>[0]);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new FastResponse(text, { status: init?.status, statusText: init?.statusText, headers: headers as unknown as HeadersInit });
  }

  static redirect(url: string | URL, status = 302): FastResponse {
    if (![301, 302, 303, 307, 308].includes(status)) throw new RangeError(`Invalid redirect status ${status}`);
    return new FastResponse(null, { status, headers: { location: new URL(url).href } });
  }

  static error(): Response {
    return nativeResponse().error();
  }

  get status(): number {
    return this._status;
  }
  get statusText(): string {
    return this._statusText;
  }
  get ok(): boolean {
    return this._status >= 200 && this._status < 300;
  }
  get type(): ResponseType {
    return 'default';
  }
  get url(): string {
    return '';
  }
  get redirected(): boolean {
    return false;
  }

  get headers(): LightHeaders {
    if (!this.#headers) {
      this.#headers = new LightHeaders(this._headersInit as ConstructorParameters<typeof LightHeaders>[0]);
      const type = implicitContentType(this._body);
      if (type && !this.#headers.has('content-type')) this.#headers.set('content-type', type);
      this._headersInit = this.#headers;
    }
    return this.#headers;
  }

  /** Whether the real Response has been built (after which it owns the body). */
  get _hasNative(): boolean {
    return this.#native !== undefined;
  }

  /** The real undici Response, built once from the same body and init. */
  get _native(): Response {
    if (!this.#native) {
      this.#native = new (nativeResponse())(this._body as BodyInit | null, {
        status: this._status,
        statusText: this._statusText,
        headers: this.headers as unknown as HeadersInit,
      });
      this.#used = true;
    }
    return this.#native;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this._body == null) return null;
    return this._native.body;
  }

  get bodyUsed(): boolean {
    return this.#native ? this.#native.bodyUsed : this.#used;
  }

  /** A body read twice rejects, as Fetch's does (a promise, never a synchronous throw). */
  #usedError(): Promise<never> {
    return Promise.reject(new TypeError('Body has already been used'));
  }

  text(): Promise<string> {
    if (this.#native) return this.#native.text();
    if (this.#used) return this.#usedError();
    const b = this._body;
    if (b == null || typeof b === 'string') {
      this.#used = b != null; // no body is never used up, as in Fetch
      return Promise.resolve(b ?? '');
    }
    if (b instanceof Uint8Array || b instanceof ArrayBuffer) {
      this.#used = true;
      return Promise.resolve(new TextDecoder().decode(b));
    }
    return this._native.text();
  }

  async json(): Promise<any> {
    return JSON.parse(await this.text());
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#native) return this.#native.arrayBuffer();
    if (this.#used) return this.#usedError();
    const b = this._body;
    if (b == null || typeof b === 'string') {
      this.#used = b != null;
      return Promise.resolve(new TextEncoder().encode(b ?? '').buffer as ArrayBuffer);
    }
    if (b instanceof Uint8Array) {
      this.#used = true;
      // A copy, as Fetch gives: the caller may write to it, and the app may reuse its array.
      return Promise.resolve(b.slice().buffer as ArrayBuffer);
    }
    return this._native.arrayBuffer();
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }

  blob(): Promise<Blob> {
    return this._native.blob();
  }

  formData(): Promise<FormData> {
    return this._native.formData();
  }

  clone(): FastResponse | Response {
    if (this.bodyUsed) throw new TypeError('Cannot clone a Response whose body has been used');
    const b = this._body;
    if (b == null || typeof b === 'string' || b instanceof ArrayBuffer || ArrayBuffer.isView(b) || b instanceof URLSearchParams) {
      return new FastResponse(b as Body, { status: this._status, statusText: this._statusText, headers: new LightHeaders(this.headers) as unknown as HeadersInit });
    }
    return this._native.clone();
  }

  get [Symbol.toStringTag](): string {
    return 'Response';
  }

  /** Whether `value` is a FastResponse (not a native Response): a brand check, unlike instanceof. */
  static isLight(value: unknown): value is FastResponse {
    return value !== null && typeof value === 'object' && #used in value;
  }

  /**
   * `x instanceof FastResponse` is also true of a native Response: where the bundler swaps this
   * class in for `Response`, a Response from `fetch()` still passes the app's instanceof checks.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (value === null || typeof value !== 'object') return false;
    if (#used in value) return true;
    if (!('Response' in globalThis)) return false;
    return Function.prototype[Symbol.hasInstance].call(nativeResponse(), value);
  }
}

/** A plain object (`{...}` or `Object.create(null)`), as opposed to a Headers, Map or array. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// The codings undici's fetch() decodes (lib/web/fetch/index.js, onHeaders): it decodes all of
// a response's codings or, when one is unknown, none.
const DECODED_CODINGS = /^(?:\s*(?:x-gzip|gzip|deflate|br|zstd)\s*(?:,|$))+$/i;

/**
 * Whether `res` came from `fetch()` with a body undici decoded while its headers still say
 * Content-Encoding (and the encoded Content-Length). Sent on as they are, the client would
 * decode plain bytes, and the length would cut or overrun the body. workerd re-encodes such a
 * body; a node gateway sends it decoded, without those two headers (what hono/proxy does by hand).
 */
export function fetchDecoded(res: Response | undefined): boolean {
  if (res == null || typeof res !== 'object' || !res.url || res.body == null) return false;
  const coding = res.headers?.get?.('content-encoding');
  return coding != null && DECODED_CODINGS.test(coding);
}

/** The content type that Fetch sets from the kind of body when the app sets none. */
function implicitContentType(body: Body): string | undefined {
  if (typeof body === 'string') return 'text/plain;charset=UTF-8';
  if (body instanceof URLSearchParams) return 'application/x-www-form-urlencoded;charset=UTF-8';
  if (typeof Blob !== 'undefined' && body instanceof Blob && body.type) return body.type;
  return undefined;
}

/** What a gateway writes for a response body. */
export type WireBody =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'stream'; stream: ReadableStream<Uint8Array> };

/**
 * Status, header pairs and body of any response (light or native), classified so that a
 * gateway writes string and byte bodies in one piece and only streams what is a stream
 * (STYLE §6). Header names are lower-case; Set-Cookie comes one pair per cookie.
 *
 * @example
 * const { status, headers, body } = responseParts(await app.fetch(req, env, ctx));
 * if (body.kind === 'text') socket.end(body.text);
 */
export function responseParts(res: Response | FastResponse): {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: WireBody;
} {
  let decoded = false;
  if (FastResponse.isLight(res)) {
    decoded = res._decoded;
    if (!res._hasNative) {
      const direct = directBody(res);
      if (direct) {
        let headers = res.headers.rawPairs();
        if (decoded) headers = headers.filter(([k]) => k !== 'content-encoding' && k !== 'content-length');
        return { status: res._status, statusText: res._statusText, headers, body: direct };
      }
    }
    res = res._native;
  } else {
    decoded = fetchDecoded(res);
  }
  const native = res as Response;
  const headers: Array<[string, string]> = [];
  native.headers.forEach((v, k) => {
    if (k === 'set-cookie' || (decoded && (k === 'content-encoding' || k === 'content-length'))) return;
    headers.push([k, v]);
  });
  for (const c of native.headers.getSetCookie()) headers.push(['set-cookie', c]);
  return {
    status: native.status,
    statusText: native.statusText,
    headers,
    body: native.body ? { kind: 'stream', stream: native.body } : { kind: 'none' },
  };
}

function directBody(res: FastResponse): WireBody | undefined {
  if (res.bodyUsed) return undefined;
  const b = res._body;
  if (b == null) return { kind: 'none' };
  if (typeof b === 'string') return { kind: 'text', text: b };
  if (b instanceof Uint8Array) return { kind: 'bytes', bytes: b };
  if (b instanceof ArrayBuffer) return { kind: 'bytes', bytes: new Uint8Array(b) };
  if (ArrayBuffer.isView(b)) return { kind: 'bytes', bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
  if (b instanceof URLSearchParams) return { kind: 'text', text: b.toString() };
  if (typeof ReadableStream !== 'undefined' && b instanceof ReadableStream) return { kind: 'stream', stream: b };
  return undefined; // Blob, FormData: let the native class encode them
}
