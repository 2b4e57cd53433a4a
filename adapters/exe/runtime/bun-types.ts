/**
 * The slice of Bun's API the bun executable uses, as own minimal types (STYLE §8): bun-types
 * redeclares globals (Request, Response, fetch) that the rest of portico types from the DOM lib.
 * Checked against Bun itself by the bun tests (test/exe/bun.test.ts), which run the real thing.
 *
 * Run time only: types, and accessors of the globals.
 */

/** `Bun.serve`'s options, the ones portico sets. */
export interface BunServeOptions {
  port?: number;
  hostname?: string;
  /** A unix socket path instead of port and hostname. */
  unix?: string;
  /** Largest request body Bun buffers or streams, bytes (Bun's default is 128 MiB). */
  maxRequestBodySize?: number;
  /** Seconds a connection may stay idle (Bun's default 10; 0 turns it off). */
  idleTimeout?: number;
  fetch(request: Request, server: BunServer): Response | Promise<Response>;
  error?(error: Error): Response | Promise<Response>;
}

/** The running server `Bun.serve` returns. */
export interface BunServer {
  readonly port: number | undefined;
  readonly hostname: string | undefined;
  readonly url: URL;
  /** The peer of `request`, or null on a unix socket. */
  requestIP(request: Request): { address: string; family: string; port: number } | null;
  /** Stop accepting; in-flight requests finish unless `closeActiveConnections`. Resolves once they have. */
  stop(closeActiveConnections?: boolean): Promise<void>;
  /** Per-request idle timeout, seconds (0: none), for a long stream or upload. */
  timeout(request: Request, seconds: number): void;
}

/** A file embedded in a `bun build --compile` executable. */
export interface BunEmbeddedFile extends Blob {
  /** Its path as embedded (`--asset public` gives `public/css/app.css`). */
  readonly name: string;
}

/** The `Bun` global, as far as portico uses it. */
export interface BunGlobal {
  readonly version: string;
  serve(options: BunServeOptions): BunServer;
  readonly embeddedFiles: readonly BunEmbeddedFile[];
}

/**
 * The `Bun` global, or undefined outside Bun.
 *
 * @example
 * bunGlobal()?.version; // '1.4.5'
 */
export function bunGlobal(): BunGlobal | undefined {
  return (globalThis as { Bun?: BunGlobal }).Bun;
}

/**
 * Bun's own Request, Response and Headers, taken from the global: a build with `lightResponse`
 * forced on swaps portico's light classes in wherever bundled code, this runtime's included,
 * names `Response` (esbuild `inject`), and Bun.serve takes only its own.
 *
 * @example
 * new (nativeClasses().Response)('hi') instanceof globalThis.Response; // true, whatever the build injects
 */
export function nativeClasses(): { Request: typeof Request; Response: typeof Response; Headers: typeof Headers } {
  const g = globalThis as unknown as { Request: typeof Request; Response: typeof Response; Headers: typeof Headers };
  return { Request: g.Request, Response: g.Response, Headers: g.Headers };
}
