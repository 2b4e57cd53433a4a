/**
 * Generated raw HTTP/1.x requests for the node gateway's fuzzing: one seed, one request, as
 * bytes, built from the shapes an outside tester sends (issue 7): Host values the URL parser
 * rejects or reinterprets, two Hosts, absolute- and asterisk-form targets, characters the URL
 * serialiser encodes, dot segments, smuggling shapes (Content-Length with Transfer-Encoding,
 * two lengths, bad chunk sizes), obs-fold, huge heads, `Expect: 100-continue` over the limit,
 * bodies shorter and longer than declared, bytes above 0x7f and control characters.
 * Test tooling: used by test/unit/node-fuzz.test.ts (bounded) and test/fuzz/http-fuzz.ts.
 */

/** A small seeded PRNG (xorshift32), so a failing seed can be replayed. */
export class Rng {
  #x: number;
  constructor(seed: number) {
    // Neighbouring seeds must not give neighbouring streams (xorshift's first outputs follow
    // the seed's high bits): mix the seed first (murmur3's finaliser).
    let h = seed | 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    this.#x = h || 0x9e3779b9;
  }
  next(): number {
    let x = this.#x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#x = x;
    return (x >>> 0) / 0x1_0000_0000;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const METHODS = ['GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'get', 'G\x00T', 'CONNECT', 'FOO', '', 'GET /'];
const PATH_PIECES = [
  ...'abcXYZ019-._~!$&\'()*+,;=:@%/?[]|^`{}<>"\\',
  '%2B', '%20', '%2F', '%2e', '%2E', '..', '.', '/./', '/../', '%2e%2e', '.%2E', '%zz', '%00',
  '<script>', '\xe9', '\xff', '\x7f', '\x01', ' ', '#frag', '\t', 'echo', 'query?a=1+2&b=%2B', 'mnt',
];
export const BAD_HOSTS = ['a:99999', 'a%00b', 'a%2fb', '[:::::]', '0x7f.1', '1.2.3', '999.1.1.1', 'evil.com/x?', 'u@h', 'h#f', '%41', 'a b', '\xe9.example', '[::1', 'x:y:z', ''];
const GOOD_HOSTS = ['localhost', 'example.com', 'EXAMPLE.com:80', '127.0.0.1:3000', '[::1]:8080', 'a_b.example', 'xn--bcher-kva.example'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', 'http/1.1', '', 'HTTP/0.9'];
const ODD_HEADERS = [
  'X-Fold: a\r\n b',
  'NoColon',
  'Bad Name: x',
  'X-Space : x',
  'X-Null: a\x00b',
  'X-High: \xe9\xff',
  'X-Ctl: a\x01b',
  ': empty-name',
  'Connection: close',
  'Connection: keep-alive',
  'Upgrade: websocket',
  'Expect: 100-continue',
  'Expect: something-else',
  'Forwarded: for=1.2.3.4;host=evil.example',
  'X-Forwarded-Host: 0x7f.1',
  'Cookie: a=1',
  'Content-Type: application/json',
];

/** One generated request: its bytes and the shape it was built as (for the report). */
export interface GeneratedRequest {
  bytes: Buffer;
  kind: string;
}

// Most paths are ones an app would see; the rest mix in every piece above.
const PLAIN_PIECES = ['users', '42', '/', '/', 'a-b', '?x=1', '&y=2', '%20', '.json', 'echo'];

function path(rng: Rng): string {
  let p = '/';
  const n = rng.int(10);
  const pieces = rng.chance(0.4) ? PLAIN_PIECES : PATH_PIECES;
  for (let i = 0; i < n; i++) p += rng.pick(rng.chance(0.7) ? PLAIN_PIECES : pieces);
  return p;
}

function target(rng: Rng): [string, string] {
  const r = rng.next();
  if (r < 0.7) return [path(rng), 'origin-form'];
  if (r < 0.82) return [`${rng.pick(['http', 'https', 'HTTP', 'ftp'])}://${rng.chance(0.5) ? rng.pick(GOOD_HOSTS) : rng.pick(BAD_HOSTS)}${path(rng)}`, 'absolute-form'];
  if (r < 0.86) return ['*', 'asterisk-form'];
  if (r < 0.9) return ['example.com:443', 'authority-form'];
  if (r < 0.95) return [`/${'a'.repeat(rng.pick([100, 5000, 20_000]))}`, 'long-target'];
  return ['', 'empty-target'];
}

/**
 * The request for `seed`. `maxBody` is the server's body limit, so some bodies cross it.
 *
 * @example
 * const { bytes, kind } = generateRequest(42, 1024);
 * socket.end(bytes);
 */
export function generateRequest(seed: number, maxBody: number): GeneratedRequest {
  const rng = new Rng(seed);
  const kinds: string[] = [];
  const method = rng.pick(METHODS);
  const [t, tKind] = target(rng);
  kinds.push(tKind);
  const version = rng.pick(VERSIONS);
  const lines = [version === '' ? `${method} ${t}` : `${method} ${t} ${version}`];
  const hostRoll = rng.next();
  if (hostRoll < 0.55) lines.push(`Host: ${rng.pick(GOOD_HOSTS)}`);
  else if (hostRoll < 0.8) {
    lines.push(`Host: ${rng.pick(BAD_HOSTS)}`);
    kinds.push('bad-host');
  } else if (hostRoll < 0.9) {
    lines.push(`Host: ${rng.pick(GOOD_HOSTS)}`, `host: ${rng.pick(GOOD_HOSTS)}`);
    kinds.push('two-hosts');
  } else kinds.push('no-host');
  const extra = rng.chance(0.35) ? 1 + rng.int(3) : 0;
  for (let i = 0; i < extra; i++) lines.push(rng.pick(ODD_HEADERS));
  if (rng.chance(0.03)) {
    lines.push(`X-Huge: ${'h'.repeat(rng.pick([8000, 20_000, 70_000]))}`);
    kinds.push('huge-head');
  }
  let body = '';
  const bodyRoll = rng.next();
  if (bodyRoll < 0.3) {
    const size = rng.pick([0, 1, 10, 100, 1000, maxBody, maxBody + 1]);
    body = 'b'.repeat(Math.min(size, maxBody + 1));
    const declared = rng.pick([size, size, size, size + 5, Math.max(0, size - 1)]);
    lines.push(`Content-Length: ${declared}`);
    if (size > maxBody) kinds.push('body-over-limit');
    if (declared !== size) kinds.push('length-mismatch');
  } else if (bodyRoll < 0.45) {
    lines.push('Transfer-Encoding: chunked');
    const chunk = rng.pick(['5\r\nhello\r\n0\r\n\r\n', 'zz\r\nhello\r\n0\r\n\r\n', `${(maxBody + 10).toString(16)}\r\n${'c'.repeat(maxBody + 10)}\r\n0\r\n\r\n`, '5\r\nhello\r\n', '0\r\n\r\n', '-1\r\n\r\n']);
    body = chunk;
    kinds.push('chunked');
  } else if (bodyRoll < 0.52) {
    lines.push('Content-Length: 5', 'Transfer-Encoding: chunked');
    body = '0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
    kinds.push('smuggle-cl-te');
  } else if (bodyRoll < 0.56) {
    lines.push('Content-Length: 5', 'Content-Length: 6');
    body = 'hello!';
    kinds.push('smuggle-two-lengths');
  } else if (bodyRoll < 0.6) {
    lines.push(`Content-Length: ${rng.pick(['-1', '1e3', '0x10', ' 5', '99999999999999999999', 'abc'])}`);
    body = 'hello';
    kinds.push('bad-length');
  } else if (bodyRoll < 0.64) {
    lines.push('Expect: 100-continue', `Content-Length: ${maxBody * 4}`);
    kinds.push('expect-over-limit');
  }
  const eol = rng.chance(0.03) ? '\n' : '\r\n';
  const head = lines.join(eol) + eol + eol;
  return { bytes: Buffer.from(head + body, 'latin1'), kind: kinds.join('+') };
}
