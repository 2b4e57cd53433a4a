/**
 * SIGTERM and SIGINT as a long-running gateway answers them (node's `serve()`, the fastcgi and
 * scgi servers): say so in one line, finish in-flight requests through the server's own graceful
 * `close()`, then exit 0. Shared so every such server drains the same way.
 *
 * Run time only.
 */

/**
 * Listen for SIGTERM/SIGINT (once each); returns the function that stops listening, which a
 * server's `close()` calls so a later signal gets node's default behaviour.
 *
 * @example
 * const off = drainOnSignals(() => handle.close(), 10_000, false);
 * // in close(): off();
 */
export function drainOnSignals(close: () => Promise<unknown>, gracefulTimeout: number, silent: boolean | undefined): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!silent) console.log(`[portico] ${signal}: finishing in-flight requests (up to ${gracefulTimeout} ms)`);
    void close().then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
