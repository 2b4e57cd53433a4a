/**
 * Build the event AWS would hand a function for one HTTP request, as `portico dev --target
 * lambda` and the conformance shim need it: a Function URL / HTTP API payload 2.0 event, a
 * REST API (payload 1.0) event, or an ALB event (single- or multi-value headers).
 *
 * What each source does, and this module copies (AWS docs: "Lambda function URL request and
 * response payloads", "Set up Lambda proxy integrations in API Gateway", "Lambda functions as
 * targets" for ALB; path encoding as seen in captured live events):
 * - Function URL (v2): `rawPath` and `rawQueryString` as the client sent them; header names
 *   lower-cased, repeated headers joined with ',' (no space, as API Gateway documents);
 *   cookies also listed one by one in `cookies` (Function URLs keep the cookie header too);
 *   `queryStringParameters` decoded, repeated keys joined with ','.
 * - REST API (v1): `path` kept percent-encoded; `headers` keeps the last value of a repeated
 *   header (client casing), `multiValueHeaders` all of them; query parameters decoded form-style
 *   (`+` is a space, as a live capture shows: see query.ts), last value in
 *   `queryStringParameters`, all in `multiValueQueryStringParameters`. The API is
 *   emulated behind a custom domain mapped at the root, so `requestContext.path` = `path`.
 * - ALB: header names lower-cased; with multi-value headers off, the last value of a repeated
 *   header or query key wins; query parameters are passed still URL-encoded.
 * - Bodies: text when the Content-Type is text and the bytes are valid UTF-8, else base64
 *   with `isBase64Encoded: true` (REST API as if its binaryMediaTypes listed the binary types).
 *
 * Dev and test tooling: imported by the dev hook and tests, never by the shipped runtime.
 */
import { randomUUID } from 'node:crypto';
import { isTextContentType } from '../../_http/text-body.ts';

/** Which event shape to build. `alb-multi` is an ALB target group with multi-value headers on. */
export type EmulatedEventKind = 'v2' | 'v1' | 'alb' | 'alb-multi';
export const EMULATED_EVENT_KINDS: readonly EmulatedEventKind[] = ['v2', 'v1', 'alb', 'alb-multi'];

/** One HTTP request as it arrived: what node:http gives. */
export interface RawHttpRequest {
  method: string;
  /** The request target: path and query, still percent-encoded ('/a%20b?x=1'). */
  url: string;
  /** Header name/value pairs in arrival order (node's `rawHeaders`). */
  rawHeaders: readonly string[];
  body: Uint8Array;
  /** The client's IP address. Default '127.0.0.1'. */
  remoteAddress?: string;
  /** 'http' or 'https' as seen by the client. Default 'http'. */
  protocol?: string;
  /** Port the client connected to, for x-forwarded-port. */
  localPort?: number;
}

export interface EmulatedEventOptions {
  /** Request id put in the event (and to reuse in the context). Default: a random UUID. */
  requestId?: string;
  /** Time of the request, ms since the epoch. Default: now. */
  now?: number;
  /** REST API stage name in requestContext.stage. Default 'prod'. */
  stage?: string;
}

