/**
 * One FastCGI connection (spec §3): records in, requests started as their PARAMS complete,
 * STDIN fed to their bodies, responses out as STDOUT records. Several requests may run at
 * once on one connection (multiplexing); FCGI_KEEP_CONN keeps the connection for the next.
 * A malformed record closes this connection only, with one log line.
 */
import type { Socket } from 'node:net';
import { Buffer } from 'node:buffer';
import type { CgiHandler } from '../../_cgi/handler.ts';
import { addParam, type CgiParams } from '../../_cgi/meta.ts';
import { sendPlainCgi } from '../../_cgi/response.ts';
import {
  decodePairs, encodePairs, encodeRecord, endRequest, KEEP_CONN, OVERLOADED, RecordError, RecordReader, RESPONDER, Type, UNKNOWN_ROLE, unknownType,
} from './records.ts';
import { Pending, type Link } from './pending.ts';
import { IdleClock } from '../../_cgi/idle.ts';
import { closeUnlessRequestArrives } from '../../_cgi/arriving.ts';

/** Body bytes a connection holds for requests whose apps do not read, before it stops reading anyway. */
const MULTIPLEXED_HELD = 4 * 1024 * 1024;

/**
 * Params of unfinished PARAMS streams a connection may hold, in maxParamsSizes (1 MiB by
 * default). Each request is held to maxParamsSize, but up to maxRequests of them may be open at
 * once: 256 × 128 KiB = 32 MiB a connection, from a peer that never ends them. No web server
 * sends more than one request at a time; beyond this the peer is not one, and the connection closes.
 */
const MULTIPLEXED_PARAMS = 8;

/**
 * `buf[start, end)` to keep past this read: a view, or a copy when the view is under a quarter
 * of the memory behind it. A kept view keeps its whole read alive (up to 64 KiB), so small
 * records interleaved with large ones (a peer sending one byte of a request's body per read)
 * would hold far more than the limits count; nginx's records fill most of their reads.
 */
function keep(buf: Uint8Array, start: number, end: number): Uint8Array {
  return (end - start) * 4 < buf.buffer.byteLength ? Buffer.copyBytesFrom(buf, start, end - start) : buf.subarray(start, end);
}

/** Limits of one connection. */
export interface ConnectionLimits {
  /** Largest PARAMS block of one request, bytes; 431 beyond. */
  maxParamsSize: number;
  /** Requests running at once on one connection; more get FCGI_OVERLOADED. */
  maxRequests: number;
  /** Close a connection that sends nothing for this long while no response is being made, ms. */
  idleTimeout: number;
}

/** What the server keeps of a connection. */
export interface FcgiConnection {
  /** Requests in flight. */
  readonly active: number;
  /** Finish what is in flight, take nothing new that would keep the connection, then close. */
  drain(): void;
  /** The server's idle sweep (see `sweepPlan` in adapters/_cgi/server.ts). */
  sweep(quietSweeps: number): void;
}

/**
 * Serve FastCGI on one accepted socket.
 *
 * @example
 * net.createServer((socket) => fastcgiConnection(socket, handler, limits, console.error));
 */
