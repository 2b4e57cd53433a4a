/**
 * Malformed Lambda events, made from recorded well-formed ones by setting the fields portico
 * reads to hostile values: wrong JSON types, array-likes (`{ length: 1e9 }`), sparse arrays of
 * huge length, strings where arrays belong, string booleans, bad base64, odd header names.
 * Shared by the property tests (test/unit/lambda-bad-event.test.ts, driven by fast-check) and
 * the fuzz script (test/fuzz/lambda-events.ts, driven by a seeded generator): both pick
 * numbers, this module turns numbers into events, so a failing case replays from its numbers.
 *
 * Test tooling; never shipped.
 */
import { readFileSync } from 'node:fs';

const EVENTS = new URL('../fixtures/lambda-events/', import.meta.url);
const RECORDED = new URL('../fixtures/lambda-recorded/', import.meta.url);

/** Well-formed HTTP events (every source), and a few non-HTTP ones, as JSON text. */
export const TEMPLATES: Array<{ name: string; json: string }> = [
  ...['alb-multi', 'alb-single', 'function-url', 'http-v2-stage', 'http-v2', 'rest-v1-binary', 'rest-v1-custom-domain', 'rest-v1-stage'].map((n) => ({
    name: n,
    json: readFileSync(new URL(`${n}.json`, EVENTS), 'utf8'),
  })),
  ...[
    'alb-healthcheck-multi', 'alb-multi-live', 'function-url-iam', 'function-url-live', 'http-v1-stage', 'http-v2-live', 'http-v2-sam',
    'rest-console-template', 'rest-cookies-gzip', 'rest-nonascii', 'rest-nulls', 'rest-test-invoke', 'sqs', 'websocket-lambda-go',
  ].map((n) => ({ name: `recorded/${n}`, json: readFileSync(new URL(`${n}.json`, RECORDED), 'utf8') })),
];

/** One step of a path into an event: a fixed field, a member of a header/query map, an index. */
export type Step = { k: string } | { m: string } | { i: number };

const k = (...names: string[]): Step[] => names.map((n) => ({ k: n }));

// Every field portico reads, on any source (a v2 field set on a v1 event is noise: also useful).
const FIELDS: Step[][] = [
  k('rawPath'), k('rawQueryString'), k('cookies'), [...k('cookies'), { i: 0 }], [...k('cookies'), { i: 1 }],
  k('httpMethod'), k('path'), k('version'), k('body'), k('isBase64Encoded'),
  k('headers'), k('multiValueHeaders'), k('queryStringParameters'), k('multiValueQueryStringParameters'),
  k('requestContext'), k('requestContext', 'http'), k('requestContext', 'http', 'method'), k('requestContext', 'http', 'sourceIp'),
  k('requestContext', 'stage'), k('requestContext', 'domainName'), k('requestContext', 'path'), k('requestContext', 'identity'),
  k('requestContext', 'identity', 'sourceIp'), k('requestContext', 'elb'), k('requestContext', 'elb', 'targetGroupArn'),
];
const MAPS = ['headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters'];
const NAMES = ['host', 'Host', 'x-forwarded-for', 'X-Forwarded-For', 'x-forwarded-proto', 'cookie', 'content-type', 'q', 'x-new', '', 'bad name', '__proto__', 'constructor', 'toString', 'é'];

/** The path (field, map member or list item) number `n` picks. */
export function pickPath(n: number, m: number, j: number): Step[] {
  const f = n % (FIELDS.length + MAPS.length * 2);
  if (f < FIELDS.length) return FIELDS[f]!;
  const map = MAPS[(f - FIELDS.length) % MAPS.length]!;
  const member: Step[] = [{ k: map }, { m: NAMES[m % NAMES.length]! }];
  return f - FIELDS.length < MAPS.length ? member : [...member, { i: j % 3 }];
}

/** How validate.ts names a path: `requestContext.http.method`, `multiValueHeaders["cookie"][0]`. */
export function fieldName(path: Step[]): string {
  let out = '';
  for (const s of path) {
    if ('k' in s) out += (out ? '.' : '') + s.k;
    else if ('m' in s) out += `[${JSON.stringify(s.m)}]`;
    else out += `[${s.i}]`;
  }
  return out;
}

// Shared big values: built once (a sparse array is cheap; the long ones cost memory once).
const SPARSE = new Array(1e9);
let LONG_LIST: string[] | undefined;
const longList = (): string[] => (LONG_LIST ??= new Array(2_200_000).fill(''));
const MB = 'x'.repeat(1024 * 1024);

