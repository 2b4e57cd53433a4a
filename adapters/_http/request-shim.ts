/**
 * `Request` and `fetch` for bundles that get the light classes (src/bundle/light-inject.ts).
 * The request a gateway hands the app is a LightRequest, and undici's `new Request(input)` and
 * `fetch(input)` read a Request input's private state: `new Request(request, { headers })`
 * (re-wrapping the incoming request, as proxies and middleware do) or `fetch(request)`
 * (forwarding it upstream) threw "Cannot read private member #state". These two hand undici
 * the light request's real Request instead, and leave every other input alone.
 *
 * The native class is looked up on first use, never at load: on Lambda touching it costs the
 * 22–36 ms undici load (DESIGN §6). Web APIs only.
 */
import { LightRequest } from './request.ts';

type NativeRequest = typeof Request;

function native(): NativeRequest {
  return (globalThis as { Request: NativeRequest }).Request;
}

/** A light request becomes its native Request (built once); anything else is passed as is. */
function unwrap<T>(input: T): T | Request {
  if (input !== null && typeof input === 'object' && input instanceof LightRequest && '_native' in input) {
    // `instanceof LightRequest` is also true of a native Request; only a light one has a getter
    // that builds the native request, and a native Request has no `_native`.
    return (input as unknown as { _native: Request })._native;
  }
  return input;
}

let linked = false;

/** Put the native prototype behind the shim's, so `class X extends Request` gets its methods. */
function link(): NativeRequest {
  const Native = native();
  if (!linked) {
    linked = true;
    Object.setPrototypeOf(PorticoRequest.prototype, Native.prototype);
    Object.setPrototypeOf(PorticoRequest, Native);
  }
  return Native;
}

/**
 * `new Request(input, init)` as Fetch defines it, accepting portico's light requests as input.
 * Instances are native Requests (`new.target` decides the prototype, so subclasses work).
 *
 * @example
 * // in an app bundled for node or lambda:
 * const upstream = new Request(request, { headers: { 'x-forwarded-by': 'me' } });
 */
export function PorticoRequest(this: unknown, input: RequestInfo | URL, init?: RequestInit): Request {
  if (new.target === undefined) throw new TypeError("Failed to construct 'Request': Please use the 'new' operator");
  const Native = link();
  return Reflect.construct(Native, [unwrap(input), init], new.target === PorticoRequest ? Native : new.target);
}

// `instanceof Request` holds for native and light requests alike.
Object.defineProperty(PorticoRequest, Symbol.hasInstance, {
  value: (value: unknown): boolean => LightRequest[Symbol.hasInstance](value),
});

/**
 * The global `fetch`, accepting a light request as input (`fetch(request)` forwards the
 * incoming request upstream).
 *
 * @example
 * const res = await porticoFetch(request); // in a bundled app: fetch(request)
 */
export function porticoFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  return (globalThis as { fetch: typeof fetch }).fetch(unwrap(input) as RequestInfo, init);
}
