/**
 * A response turned into the result object each event source expects back (buffered mode).
 *
 * - REST API (payload 1.0): `statusCode`, `headers`, `multiValueHeaders`, `body`,
 *   `isBase64Encoded`. A name with one value goes in `headers`; Set-Cookie and any other
 *   repeated name go in `multiValueHeaders`, one entry per value (API Gateway merges both).
 * - payload 2.0 (HTTP API, Function URLs): `statusCode`, `headers` (repeats joined with ", ",
 *   RFC 9110 §5.3), `cookies` (one entry per Set-Cookie: they can never be joined), `body`,
 *   `isBase64Encoded`.
 * - ALB: `statusCode`, `statusDescription` ("200 OK"), and `multiValueHeaders` when the target
 *   group has multi-value headers on, `headers` when off, never both (ALB rejects a result
 *   with the wrong one as a 502). With them off a name can carry one value: other repeats are
 *   joined with ", ", and for Set-Cookie see `albSetCookie` below.
 *
 * Bodies are text when the Content-Type says text (adapters/_http/text-body.ts) and the bytes
 * are valid UTF-8; otherwise base64 with `isBase64Encoded: true`. The `binary` option overrides.
 */
import { isTextContentType } from '../../_http/text-body.ts';
import type { WireBody } from '../../_http/response.ts';
import type { EventKind } from './events.ts';
import type { AlbResult, LambdaResult, V1Result, V2Result } from './types.ts';

/** Decide whether a response body goes out base64 (true) or as text (false). */
export type BinaryOption = ((contentType: string, headers: Record<string, string>) => boolean) | readonly string[];

/**
 * What to do with several Set-Cookie on an ALB target group with multi-value headers off,
 * where a header name can carry one value and cookies cannot be joined (commas appear in
 * Expires dates):
 * - 'first' (default): send the first cookie, and log one line naming how many were dropped
 *   and the fix (turn on `lambda.multi_value_headers.enabled` on the target group).
 * - 'case-variants': send each cookie under a different spelling of the name (`set-cookie`,
 *   `Set-cookie`, `sEt-cookie`, ...), which JSON keeps apart and HTTP reads as the same
 *   header. Widely used with API Gateway before multi-value headers existed; AWS does not
 *   document it for ALB, so it is opt-in.
 */
export type AlbSetCookie = 'first' | 'case-variants';

export interface ResultOptions {
  binary?: BinaryOption;
  albSetCookie?: AlbSetCookie;
  /** One log line (dropped cookies). */
  log: (line: string) => void;
}

/** Buffered body, already classified and collected (no stream). */
export type FinalBody = Exclude<WireBody, { kind: 'stream' }>;

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Content Too Large',
  414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
  418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Content', 423: 'Locked',
  424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
  507: 'Insufficient Storage', 508: 'Loop Detected', 510: 'Not Extended', 511: 'Network Authentication Required',
};

/**
 * ALB's `statusDescription`: the code and a reason phrase (RFC 9110 §15).
 *
 * @example
 * statusDescription(404, ''); // '404 Not Found'
 */
export function statusDescription(status: number, statusText: string): string {
  return `${status} ${statusText || REASONS[status] || 'Unknown'}`;
}

const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function matchType(pattern: string, type: string): boolean {
  if (pattern === '*/*') return true;
  if (pattern.endsWith('/*')) return type.startsWith(pattern.slice(0, -1));
  return type === pattern;
}

/** Whether the body must go out base64, by the option or the Content-Type and Content-Encoding. */
function isBinary(pairs: Array<[string, string]>, option: BinaryOption | undefined): boolean {
  let type = '';
  let encoded = false;
  for (let i = 0; i < pairs.length; i++) {
    const name = pairs[i]![0];
    if (name === 'content-type') type = pairs[i]![1];
    else if (name === 'content-encoding' && pairs[i]![1] !== 'identity') encoded = true;
  }
  if (typeof option === 'function') return option(type, headerRecord(pairs));
  if (option) {
    const semi = type.indexOf(';');
    const essence = (semi === -1 ? type : type.slice(0, semi)).trim().toLowerCase();
    return option.some((p) => matchType(p.toLowerCase(), essence));
  }
  // Compressed bytes are binary whatever their type says.
  return encoded || !isTextContentType(type);
}

/** Response headers as one record, repeats joined (what the `binary` callback receives). */
function headerRecord(pairs: Array<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[k] = k in out ? `${out[k]}, ${v}` : v;
  return out;
}

/**
 * The `body` and `isBase64Encoded` fields for a response body.
 *
 * @example
 * encodeBody({ kind: 'bytes', bytes: new Uint8Array([0xff]) }, [['content-type', 'image/png']], undefined);
 * // { body: '/w==', isBase64Encoded: true }
 */
