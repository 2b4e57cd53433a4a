/**
 * One invocation, up to the response's parts: read the event into a request and a context,
 * call the app, and turn what it returned (or threw) into status, header pairs and a body.
 * Shared by the buffered handler (runtime.ts) and the streaming one (stream.ts).
 */
import type { Context } from '../../../src/app.ts';
import { describeValue } from '../../_http/describe.ts';
import { outsideMountText, stripBasePath } from '../../_http/mount.ts';
import { FastResponse, responseParts, type WireBody } from '../../_http/response.ts';
import { isAlbMultiValue, type EventKind } from './events.ts';
import { urlPath, v1Path, v2Path, type SplitPath } from './path.ts';
import { LambdaRequest, rawHeader } from './request.ts';
import type { LambdaStatic } from './static.ts';
import type { AlbEvent, LambdaContext, V1Event, V2Event } from './types.ts';

type AnyApp = { fetch(request: any, env: any, ctx: any): unknown };

/** What runtime.ts resolved once from the options. */
export interface Config {
  app: AnyApp;
  basePath: string;
  /** ms before the invocation deadline at which request.signal aborts (see LambdaRequest.signal). */
  deadlineMargin?: number;
  env: unknown;
  log: (line: string) => void;
  /** public/ files, answered before the app (static.ts). */
  static?: LambdaStatic;
}

/** `ctx` as the app sees it. */
export class LambdaAppContext implements Context {
  readonly gateway = 'lambda' as const;
  readonly basePath: string;
  readonly clientAddress: string | undefined;
  readonly platform: { event: unknown; context: LambdaContext };
  /** Pending waitUntil promises (each already guarded against rejection). */
  _pending: Array<Promise<unknown>> | undefined;
  #log: (line: string) => void;

  constructor(basePath: string, clientAddress: string | undefined, event: unknown, context: LambdaContext, log: (line: string) => void) {
    this.basePath = basePath;
    this.clientAddress = clientAddress;
    this.platform = { event, context };
    this.#log = log;
  }

  waitUntil(promise: Promise<unknown>): void {
    const id = this.platform.context?.awsRequestId;
    (this._pending ??= []).push(
      Promise.resolve(promise).catch((err: unknown) => {
        this.#log(`portico: a ctx.waitUntil promise rejected (request id ${id}): ${errorText(err)}`);
      }),
    );
  }

  /** Wait for every waitUntil promise, including ones added while waiting. */
  async _drain(): Promise<void> {
    while (this._pending && this._pending.length > 0) {
      const list = this._pending;
      this._pending = [];
      await Promise.all(list);
    }
  }
}

/** Status, header pairs and body: what a handler writes out. */
export interface Parts {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: WireBody;
}

