/**
 * `serve()`: a node:http server around `toNodeListener`, listening on host:port or a unix
 * socket, with limits and timeouts set, and a graceful shutdown (stop accepting, close idle
 * keep-alive sockets, let in-flight requests and waitUntil work finish up to a deadline).
 * Shared by the node and exe gateways.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { lstatSync, unlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { App } from '../../src/app.ts';
import { toNodeListener, type NodeListenerOptions } from './listener.ts';

/** Options of `serve`: the listener's options plus where and how to listen. */
export interface ServeOptions<Env = Record<string, unknown>> extends NodeListenerOptions<Env> {
  /** TCP port. Default `process.env.PORT`, else 3000. 0 picks a free port (see `handle.url`). */
  port?: number;
  /** Interface to bind. Default `process.env.HOST`, else node's default (all interfaces, `::`). */
  host?: string;
  /** A unix socket path to listen on instead of host:port; a stale socket file is removed. Default none (host:port). */
  socket?: string;
  /** Largest request head (request line + headers) in bytes; node answers 431 beyond it. Default 16384 (node's). */
  maxHeaderSize?: number;
  /** Time to receive the whole request head, ms (slowloris guard). Default 60000. */
  headersTimeout?: number;
  /** Time to receive the whole request, body included, ms. Default 300000. 0 disables. */
  requestTimeout?: number;
  /** How long an idle keep-alive connection stays open, ms. Default 5000. */
  keepAliveTimeout?: number;
  /** On SIGTERM/SIGINT: shut down gracefully, then exit 0. Default true. */
  handleSignals?: boolean;
  /** How long a graceful shutdown waits for in-flight requests and waitUntil work, ms. Default 10000. */
  gracefulTimeout?: number;
  /** Aborting it shuts the server down gracefully, as `close()` does. Default none. */
  signal?: AbortSignal;
  /** No "listening on" line. Default false. */
  silent?: boolean;
}

/** What `serve` returns. */
export interface ServeHandle {
  /** The node:http server. */
  readonly server: Server;
  /** `http://host:port` (or `unix:/path`) once `ready` has resolved; '' before. */
  readonly url: string;
  /** Resolves once the server listens; rejects when it cannot (port in use, bad socket path). */
  readonly ready: Promise<void>;
  /** Graceful shutdown; resolves when connections are closed and waitUntil work is done (or the deadline passed). */
  close(): Promise<void>;
}

function checkMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`PORTICO_BAD_OPTION: "${name}" must be a number of milliseconds (>= 0), got ${String(value)}`);
  }
  return value;
}

/** A leftover socket file from a crashed server is removed; a live one is an error. */
async function clearStaleSocket(path: string): Promise<void> {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // no file
  }
  if (!isSocket) throw new Error(`PORTICO_SOCKET_IN_USE: ${path} exists and is not a socket; choose another "socket" path`);
  const alive = await new Promise<boolean>((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`PORTICO_SOCKET_IN_USE: a server already listens on ${path}; stop it or choose another "socket" path`);
  unlinkSync(path);
}

/**
 * Serve a portico app on node:http.
 *
 * @example
 * import { serve } from 'portico/node';
 * const handle = serve({ fetch: () => new Response('hi') }, { port: 3000, static: 'public' });
 * await handle.ready;  // logs "[portico] listening on http://localhost:3000"
 * await handle.close(); // graceful
 */
export function serve<Env = Record<string, unknown>>(app: App<Env>, options: ServeOptions<Env> = {}): ServeHandle {
  const listener = toNodeListener(app, options);
  const gracefulTimeout = checkMs('gracefulTimeout', options.gracefulTimeout, 10_000);
  const maxHeaderSize = options.maxHeaderSize ?? 16 * 1024;
  if (!Number.isInteger(maxHeaderSize) || maxHeaderSize <= 0) {
    throw new TypeError(`PORTICO_BAD_OPTION: "maxHeaderSize" must be a positive number of bytes, got ${String(maxHeaderSize)}`);
  }
  const headersTimeout = checkMs('headersTimeout', options.headersTimeout, 60_000);
  const requestTimeout = checkMs('requestTimeout', options.requestTimeout, 300_000);
  const server = createServer(
    {
      maxHeaderSize,
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: checkMs('keepAliveTimeout', options.keepAliveTimeout, 5_000),
      // node checks the two timeouts on this period (default 30 s); a short timeout needs a
      // shorter period to be honoured within a quarter of itself.
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(Math.min(headersTimeout, requestTimeout || Infinity) / 4))),
    },
    listener,
  );
  let url = '';
  const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`PORTICO_BAD_OPTION: "port" must be a port number (0-65535), got ${String(options.port ?? process.env.PORT)}`);
  }
  const host = options.host ?? process.env.HOST ?? undefined;

  const ready = (async () => {
    if (options.socket) await clearStaleSocket(options.socket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const done = () => {
        server.off('error', reject);
        resolve();
      };
      if (options.socket) server.listen(options.socket, done);
      else server.listen(port, host, done);
    });
    const address = server.address();
    if (typeof address === 'string') url = `unix:${address}`;
    else {
      const a = address as AddressInfo;
      const shown = a.address === '::' || a.address === '0.0.0.0' ? 'localhost' : a.family === 'IPv6' ? `[${a.address}]` : a.address;
      url = `http://${shown}:${a.port}`;
    }
    if (!options.silent) console.log(`[portico] listening on ${url}`);
  })();

  let closing: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!options.silent) console.log(`[portico] ${signal}: finishing in-flight requests (up to ${gracefulTimeout} ms)`);
    close().then(() => process.exit(0));
  };
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  function close(): Promise<void> {
    if (closing) return closing;
    if (handleSignals) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    listener.closing = true;
    const started = Date.now();
    closing = new Promise<void>((resolve) => {
      const stopped = new Promise<void>((done) => {
        if (!server.listening) return done();
        server.close(() => done());
      });
      server.closeIdleConnections();
      // A keep-alive connection whose request finishes after close() turns idle later: sweep.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => server.closeAllConnections(), gracefulTimeout);
      sweep.unref();
      deadline.unref();
      stopped
        .then(() => listener.waitUntil.settled(Math.max(0, gracefulTimeout - (Date.now() - started))))
        .then(() => {
          clearInterval(sweep);
          clearTimeout(deadline);
          resolve();
        });
    });
    return closing;
  }

  if (options.signal) {
    if (options.signal.aborted) ready.then(close, () => {});
    else options.signal.addEventListener('abort', () => void close(), { once: true });
  }
  // A server that cannot listen must say so even when nobody awaits `ready` (a bundled
  // server.mjs does not); the rejection itself stays the caller's to handle.
  ready.catch((error) => console.error(`[portico] could not listen on ${options.socket ?? `${host ?? '*'}:${port}`}:`, error));

  return {
    server,
    get url() {
      return url;
    },
    ready,
    close,
  };
}
