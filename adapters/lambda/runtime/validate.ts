/**
 * One check of an HTTP event at the edge, before portico reads it into a request: every field
 * the gateway will read (at once or lazily, when the app touches `url`, `headers` or the body)
 * must have the JSON type that API Gateway, ALB and Function URLs always give it. After
 * `checkEvent` passes, no getter of the request can throw or loop on the event's account.
 *
 * What happens to a bad event, and why (issue 7, "Lambda: malformed events get a clean answer"):
 *
 * - A field of the wrong type or shape (a number for `rawPath`, an object for a header value, a
 *   string or an array-like `{ length: 1e9 }` where an array belongs, `isBase64Encoded: "false"`,
 *   a `requestContext.elb` that is not an object), a body that `isBase64Encoded` calls base64
 *   but is not, or maps larger than a Lambda payload can be: `checkEvent` throws
 *   `PORTICO_LAMBDA_BAD_EVENT` naming the field. No HTTP client can cause these: the AWS fronts
 *   build events from requests they parsed, always with these types and valid base64. So the
 *   invoker is broken (a hand-written test event, an emulator, a proxy calling Invoke), and the
 *   invocation fails where that invoker sees it: the error type and message in `aws lambda
 *   invoke`, the console, the Errors metric. Behind a real front it gets the front's own answer
 *   to a failed invocation (502 from REST API and ALB, 500 from HTTP API). The app is not called.
 * - A well-typed event whose HTTP content is malformed in a way a front would answer 400 to a
 *   client for (a method that is not an RFC 9110 token): `requestProblem` says why, and the
 *   gateway answers 400 in the source's own result shape, without calling the app or logging.
 *
 * Cost: typeof checks and one pass over the header, query and cookie maps (a few hundred ns for
 * a usual event), a regular expression over a base64 body. No schema library on the hot path.
 */
import type { EventKind } from './events.ts';

/** The sync invocation payload limit: no event AWS delivers is larger (6 MB of JSON). */
export const EVENT_LIMIT = 6 * 1024 * 1024;

/** The error `checkEvent` throws: `code` is PORTICO_LAMBDA_BAD_EVENT, `field` the path of the bad field. */
export class LambdaEventError extends Error {
  readonly code = 'PORTICO_LAMBDA_BAD_EVENT';
  /** Where in the event, e.g. `multiValueHeaders["accept"]` or `requestContext.http.method`. */
  readonly field: string;
  constructor(field: string, problem: string) {
    super(
      `PORTICO_LAMBDA_BAD_EVENT: the event's ${field} ${problem}. API Gateway, ALB and Function URLs never send that, ` +
        'so the event was built elsewhere: fix the test event or the tool that invoked the function (portico did not call the app)',
    );
    this.name = 'LambdaEventError';
    this.field = field;
  }
}

/** A short account of a wrong value (never its whole content: it may be huge). */
function shown(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  switch (typeof v) {
    case 'string':
      return `a string (${JSON.stringify(v.length > 24 ? v.slice(0, 24) + '…' : v)})`;
    case 'number':
    case 'boolean':
      return `${typeof v} ${String(v)}`;
    case 'object': {
      const len = (v as { length?: unknown }).length;
      return len === undefined ? 'an object' : `an array-like object (length ${String(len).slice(0, 24)})`;
    }
    default:
      return `a ${typeof v}`;
  }
}

function key(name: string): string {
  return JSON.stringify(name.length > 40 ? name.slice(0, 40) + '…' : name);
}

function wrong(field: string, expected: string, got: unknown): never {
  throw new LambdaEventError(field, `must be ${expected}, got ${shown(got)}`);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string, or absent (undefined or null). */
function optString(v: unknown, field: string): void {
  if (v != null && typeof v !== 'string') wrong(field, 'a string', v);
}

/** An absent map, or a map of strings (null values are skipped as absent). Returns its JSON size, at least. */
function singleMap(map: unknown, field: string): number {
  if (map == null) return 0;
  if (!isMap(map)) wrong(field, 'an object of strings', map);
  let size = 0;
  for (const name in map) {
    const v = map[name];
    if (typeof v === 'string') size += name.length + v.length + 6;
    else if (v !== null && v !== undefined) wrong(`${field}[${key(name)}]`, 'a string', v);
  }
  return size;
}

/**
 * An array of strings (a real array: `Array.isArray`, so no array-like `{ length }`). Returns
 * its JSON size, at least. The field is `field`, or `field[name]` when `name` is given: named
 * only on failure, since building the name for every list would cost more than the check.
 */
function stringList(list: unknown, field: string, name?: string): number {
  if (!Array.isArray(list)) wrong(member(field, name), 'an array of strings', list);
  let size = 2;
  // A JSON array of n strings takes at least 3n bytes ('"",'): a longer one cannot be an event,
  // and a sparse `new Array(1e9)` stops here instead of at its first hole a billion steps on.
  if (list.length > EVENT_LIMIT / 3) wrong(member(field, name), `an array of at most ${Math.floor(EVENT_LIMIT / 3)} strings (a Lambda event is at most 6 MB)`, list);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'string') wrong(`${member(field, name)}[${i}]`, 'a string', v);
    size += v.length + 3;
  }
  return size;
}

function member(field: string, name: string | undefined): string {
  return name === undefined ? field : `${field}[${key(name)}]`;
}

