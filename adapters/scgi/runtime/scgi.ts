/**
 * The SCGI gateway (`portico/scgi`): serve a portico app over SCGI behind nginx (`scgi_pass`),
 * Apache (`mod_proxy_scgi`) or lighttpd (`mod_scgi`). The scgi bundler target writes an entry
 * that calls `start()` (start.ts); this is the API for serving an unbundled app.
 *
 * @example
 * import { serveSCGI } from 'portico/scgi';
 * import app from './app.ts';
 * const server = serveSCGI(app, { port: 4000 });
 * await server.ready;
 * // later: await server.close(); // drains in-flight requests
 */
import type { App } from '../../../src/app.ts';
import { createCgiHandler, DEFAULT_MAX_PARAMS_SIZE, type CgiHandlerOptions } from '../../_cgi/handler.ts';
import { addressOf, type ListenAddress } from '../../_cgi/listen.ts';
import { serveClassic, type ClassicHandle, type ClassicServerOptions } from '../../_cgi/server.ts';
import { linkNativeRequest } from '../../_http/request.ts';
import { scgiConnection } from './connection.ts';

/** Options of `serveSCGI`. */
export interface SCGIOptions<Env = Record<string, unknown>> extends CgiHandlerOptions<Env>, ClassicServerOptions {
  /** A unix socket path to listen on. */
  socket?: string;
  /** A TCP port to listen on (0 picks a free one). */
  port?: number;
  /** The interface for `port`. Default '127.0.0.1'. */
  host?: string;
  /** An inherited listening socket's file descriptor (0 from a web server, 3 from systemd). */
  fd?: number;
  /** Largest header block (netstring) in bytes; 431 beyond. Default 131072. */
  maxParamsSize?: number;
  /** Close a connection that sends nothing for this long while no response is being made, ms. Default 60000. 0: never. */
  idleTimeout?: number;
}

/**
 * Serve `app` over SCGI on `options.socket`, `options.port` or `options.fd`.
 *
 * @example
 * serveSCGI({ fetch: () => new Response('hi') }, { socket: '/run/app.scgi' });
 */
export function serveSCGI<Env = Record<string, unknown>>(app: App<Env>, options: SCGIOptions<Env> = {}, addresses?: ListenAddress[]): ClassicHandle {
  const handler = createCgiHandler(app, options, 'scgi');
  linkNativeRequest();
  const maxParamsSize = options.maxParamsSize ?? DEFAULT_MAX_PARAMS_SIZE;
  const idleTimeout = options.idleTimeout ?? 60_000;
  if (!(maxParamsSize > 0)) throw new TypeError(`PORTICO_BAD_OPTION: "maxParamsSize" must be a positive number, got ${String(maxParamsSize)}`);
  if (!(idleTimeout >= 0)) throw new TypeError(`PORTICO_BAD_OPTION: "idleTimeout" must be a number >= 0, got ${String(idleTimeout)}`);
  const log = options.logError ?? ((message: string) => console.error(`[portico] ${message}`));
  return serveClassic(
    'scgi',
    addresses ?? addressOf(options),
    (socket, done) => scgiConnection(socket, handler, { maxParamsSize, idleTimeout }, log, done),
    handler.waitUntil,
    options,
    { idleTimeout },
  );
}

export type { ClassicHandle as SCGIHandle } from '../../_cgi/server.ts';
