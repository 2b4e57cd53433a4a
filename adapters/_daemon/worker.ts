/**
 * The worker side of daemon mode: the process title, the primary's drain message and the
 * signals (SIGTERM drains; SIGINT, which a terminal sends to the whole process group, is the
 * primary's to act on), telling the primary when it listens or cannot, and counting requests
 * for `--max-requests`.
 *
 * Run time only. The gateway's main calls `superviseWorker` before it loads the app, so a drain
 * asked for while the app is still loading ends the worker at once.
 */
import type { App } from '../../src/app.ts';
import { requestLimit } from './policy.ts';
import { isPorticoMessage, type WorkerMessage } from './role.ts';

/** What a worker needs of its server. */
export interface WorkerServer {
  readonly url: string;
  readonly ready: Promise<void>;
  close(): Promise<unknown>;
}

/** What `superviseWorker` returns to the gateway's main. */
export interface WorkerSupervision {
  /** Hand over the server once made: the primary is told when it listens. */
  serving(server: WorkerServer): void;
  /** Listening failed (the reason is printed): tell the primary, then exit 1. */
  listenFailed(): void;
  /** The app with `--max-requests` counted; the app itself when there is no limit. */
  counted<Env>(app: App<Env>): App<Env>;
}

function send(message: WorkerMessage, then?: () => void): void {
  if (process.send) process.send(message, undefined, {}, then ? () => then() : undefined);
  else then?.();
}

/**
 * @example
 * const worker = superviseWorker('shop', { maxRequests: 1000, maxRequestsJitter: 50 });
 * const handle = serve(worker.counted(app), { ...options, handleSignals: false, silent: true });
 * worker.serving(handle);
 */
export function superviseWorker(name: string, limits: { maxRequests: number; maxRequestsJitter: number }): WorkerSupervision {
  process.title = `portico: worker ${name}`;
  let server: WorkerServer | undefined;
  let draining = false;
  const drain = (): void => {
    if (draining) return;
    draining = true;
    if (server === undefined) process.exit(0);
    void server.close().then(() => process.exit(0));
  };
  process.on('message', (message) => {
    if (isPorticoMessage(message) && message.portico === 'drain') drain();
  });
  process.on('SIGTERM', drain);
  process.on('SIGINT', () => {});
  return {
    serving(s) {
      server = s;
      if (draining) void s.close().then(() => process.exit(0));
      s.ready.then(() => send({ portico: 'ready', url: s.url }), () => {});
    },
    listenFailed() {
      send({ portico: 'listen-failed' }, () => process.exit(1));
    },
    counted(app) {
      const limit = requestLimit(limits.maxRequests, limits.maxRequestsJitter);
      if (limit === Infinity) return app;
      let served = 0;
      // One counter per request, before the app: the replacement starts while this one serves on.
      return {
        fetch(request, env, ctx) {
          if (++served === limit) send({ portico: 'recycle' });
          return app.fetch(request, env, ctx);
        },
      };
    },
  };
}
