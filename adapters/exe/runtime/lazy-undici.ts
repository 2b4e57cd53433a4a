/**
 * Keep undici out of the executable's start (DESIGN §6, issue 9): node loads it the first time
 * anything reads `globalThis.Request`, 22–36 ms that an executable pays between spawn and its
 * first response. The node listener reads it once at creation, to put the native prototype
 * behind portico's light request (adapters/_http/request.ts `linkNativeRequest`), so that code
 * outside the bundle sees `instanceof Request` hold. In an executable nothing is outside the
 * bundle, and inside it `Request` is portico's shim whose `instanceof` already holds for light
 * requests (adapters/_http/request-shim.ts) — so, with the light classes on, the link is
 * skipped and the executable behaves as the Lambda gateway does: undici loads only when the app
 * itself needs a native class.
 *
 * Run time only.
 */
import { LightRequest } from '../../_http/request.ts';

/**
 * Run `create` (which builds a node listener) without letting it load undici: `Request` is
 * shadowed by a stand-in for the call and restored after, and the prototype link made against
 * the stand-in is undone.
 *
 * @example
 * const handle = withoutUndiciLink(() => serve(app, options));
 */
export function withoutUndiciLink<T>(create: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'Request');
  if (!descriptor || !descriptor.configurable) return create();
  const before = Object.getPrototypeOf(LightRequest.prototype);
  Object.defineProperty(globalThis, 'Request', { value: class Request {}, configurable: true, writable: true });
  try {
    return create();
  } finally {
    Object.defineProperty(globalThis, 'Request', descriptor);
    Object.setPrototypeOf(LightRequest.prototype, before);
  }
}