/** The request side of an invocation. */
export interface Invocation {
  kind: EventKind;
  albMulti: boolean;
  ctx: LambdaAppContext;
  request: LambdaRequest | undefined;
  /** Set when the answer is known without the app (outside the mount, a static file). */
  early: Parts | Promise<Parts> | undefined;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  try {
    return typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

// An IPv4 or IPv6 address, optionally with a prefix length: what a sourceIp should hold.
const IP = /^(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)(?:\/\d{1,3})?$/;

/**
 * The address in an API Gateway `sourceIp`, or undefined when it holds none: the console's
 * Test button sends "test-invoke-source-ip", and SAM's HttpApi sample "192.168.0.1/32" (the
 * prefix length is dropped).
 */
function sourceAddress(ip: unknown): string | undefined {
  if (typeof ip !== 'string' || !IP.test(ip)) return undefined;
  const slash = ip.indexOf('/');
  return slash === -1 ? ip : ip.slice(0, slash);
}

function clientAddress(event: V1Event | V2Event | AlbEvent, kind: EventKind): string | undefined {
  if (kind === 'v2') return sourceAddress((event as V2Event).requestContext.http.sourceIp);
  if (kind === 'v1') return sourceAddress((event as V1Event).requestContext.identity?.sourceIp);
  // ALB appends the address it saw to X-Forwarded-For: the last entry is the one to trust.
  const xff = rawHeader(event, 'x-forwarded-for');
  if (!xff) return undefined;
  const comma = xff.lastIndexOf(',');
  return (comma === -1 ? xff : xff.slice(comma + 1)).trim() || undefined;
}

/** A plain-text answer from the gateway itself (404 outside the mount, 500). */
export function textParts(status: number, text: string): Parts {
  return { status, statusText: '', headers: [['content-type', 'text/plain; charset=utf-8']], body: { kind: 'text', text } };
}

/**
 * Read an HTTP event of a known kind into the app's request and context.
 *
 * @example
 * const inv = prepare(event, 'v2', context, config);
 */
export function prepare(event: V1Event | V2Event | AlbEvent, kind: EventKind, context: LambdaContext, config: Config): Invocation {
  let split: SplitPath;
  let method: string;
  if (kind === 'v2') {
    split = v2Path(event as V2Event);
    method = (event as V2Event).requestContext.http.method;
  } else if (kind === 'v1') {
    split = v1Path(event as V1Event);
    method = (event as V1Event).httpMethod;
  } else {
    split = { prefix: '', path: (event as AlbEvent).path };
    method = (event as AlbEvent).httpMethod;
  }
  const albMulti = kind === 'alb' && isAlbMultiValue(event as AlbEvent);
  const fullPath = urlPath(split.path);
  const appPath = stripBasePath(fullPath, config.basePath);
  const ctx = new LambdaAppContext(split.prefix + config.basePath, clientAddress(event, kind), event, context, config.log);
  if (appPath === undefined) {
    return { kind, albMulti, ctx, request: undefined, early: textParts(404, outsideMountText(split.prefix + fullPath, split.prefix + config.basePath)) };
  }
  // Methods are case-sensitive tokens (RFC 9110 §9.1); Fetch upper-cases the standard ones.
  const m = typeof method === 'string' && method !== '' ? method : 'GET';
  if (config.static !== undefined) {
    const inv: Invocation = { kind, albMulti, ctx, request: undefined, early: undefined };
    try {
      inv.early = config.static(event, kind, m, appPath, ctx.basePath);
    } catch (err) {
      inv.early = staticFailure(err, context, config.log);
    }
    if (inv.early !== undefined) return inv;
  }
  const request = new LambdaRequest(event, kind, m.length <= 7 ? normalizeMethod(m) : m, appPath, context, config.deadlineMargin);
  return { kind, albMulti, ctx, request, early: undefined };
}

const STANDARD = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH']);

function normalizeMethod(m: string): string {
  if (STANDARD.has(m)) return m;
  const upper = m.toUpperCase();
  return STANDARD.has(upper) ? upper : m;
}

/** The 500 for an app that threw: one log line with the request id, and the id in the body. */
export function failure(err: unknown, inv: Invocation, context: LambdaContext, log: (line: string) => void): Parts {
  const id = context?.awsRequestId ?? 'unknown';
  const req = inv.request;
  let where = '';
  try {
    where = req ? ` ${req.method} ${new URL(req.url).pathname}` : '';
  } catch {
    /* a URL the app could not have seen either */
  }
  log(`portico: 500 for request id ${id}${where}: the app threw ${errorText(err)}`);
  return textParts(500, `Internal Server Error (request id ${id})\n`);
}

/** The 500 for a static file that could not be read (the zip no longer matches its manifest). */
function staticFailure(err: unknown, context: LambdaContext, log: (line: string) => void): Parts {
  const id = context?.awsRequestId ?? 'unknown';
  log(`portico: 500 for request id ${id}: a file of public/ could not be read: ${errorText(err)}`);
  return textParts(500, `Internal Server Error (request id ${id})\n`);
}

/**
 * Call the app and return its response's parts; an exception or a non-Response becomes a 500.
 *
 * @example
 * const parts = await runApp(inv, context, config);
 */
export async function runApp(inv: Invocation, context: LambdaContext, config: Config): Promise<Parts> {
  if (inv.early) return inv.early instanceof Promise ? inv.early.catch((err: unknown) => staticFailure(err, context, config.log)) : inv.early;
  try {
    const res = await config.app.fetch(inv.request, config.env, inv.ctx);
    if (res === null || typeof res !== 'object' || typeof (res as Response).status !== 'number') {
      throw new TypeError(`PORTICO_BAD_RESPONSE: app.fetch resolved to ${describeValue(res)}, not a Response; return a Response (or a promise of one)`);
    }
    return responseParts(res as Response | FastResponse);
  } catch (err) {
    return failure(err, inv, context, config.log);
  }
}
