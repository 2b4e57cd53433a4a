/**
 * What a long-running gateway (node, exe, fastcgi, scgi) does when something escapes every
 * handler, decided once for all of them, as production servers do:
 *
 * - `unhandledRejection` (a promise the app dropped, e.g. `Promise.reject(e)` with no catch):
 *   one log line naming the request that caused it when known, and the server goes on serving.
 *   Node's default would end the process and every other client's connection with it.
 * - `uncaughtException` (a throw from a timer or an event handler: the process state is no
 *   longer trustworthy): one log line, then `drain()` (stop accepting, finish in-flight
 *   requests, up to `drainTimeout`), then exit with code 1 so a supervisor restarts the
 *   server. A second one while draining exits at once.
 *
 * The request is known through an AsyncLocalStorage that the gateway enters around the app's
 * `fetch` (`requestScope`); Node runs an `unhandledRejection` listener in the async context of
 * the rejected promise (Node 20, 22 and 24), so the listener finds the request there.
 *
 * The AsyncLocalStorage is made just after start (on `setImmediate`, once the server has bound
 * its port), or by the first request if that comes sooner: its constructor loads two of Node's
 * internal modules (async_local_storage/async_context_frame and run_scope; node:async_hooks
 * itself is in Node's startup snapshot and free) and its first `run` finishes setting them up,
 * 0.4–1.6 ms inside an executable, which would otherwise delay the port opening.
 *
 * Measured cost (CPU time per call of an async fetch, this machine): on Node 24, whose
 * AsyncLocalStorage rides on V8's context frames, within noise of nothing, even at 10 awaits
 * per request. On Node 20 and 22 it is built on promise hooks, which once enabled cost every
 * promise in the process about 130 ns (a 10-await request: 0.8 µs → 2.1 µs). So by default
 * the request is named only where context frames are on (Node ≥ 24, or Node 22 with
 * --experimental-async-context-frame); elsewhere the line carries the error and its stack.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What the log line says about the request a rejection came from. */
export interface RequestLabel {
  method?: string;
  url?: string;
}

/** Options of `installCrashPolicy`. */
export interface CrashPolicyOptions {
  /** Stop accepting and finish in-flight work (the gateway's graceful close). Required. */
  drain: () => Promise<unknown>;
  /** Where the lines go. Default: `console.error` with a `[portico]` prefix. */
  log?: (message: string, error?: unknown) => void;
  /** Longest wait for `drain()` before exiting anyway, ms. Default 10000. */
  drainTimeout?: number;
  /** How the process ends. Default `process.exit`. (Tests pass their own.) */
  exit?: (code: number) => void;
  /**
   * Name the request a rejection came from (an AsyncLocalStorage around each app call).
   * Default: where it is cheap, i.e. where Node uses async context frames (see above).
   */
  labelRequests?: boolean;
}

/**
 * Whether this Node keeps async context in V8's context frames (cheap AsyncLocalStorage):
 * Node 24 and later unless turned off, Node 22 when turned on.
 *
 * @example
 * contextFramesOn(); // true on Node 24
 */
export function contextFramesOn(): boolean {
  const major = Number(process.versions.node.split('.')[0]);
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (flags.includes('--no-async-context-frame')) return false;
  return major >= 24 || flags.includes('--experimental-async-context-frame');
}

/** The installed policy's scope (made on first use) and whether it labels requests. */
let scope: AsyncLocalStorage<RequestLabel> | undefined;
let labelling: object | undefined;

/**
 * While a crash policy that labels requests is installed: the scope gateways run the app's
 * `fetch` in (`requestScope()?.run(req, ...)`), so a rejection can name its request. Undefined
 * otherwise, and the gateway then pays nothing.
 *
 * @example
 * const scope = requestScope();
 * const result = scope === undefined ? fetch(request) : scope.run(req, fetch, request);
 */
export function requestScope(): AsyncLocalStorage<RequestLabel> | undefined {
  if (scope === undefined && labelling !== undefined) scope = new AsyncLocalStorage<RequestLabel>();
  return scope;
}

/**
 * Install the policy for this process; returns a function that removes it. Call it once, from
 * the gateway's start (a built server's main), before the server takes requests.
 *
 * @example
 * const handle = serve(app, options);
 * installCrashPolicy({ drain: () => handle.close() });
 */
export function installCrashPolicy(options: CrashPolicyOptions): () => void {
  if (typeof options?.drain !== 'function') {
    throw new TypeError('PORTICO_BAD_OPTION: installCrashPolicy({ drain }) needs drain, a function that closes the server gracefully');
  }
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[portico] ${message}`, ...(error === undefined ? [] : [error])));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const drainTimeout = options.drainTimeout ?? 10_000;
  const token = options.labelRequests ?? contextFramesOn() ? {} : undefined;
  let crashing = false;

  const onRejection = (reason: unknown): void => {
    const request = token !== undefined && labelling === token ? scope?.getStore() : undefined;
    const where = request ? ` (during ${request.method} ${request.url})` : '';
    log(`a promise was rejected and nothing handled it${where}; the server goes on serving:`, reason);
  };
  const onException = (error: unknown): void => {
    if (crashing) {
      log('another uncaught exception while draining; exiting now:', error);
      exit(1);
      return;
    }
    crashing = true;
    log(`uncaught exception; finishing in-flight requests (up to ${drainTimeout} ms), then exiting with code 1 for the supervisor to restart:`, error);
    const timer = setTimeout(() => exit(1), drainTimeout);
    timer.unref();
    Promise.resolve()
      .then(options.drain)
      .catch((e) => log('draining failed:', e))
      .finally(() => {
        clearTimeout(timer);
        exit(1);
      });
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  if (token !== undefined) {
    labelling = token;
    scope = undefined;
    setImmediate(requestScope).unref();
  }
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    if (token !== undefined && labelling === token) {
      labelling = undefined;
      scope = undefined;
    }
  };
}
