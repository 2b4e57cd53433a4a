/**
 * `portico dev --target lambda`: serve local HTTP through the real built handler. Each request
 * becomes the event AWS would send (Function URL / HTTP API 2.0 by default, REST API 1.0 or
 * ALB on request), the handler runs with a realistic context object, and its answer goes back
 * as the front door would send it (base64 bodies decoded, `cookies` as Set-Cookie, streaming
 * handlers streamed).
 *
 * The event shape comes from `--event v2|v1|alb|alb-multi` (passed to the hook as a flag) or
 * the PORTICO_LAMBDA_EVENT environment variable; default 'v2'.
 *
 * Dev tooling: never part of a shipped bundle.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BuildContext, DevHandle } from '../../../src/bundle/target.ts';
import { EMULATED_EVENT_KINDS, emulatedEvent, type EmulatedEventKind } from './emulate-event.ts';
import { DEFAULT_EMULATED_FUNCTION, LAMBDA_PAYLOAD_LIMIT, installAwsLambdaGlobal, invokeToHttp, lambdaContext, type EmulatedFunction } from './emulate-invoke.ts';

export interface LambdaDevOptions {
  /** Event shape to build. Default 'v2'. */
  event?: EmulatedEventKind;
  /** What the context object reports (name, memory, timeout, region). */
  fn?: Partial<EmulatedFunction>;
}

/**
 * Check an event kind given on the command line or in the environment.
 *
 * @example
 * eventKindOption('v1'); // 'v1'
 * eventKindOption('v3'); // throws PORTICO_BAD_OPTION
 */
export function eventKindOption(value: unknown): EmulatedEventKind {
  if (value === undefined || value === '') return 'v2';
  if (!(EMULATED_EVENT_KINDS as readonly unknown[]).includes(value)) {
    throw new Error(`PORTICO_BAD_OPTION: --event must be one of ${EMULATED_EVENT_KINDS.join(', ')} (v2: Function URL / HTTP API, v1: REST API, alb, alb-multi: ALB with multi-value headers), got ${JSON.stringify(value)}`);
  }
  return value as EmulatedEventKind;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true; // keep reading (and dropping) so the 413 reaches the client
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A node request listener that serves every request through `handler`, as Lambda would.
 *
 * @example
 * const { handler } = await import('../dist/lambda/index.mjs');
 * http.createServer(lambdaDevListener(handler, { event: 'v1' })).listen(3000);
 */
export function lambdaDevListener(handler: (...args: any[]) => unknown, options: LambdaDevOptions = {}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const kind = options.event ?? 'v2';
  const fn = { ...DEFAULT_EMULATED_FUNCTION, ...options.fn };
  return async (req, res) => {
    const body = await readBody(req, LAMBDA_PAYLOAD_LIMIT);
    if (body === undefined) {
      // The invocation payload quota: AWS answers 413 before the function runs.
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Request Entity Too Large' }));
      return;
    }
    const requestId = randomUUID();
    const now = Date.now();
    const event = emulatedEvent(
      kind,
      { method: req.method ?? 'GET', url: req.url ?? '/', rawHeaders: req.rawHeaders, body, remoteAddress: req.socket.remoteAddress, localPort: req.socket.localPort },
      { requestId, now },
    );
    if (Buffer.byteLength(JSON.stringify(event)) > LAMBDA_PAYLOAD_LIMIT) {
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Request Entity Too Large' }));
      return;
    }
    await invokeToHttp(handler, event, lambdaContext(fn, requestId, now), kind, res, fn);
  };
}

/**
 * The target's dev hook: import the fresh bundle (with the `awslambda` global in place, as the
 * runtime has it before loading a function) and serve it.
 *
 * @example
 * const handle = await lambdaDevHandle(ctx, { url: 'file:///app/dist/.dev-lambda/index.mjs?v=1', outputFiles: [] });
 */
export async function lambdaDevHandle(ctx: BuildContext, build: { url: string; flags?: Record<string, unknown> }): Promise<DevHandle> {
  const kind = eventKindOption(build.flags?.event ?? process.env.PORTICO_LAMBDA_EVENT);
  installAwsLambdaGlobal();
  const mod = (await import(build.url)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') throw new Error(`PORTICO_LAMBDA_NO_HANDLER: ${build.url} does not export a handler function`);
  const options = ctx.options as { memory?: number; timeout?: number; functionName?: string; region?: string };
  const listener = lambdaDevListener(mod.handler as (...args: any[]) => unknown, {
    event: kind,
    fn: {
      memory: options.memory ?? DEFAULT_EMULATED_FUNCTION.memory,
      timeout: options.timeout ?? DEFAULT_EMULATED_FUNCTION.timeout,
      functionName: options.functionName ?? DEFAULT_EMULATED_FUNCTION.functionName,
      region: options.region ?? process.env.AWS_REGION ?? DEFAULT_EMULATED_FUNCTION.region,
    },
  });
  return { listener };
}