export function encodeBody(body: FinalBody, pairs: Array<[string, string]>, option: BinaryOption | undefined): { body: string; isBase64Encoded: boolean } {
  if (body.kind === 'none') return { body: '', isBase64Encoded: false };
  const binary = isBinary(pairs, option);
  if (body.kind === 'text') {
    if (!binary) return { body: body.text, isBase64Encoded: false };
    return { body: Buffer.from(body.text, 'utf8').toString('base64'), isBase64Encoded: true };
  }
  const b = body.bytes;
  if (!binary) {
    // Text only when the bytes are UTF-8: a Latin-1 page sent as text would lose its bytes.
    try {
      return { body: utf8.decode(b), isBase64Encoded: false };
    } catch {
      /* not UTF-8: base64 below */
    }
  }
  return { body: Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'), isBase64Encoded: true };
}

/** Every distinct ASCII spelling of `set-cookie`, lower-case first: case-variant n. */
function caseVariant(n: number): string {
  const base = 'set-cookie';
  let out = '';
  let bit = 0;
  for (let i = 0; i < base.length; i++) {
    const c = base[i]!;
    if (c === '-') out += c;
    else out += (n >> bit++) & 1 ? c.toUpperCase() : c;
  }
  return out;
}

/**
 * Put every field but Set-Cookie into `headers`, repeats joined with ", " (RFC 9110 §5.3), and
 * return the Set-Cookie values apart (they cannot be joined): payload 2.0 and single-value ALB.
 */
function joinHeaders(pairs: Array<[string, string]>, headers: Record<string, string>): string[] | undefined {
  let cookies: string[] | undefined;
  for (let i = 0; i < pairs.length; i++) {
    const [k, v] = pairs[i]!;
    if (k === 'set-cookie') (cookies ??= []).push(v);
    else headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
  }
  return cookies;
}

/**
 * The result object for `kind` (and ALB's multi-value setting) from a response's parts.
 *
 * @example
 * lambdaResult('v2', false, 200, '', [['set-cookie', 'a=1'], ['content-type', 'text/plain']], { kind: 'text', text: 'hi' }, { log: console.error });
 * // { statusCode: 200, headers: { 'content-type': 'text/plain' }, cookies: ['a=1'], body: 'hi', isBase64Encoded: false }
 */
export function lambdaResult(
  kind: EventKind,
  albMulti: boolean,
  status: number,
  statusText: string,
  pairs: Array<[string, string]>,
  body: FinalBody,
  options: ResultOptions,
): LambdaResult {
  const encoded = encodeBody(body, pairs, options.binary);
  if (kind === 'v2') {
    const headers: Record<string, string> = {};
    const cookies = joinHeaders(pairs, headers);
    const result: V2Result = { statusCode: status, headers, body: encoded.body, isBase64Encoded: encoded.isBase64Encoded };
    if (cookies) result.cookies = cookies;
    return result;
  }
  if (kind === 'alb' && albMulti) {
    const multiValueHeaders: Record<string, string[]> = {};
    for (let i = 0; i < pairs.length; i++) {
      const [k, v] = pairs[i]!;
      (multiValueHeaders[k] ??= []).push(v);
    }
    const result: AlbResult = { statusCode: status, statusDescription: statusDescription(status, statusText), multiValueHeaders, body: encoded.body, isBase64Encoded: encoded.isBase64Encoded };
    return result;
  }
  if (kind === 'alb') {
    const headers: Record<string, string> = {};
    const cookies = joinHeaders(pairs, headers);
    if (cookies) {
      if (options.albSetCookie === 'case-variants') {
        for (let i = 0; i < cookies.length && i < 256; i++) headers[caseVariant(i)] = cookies[i]!;
      } else {
        headers['set-cookie'] = cookies[0]!;
        if (cookies.length > 1) {
          options.log(
            `portico: ALB target group has multi-value headers off, so only 1 of ${cookies.length} Set-Cookie headers was sent ` +
              `(dropped: ${cookies.slice(1).map((c) => c.split('=', 1)[0]).join(', ')}); ` +
              'turn on lambda.multi_value_headers.enabled on the target group, or pass handle(app, { albSetCookie: "case-variants" })',
          );
        }
      }
    }
    const result: AlbResult = { statusCode: status, statusDescription: statusDescription(status, statusText), headers, body: encoded.body, isBase64Encoded: encoded.isBase64Encoded };
    return result;
  }
  // REST API (payload 1.0).
  const headers: Record<string, string> = {};
  let multiValueHeaders: Record<string, string[]> | undefined;
  for (let i = 0; i < pairs.length; i++) {
    const [k, v] = pairs[i]!;
    const mv = multiValueHeaders?.[k];
    if (mv) mv.push(v);
    else if (k === 'set-cookie') (multiValueHeaders ??= {})[k] = [v];
    else if (headers[k] === undefined) headers[k] = v;
    else {
      (multiValueHeaders ??= {})[k] = [headers[k]!, v];
      delete headers[k];
    }
  }
  const result: V1Result = { statusCode: status, headers, body: encoded.body, isBase64Encoded: encoded.isBase64Encoded };
  if (multiValueHeaders) result.multiValueHeaders = multiValueHeaders;
  return result;
}
