/**
 * The FastCGI gateway (`portico/fastcgi`): serve a portico app as a FastCGI 1.0 responder behind
 * nginx (`fastcgi_pass`), Apache (`mod_proxy_fcgi`), lighttpd (`mod_fastcgi`) or anything that
 * speaks FastCGI. The fastcgi bundler target writes an entry that calls `start()` (start.ts);
 * this is the API for serving an unbundled app.
 *
 * @example
 * import { serveFastCGI } from 'portico/fastcgi';
 * import app from './app.ts';
 * const server = serveFastCGI(app, { socket: '/run/app.sock', socketMode: 0o660 });
 * await server.ready;
 * // later: await server.close(); // drains in-flight requests
 */
import type { App } from '../../../src/app.ts';
import { createCgiHandler, DEFAULT_MAX_PARAMS_SIZE, type CgiHandlerOptions } from '../../_cgi/handler.ts';
import { addressOf, type ListenAddress } from '../../_cgi/listen.ts';
import { serveClassic, type ClassicHandle, type ClassicServerOptions } from '../../_cgi/server.ts';
import { linkNativeRequest } from '../../_http/request.ts';
import { fastcgiConnection } from './connection.ts';

/** Options of `serveFastCGI`. */
export interface FastCGIOptions<Env = Record<string, unknown>> extends CgiHandlerOptions<Env>, ClassicServerOptions {
  /** A unix socket path to listen on. */
  socket?: string;
  /** A TCP port to listen on (0 picks a free one). */
  port?: number;
  /** The interface for `port`. Default '127.0.0.1'. */
  host?: string;
  /** An inherited listening socket's file descriptor (0 from lighttpd bin-path, 3 from systemd). */
  fd?: number;
  /** Largest PARAMS block of one request in bytes; 431 beyond. A connection holding 8 × this in params of unfinished requests is closed. Default 131072. */
  maxParamsSize?: number;
  /** Requests at once on one connection (multiplexing); more get FCGI_OVERLOADED. Default 256. */
  maxRequestsPerConnection?: number;
  /** Close a connection that sends nothing for this long while no response is being made, ms. Default 300000. 0: never. */
  idleTimeout?: number;
}

function positive(name: string, value: number | undefined, fallback: number, zeroOk = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0 || (zeroOk && value === 0))) {
    throw new TypeError(`PORTICO_BAD_OPTION: "${name}" must be a ${zeroOk ? 'number >= 0' : 'positive number'}, got ${String(value)}`);
  }
  return value;
}

/**
 * Serve `app` over FastCGI on `options.socket`, `options.port` or `options.fd`.
 * `addresses` (for start.ts) replaces those with a list tried in order.
 *
 * @example
 * serveFastCGI({ fetch: () => new Response('hi') }, { port: 9000 });
 */
export function serveFastCGI<Env = Record<string, unknown>>(app: App<Env>, options: FastCGIOptions<Env> = {}, addresses?: ListenAddress[]): ClassicHandle {
  const handler = createCgiHandler(app, options, 'fastcgi');
  // Start-up is free on a server: load undici now so `instanceof Request` holds for the app.
  linkNativeRequest();
  const limits = {
    maxParamsSize: positive('maxParamsSize', options.maxParamsSize, DEFAULT_MAX_PARAMS_SIZE),
    maxRequests: positive('maxRequestsPerConnection', options.maxRequestsPerConnection, 256),
    idleTimeout: positive('idleTimeout', options.idleTimeout, 300_000, true),
  };
  const log = options.logError ?? ((message: string) => console.error(`[portico] ${message}`));
  return serveClassic(
    'fastcgi',
    addresses ?? addressOf(options),
    (socket, done) => fastcgiConnection(socket, handler, limits, log, done),
    handler.waitUntil,
    options,
    { idleTimeout: limits.idleTimeout },
  );
}

export type { ClassicHandle as FastCGIHandle } from '../../_cgi/server.ts';
