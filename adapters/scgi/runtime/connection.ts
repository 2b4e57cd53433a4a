/**
 * One SCGI connection: the header block, then CONTENT_LENGTH body bytes, then the CGI-style
 * response written straight to the socket, which is then closed (one request a connection).
 */
import type { Socket } from 'node:net';
import { Buffer } from 'node:buffer';
import type { CgiExchange, CgiHandler } from '../../_cgi/handler.ts';
import type { ResponseSink } from '../../_cgi/response.ts';
import type { TrackedConnection } from '../../_cgi/server.ts';
import { sendPlainCgi } from '../../_cgi/response.ts';
import { NetstringError, parseScgiHeader } from './netstring.ts';
import { IdleClock } from '../../_cgi/idle.ts';
import { closeUnlessRequestArrives } from '../../_cgi/arriving.ts';

/** Limits of one connection. */
export interface ScgiLimits {
  /** Largest header block, bytes. */
  maxParamsSize: number;
  /** Close a connection that sends nothing for this long while no response is being made, ms. 0: never. */
  idleTimeout: number;
}

/**
 * Serve one SCGI request on an accepted socket.
 *
 * @example
 * net.createServer({ allowHalfOpen: true }, (socket) => scgiConnection(socket, handler, limits, console.error));
 */
export function scgiConnection(socket: Socket, handler: CgiHandler, limits: ScgiLimits, log: (message: string) => void, onDone?: () => void): TrackedConnection {
  let head: Buffer | undefined;
  let exchange: CgiExchange | undefined;
  let answered = false;
  let closed = false;
  /**
   * Writers waiting for the socket to drain. A socket the client closed never emits 'drain', so
   * 'close' wakes them too: the response pump then sees the client gone and cancels the app's
   * stream (else a push stream, such as server-sent events, buffers for nobody forever).
   */
  const drainWaiters: Array<() => void> = [];
  const wakeWriters = (): void => {
    for (const callback of drainWaiters.splice(0)) callback();
  };
  // Idle detection by the server's sweep (sweepPlan): a flag per read, no timer per socket.
  const clock = new IdleClock();

  const close = (why?: string): void => {
    if (closed) return;
    if (why) log(`scgi: ${why}; the connection is closed`);
    closed = true;
    socket.destroy();
  };
  const finish = (): void => {
    answered = true;
    exchange?.body.discard();
    if (!closed) {
      closed = true;
      socket.end();
    }
  };

  const sink: ResponseSink = {
    sendAll(h, body) {
      if (closed) return;
      if (body === undefined) socket.write(h, 'latin1');
      else {
        socket.cork();
        socket.write(h, 'latin1');
        socket.write(body as Uint8Array | string);
        socket.uncork();
      }
      finish();
    },
    sendHead(h) {
      if (!closed) socket.write(h, 'latin1');
    },
    write(chunk) {
      return closed ? true : socket.write(chunk);
    },
    onDrain(callback) {
      if (closed) callback();
      else drainWaiters.push(callback);
    },
    end() {
      finish();
    },
    destroy() {
      close();
    },
    get gone() {
      return closed;
    },
  };

  const onData = (chunk: Buffer): void => {
    clock.heard();
    if (exchange !== undefined) {
      exchange.body.push(chunk);
      return;
    }
    if (answered) return;
    head = head === undefined ? chunk : Buffer.concat([head, chunk]);
    let parsed;
    try {
      parsed = parseScgiHeader(head, limits.maxParamsSize);
    } catch (error) {
      const status = (error as NetstringError).status;
      if (status !== undefined) {
        log(`scgi: ${(error as Error).message}; answered ${status}`);
        sendPlainCgi(sink, status, 'Request Header Fields Too Large\n');
        return;
      }
      return close((error as Error).message);
    }
    if (parsed === undefined) {
      if (head.length > limits.maxParamsSize + 12) close(`the header block is larger than maxParamsSize (${limits.maxParamsSize} bytes)`);
      return;
    }
    const rest = head.subarray(parsed.consumed);
    head = undefined;
    exchange = handler(parsed.params, sink, (paused) => (paused ? socket.pause() : socket.resume()));
    if (rest.length > 0) exchange.body.push(rest);
  };

  socket.on('data', onData);
  socket.on('end', () => {
    // A FIN before the whole request arrived cuts it short (400, which the peer may still read).
    // After it, the web server closed the connection: nginx does so when its client goes away,
    // and none of nginx, Apache or lighttpd half-closes an SCGI connection. Abort at once, so
    // request.signal tells the app.
    if (exchange !== undefined && !exchange.body.done) exchange.body.end();
    else if (!answered) close(head === undefined || exchange !== undefined ? undefined : 'the connection ended inside the header block');
  });
  const onIdle = (): void => {
    if (exchange !== undefined && exchange.body.done) return; // the app is at work
    if (head !== undefined || exchange !== undefined) log(`scgi: no bytes for ${limits.idleTimeout} ms with the request unfinished; the connection is closed`);
    closed = true;
    socket.destroy();
  };

  socket.on('drain', wakeWriters);
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    if (exchange !== undefined && !answered) exchange.abort();
    wakeWriters();
    onDone?.();
  });

  return {
    get active() {
      return exchange !== undefined && !answered ? 1 : 0;
    },
    sweep(quietSweeps: number) {
      if (clock.sweep(quietSweeps) && !closed) onIdle();
    },
    drain() {
      // One request a connection, so nothing to end after it; one whose request has not come
      // (whole) yet gets a moment for it (adapters/_cgi/arriving.ts), then is closed.
      if (exchange === undefined && !answered) closeUnlessRequestArrives(() => exchange === undefined && !answered && !closed, () => close());
    },
  };
}
