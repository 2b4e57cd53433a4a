/**
 * The long-running side of the fastcgi and scgi gateways: a node:net server on a unix socket,
 * a TCP port or an inherited socket (fd 0 from a web server, fd 3 from systemd), connections
 * tracked so that `close()` drains them (no new connections, in-flight requests finish, idle
 * connections close, waitUntil work settles, the unix socket file goes), and SIGTERM/SIGINT
 * wired to that when asked. Process-level crash handling is not here: see adapters/_node.
 */
import { chmodSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { WaitUntilTracker } from '../_node/wait-until.ts';
import { showAddress, type ListenAddress } from './listen.ts';
import { drainOnSignals } from '../_node/shutdown-signals.ts';
import { clearStaleSocket } from '../_node/stale-socket.ts';
import { inDaemonWorker } from '../_daemon/role.ts';

/** How a server listens and shuts down. */
export interface ClassicServerOptions {
  /** On SIGTERM/SIGINT: drain, then exit 0. Default true. */
  handleSignals?: boolean;
  /** How long `close()` waits for in-flight requests and waitUntil work, ms. Default 10000. */
  gracefulTimeout?: number;
  /** Aborting it closes the server as `close()` does. Default none. */
  signal?: AbortSignal;
  /** No "listening on" line. Default false. */
  silent?: boolean;
  /** Permissions of a unix socket, e.g. 0o660 (the web server's user must be able to write it). Default: the umask's. */
  socketMode?: number;
}

/** What a protocol hands `serveClassic` beside the user's options. */
interface ProtocolLimits {
  /** Close connections whose peer sent nothing for this long (each protocol decides how), ms; 0: never. */
  idleTimeout: number;
}

/** A connection as the server tracks it. */
export interface TrackedConnection {
  readonly active: number;
  drain(): void;
  /**
   * Called every `idleTimeout / 4` ms when the server has an idle timeout: the connection
   * counts the calls since its peer last sent anything and acts once `quietSweeps` pass.
   */
  sweep?(quietSweeps: number): void;
}

/**
 * How many sweeps of which period make up `idleTimeout`. A sweep per server instead of a
 * socket timer per connection: node re-arms a socket's timer on every read and write, which
 * cost about a third of a small FastCGI request's CPU (measured behind nginx).
 */
export function sweepPlan(idleTimeout: number): { period: number; quietSweeps: number } {
  const period = Math.max(25, Math.floor(idleTimeout / 4));
  return { period, quietSweeps: Math.max(1, Math.ceil(idleTimeout / period)) };
}

/** What `serveFastCGI` and `serveSCGI` return. */
export interface ClassicHandle {
  /** The node:net server. */
  readonly server: Server;
  /** `unix:/path`, `127.0.0.1:9000` or the inherited socket, once `ready` resolved; '' before. */
  readonly url: string;
  /** Resolves once listening; rejects when it cannot (address in use, bad path). */
  readonly ready: Promise<void>;
  /** Graceful shutdown; resolves when connections are closed and waitUntil work is done (or the deadline passed). */
  close(): Promise<void>;
}


function listenOn(server: Server, address: ListenAddress): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    const done = () => {
      server.off('error', onError);
      resolve();
    };
    if (address.kind === 'socket') server.listen(address.path, done);
    else if (address.kind === 'port') server.listen(address.port, address.host ?? '127.0.0.1', done);
    else server.listen({ fd: address.fd }, done);
  });
}

/**
 * A note for a unix socket that only its owner (and maybe its group) can connect to, when no
 * `socketMode` was asked for (undefined when one was): nginx or Apache running as another user then fails with
 * "Permission denied" in its own error log and a 502, far from the cause. php-fpm avoids it by
 * handing the socket to the web server's user; here the umask decides, so say what to set.
 *
 * @example
 * socketModeHint('/run/portico/shop.sock', 'fastcgi', undefined); // 'note: unix:/run/portico/shop.sock has mode 0755: ...' or undefined
 */
export function socketModeHint(path: string, protocol: string, socketMode: number | undefined): string | undefined {
  if (socketMode !== undefined) return undefined;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o002) !== 0) return undefined;
  const octal = mode.toString(8).padStart(4, '0');
  const who = (mode & 0o020) !== 0 ? 'its owner and group' : 'its owner';
  return `note: unix:${path} has mode ${octal}: only ${who} can connect; a web server running as another user logs "Permission denied" and answers 502. Set ${protocol}.socketMode in bundle.config.ts (0o660 with the web server's group, or 0o666)`;
}