/** An absent map, or a map of string arrays (a null list is skipped as absent). */
function multiMap(map: unknown, field: string): number {
  if (map == null) return 0;
  if (!isMap(map)) wrong(field, 'an object of string arrays', map);
  let size = 0;
  for (const name in map) {
    const list = map[name];
    if (list != null) size += name.length + 3 + stringList(list, field, name);
  }
  return size;
}

// Standard base64 (RFC 4648 §4), padding optional: what AWS sends. No whitespace, no URL-safe
// alphabet: Node's decoder skips what it does not know and would hand the app other bytes.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function checkBody(event: Record<string, unknown>): void {
  const body = event.body;
  const b64 = event.isBase64Encoded;
  if (b64 != null && typeof b64 !== 'boolean') wrong('isBase64Encoded', 'true or false (a JSON boolean)', b64);
  if (body == null) return;
  if (typeof body !== 'string') wrong('body', 'a string or null', body);
  if (b64 !== true || body === '') return;
  const n = body.length;
  const padded = body.charCodeAt(n - 1) === 61; /* = */
  if (!BASE64.test(body) || (padded ? n % 4 !== 0 : n % 4 === 1)) {
    throw new LambdaEventError('body', `is not valid base64 although isBase64Encoded is true (${n} characters${invalidAt(body)})`);
  }
}

function invalidAt(body: string): string {
  const m = /[^A-Za-z0-9+/=]/.exec(body);
  return m ? `, ${JSON.stringify(m[0])} at ${m.index}` : '';
}

function checkSize(size: number): void {
  if (size > EVENT_LIMIT) {
    throw new LambdaEventError('headers, query and cookies', `add up to more than a Lambda event can hold (${EVENT_LIMIT} bytes)`);
  }
}

/** REST API, HTTP API payload 1.0 and ALB: the fields they share. */
function checkV1Shape(e: Record<string, unknown>): void {
  if (typeof e.httpMethod !== 'string') wrong('httpMethod', 'a string', e.httpMethod);
  if (typeof e.path !== 'string') wrong('path', 'a string', e.path);
  checkSize(
    singleMap(e.headers, 'headers') +
      multiMap(e.multiValueHeaders, 'multiValueHeaders') +
      singleMap(e.queryStringParameters, 'queryStringParameters') +
      multiMap(e.multiValueQueryStringParameters, 'multiValueQueryStringParameters'),
  );
  checkBody(e);
}

/**
 * Check every field of `event` that portico reads for an event of `kind` (as `eventKind` found
 * it); throw `PORTICO_LAMBDA_BAD_EVENT` naming the first bad one.
 *
 * @example
 * checkEvent({ version: '2.0', rawPath: 7, requestContext: { http: { method: 'GET' } } }, 'v2');
 * // throws LambdaEventError: PORTICO_LAMBDA_BAD_EVENT: the event's rawPath must be a string, got number 7. ...
 */
export function checkEvent(event: object, kind: EventKind): void {
  const e = event as Record<string, unknown>;
  const rc = e.requestContext;
  if (!isMap(rc)) wrong('requestContext', 'an object', rc);
  // The fallback host of every kind (ALB events have none; a stray one is still read).
  optString(rc.domainName, 'requestContext.domainName');
  if (kind === 'v2') {
    const http = rc.http;
    if (!isMap(http)) wrong('requestContext.http', 'an object', http);
    if (typeof http.method !== 'string') wrong('requestContext.http.method', 'a string', http.method);
    optString(http.sourceIp, 'requestContext.http.sourceIp');
    optString(rc.stage, 'requestContext.stage');
    optString(e.rawPath, 'rawPath');
    optString(e.rawQueryString, 'rawQueryString');
    let size = singleMap(e.headers, 'headers');
    if (e.cookies != null) size += stringList(e.cookies, 'cookies');
    // Read only to rebuild a query when rawQueryString is missing (hand-written events).
    if (typeof e.rawQueryString !== 'string') size += singleMap(e.queryStringParameters, 'queryStringParameters');
    checkSize(size);
    checkBody(e);
    return;
  }
  if (kind === 'alb') {
    if (!isMap(rc.elb)) wrong('requestContext.elb', 'an object ({ targetGroupArn })', rc.elb);
    checkV1Shape(e);
    return;
  }
  optString(rc.path, 'requestContext.path');
  optString(rc.stage, 'requestContext.stage');
  const identity = rc.identity;
  if (identity != null) {
    if (!isMap(identity)) wrong('requestContext.identity', 'an object', identity);
    optString(identity.sourceIp, 'requestContext.identity.sourceIp');
  }
  checkV1Shape(e);
}

// RFC 9110 §5.6.2 token: what a request method is (§9.1).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Why a well-typed event's HTTP request is one a front would answer 400 to, or undefined when
 * it is fine. `method` is the method the event gives ('' stands for GET, as before).
 *
 * @example
 * requestProblem('GET');    // undefined
 * requestProblem('GE T');   // 'the method "GE T" is not an HTTP token (RFC 9110 §9.1)'
 */
export function requestProblem(method: string): string | undefined {
  if (!TOKEN.test(method)) return `the method ${key(method)} is not an HTTP token (RFC 9110 §9.1)`;
  return undefined;
}
