/**
 * The dev server: one node:http server whose request handler is swapped after each build, so
 * the port never closes and a reload is as fast as importing the new bundle. While the latest
 * build is broken it answers every request with the error page (status 500), not with the last
 * good build: stale code that ignores your edit is more confusing than an error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DevHandle } from '../bundle/target.ts';
import { PorticoError } from '../config/errors.ts';
import { DEV_STATUS_PATH, errorPage, errorText } from './error-page.ts';

type State =
  | { kind: 'starting' }
  | { kind: 'ok'; handle: DevHandle }
  | { kind: 'error'; title: string; details: string };

/**
 * @example
 * const dev = new DevServer();
 * await dev.listen(3000, '127.0.0.1');
 * await dev.swap({ listener: (req, res) => res.end('hi') });
 */
export class DevServer {
  readonly server: Server;
  #state: State = { kind: 'starting' };
  /** Counts builds, good or bad; the error page reloads when it moves on to a good one. */
  version = 0;

  constructor() {
    this.server = createServer((req, res) => this.#handle(req, res));
  }

  /** Bind; fails with PORTICO_PORT_IN_USE naming the fix when the port is taken. */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new PorticoError('PORTICO_PORT_IN_USE', `port ${port} on ${host} is in use; pass another one: portico dev --port ${port + 1}`)
            : error,
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Serve a new build from now on; the previous one is closed after the swap. */
  async swap(handle: DevHandle): Promise<void> {
    const previous = this.#state;
    this.version++;
    this.#state = { kind: 'ok', handle };
    if (previous.kind === 'ok' && previous.handle !== handle) await previous.handle.close?.();
  }

  /** Serve the error page until the next good build. */
  fail(title: string, details: string): void {
    this.version++;
    // The last good build is dropped rather than kept: see the module comment.
    const previous = this.#state;
    this.#state = { kind: 'error', title, details };
    if (previous.kind === 'ok') void previous.handle.close?.();
  }

  get ok(): boolean {
    return this.#state.kind === 'ok';
  }

  close(): Promise<void> {
    const state = this.#state;
    this.server.closeAllConnections?.();
    return new Promise((resolve) =>
      this.server.close(() => {
        if (state.kind === 'ok') Promise.resolve(state.handle.close?.()).then(() => resolve(), () => resolve());
        else resolve();
      }),
    );
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === DEV_STATUS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ ok: this.ok, version: this.version }));
      return;
    }
    const state = this.#state;
    if (state.kind === 'starting') {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' });
      res.end('portico dev: the first build is still running\n');
      return;
    }
    if (state.kind === 'error') {
      this.#sendError(req, res, state.title, state.details);
      return;
    }
    try {
      const result = state.handle.listener(req, res);
      if (result instanceof Promise) result.catch((error: unknown) => this.#crash(req, res, error));
    } catch (error) {
      this.#crash(req, res, error);
    }
  }

  /** The adapter itself threw (the app's own errors are the adapter's to turn into 500s). */
  #crash(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    console.error(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.#sendError(req, res, 'The dev adapter threw', (error as Error)?.stack ?? String(error));
  }

  #sendError(req: IncomingMessage, res: ServerResponse, title: string, details: string): void {
    const html = /text\/html/.test(req.headers.accept ?? '');
    res.writeHead(500, { 'content-type': html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html ? errorPage(title, details, this.version) : errorText(title, details));
  }
}
