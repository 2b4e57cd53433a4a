/**
 * The address the developer's web server connects to during `portico dev --target fastcgi|scgi`
 * (the socket or port of bundle.config.ts, the one the generated nginx.conf names). The dev
 * process binds it once per session and pipes each connection, byte for byte, to the current
 * worker: a child running the latest good build, unchanged, on a private socket.
 *
 * Why a pipe and not the socket handed to each worker: a listening socket the dev process holds
 * would also be accepted on by it, and a worker that binds the path itself removes it when it
 * stops, under its successor. Here a rebuild starts the new worker, points new connections at it
 * and only then lets the old one drain, so the address never closes and no connection is refused:
 * the old worker finishes what it holds, closing kept-alive connections as they go idle (nginx
 * retries a request that fails on a cached connection on a fresh one, which reaches the new worker).
 *
 * Build time only (dev tooling).
 */
import { chmodSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { clearStaleSocket } from '../../_node/stale-socket.ts';
import { PorticoError } from '../../../src/config/errors.ts';
import { addressText, type ListenAddress } from './snippet-input.ts';

/**
 * @example
 * const front = await DevFront.open({ socket: '/run/portico/shop.sock' });
 * front.point('/tmp/portico-dev-x/w1.sock'); // new connections go to that worker
 */
export class DevFront {
  readonly #server: Server;
  #worker: string | undefined;
  /** Connections that arrived while no worker was up (first start, a crashed worker's restart). */
  #waiting: Socket[] = [];
  readonly #open = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
    server.on('connection', (client) => this.#accept(client));
  }

  /** Bind `address` (a stale socket file is replaced, a live one is an error naming the fix). */
  static async open(address: ListenAddress, socketMode?: number): Promise<DevFront> {
    // pauseOnConnect: nothing is read before the worker's connection is there to take it.
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const where = addressText(address);
    try {
      if ('socket' in address) await clearStaleSocket(address.socket);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        const done = (): void => {
          server.off('error', reject);
          resolve();
        };
        if ('socket' in address) server.listen(address.socket, done);
        else server.listen(address.port, address.host, done);
      });
      if ('socket' in address && socketMode !== undefined) chmodSync(address.socket, socketMode);
    } catch (error) {
      const message = (error as Error).message.replace(/^PORTICO_SOCKET_IN_USE: /, '');
      throw new PorticoError('PORTICO_LISTEN_FAILED', `portico dev cannot listen on ${where}: ${message}; set "socket" (a path you may create) or "port" in bundle.config.ts's section of this target`);
    }
    return new DevFront(server);
  }

  /** From now on, new connections go to the worker listening on `socket`; undefined: they wait. */
  point(socket: string | undefined): void {
    this.#worker = socket;
    if (socket === undefined) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const client of waiting) if (!client.destroyed) this.#pipe(client, socket);
  }

  /** The worker socket new connections go to. */
  get worker(): string | undefined {
    return this.#worker;
  }

  /** Stop accepting (a unix socket file is removed) and cut what is still connected. */
  close(): Promise<void> {
    for (const client of [...this.#waiting, ...this.#open]) client.destroy();
    this.#waiting = [];
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    client.on('error', () => client.destroy());
    if (this.#worker === undefined) this.#waiting.push(client);
    else this.#pipe(client, this.#worker);
  }

  #pipe(client: Socket, socket: string): void {
    this.#open.add(client);
    // What the client sent before the worker answered anything: a connection still in the old
    // worker's accept queue when it stops listening is reset unread (and a drain closes one that
    // brought no request yet), so it goes again to the current worker.
    let sent: Buffer[] | undefined = [];
    let ended = false;
    let upstream: Socket;
    const open = (path: string, tries: number): void => {
      const up = connect({ path, allowHalfOpen: true });
      upstream = up;
      for (const chunk of sent!) up.write(chunk);
      if (ended) up.end();
      up.on('data', (chunk: Buffer) => {
        sent = undefined;
        if (!client.write(chunk)) up.pause();
      });
      up.on('drain', () => client.resume());
      up.on('end', () => client.end());
      up.on('error', () => {});
      up.on('close', (hadError) => {
        if (up !== upstream || client.destroyed) return;
        const next = this.#worker;
        if (sent !== undefined && next !== undefined && tries < 3) open(next, tries + 1);
        else if (sent !== undefined || hadError) client.destroy();
      });
    };
    open(socket, 0);
    client.on('drain', () => upstream.resume());
    client.on('data', (chunk: Buffer) => {
      sent?.push(chunk);
      if (!upstream.write(chunk)) client.pause();
    });
    // Each side's end is passed on as a half-close (SCGI peers may shut their side after the request).
    client.on('end', () => {
      ended = true;
      upstream.end();
    });
    client.on('close', () => {
      upstream.destroy();
      this.#open.delete(client);
    });
    client.resume();
  }
}
