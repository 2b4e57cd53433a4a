/**
 * A draining FastCGI or SCGI server and a connection that has not sent its request yet: it was
 * accepted just before the listener closed (a daemon-mode worker being replaced, or SIGTERM),
 * and the web server is writing its request now. Closing it at once fails that request (nginx
 * answered 502 in about one reload in four under SCGI's connection per request), so it gets a
 * moment for the request to arrive, and is closed only if nothing came.
 *
 * Run time only.
 */

/** How long a draining server waits for the request of a freshly accepted connection, ms. */
export const ARRIVING_REQUEST_MS = 1_000;

/**
 * @example
 * // in a connection's drain(), with no request on it yet:
 * closeUnlessRequestArrives(() => requests.size === 0 && !closed, () => socket.end());
 */
export function closeUnlessRequestArrives(stillNone: () => boolean, close: () => void): void {
  setTimeout(() => {
    if (stillNone()) close();
  }, ARRIVING_REQUEST_MS).unref();
}
