/**
 * One FastCGI connection (spec §3): records in, requests started as their PARAMS complete,
 * STDIN fed to their bodies, responses out as STDOUT records. Several requests may run at
 * once on one connection (multiplexing); FCGI_KEEP_CONN keeps the connection for the next.
 * A malformed record closes this connection only, with one log line.
 */
import type { Socket } from 'node:net';
import { Buffer } from 'node:buffer';
import type { CgiExchange, CgiHandler } from '../../_cgi/handler.ts';
import { addParam, newParams } from '../../_cgi/meta.ts';
import { sendPlainCgi, type ResponseSink } from '../../_cgi/response.ts';
import {
  decodePairs, encodePairs, encodeRecord, endRequest, KEEP_CONN, OVERLOADED, RecordError, RecordReader, RESPONDER, Type, UNKNOWN_ROLE, unknownType,
  type FcgiRecord,
} from './records.ts';
import { endRecords, stdoutRecords, wholeResponse } from './output.ts';

/** Limits of one connection. */
export interface ConnectionLimits {
  /** Largest PARAMS block of one request, bytes; 431 beyond. */
  maxParamsSize: number;
  /** Requests running at once on one connection; more get FCGI_OVERLOADED. */
  maxRequests: number;
  /** Close a connection that sends nothing for this long while no response is being made, ms. */
  idleTimeout: number;
}

interface Pending {
  id: number;
  keepConn: boolean;
  params: Uint8Array[] | undefined;
  paramsSize: number;
  exchange: CgiExchange | undefined;
  /** The response is being made (the app was called). */
  started: boolean;
  gone: boolean;
}

/** What the server keeps of a connection. */
export interface FcgiConnection {
  /** Requests in flight. */
  readonly active: number;
  /** Finish what is in flight, take nothing new that would keep the connection, then close. */
  drain(): void;
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
  let paused = 0;
  let draining = false;
  let closed = false;

  socket.setNoDelay(true);
  if (limits.idleTimeout > 0) socket.setTimeout(limits.idleTimeout);

  const close = (why?: string): void => {
    if (closed) return;
    if (why) log(`fastcgi: ${why}; the connection is closed`);
    closed = true;
    socket.destroy();
  };

  const write = (bytes: Uint8Array): boolean => (closed ? false : socket.write(bytes));

  const complete = (req: Pending): void => {
    if (requests.get(req.id) !== req) return;
    requests.delete(req.id);
    req.exchange?.body.discard();
    // A request without FCGI_KEEP_CONN asks the application to close the connection once it is
    // done (spec §5.1); requests multiplexed beside it finish first.
    if (!req.keepConn) draining = true;
    if (draining && requests.size === 0 && !closed) {
      closed = true;
      socket.end();
    }
  };

  const sinkFor = (req: Pending): ResponseSink => ({
    sendAll(head, body) {
      if (req.gone) return;
      write(wholeResponse(req.id, head, body));
      complete(req);
    },
    sendHead(head) {
      if (req.gone) return;
      write(stdoutRecords(req.id, Buffer.from(head, 'latin1'), false));
    },
    write(chunk) {
      if (req.gone) return true;
      if (chunk.byteLength === 0) return true;
      return write(stdoutRecords(req.id, chunk, false));
    },
    onDrain(callback) {
      if (req.gone || closed) callback();
      else drainWaiters.push(callback);
    },
    end() {
      if (req.gone) return;
      write(endRecords(req.id));
      complete(req);
    },
    destroy() {
      // The head is out: only closing tells the web server (and so the client) the body is cut.
      close();
    },
    get gone() {
      return req.gone || closed;
    },
  });

  const pressure = (on: boolean): void => {
    paused += on ? 1 : -1;
    if (paused > 0) socket.pause();
    else if (!closed) socket.resume();
  };

  const begin = (record: FcgiRecord): void => {
    const c = record.content;
    if (c.length < 8) return close(`BEGIN_REQUEST ${record.requestId} has ${c.length} content bytes, not 8`);
    const role = (c[0]! << 8) | c[1]!;
    const keepConn = (c[2]! & KEEP_CONN) !== 0;
    if (requests.has(record.requestId)) return close(`BEGIN_REQUEST for request ${record.requestId}, which is already running`);
    const refuse = (status: number): void => {
      write(endRequest(record.requestId, status));
      if (!keepConn && requests.size === 0) {
        closed = true;
        socket.end();
      }
    };
    if (role !== RESPONDER) return refuse(UNKNOWN_ROLE);
    if (requests.size >= limits.maxRequests) return refuse(OVERLOADED);
    requests.set(record.requestId, { id: record.requestId, keepConn, params: [], paramsSize: 0, exchange: undefined, started: false, gone: false });
  };

