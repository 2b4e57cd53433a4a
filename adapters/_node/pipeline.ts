/**
 * A cap on pipelined requests per connection. node:http parses every request a client has
 * pipelined as soon as the bytes arrive (a 64 KiB read can hold a thousand GETs) and calls the
 * listener for each at once, buffering each answer until the ones before it are on the wire: a
 * client that pipelines 2,000 requests for a large response and never reads grew a server to
 * 2 GB. Here a request queued behind others (node leaves its `res.socket` null until its turn)
 * runs the app only while fewer than `limit` such answers are pending on that connection; the
 * rest wait, and the socket stops being read until they drain.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Pending {
  /** Answers being made or buffered behind the one on the wire. */
  ahead: number;
  /** Requests waiting for a slot, oldest first. */
  waiting: Array<() => void>;
  /** Whether this gate paused the socket. */
  paused: boolean;
}

const kPending = Symbol('portico.pipeline');

/**
 * Run `run` now, or once the connection has fewer than `limit` answers pending ahead of it.
 * The hot path (a request that is first in line) is one property check.
 *
 * @example
 * admit(req, res, 16, () => callApp(req, res));
 */
export function admit(req: IncomingMessage, res: ServerResponse, limit: number, run: () => void): void {
  if (res.socket !== null) {
    run();
    return;
  }
  const socket = req.socket as Socket & { [kPending]?: Pending };
  let pending = socket[kPending];
  if (pending === undefined) {
    const state: Pending = (pending = { ahead: 0, waiting: [], paused: false });
    socket[kPending] = state;
    // A closed connection answers nobody: what still waits is dropped, never run.
    socket.once('close', () => {
      state.waiting.length = 0;
    });
  }
  const state = pending;
  const go = (): void => {
    state.ahead++;
    res.once('close', () => release(socket, state));
    run();
  };
  if (state.ahead < limit) {
    go();
    return;
  }
  state.waiting.push(go);
  if (!state.paused) {
    state.paused = true;
    socket.pause();
  }
}

function release(socket: Socket, state: Pending): void {
  state.ahead--;
  const next = state.waiting.shift();
  if (next !== undefined) {
    next();
    return;
  }
  if (state.paused) {
    state.paused = false;
    if (!socket.destroyed) socket.resume();
  }
}
