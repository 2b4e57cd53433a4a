/**
 * esbuild `inject` shim (DESIGN §6): inside a bundle built with `lightResponse` on, every free
 * `Response` and `Headers` identifier in the app and its dependencies refers to these exports
 * instead of the global classes. Nothing global is patched: `globalThis.Response` stays
 * undici's, and the light classes reach it lazily when a body needs the real thing.
 *
 * Shipped inside bundles (not build-time code) though it lives beside the bundler, because
 * only the bundler refers to it. Web APIs only.
 */
export { FastResponse as Response } from '../../adapters/_http/response.ts';
export { LightHeaders as Headers } from '../../adapters/_http/headers.ts';
// A light request is not an undici Request: `new Request(request, init)` and `fetch(request)`
// go through shims that hand undici the real one (adapters/_http/request-shim.ts).
export { PorticoRequest as Request, porticoFetch as fetch } from '../../adapters/_http/request-shim.ts';
