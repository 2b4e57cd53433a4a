/**
 * The dev server: one node:http server whose request handler is swapped after each build, so
 * the port never closes and a reload is as fast as importing the new bundle. While the latest
 * build is broken, a browser loading a page (Accept: text/html) gets the error page (status 500,
 * reloading itself once a fix builds), so the developer sees why; every other request (fetch
 * calls, assets, curl, API clients) is still served by the last good build, as vite keeps the old
 * modules running under its error overlay. With no good build yet, everything gets the error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DevHandle } from '../bundle/target.ts';
import { PorticoError } from '../config/errors.ts';
import { DEV_STATUS_PATH, errorPage, errorText } from './error-page.ts';

type State =
  | { kind: 'starting' }
  | { kind: 'ok'; handle: DevHandle }
  | { kind: 'error'; title: string; details: string; lastGood: DevHandle | undefined };

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
    const previous = this.#live(this.#state);
    this.version++;
    this.#state = { kind: 'ok', handle };
    if (previous !== undefined && previous !== handle) await previous.close?.();
  }

  /** Show the error page to browsers until the next good build; the last good build serves the rest. */
  fail(title: string, details: string): void {
    this.version++;
    this.#state = { kind: 'error', title, details, lastGood: this.#live(this.#state) };
  }

  /** The build that answers requests in `state`, if any. */
  #live(state: State): DevHandle | undefined {
    return state.kind === 'ok' ? state.handle : state.kind === 'error' ? state.lastGood : undefined;
  }

  get ok(): boolean {
    return this.#state.kind === 'ok';
  }

  close(): Promise<void> {
    const live = this.#live(this.#state);
    this.server.closeAllConnections?.();
    return new Promise((resolve) =>
      this.server.close(() => {
        if (live !== undefined) Promise.resolve(live.close?.()).then(() => resolve(), () => resolve());
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
    if (state.kind === 'error' && (state.lastGood === undefined || wantsPage(req))) {
      this.#sendError(req, res, state.title, state.details);
      return;
    }
    const handle = state.kind === 'ok' ? state.handle : state.lastGood!;
    try {
      if (!handle.listener) throw new Error('this build serves no HTTP (its target is reached through another server)');
      const result = handle.listener(req, res);
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

/** A browser loading a page (not a fetch() call or an asset): the one to show a build error to. */
function wantsPage(req: IncomingMessage): boolean {
  const mode = req.headers['sec-fetch-mode'];
  if (mode !== undefined) return mode === 'navigate';
  return /text\/html/.test(req.headers.accept ?? '');
}