export function fastcgiConnection(socket: Socket, handler: CgiHandler, limits: ConnectionLimits, log: (message: string) => void, onDone?: () => void): FcgiConnection {
  const reader = new RecordReader();
  const requests = new Map<number, Pending>();
  const drainWaiters: Array<() => void> = [];
  /** Requests whose params are complete, to start once the current read is handled. */
  const ready: Pending[] = [];
  let paused = 0;
  let socketPaused = false;
  /** Bytes of params held for requests whose PARAMS stream is still open. */
  let paramsHeld = 0;
  let draining = false;
  let closed = false;
  let heardAny = false;

  socket.setNoDelay(true);
  // Idle detection by the server's sweep (sweepPlan): a flag per read, no timer per socket.
  const clock = new IdleClock();

  const close = (why?: string): void => {
    if (closed) return;
    if (why) log(`fastcgi: ${why}; the connection is closed`);
    closed = true;
    socket.destroy();
  };

  const write = (bytes: Uint8Array): boolean => (closed ? false : socket.write(bytes));

  /** The request's params are decoded, refused or no longer wanted: they no longer count. */
  const dropParams = (req: Pending): void => {
    if (req.params === undefined) return;
    paramsHeld -= req.paramsSize;
    req.params = undefined;
  };

  const complete = (req: Pending): void => {
    if (requests.get(req.id) !== req) return;
    requests.delete(req.id);
    dropParams(req);
    req.exchange?.body.discard();
    // A request without FCGI_KEEP_CONN asks the application to close the connection once it is
    // done (spec §5.1); requests multiplexed beside it finish first.
    if (!req.keepConn) draining = true;
    if (draining && requests.size === 0 && !closed) {
      closed = true;
      socket.end();
    }
    if (paused > 0) steer();
  };

  const link: Link = {
    get closed() {
      return closed;
    },
    write,
    complete,
    close: () => close(),
    waitDrain: (callback) => drainWaiters.push(callback),
  };

  /** Requests still waiting for input: their params, or the rest of their body. */
  const expectingInput = (): number => {
    let n = 0;
    for (const req of requests.values()) if (req.exchange === undefined ? req.params !== undefined : !req.exchange.body.done) n++;
    return n;
  };
  const heldBytes = (): number => {
    let n = 0;
    for (const req of requests.values()) n += req.exchange?.body.buffered ?? 0;
    return n;
  };
  /**
   * Read or not. A body whose buffer is full asks to pause (`pressure`), but FastCGI has no flow
   * control per request: a paused socket stops every request on the connection. So while another
   * request on it still waits for input, reading goes on (a multiplexing web server never waits
   * on an app that does not read its body), up to MULTIPLEXED_HELD bytes held for the
   * connection's bodies, where memory comes first. nginx and Apache send one request at a time.
   */
  const steer = (): void => {
    if (closed) return;
    const stop = paused > 0 && (expectingInput() <= paused || heldBytes() > MULTIPLEXED_HELD);
    if (stop === socketPaused) return;
    socketPaused = stop;
    if (stop) socket.pause();
    else socket.resume();
  };
  const pressure = (on: boolean): void => {
    paused += on ? 1 : -1;
    steer();
  };

  const begin = (id: number, c: Uint8Array, at: number, end: number): void => {
    if (end - at < 8) return close(`BEGIN_REQUEST ${id} has ${end - at} content bytes, not 8`);
    const role = (c[at]! << 8) | c[at + 1]!;
    const keepConn = (c[at + 2]! & KEEP_CONN) !== 0;
    if (requests.has(id)) return close(`BEGIN_REQUEST for request ${id}, which is already running`);
    const refuse = (status: number): void => {
      write(endRequest(id, status));
      if (!keepConn && requests.size === 0) {
        closed = true;
        socket.end();
      }
    };
    if (role !== RESPONDER) return refuse(UNKNOWN_ROLE);
    if (requests.size >= limits.maxRequests) return refuse(OVERLOADED);
    requests.set(id, new Pending(id, keepConn, link));
  };

  const params = (req: Pending, buf: Uint8Array, start: number, end: number): void => {
    if (req.params === undefined) return; // PARAMS after the stream ended: nothing to add
    if (end > start) {
      req.paramsSize += end - start;
      paramsHeld += end - start;
      if (req.paramsSize > limits.maxParamsSize) {
        dropParams(req);
        log(`fastcgi: request ${req.id}: the params are larger than maxParamsSize (${limits.maxParamsSize} bytes); answered 431`);
        req.started = true;
        sendPlainCgi(req, 431, 'Request Header Fields Too Large\n');
        return;
      }
      if (paramsHeld > MULTIPLEXED_PARAMS * limits.maxParamsSize) {
        return close(`the unfinished params of ${requests.size} requests pass ${MULTIPLEXED_PARAMS * limits.maxParamsSize} bytes (${MULTIPLEXED_PARAMS} × maxParamsSize)`);
      }
      req.params.push(keep(buf, start, end));
      return;
    }
    const block = req.params.length === 1 ? req.params[0]! : Buffer.concat(req.params);
    dropParams(req);
    const meta: CgiParams = new Map();
    if (!decodePairs(block, (name, value) => addParam(meta, name, value))) {
      return close(`request ${req.id}: the PARAMS stream is not a whole number of name-value pairs`);
    }
    req.started = true;
    req.exchange = handler(meta, req, pressure, true);
    ready.push(req);
  };

  const management = (type: number, content: Uint8Array): void => {
    if (type !== Type.GET_VALUES) {
      write(unknownType(type));
      return;
    }
    const answers: Array<[string, string]> = [];
    const known: Record<string, string> = { FCGI_MAX_CONNS: '1024', FCGI_MAX_REQS: String(limits.maxRequests * 1024), FCGI_MPXS_CONNS: '1' };
    decodePairs(content, (name) => {
      if (known[name] !== undefined) answers.push([name, known[name]!]);
    });
    write(encodeRecord(Type.GET_VALUES_RESULT, 0, encodePairs(answers)));
  };

  const onRecord = (type: number, id: number, buf: Uint8Array, start: number, end: number): boolean => {
    if (closed) return false;
    if (id === 0) {
      management(type, buf.subarray(start, end));
      return true;
    }
    if (type === Type.BEGIN_REQUEST) {
      begin(id, buf, start, end);
      return !closed;
    }
    if (type < 1 || type > Type.UNKNOWN_TYPE) {
      write(unknownType(type));
      return true;
    }
    const req = requests.get(id);
    // Records of a request that is over (answered early, aborted) are ignored (spec §3.3).
    if (req === undefined) return true;
    switch (type) {
      case Type.PARAMS:
        params(req, buf, start, end);
        break;
      case Type.STDIN:
        if (req.exchange === undefined) {
          if (req.params !== undefined) close(`request ${req.id}: STDIN before the PARAMS stream ended`);
          break;
        }
        if (start === end) req.exchange.body.end();
        else req.exchange.body.push(keep(buf, start, end));
        break;
      case Type.ABORT_REQUEST:
        req.aborted = true;
        req.exchange?.abort();
        write(endRequest(req.id, 0, 0));
        complete(req);
        break;
      default:
        break; // DATA (filter role only) and records only an application sends
    }
    return !closed;
  };

  socket.on('data', (chunk: Buffer) => {
    heardAny = true;
    clock.heard();
    try {
      reader.each(chunk, onRecord);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      close(error.message);
    }
    // Apps start after the whole read is taken in: STDIN that came with the params (nginx sends
    // a buffered body in the same write) is then in the body already, and a read of it needs no
    // wait and no promise hop.
    if (ready.length > 0) {
      const starting = ready.splice(0);
      for (const req of starting) if (!req.gone) req.exchange!.start();
    }
    // A request begun or a body finished in this read may change whether to keep reading.
    if (paused > 0) steer();
  });
  socket.on('drain', () => {
    const waiting = drainWaiters.splice(0);
    for (const callback of waiting) callback();
  });
  const onIdle = (): void => {
    for (const req of requests.values()) if (req.started && !(req.exchange && !req.exchange.body.done)) return; // the app is at work
    if (requests.size > 0) log(`fastcgi: no bytes for ${limits.idleTimeout} ms with ${requests.size} request(s) unfinished; the connection is closed`);
    closed = true;
    socket.destroy();
  };

  socket.on('end', () => {
    // A web server ends a FastCGI request early by closing the connection (spec §5.4): nginx
    // does so when its client goes away. A FIN is that close (no web server half-closes a
    // FastCGI connection), so what runs is aborted at once rather than left to finish for nobody.
    close();
  });
  socket.on('error', () => {}); // a reset by the web server: 'close' follows and ends the requests
  socket.on('close', () => {
    closed = true;
    for (const req of requests.values()) {
      req.aborted = true;
      req.exchange?.abort();
    }
    requests.clear();
    const waiting = drainWaiters.splice(0);
    for (const callback of waiting) callback();
    onDone?.();
  });

  return {
    get active() {
      return requests.size;
    },
    sweep(quietSweeps: number) {
      if (clock.sweep(quietSweeps) && !closed) onIdle();
    },
    drain() {
      draining = true;
      if (requests.size > 0 || closed) return;
      const end = (): void => {
        closed = true;
        socket.end();
      };
      // An idle kept-alive connection ends now (nginx retries a request it loses on a cached
      // connection); one that never sent a byte was just accepted and its request is coming.
      if (heardAny) end();
      else closeUnlessRequestArrives(() => requests.size === 0 && !closed, end);
    },
  };
}
