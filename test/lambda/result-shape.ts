/**
 * Strict validators for what a buffered Lambda handler returns, one per event source, written
 * from the AWS documentation of each source's response format. A result that fails here is one
 * the source would refuse (HTTP 502 "Malformed Lambda proxy response" on API Gateway REST, a 502
 * from ALB) or silently misread (an unknown key taken as part of the body on HTTP API 2.0).
 *
 * - REST API, and HTTP API with payload 1.0 ("Output format of a Lambda function for proxy
 *   integration"): `{ isBase64Encoded, statusCode, headers, multiValueHeaders, body }`, nothing
 *   else. headers: string values; multiValueHeaders: arrays of strings; API Gateway merges the
 *   two, so a name in both would be sent twice.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 * - HTTP API payload 2.0 ("Lambda function response for format 2.0") and Function URLs
 *   ("Response payload format"): `{ cookies, isBase64Encoded, statusCode, headers, body }`.
 *   headers hold one string per name (repeats joined with commas); Set-Cookie goes in `cookies`.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload
 * - ALB ("Respond to the load balancer"): `{ statusCode, statusDescription, headers |
 *   multiValueHeaders, body, isBase64Encoded }`; with multi-value headers on the target group the
 *   result must use multiValueHeaders, with them off headers; the response JSON may be at most 1 MB.
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#respond-to-load-balancer
 *
 * Test tooling only.
 */
import { strict as assert } from 'node:assert';

export type ResultSource = 'v1' | 'v2' | 'alb' | 'alb-multi';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// RFC 9110 §5.1 token: a header name.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function plainObject(value: unknown, what: string): asserts value is Record<string, unknown> {
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `${what} must be a JSON object, got ${JSON.stringify(value)}`);
}

function onlyKeys(result: Record<string, unknown>, allowed: readonly string[], source: string): void {
  for (const k of Object.keys(result)) assert.ok(allowed.includes(k), `${source} result has a key AWS does not accept: ${k}`);
}

function headerValue(name: string, value: unknown, what: string): void {
  assert.match(name, TOKEN, `${what}: header name ${JSON.stringify(name)} is not an RFC 9110 token`);
  assert.equal(typeof value, 'string', `${what}[${name}] must be a string, got ${JSON.stringify(value)}`);
  // CR, LF and NUL can never go out in a header value (RFC 9110 §5.5).
  assert.ok(!/[\r\n\0]/.test(value as string), `${what}[${name}] holds CR, LF or NUL`);
}

function singleHeaders(value: unknown, what: string): Record<string, string> {
  plainObject(value, what);
  for (const [k, v] of Object.entries(value)) headerValue(k, v, what);
  return value as Record<string, string>;
}

function multiHeaders(value: unknown, what: string): Record<string, string[]> {
  plainObject(value, what);
  for (const [k, list] of Object.entries(value)) {
    assert.ok(Array.isArray(list) && list.length > 0, `${what}[${k}] must be a non-empty array`);
    for (const v of list) headerValue(k, v, what);
  }
  return value as Record<string, string[]>;
}

function common(result: Record<string, unknown>, source: string): void {
  assert.ok(Number.isInteger(result.statusCode), `${source}: statusCode must be an integer, got ${JSON.stringify(result.statusCode)}`);
  assert.ok((result.statusCode as number) >= 100 && (result.statusCode as number) <= 599, `${source}: statusCode out of range`);
  assert.equal(typeof result.body, 'string', `${source}: body must be a string`);
  assert.equal(typeof result.isBase64Encoded, 'boolean', `${source}: isBase64Encoded must be a boolean`);
  if (result.isBase64Encoded) assert.match(result.body as string, BASE64, `${source}: body is marked base64 but is not`);
}

/**
 * Throw unless `result` is exactly what `source` accepts.
 *
 * @example
 * assertResultShape('v2', await handler(event, context));
 */
export function assertResultShape(source: ResultSource, result: unknown): void {
  plainObject(result, `${source} result`);
  common(result, source);
  if (source === 'v1') {
    onlyKeys(result, ['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded'], 'REST API');
    const single = result.headers === undefined ? {} : singleHeaders(result.headers, 'headers');
    const multi = result.multiValueHeaders === undefined ? {} : multiHeaders(result.multiValueHeaders, 'multiValueHeaders');
    const names = new Set(Object.keys(single).map((k) => k.toLowerCase()));
    for (const k of Object.keys(multi)) assert.ok(!names.has(k.toLowerCase()), `REST API merges headers and multiValueHeaders: ${k} would be sent twice`);
    return;
  }
  if (source === 'v2') {
    onlyKeys(result, ['statusCode', 'headers', 'cookies', 'body', 'isBase64Encoded'], 'payload 2.0');
    const headers = singleHeaders(result.headers ?? {}, 'headers');
    for (const k of Object.keys(headers)) assert.notEqual(k.toLowerCase(), 'set-cookie', 'payload 2.0: Set-Cookie belongs in cookies');
    if (result.cookies !== undefined) {
      assert.ok(Array.isArray(result.cookies), 'cookies must be an array');
      for (const c of result.cookies) assert.equal(typeof c, 'string', 'each cookie must be a string');
    }
    return;
  }
  onlyKeys(result, ['statusCode', 'statusDescription', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded'], 'ALB');
  assert.equal(typeof result.statusDescription, 'string', 'ALB: statusDescription must be a string');
  assert.match(result.statusDescription as string, new RegExp(`^${result.statusCode} \\S`), 'ALB: statusDescription is "<code> <reason>"');
  if (source === 'alb-multi') {
    assert.equal(result.headers, undefined, 'ALB with multi-value headers on: answer with multiValueHeaders only');
    multiHeaders(result.multiValueHeaders, 'multiValueHeaders');
  } else {
    assert.equal(result.multiValueHeaders, undefined, 'ALB with multi-value headers off: answer with headers only');
    singleHeaders(result.headers, 'headers');
  }
  assert.ok(Buffer.byteLength(JSON.stringify(result)) <= 1024 * 1024, 'ALB: the response JSON is limited to 1 MB');
}
