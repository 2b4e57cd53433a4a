/**
 * Which HTTP event a Lambda function was invoked with. Detection reads only fields that AWS
 * documents as always present for that source, in an order where no shape can be mistaken for
 * another:
 *
 * - ALB: `requestContext.elb` (the only source with it).
 * - payload 2.0 (HTTP API, Function URL): `version: "2.0"` and `requestContext.http`.
 * - payload 1.0 (REST API, HTTP API 1.0): `httpMethod` and a `requestContext`, and no
 *   `requestContext.connectionId` / `eventType`: those mark a WebSocket API event, which is no
 *   HTTP request even where a sample carries `httpMethod` and `path` (aws-lambda-go's
 *   `events/testdata/apigw-websocket-request.json` does; the AWS docs' WebSocket events do not).
 *
 * Detection reads only whether those fields are present; whether they (and everything else
 * portico reads) have the right type is validate.ts's job, once, right after: an event that
 * claims a source and breaks its shape fails with PORTICO_LAMBDA_BAD_EVENT naming the field,
 * never as another kind (a truthy `elb` no longer makes a REST event an ALB one).
 *
 * Anything else (SQS, S3, a test invoke with `{}`) is not an HTTP request: `unknownEventError`
 * describes what arrived, so the invocation fails loudly in the Lambda console and metrics
 * rather than answering a made-up HTTP 500 to a caller that never spoke HTTP.
 */
import type { AlbEvent, HttpEvent, V1Event, V2Event } from './types.ts';

export type EventKind = 'v1' | 'v2' | 'alb';

/**
 * The kind of HTTP event, or undefined when `event` is not one portico knows.
 *
 * @example
 * eventKind({ version: '2.0', rawPath: '/', requestContext: { http: { method: 'GET' } } }); // 'v2'
 * eventKind({ Records: [] }); // undefined
 */
export function eventKind(event: unknown): EventKind | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const rc = (event as { requestContext?: Record<string, unknown> }).requestContext;
  if (rc === null || typeof rc !== 'object') return undefined;
  // What the event claims to be; validate.ts then checks that the claim holds up (an `elb` that
  // is no object, or a v1 event with a numeric `path`, is a bad event, not some other kind).
  if (rc.elb != null) return 'alb';
  if ((event as V2Event).version === '2.0' && rc.http != null) return 'v2';
  if ((event as V1Event).httpMethod != null && !isWebSocket(rc)) return 'v1';
  return undefined;
}

/** A WebSocket API event's requestContext: a connection id and an event type (CONNECT, MESSAGE, DISCONNECT). */
function isWebSocket(rc: Record<string, unknown>): boolean {
  return rc.connectionId !== undefined || rc.eventType !== undefined;
}

/** Whether an ALB event came from a target group with multi-value headers turned on. */
export function isAlbMultiValue(event: AlbEvent): boolean {
  return event.multiValueHeaders != null;
}

/** The first 12 own keys of `o`, joined (never a list of every key: an object may hold millions). */
function someKeys(o: object): string {
  let out = '';
  let n = 0;
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    if (n++ === 12) return out + ', ...';
    out += (out ? ', ' : '') + (k.length > 40 ? k.slice(0, 40) + '…' : k);
  }
  return out;
}

/**
 * The error for an event that is not an HTTP request: names the top-level keys received
 * and the shapes portico handles, and says how to handle other events.
 *
 * @example
 * throw unknownEventError({ Records: [] });
 */
export function unknownEventError(event: unknown): Error {
  let got: string;
  if (event === null || typeof event !== 'object') got = `a ${event === null ? 'null' : typeof event} value`;
  else if (Array.isArray(event)) got = `an array of ${event.length} item(s)`;
  else {
    const keys = someKeys(event);
    got = keys ? `an object with keys [${keys}]` : 'an empty object {}';
    const rc = (event as { requestContext?: unknown }).requestContext;
    if (rc && typeof rc === 'object') {
      got += Array.isArray(rc) ? ` and a requestContext that is an array` : ` and requestContext keys [${someKeys(rc)}]`;
      const ws = rc as { eventType?: unknown; routeKey?: unknown };
      if (isWebSocket(rc as Record<string, unknown>)) got = `a WebSocket API event (eventType ${String(ws.eventType)}, routeKey ${String(ws.routeKey)}): ${got}`;
    }
  }
  const err = new Error(
    `PORTICO_LAMBDA_UNKNOWN_EVENT: the function received ${got}, which is not an HTTP event. ` +
      'portico/lambda handles API Gateway REST API and HTTP API payload 1.0 (httpMethod, path, requestContext), ' +
      'HTTP API payload 2.0 and Function URLs (version "2.0", rawPath, requestContext.http), ' +
      'and Application Load Balancer events (requestContext.elb). ' +
      'To handle other events in the same function, pass handle(app, { onOtherEvent(event, context) { ... } }).',
  );
  (err as { code?: string }).code = 'PORTICO_LAMBDA_UNKNOWN_EVENT';
  return err;
}

export type { HttpEvent };