  const params = (req: Pending, record: FcgiRecord): void => {
    if (req.params === undefined) return; // PARAMS after the stream ended: nothing to add
    if (record.content.length > 0) {
      req.paramsSize += record.content.length;
      if (req.paramsSize > limits.maxParamsSize) {
        req.params = undefined;
        log(`fastcgi: request ${req.id}: the params are larger than maxParamsSize (${limits.maxParamsSize} bytes); answered 431`);
        req.started = true;
        sendPlainCgi(sinkFor(req), 431, 'Request Header Fields Too Large\n');
        return;
      }
      req.params.push(record.content);
      return;
    }
    const block = req.params.length === 1 ? req.params[0]! : Buffer.concat(req.params);
    req.params = undefined;
    const meta = newParams();
    if (!decodePairs(block, (name, value) => addParam(meta, name, value))) {
      return close(`request ${req.id}: the PARAMS stream is not a whole number of name-value pairs`);
    }
    req.started = true;
    req.exchange = handler(meta, sinkFor(req), pressure);
  };

  const management = (record: FcgiRecord): void => {
    if (record.type !== Type.GET_VALUES) {
      write(unknownType(record.type));
      return;
    }
    const answers: Array<[string, string]> = [];
    const known: Record<string, string> = { FCGI_MAX_CONNS: '1024', FCGI_MAX_REQS: String(limits.maxRequests * 1024), FCGI_MPXS_CONNS: '1' };
    decodePairs(record.content, (name) => {
      if (known[name] !== undefined) answers.push([name, known[name]!]);
    });
    write(encodeRecord(Type.GET_VALUES_RESULT, 0, encodePairs(answers)));
  };

  const onRecord = (record: FcgiRecord): void => {
    if (record.requestId === 0) return management(record);
    const type = record.type;
    if (type === Type.BEGIN_REQUEST) return begin(record);
    if (type < 1 || type > Type.UNKNOWN_TYPE) {
      write(unknownType(type));
      return;
    }
    const req = requests.get(record.requestId);
    // Records of a request that is over (answered early, aborted) are ignored (spec §3.3).
    if (req === undefined) return;
    switch (type) {
      case Type.PARAMS:
        return params(req, record);
      case Type.STDIN:
        if (req.exchange === undefined) {
          if (req.params !== undefined) close(`request ${req.id}: STDIN before the PARAMS stream ended`);
          return;
        }
        if (record.content.length === 0) req.exchange.body.end();
        else req.exchange.body.push(record.content);
        return;
      case Type.ABORT_REQUEST:
        req.gone = true;
        req.exchange?.abort();
        write(endRequest(req.id, 0, 0));
        complete(req);
        return;
      default:
        return; // DATA (filter role only) and records only an application sends
    }
  };

  socket.on('data', (chunk: Buffer) => {
    let records: FcgiRecord[];
    try {
      records = reader.push(chunk);
    } catch (error) {
      return close((error as RecordError).message);
    }
    for (const record of records) {
      if (closed) return;
      onRecord(record);
    }
  });
  socket.on('drain', () => {
    const waiting = drainWaiters.splice(0);
    for (const callback of waiting) callback();
  });
  socket.on('timeout', () => {
    for (const req of requests.values()) if (req.started && !(req.exchange && !req.exchange.body.done)) return; // the app is at work
    if (requests.size > 0) log(`fastcgi: no bytes for ${limits.idleTimeout} ms with ${requests.size} request(s) unfinished; the connection is closed`);
    closed = true;
    socket.destroy();
  });
  socket.on('end', () => {
    // The web server will send nothing more: finish what runs, then close our side too.
    draining = true;
    for (const req of requests.values()) if (req.exchange === undefined) complete(req);
    if (requests.size === 0 && !closed) {
      closed = true;
      socket.end();
    }
  });
  socket.on('error', () => {}); // a reset by the web server: 'close' follows and ends the requests
  socket.on('close', () => {
    closed = true;
    for (const req of requests.values()) {
      req.gone = true;
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
    drain() {
      draining = true;
      if (requests.size === 0 && !closed) {
        closed = true;
        socket.end();
      }
    },
  };
}
