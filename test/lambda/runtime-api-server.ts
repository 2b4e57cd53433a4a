/**
 * A small Lambda Runtime API of our own, on 127.0.0.1, for driving AWS's runtime interface
 * client (aws-lambda-ric) with a built function.zip. Implements the documented endpoints
 * (Lambda developer guide, "Using the Lambda runtime API for custom runtimes", and "Response
 * streaming for custom runtimes"):
 *
 * - GET  /2018-06-01/runtime/invocation/next: long-polls until `invoke()` queues an event;
 *   answers the event JSON with Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
 *   Lambda-Runtime-Invoked-Function-Arn and Lambda-Runtime-Trace-Id.
 * - POST /2018-06-01/runtime/invocation/{id}/response: the result; with
 *   `Lambda-Runtime-Function-Response-Mode: streaming` a chunked body that arrives over time
 *   (mid-stream errors come as the Lambda-Runtime-Function-Error-Type/-Body trailers).
 * - POST /2018-06-01/runtime/invocation/{id}/error and /2018-06-01/runtime/init/error.
 *
 * Test tooling.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StreamChunk {
  data: Buffer;
  /** performance.now() when the chunk reached this server. */
  at: number;
}

export type InvocationOutcome =
  | { kind: 'buffered'; contentType: string | undefined; payload: unknown; raw: Buffer }
  | {
      kind: 'streaming';
      contentType: string | undefined;
      chunks: StreamChunk[];
      body: Buffer;
      /** When the response POST started and ended (performance.now()). */
      startedAt: number;
      endedAt: number;
      trailers: Record<string, string | undefined>;
      headers: IncomingMessage['headers'];
    }
  | { kind: 'error'; errorType: string | undefined; payload: unknown };

interface Pending {
  id: string;
  event: unknown;
  deadlineMs: number;
  resolve: (outcome: InvocationOutcome) => void;
  reject: (error: Error) => void;
}

const PREFIX = '/2018-06-01/runtime';

/**
 * @example
 * const api = await RuntimeApiServer.start();
 * // spawn aws-lambda-ric with AWS_LAMBDA_RUNTIME_API=api.address
 * const outcome = await api.invoke({ version: '2.0', ... });
 */
export class RuntimeApiServer {
  readonly server: Server;
  readonly address: string;
  /** Every request the runtime made, for asserting the protocol. */
  readonly log: { method: string; path: string; headers: IncomingMessage['headers'] }[] = [];
  initErrors: { errorType: string | undefined; payload: unknown }[] = [];
  #queue: Pending[] = [];
  #waiting: ServerResponse[] = [];
  #inFlight = new Map<string, Pending>();
  #initError: ((e: Error) => void)[] = [];

  private constructor(server: Server) {
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.address = `127.0.0.1:${port}`;
  }

  static async start(): Promise<RuntimeApiServer> {
    let api: RuntimeApiServer | undefined;
    const server = createServer((req, res) => api!.#route(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = new RuntimeApiServer(server);
    return api;
  }

  /** Queue one invocation; resolves with what the runtime posted back. */
  invoke(event: unknown, options: { timeoutMs?: number; functionArn?: string } = {}): Promise<InvocationOutcome> {
    return new Promise((resolve, reject) => {
      const pending: Pending = { id: randomUUID(), event, deadlineMs: Date.now() + (options.timeoutMs ?? 30_000), resolve, reject };
      const timer = setTimeout(() => reject(new Error(`invocation ${pending.id} got no answer within ${options.timeoutMs ?? 30_000} ms`)), (options.timeoutMs ?? 30_000) + 1000);
      pending.resolve = (o) => (clearTimeout(timer), resolve(o));
      pending.reject = (e) => (clearTimeout(timer), reject(e));
      this.#initError.push(pending.reject);
      const waiter = this.#waiting.shift();
      if (waiter) this.#send(waiter, pending);
      else this.#queue.push(pending);
    });
  }

  async close(): Promise<void> {
    for (const res of this.#waiting) res.destroy();
    this.#waiting = [];
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #send(res: ServerResponse, pending: Pending): void {
    this.#inFlight.set(pending.id, pending);
    const body = JSON.stringify(pending.event);
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': pending.id,
      'lambda-runtime-deadline-ms': String(pending.deadlineMs),
      'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:123456789012:function:portico-test',
      'lambda-runtime-trace-id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${pending.id.replace(/-/g, '').slice(0, 24)};Sampled=0`,
    });
    res.end(body);
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '';
    this.log.push({ method: req.method ?? '', path, headers: req.headers });
    if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      const next = this.#queue.shift();
      if (next) this.#send(res, next);
      else this.#waiting.push(res);
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (req.method === 'POST' && m) {
      const pending = this.#inFlight.get(decodeURIComponent(m[1]!));
      if (!pending) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}');
        return;
      }
      this.#inFlight.delete(pending.id);
      if (m[2] === 'error') return this.#readAll(req, (raw) => {
        pending.resolve({ kind: 'error', errorType: req.headers['lambda-runtime-function-error-type'] as string | undefined, payload: parse(raw) });
        accepted(res);
      });
      if (req.headers['lambda-runtime-function-response-mode'] === 'streaming') return this.#readStream(req, res, pending);
      return this.#readAll(req, (raw) => {
        pending.resolve({ kind: 'buffered', contentType: req.headers['content-type'], payload: parse(raw), raw });
        accepted(res);
      });
    }
    if (req.method === 'POST' && path === `${PREFIX}/init/error`) {
      return this.#readAll(req, (raw) => {
        const err = { errorType: req.headers['lambda-runtime-function-error-type'] as string | undefined, payload: parse(raw) };
        this.initErrors.push(err);
        for (const reject of this.#initError) reject(new Error(`init error: ${JSON.stringify(err)}`));
        accepted(res);
      });
    }
    res.writeHead(404).end();
  }

  #readAll(req: IncomingMessage, done: (raw: Buffer) => void): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => done(Buffer.concat(chunks)));
  }

  #readStream(req: IncomingMessage, res: ServerResponse, pending: Pending): void {
    const startedAt = performance.now();
    const chunks: StreamChunk[] = [];
    req.on('data', (data: Buffer) => chunks.push({ data, at: performance.now() }));
    req.on('end', () => {
      pending.resolve({
        kind: 'streaming',
        contentType: req.headers['content-type'],
        chunks,
        body: Buffer.concat(chunks.map((c) => c.data)),
        startedAt,
        endedAt: performance.now(),
        trailers: { ...req.trailers },
        headers: req.headers,
      });
      accepted(res);
    });
  }
}

function accepted(res: ServerResponse): void {
  res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
}

function parse(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return raw.toString('utf8');
  }
}

/**
 * Split a streamed HTTP-integration response into its JSON prelude and body (the prelude, then
 * 8 NUL bytes, then the body; content type application/vnd.awslambda.http-integration-response).
 *
 * @example
 * splitPrelude(outcome.body); // { prelude: { statusCode: 200, headers: {...} }, body: Buffer }
 */
export function splitPrelude(bytes: Buffer): { prelude: Record<string, any>; body: Buffer; preludeEnd: number } {
  const end = bytes.indexOf(Buffer.alloc(8));
  if (end === -1) throw new Error(`no prelude delimiter in ${JSON.stringify(bytes.subarray(0, 200).toString())}`);
  return { prelude: JSON.parse(bytes.subarray(0, end).toString('utf8')), body: bytes.subarray(end + 8), preludeEnd: end + 8 };
}