const ACCOUNT_ID = '123456789012';
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time` format: 12/Mar/2020:19:03:58 +0000. */
function clfTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** A query name or value decoded as API Gateway REST does: form-style, `+` is a space (query.ts). */
function safeDecode(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Query pairs of a raw query string; `decode` false keeps them as sent (ALB). */
function queryPairs(raw: string, decode: boolean): [string, string][] {
  if (raw === '') return [];
  return raw.split('&').filter((part) => part !== '').map((part) => {
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    return decode ? [safeDecode(key), safeDecode(value)] : [key, value];
  });
}

function single(pairs: [string, string][], join: string | undefined): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[k] = join !== undefined && k in out ? out[k] + join + v : v;
  return out;
}

function multi(pairs: [string, string][]): Record<string, string[]> | undefined {
  if (pairs.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, v] of pairs) (out[k] ??= []).push(v);
  return out;
}

function bodyFields(body: Uint8Array, contentType: string | undefined): { body: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: '', isBase64Encoded: false };
  if (isTextContentType(contentType)) {
    try {
      return { body: UTF8.decode(body), isBase64Encoded: false };
    } catch {
      // not UTF-8 after all: send it as bytes
    }
  }
  return { body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'), isBase64Encoded: true };
}

/**
 * The event AWS would send for `req`.
 *
 * @example
 * const event = emulatedEvent('v2', { method: 'GET', url: '/hi?a=1', rawHeaders: ['Host', 'localhost'], body: new Uint8Array() });
 * event.rawPath;        // '/hi'
 * event.rawQueryString; // 'a=1'
 */
export function emulatedEvent(kind: EmulatedEventKind, req: RawHttpRequest, options: EmulatedEventOptions = {}): Record<string, any> {
  const now = options.now ?? Date.now();
  const requestId = options.requestId ?? randomUUID();
  const q = req.url.indexOf('?');
  const rawPath = (q === -1 ? req.url : req.url.slice(0, q)) || '/';
  const rawQuery = q === -1 ? '' : req.url.slice(q + 1);
  const sourceIp = req.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  const lower: [string, string][] = pairs.map(([k, v]) => [k.toLowerCase(), v]);
  const get = (name: string) => lower.findLast(([k]) => k === name)?.[1];
  const host = get('host') ?? 'localhost';
  // What the front door adds in front of the function (x-forwarded-*), as AWS does.
  const forwarded: [string, string][] = [
    ['x-forwarded-for', sourceIp],
    ['x-forwarded-proto', req.protocol ?? 'http'],
    ['x-forwarded-port', String(req.localPort ?? (req.protocol === 'https' ? 443 : 80))],
    ['x-amzn-trace-id', `Root=1-${Math.floor(now / 1000).toString(16)}-${requestId.replace(/-/g, '').slice(0, 24)}`],
  ];
  const withForwarded = (list: [string, string][]) => [...list.filter(([k]) => !forwarded.some(([f]) => f === k.toLowerCase())), ...forwarded];
  const body = bodyFields(req.body, get('content-type'));
  const method = req.method.toUpperCase();

  if (kind === 'v2') {
    const cookieHeaders = lower.filter(([k]) => k === 'cookie').map(([, v]) => v);
    const cookies = cookieHeaders.flatMap((v) => v.split(/;\s*/)).filter((c) => c !== '');
    // Function URLs send the cookies both ways: the `cookies` array and the cookie header.
    const headerPairs = withForwarded(lower);
    const event: Record<string, any> = {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString: rawQuery,
      ...(cookies.length ? { cookies } : {}),
      headers: single(headerPairs, ',') ?? {},
      ...(rawQuery ? { queryStringParameters: single(queryPairs(rawQuery, true), ',') } : {}),
      requestContext: {
        accountId: 'anonymous',
        apiId: 'portico0dev0url0id0000000000',
        domainName: host,
        domainPrefix: host.split('.')[0],
        http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp, userAgent: get('user-agent') ?? '' },
        requestId,
        routeKey: '$default',
        stage: '$default',
        time: clfTime(now),
        timeEpoch: now,
      },
      isBase64Encoded: body.isBase64Encoded,
    };
    if (req.body.length > 0) event.body = body.body;
    return event;
  }

  if (kind === 'v1') {
    const headerPairs = withForwarded(pairs);
    const query = queryPairs(rawQuery, true);
    const proxy = rawPath === '/' ? undefined : rawPath.slice(1);
    return {
      resource: proxy === undefined ? '/' : '/{proxy+}',
      path: rawPath,
      httpMethod: method,
      headers: single(headerPairs, undefined) ?? null,
      multiValueHeaders: multi(headerPairs) ?? null,
      queryStringParameters: single(query, undefined) ?? null,
      multiValueQueryStringParameters: multi(query) ?? null,
      pathParameters: proxy === undefined ? null : { proxy },
      stageVariables: null,
      requestContext: {
        accountId: ACCOUNT_ID,
        apiId: 'portico0dev',
        domainName: host,
        domainPrefix: host.split('.')[0],
        extendedRequestId: requestId,
        httpMethod: method,
        identity: { sourceIp, userAgent: get('user-agent') ?? null, accessKey: null, accountId: null, caller: null, user: null, userArn: null },
        path: rawPath,
        protocol: 'HTTP/1.1',
        requestId,
        requestTime: clfTime(now),
        requestTimeEpoch: now,
        resourceId: 'portico',
        resourcePath: proxy === undefined ? '/' : '/{proxy+}',
        stage: options.stage ?? 'prod',
      },
      body: req.body.length > 0 ? body.body : null,
      isBase64Encoded: body.isBase64Encoded,
    };
  }

  // ALB
  const headerPairs = withForwarded(lower);
  const query = queryPairs(rawQuery, false);
  const event: Record<string, any> = {
    requestContext: { elb: { targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT_ID}:targetgroup/portico-dev/0123456789abcdef` } },
    httpMethod: method,
    path: rawPath,
    body: body.body,
    isBase64Encoded: body.isBase64Encoded,
  };
  if (kind === 'alb-multi') {
    event.multiValueHeaders = multi(headerPairs) ?? {};
    event.multiValueQueryStringParameters = multi(query) ?? {};
  } else {
    event.headers = single(headerPairs, undefined) ?? {};
    event.queryStringParameters = single(query, undefined) ?? {};
  }
  return event;
}
