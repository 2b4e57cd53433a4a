/**
 * `serve()`: a node:http server around `toNodeListener`, listening on host:port or a unix
 * socket, with limits and timeouts set, and a graceful shutdown (stop accepting, close idle
 * keep-alive sockets, let in-flight requests and waitUntil work finish up to a deadline).
 * Shared by the node and exe gateways.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { App } from '../../src/app.ts';
import { DEFAULT_MAX_BODY_SIZE, toNodeListener, type NodeListenerOptions } from './listener.ts';
import { checkMs, checkPositive } from './options.ts';
import { sendPlain } from './plain.ts';
import { drainOnSignals } from './shutdown-signals.ts';
import { clearStaleSocket } from './stale-socket.ts';

/** Options of `serve`: the listener's options plus where and how to listen. */
export interface ServeOptions<Env = Record<string, unknown>> extends NodeListenerOptions<Env> {
  /** TCP port. Default `process.env.PORT`, else 3000. 0 picks a free port (see `handle.url`). */
  port?: number;
  /**
   * Interface to bind. Default `process.env.HOST`, else every interface (`::`, which also takes
   * IPv4 where the system allows it; `0.0.0.0` on a system without IPv6).
   */
  host?: string;
  /** A unix socket path to listen on instead of host:port; a stale socket file is removed. Default none (host:port). */
  socket?: string;
  /** Largest request head (request line + headers) in bytes; node answers 431 beyond it. Default 16384 (node's). */
  maxHeaderSize?: number;
  /**
   * Time to receive the whole request head, ms: a client still sending headers then gets 408
   * and is disconnected (slowloris), within a second past the limit. Default 20000.
   */
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


/**
 * Serve a portico app on node:http.
 *
 * @example
 * import { serve } from 'portico/node';
 * const handle = serve({ fetch: () => new Response('hi') }, { port: 3000, static: 'public' });
 * await handle.ready;  // logs "[portico] listening on http://[::]:3000 (every interface; ...)"
 * await handle.close(); // graceful
 */
export function serve<Env = Record<string, unknown>>(app: App<Env>, options: ServeOptions<Env> = {}): ServeHandle {
  const listener = toNodeListener(app, options);
  const gracefulTimeout = checkMs('gracefulTimeout', options.gracefulTimeout, 10_000);
  const maxHeaderSize = checkPositive('maxHeaderSize', options.maxHeaderSize, 16 * 1024, 'a positive number of bytes');
  const headersTimeout = checkMs('headersTimeout', options.headersTimeout, 20_000);
  const requestTimeout = checkMs('requestTimeout', options.requestTimeout, 300_000);
  const server = createServer(
    {
      maxHeaderSize,
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: checkMs('keepAliveTimeout', options.keepAliveTimeout, 5_000),
      // node checks the two timeouts on this period (default 30 s, so a slow-header client
      // lasted up to 30 s past headersTimeout): at most a second, a quarter of a short timeout.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(Math.min(headersTimeout, requestTimeout || Infinity) / 4))),
    },
    listener,
  );
  // `Expect: 100-continue` (RFC 9110 §10.1.1): node would send 100 Continue by itself and only
  // then see the size; a declared body over the limit is refused first, so it is never sent.
  const maxBody = options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > maxBody) {
      sendPlain(res, 413, 'Payload Too Large\n', true);
      return;
    }
    res.writeContinue();
    listener(req, res);
  });
  // CONNECT asks for a tunnel, which an app server does not offer; node would drop the
  // connection without a word. Answer it (RFC 9110 §9.3.6 lets an origin server refuse).
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {});
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
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
    url = listeningUrl(server.address());
    if (!options.silent) {
      const every = url.startsWith('http://[::]:') || url.startsWith('http://0.0.0.0:');
      console.log(`[portico] listening on ${url}${every ? ' (every interface; --host 127.0.0.1 for this machine only)' : ''}`);
    }
  })();

  let closing: Promise<void> | undefined;
  const stopSignals = options.handleSignals ?? true ? drainOnSignals(close, gracefulTimeout, options.silent) : undefined;

  function close(): Promise<void> {
    if (closing) return closing;
    stopSignals?.();
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
  ready.catch((error) => {
    if (!options.silent) console.error(`[portico] ${listenError(error, options.socket ?? `${host ?? '*'}:${port}`)}`);
  });

  return {
    server,
    get url() {
      return url;
    },
    ready,
    close,
  };
}

/**
 * The address a server really listens on, as a URL: `http://[::]:3000` when on every
 * interface (not `localhost`, which would hide that), `unix:/path` for a socket.
 *
 * @example
 * listeningUrl({ address: '127.0.0.1', family: 'IPv4', port: 3000 }); // 'http://127.0.0.1:3000'
 */
export function listeningUrl(address: string | AddressInfo | null): string {
  if (typeof address === 'string') return `unix:${address}`;
  const a = address!;
  return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}

/**
 * One line for a failed listen: what, where, and the fix; no stack (a supervisor's log shows
 * this line, and the exit code says the rest).
 *
 * @example
 * listenError(Object.assign(new Error('...'), { code: 'EADDRINUSE' }), '*:3000');
 * // 'PORTICO_LISTEN_FAILED: cannot listen on *:3000: the address is in use (EADDRINUSE); stop the other server or choose another --port'
 */
export function listenError(error: unknown, where: string): string {
  const code = (error as { code?: string } | null)?.code;
  const why =
    code === 'EADDRINUSE' ? 'the address is in use (EADDRINUSE); stop the other server or choose another --port'
    : code === 'EACCES' ? 'permission denied (EACCES); use a port above 1023 or grant the capability to bind low ports'
    : code === 'EADDRNOTAVAIL' ? 'no interface has this address (EADDRNOTAVAIL); check --host'
    : String((error as Error | null)?.message ?? error);
  return `PORTICO_LISTEN_FAILED: cannot listen on ${where}: ${why}`;
}
