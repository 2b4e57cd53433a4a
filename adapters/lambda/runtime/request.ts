/**
 * The request an app receives on Lambda: a `LightRequest` whose URL, headers and body are
 * built from the event only when the app reads them. No undici class is touched: Node loads
 * undici (20-40 ms) the first time `Request`, `Response` or `Headers` is read from globalThis,
 * and on Lambda that would land in the first invocation.
 */
import { LightHeaders } from '../../_http/headers.ts';
import { LightRequest } from '../../_http/request.ts';
import { serialiseTarget } from '../../_http/target.ts';
import type { EventKind } from './events.ts';
import { albQuery, hasKeys, v1Query, v2Query } from './query.ts';
import type { AlbEvent, LambdaContext, MultiMap, StringMap, V1Event, V2Event } from './types.ts';

const EMPTY = new Uint8Array(0);

/**
 * The body bytes of an event: base64-decoded when `isBase64Encoded`, else the UTF-8 of the string.
 *
 * @example
 * eventBody({ body: 'aGk=', isBase64Encoded: true }); // Uint8Array [104, 105]
 */
export function eventBody(event: { body?: string | null; isBase64Encoded?: boolean }): Uint8Array {
  const body = event.body;
  if (body == null || body === '') return EMPTY;
  // Buffer is a Uint8Array; the Lambda runtime is Node, so its fast base64 codec is there.
  // validate.ts let only a boolean isBase64Encoded and strict base64 through.
  return event.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

function add(h: LightHeaders, name: string, value: string): void {
  try {
    h.append(name, value);
  } catch {
    // A name that is not an RFC 9110 token cannot reach an app through Fetch Headers; API
    // Gateway and ALB never send one. The event (ctx.platform.event) still holds it.
  }
}

/** Fill `h` from a single-value map (REST headers, HTTP API headers, ALB single). */
function fromSingle(h: LightHeaders, map: StringMap): void {
  for (const name in map) {
    const v = map[name];
    if (v != null) add(h, name, String(v));
  }
}

/** Fill `h` from a multi-value map; repeated Cookie values join with '; ' (RFC 6265 §5.4). */
function fromMulti(h: LightHeaders, map: MultiMap): void {
  for (const name in map) {
    const list = map[name];
    if (!list || list.length === 0) continue;
    if (list.length > 1 && name.length === 6 && name.toLowerCase() === 'cookie') add(h, name, list.join('; '));
    else for (let i = 0; i < list.length; i++) add(h, name, String(list[i]));
  }
}

/**
 * The request headers of an event as Fetch headers.
 *
 * @example
 * eventHeaders({ headers: { host: 'x' }, cookies: ['a=1', 'b=2'] } as any, 'v2').get('cookie'); // 'a=1; b=2'
 */
export function eventHeaders(event: V1Event | V2Event | AlbEvent, kind: EventKind): LightHeaders {
  const h = new LightHeaders();
  if (kind === 'v2') {
    const e = event as V2Event;
    if (e.headers) fromSingle(h, e.headers);
    // Payload 2.0 moves the Cookie header into a `cookies` array, one entry per cookie.
    if (Array.isArray(e.cookies) && e.cookies.length > 0) {
      h.delete('cookie');
      add(h, 'cookie', e.cookies.join('; '));
    }
    return h;
  }
  const e = event as V1Event | AlbEvent;
  // AWS fills both maps alike (or sets the unused one to null), but hand-written and emulated
  // events often carry `multiValueHeaders: {}` beside a filled `headers`: an empty map says nothing.
  if (e.multiValueHeaders && hasKeys(e.multiValueHeaders)) fromMulti(h, e.multiValueHeaders);
  else if (e.headers) fromSingle(h, e.headers);
  return h;
}

/**
 * A header of an event, found without building headers (names may come in any case on v1/ALB).
 * `multi` says whether the event kind has `multiValueHeaders` (payload 2.0 has none, and an
 * unchecked stray one must not be read).
 */
export function rawHeader(event: V1Event | V2Event | AlbEvent, lower: string, multi = true): string | undefined {
  const single = event.headers;
  if (single) {
    const v = single[lower];
    if (v != null) return v;
    for (const k in single) if (k.length === lower.length && k.toLowerCase() === lower) return single[k] ?? undefined;
  }
  const map = multi ? (event as V1Event).multiValueHeaders : undefined;
  if (map) {
    for (const k in map) if (k.length === lower.length && k.toLowerCase() === lower) return map[k]?.[0];
  }
  return undefined;
}

const HOST = /^[A-Za-z0-9._~\-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

// A function sees the same Host on almost every event: remember the last verdict.
let lastHost = '';
let lastHostOk = false;

/**
 * Whether `host` can stand in a URL as is. The pattern keeps out what would change the URL's
 * shape (`/`, `?`, `@`); the URL parser then refuses what only it knows (port 99999, `[:::::]`,
 * `1.2.3.256`), so `new URL(request.url)` in the app can never throw for the gateway's sake.
 */
function isUrlHost(host: string): boolean {
  if (host === lastHost) return lastHostOk;
  lastHostOk = HOST.test(host) && URL.canParse(`https://${host}/`);
  lastHost = host;
  return lastHostOk;
}

/** Scheme and host for the request URL: the Host the client used, else the API's domain. */
function origin(event: V1Event | V2Event | AlbEvent, kind: EventKind): string {
  const multi = kind !== 'v2';
  const proto = rawHeader(event, 'x-forwarded-proto', multi);
  let host = rawHeader(event, 'host', multi) ?? ((event.requestContext as { domainName?: string }).domainName || undefined);
  if (host === undefined || !isUrlHost(host)) host = 'localhost';
  return (proto === 'http' ? 'http://' : 'https://') + host;
}

/**
 * The request handed to the app. `path` is the app's path (after the mount), already checked.
 *
 * @example
 * const req = new LambdaRequest(event, 'v2', 'GET', '/users');
 * req.url; // 'https://abc.lambda-url.eu-west-1.on.aws/users?x=1'
 */
export class LambdaRequest extends LightRequest {
  #event: V1Event | V2Event | AlbEvent;
  #kind: EventKind;
  #path: string;
  #context: LambdaContext | undefined;
  #margin: number;
  /** The deadline timer: undefined until the app reads `signal`, null when none is needed. */
  #timer: ReturnType<typeof setTimeout> | null | undefined;

  constructor(event: V1Event | V2Event | AlbEvent, kind: EventKind, method: string, path: string, context?: LambdaContext, deadlineMargin = 1000) {
    super(method);
    this.#event = event;
    this.#kind = kind;
    this.#path = path;
    this.#context = context;
    this.#margin = deadlineMargin;
  }

  /**
   * Aborts (reason: a TimeoutError DOMException) shortly before the invocation's deadline, so
   * an app can stop work and answer while Lambda still takes an answer: `deadlineMargin` ms
   * before it (default 1000), or once 90 % of the time left has passed if that is later (a
   * 1-second function still gets most of its second). Lambda never reports a client that went
   * away, so this is the only abort there is. The timer starts when the app first reads
   * `signal`: apps that never look pay nothing.
   */
  override get signal(): AbortSignal {
    const signal = super.signal;
    if (this.#timer === undefined) this.#arm();
    return signal;
  }

  #arm(): void {
    this.#timer = null;
    const remaining = this.#context?.getRemainingTimeInMillis;
    const left = typeof remaining === 'function' ? remaining.call(this.#context) : undefined;
    if (typeof left !== 'number' || !(left > 0) || this.#margin < 0) return;
    const delay = Math.max(left - this.#margin, Math.floor(left * 0.9));
    const timer = setTimeout(() => {
      this.#timer = null;
      this._abort(new DOMException(`The Lambda invocation deadline is near (${Math.max(0, left - delay)} ms left)`, 'TimeoutError'));
    }, delay);
    // Never keep the process up for it; Lambda freezes it after the invocation anyway.
    (timer as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }

  /** For the handler: the invocation is over, the deadline timer (if any) goes. */
  _done(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  protected _url(): string {
    const e = this.#event;
    const kind = this.#kind;
    const q = kind === 'v2' ? v2Query(e as V2Event) : kind === 'alb' ? albQuery(e as AlbEvent) : v1Query(e as V1Event);
    // Spelled as the WHATWG URL parser spells it, as on every gateway (adapters/_http/target.ts).
    const target = this.#path + (q ? '?' + q : '');
    return origin(e, kind) + (serialiseTarget(target) ?? target);
  }

  protected _headers(): LightHeaders {
    return eventHeaders(this.#event, this.#kind);
  }

  protected _readBody(): Promise<Uint8Array> {
    return Promise.resolve(eventBody(this.#event));
  }

  protected _streamBody(): ReadableStream<Uint8Array> | null {
    const e = this.#event;
    if (e.body == null || e.body === '') return null;
    const bytes = eventBody(e);
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
  }
}