/**
 * Listen on the first of `addresses` that works and serve each connection with `onConnection`.
 *
 * @example
 * serveClassic('fastcgi', [{ kind: 'port', port: 9000, host: undefined }], (s) => fastcgiConnection(s, ...), handler.waitUntil, {});
 */
export function serveClassic(
  protocol: string,
  addresses: ListenAddress[],
  onConnection: (socket: Socket, done: () => void) => TrackedConnection,
  waitUntil: WaitUntilTracker,
  options: ClassicServerOptions,
  limits: ProtocolLimits = { idleTimeout: 0 },
): ClassicHandle {
  const gracefulTimeout = options.gracefulTimeout ?? 10_000;
  if (typeof gracefulTimeout !== 'number' || !(gracefulTimeout >= 0)) {
    throw new TypeError(`PORTICO_BAD_OPTION: "gracefulTimeout" must be a number of milliseconds (>= 0), got ${String(gracefulTimeout)}`);
  }
  if (addresses.length === 0) {
    throw new TypeError(`PORTICO_NO_ADDRESS: nowhere to listen; give --socket <path> or --port <n> (or set "socket" or "port" in bundle.config.ts's ${protocol} section)`);
  }
  const connections = new Map<Socket, TrackedConnection>();
  let closing: Promise<void> | undefined;
  // Half-open: a web server may shut its side once the request is sent (SCGI clients do); the
  // response still goes out. Each connection handler ends its side itself.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    const tracked = onConnection(socket, () => connections.delete(socket));
    connections.set(socket, tracked);
  });
  let url = '';
  let ownSocket: string | undefined;
  let sweeper: ReturnType<typeof setInterval> | undefined;
  if (limits.idleTimeout > 0) {
    const plan = sweepPlan(limits.idleTimeout);
    sweeper = setInterval(() => {
      for (const c of connections.values()) c.sweep?.(plan.quietSweeps);
    }, plan.period);
    sweeper.unref();
  }

  const ready = (async () => {
    let lastError: unknown;
    for (const address of addresses) {
      try {
        if (address.kind === 'socket') await clearStaleSocket(address.path);
        await listenOn(server, address);
        if (address.kind === 'socket') {
          ownSocket = address.path;
          if (options.socketMode !== undefined) chmodSync(address.path, options.socketMode);
        }
        url = showAddress(address.kind === 'port' ? { ...address, port: (server.address() as { port: number }).port } : address);
        if (!options.silent) {
          console.log(`[portico] ${protocol} listening on ${url}`);
          const hint = address.kind === 'socket' ? socketModeHint(address.path, protocol, options.socketMode) : undefined;
          if (hint) console.log(`[portico] ${hint}`);
        }
        return;
      } catch (error) {
        lastError = error;
        // fd 0 that is a socket but not a listening one (a parent's pipe): try the next choice.
        if (!(address.kind === 'fd' && address.fd === 0 && addresses.length > 1)) break;
      }
    }
    throw lastError;
  })();

  const stopSignals = options.handleSignals ?? true ? drainOnSignals(close, gracefulTimeout, options.silent) : undefined;

  function close(): Promise<void> {
    if (closing) return closing;
    stopSignals?.();
    const started = Date.now();
    closing = new Promise<void>((resolve) => {
      const stopped = new Promise<void>((done) => {
        if (!server.listening) return done();
        server.close(() => done());
      });
      for (const c of connections.values()) c.drain();
      const deadline = setTimeout(() => {
        for (const socket of connections.keys()) socket.destroy();
      }, gracefulTimeout);
      deadline.unref();
      stopped
        .then(() => waitUntil.settled(Math.max(0, gracefulTimeout - (Date.now() - started))))
        .then(() => {
          clearTimeout(deadline);
          if (sweeper !== undefined) clearInterval(sweeper);
          // A daemon-mode worker leaves the file to its primary, whose socket serves on.
          if (ownSocket !== undefined && !inDaemonWorker()) {
            try {
              unlinkSync(ownSocket);
            } catch {
              // node removed it already
            }
          }
          resolve();
        });
    });
    return closing;
  }

  if (options.signal) {
    if (options.signal.aborted) ready.then(close, () => {});
    else options.signal.addEventListener('abort', () => void close(), { once: true });
  }
  ready.catch((error) => console.error(`[portico] ${protocol}: could not listen on ${addresses.map(showAddress).join(' or ')}: ${(error as Error).message}`));

  return {
    server,
    get url() {
      return url;
    },
    ready,
    close,
  };
}