/** Hostile and odd values; `n` picks one (a fresh object each call). */
export const VALUE_KINDS = 44;
export function hostileValue(n: number): unknown {
  switch (n % VALUE_KINDS) {
    case 0: return undefined;
    case 1: return null;
    case 2: return true;
    case 3: return false;
    case 4: return 0;
    case 5: return 1e9;
    case 6: return -1;
    case 7: return NaN;
    case 8: return '';
    case 9: return 'false';
    case 10: return 'true';
    case 11: return 'GET';
    case 12: return 'G T';
    case 13: return 'a\r\nb';
    case 14: return '\u0000';
    case 15: return '%zz/../%2f';
    case 16: return '\ud800x';
    case 17: return '//evil.example/x?y#z';
    case 18: return [];
    case 19: return ['a=1', 'b'];
    case 20: return [1];
    case 21: return [null];
    case 22: return [{}];
    case 23: return ['a\r\nb'];
    case 24: return {};
    case 25: return { length: 1e9 };
    case 26: return { length: -1 };
    case 27: return { length: '1e9', 0: 'a' };
    case 28: return { length: 1e9, 0: 'a' };
    case 29: return SPARSE;
    case 30: return { a: 1 };
    case 31: return { a: ['x'], b: 'y' };
    case 32: return { a: { length: 5 } };
    case 33: return 'ab!c';
    case 34: return '====';
    case 35: return 'YQ';
    case 36: return 'Y';
    case 37: return 'YW Jj\n';
    case 38: return '-_-_';
    case 39: return 'aGVsbG8=';
    case 40: return longList();
    case 41: return { big: MB, more: MB, most: MB, all: MB, and: MB, over: MB, limit: MB };
    case 42: return 'PATCH';
    default: return [MB, MB, MB, MB, MB, MB, MB];
  }
}

/** Set `path` in `event` to `value` (undefined deletes), making missing containers; own keys even for `__proto__`. */
export function setPath(event: Record<string, unknown>, path: Step[], value: unknown): void {
  let at: unknown = event;
  for (let s = 0; s < path.length; s++) {
    if (at === null || typeof at !== 'object') return; // an earlier mutation put a scalar here
    const step = path[s]!;
    const name = 'i' in step ? String(step.i) : 'k' in step ? step.k : step.m;
    const o = at as Record<string, unknown>;
    if (s === path.length - 1) {
      if (value === undefined) delete o[name];
      else Object.defineProperty(o, name, { value, writable: true, enumerable: true, configurable: true });
      return;
    }
    let next = Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined;
    if (next === undefined || next === null) {
      next = 'i' in (path[s + 1] as object) ? [] : {};
      Object.defineProperty(o, name, { value: next, writable: true, enumerable: true, configurable: true });
    }
    at = next;
  }
}

/** A mutation: which path (three numbers) gets which value (one number). */
export type Mutation = [path: number, member: number, index: number, value: number];

/**
 * A fresh event: template `t` with `mutations` applied; also returns the fields they touched.
 *
 * @example
 * const { event, fields } = mutatedEvent(3, [[0, 0, 0, 5]]); // rawPath = 1e9
 */
export function mutatedEvent(t: number, mutations: Mutation[]): { event: Record<string, unknown>; template: string; fields: string[] } {
  const tpl = TEMPLATES[t % TEMPLATES.length]!;
  const event = JSON.parse(tpl.json) as Record<string, unknown>;
  const fields: string[] = [];
  for (const [p, m, j, v] of mutations) {
    const path = pickPath(p, m, j);
    setPath(event, path, hostileValue(v));
    fields.push(fieldName(path));
  }
  return { event, template: tpl.name, fields };
}

/**
 * Whether a PORTICO_LAMBDA_BAD_EVENT `field` can be explained by the touched `fields`: the same
 * field, a field inside one (a map set to `{ a: 1 }` fails at `headers["a"]`) or around one (setPath made it), the body and its
 * base64 flag (either makes the other wrong), another item of a list one item was set in, a kind switch (an `elb`, `version` or `http` set
 * makes the event claim another source, whose own fields are then checked), or the size limit.
 */
export function explains(fields: string[], field: string): boolean {
  if (field === 'headers, query and cookies') return true;
  for (const f of fields) {
    if (field === f || field.startsWith(f + '[') || field.startsWith(f + '.')) return true;
    // setPath made the containers of a deep path ({ host: [] } for `headers["host"][0]`).
    if (f.startsWith(field + '[') || f.startsWith(field + '.')) return true;
    // Setting item 1 of a missing list makes [hole, value]: the hole fails as item 0.
    const list = f.replace(/\[\d+\]$/, '');
    if (list !== f && field.startsWith(list + '[')) return true;
    if ((f === 'body' || f === 'isBase64Encoded') && field === 'body') return true;
    if (/^requestContext(\.elb|\.http|$)|^version$|^httpMethod$/.test(f) || f.startsWith('requestContext.elb') || f.startsWith('requestContext.http')) return true;
  }
  return false;
}
