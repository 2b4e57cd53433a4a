/**
 * The conformance suite: what every portico gateway must do, checked over real HTTP against
 * one fixture app (test/fixtures/conformance-app.ts) built and started by a small per-target
 * shim (DESIGN §5, STYLE §12). See test/conformance/README.md for how to add a target.
 *
 * @example
 * // test/conformance/node.test.ts
 * runConformance({
 *   name: 'node',
 *   capabilities: { gateway: 'node' },
 *   async start({ basePath }) { ...; return { baseUrl, stop, logs }; },
 * });
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Gateway } from '../../src/app.ts';
import { patternBytes } from '../fixtures/conformance-app.ts';

/** Absolute path of the fixture app every shim builds. */
export const FIXTURE_APP = new URL('../fixtures/conformance-app.ts', import.meta.url).pathname;

/** The mount point every shim must start the fixture under. */
export const BASE_PATH = '/mnt';

/**
 * Things a platform may genuinely be unable to do. A shim lists the ones its platform lacks in
 * `capabilities.unsupported`, each with the platform's reason; the suite reports the tests that
 * need them as skipped with that reason.
 */
export type Feature =
  /** The app reads a request body as it arrives (a 100 MB upload, chunked, never buffered whole). */
  | 'requestStreaming'
  /** The client gets the first chunk of a streamed response before the app has produced the last. */
  | 'responseStreaming'
  /** A client that goes away aborts `request.signal`. */
  | 'clientAbort'
  /** `ctx.waitUntil` work runs after the response has been sent (not before it). */
  | 'waitUntilAfterResponse'
  /** `ctx.clientAddress` is the client's loopback address. */
  | 'clientAddress'
  /** Errors escaping the app show up in `logs()`. */
  | 'errorLogs'
  /**
   * Header values are bytes, one char per byte both ways (Fetch's isomorphic decoding). When
   * unsupported (workerd reads and writes header strings as UTF-8), the suite expects UTF-8.
   */
  | 'headerBytes'
  /**
   * The app sees the query string exactly as the client sent it. Unsupported where the platform
   * hands the function parsed parameters only (API Gateway REST payload 1.0, ALB): order,
   * `+` versus `%20` and `e` versus `e=` are gone before the function runs.
   */
  | 'rawQuery'
  /**
   * Each query name and value reaches the app spelled as the client sent it (`+` versus `%20`
   * versus `%2B`), though the order between different names may differ. Implied by rawQuery;
   * ALB keeps it (values arrive still encoded, grouped by name), API Gateway REST does not
   * (it hands over decoded values only).
   */
  | 'queryEncoding'
  /**
   * Repeated request headers reach the app joined with ", ". When unsupported (API Gateway HTTP
   * API and Function URLs join them with "," alone), the suite expects "a,b,c".
   */
  | 'headerJoinSpace';

export interface Capabilities {
  /** The `ctx.gateway` the fixture must see. */
  gateway: Gateway;
  /** Largest request body the platform accepts, in bytes (default: no limit). */
  maxRequestBody?: number;
  /** Largest response body the platform returns, in bytes (default: no limit). */
  maxResponseBody?: number;
  /** Why the platform limits bodies, shown when a test is skipped for size (e.g. Lambda's 6 MB payload). */
  limitReason?: string;
  /** Features the platform cannot offer, each with the reason shown in the skip message. */
  unsupported?: Partial<Record<Feature, string>>;
  /**
   * How the suite reads what the app observed (an abort, waitUntil work): 'route' asks the app
   * (`GET <base>/__probe?id=`), for targets where one process serves every request; 'logs' reads
   * `portico-probe <id> <event>` lines from `logs()`, for targets with a process per request (CGI).
   * Default 'route'.
   */
  probe?: 'route' | 'logs';
}

/** A started target. */
export interface RunningTarget {
  /** Origin (and any prefix the platform adds) without the mount: the suite requests `${baseUrl}/mnt/...`. */
  baseUrl: string;
  /** Stops the target and everything it started. */
  stop(): Promise<void>;
  /** Everything the target printed so far (stdout and stderr, interleaved as well as the shim can). */
  logs(): string;
}

/** What a target supplies to the suite: ~50 lines per target. */
export interface ConformanceShim {
  /** Shown as the suite's name, e.g. 'node (bundled)'. */
  name: string;
  capabilities: Capabilities;
  /** Build the fixture app (FIXTURE_APP) for the target mounted at `basePath`, start it, resolve once it answers. */
  start(options: { basePath: string }): Promise<RunningTarget>;
  /** Milliseconds allowed for start(); default 60 000 (building included). */
  startTimeout?: number;
}

const MB = 1024 * 1024;

/** A response read whole, with raw header bytes kept. */
interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Header values as the bytes that were on the wire (node decodes them as Latin-1). */
  raw(name: string): Buffer[];
  body: Buffer;
}

/**
 * Register the whole suite for one target with node:test.
 *
 * @example
 * runConformance(myShim);
 */
export function runConformance(shim: ConformanceShim): void {
  const caps = shim.capabilities;
  const unsupported = caps.unsupported ?? {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  let target: RunningTarget | undefined;

  const need = (...features: Feature[]): string | false => {
    for (const f of features) if (unsupported[f]) return `${shim.name} cannot do ${f}: ${unsupported[f]}`;
    return false;
  };
  const fitsRequest = (bytes: number): string | false =>
    caps.maxRequestBody !== undefined && bytes > caps.maxRequestBody
      ? `${shim.name} accepts request bodies up to ${caps.maxRequestBody} bytes${caps.limitReason ? `: ${caps.limitReason}` : ''}`
      : false;
  const fitsResponse = (bytes: number): string | false =>
    caps.maxResponseBody !== undefined && bytes > caps.maxResponseBody
      ? `${shim.name} returns response bodies up to ${caps.maxResponseBody} bytes${caps.limitReason ? `: ${caps.limitReason}` : ''}`
      : false;

  const url = (path: string): string => `${target!.baseUrl}${path}`;
  const mnt = (path: string): string => url(`${BASE_PATH}${path}`);

  /** One request with node:http (full control of header bytes and repeats), read whole. */
  function send(
    path: string,
    options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Uint8Array | string; timeout?: number } = {},
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request(mnt(path), { method: options.method ?? 'GET', headers: options.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            raw(name) {
              const out: Buffer[] = [];
              for (let i = 0; i < res.rawHeaders.length; i += 2) {
                if (res.rawHeaders[i]!.toLowerCase() === name) out.push(Buffer.from(res.rawHeaders[i + 1]!, 'latin1'));
              }
              return out;
            },
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.setTimeout(options.timeout ?? 20_000, () => req.destroy(new Error(`request to ${path} timed out`)));
      req.on('error', reject);
      req.end(options.body);
    });
  }

  async function sendJson(path: string, options?: Parameters<typeof send>[1]): Promise<any> {
    const reply = await send(path, options);
    assert.equal(reply.status, 200, `${path} answered ${reply.status}: ${reply.body.toString().slice(0, 300)}`);
    return JSON.parse(reply.body.toString('utf8'));
  }

  /** What the app recorded under `id`, through the route or the logs (capabilities.probe). */
  async function probe(id: string): Promise<string[]> {
    if (caps.probe === 'logs') {
      const out: string[] = [];
      for (const line of target!.logs().split('\n')) {
        const m = /portico-probe (\S+) (.*)$/.exec(line);
        if (m && m[1] === id) out.push(m[2]!.trim());
      }
      return out;
    }
    return (await sendJson(`/__probe?id=${id}`)).events;
  }

  async function waitForEvent(id: string, event: string, ms = 5000): Promise<string[]> {
    const end = Date.now() + ms;
    for (;;) {
      const events = await probe(id);
      if (events.includes(event)) return events;
      if (Date.now() > end) assert.fail(`the app never recorded "${event}" for ${id} within ${ms} ms (recorded: ${JSON.stringify(events)})`);
      await sleep(25);
    }
  }

  describe(`conformance: ${shim.name}`, { timeout: 10 * 60_000 }, () => {
    before(async () => {
      target = await shim.start({ basePath: BASE_PATH });
    }, { timeout: shim.startTimeout ?? 60_000 });

    after(async () => {
      agent.destroy();
      await target?.stop();
    });

    describe('methods', () => {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        it(`${method} reaches the app with its method`, async () => {
          const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
          const reply = await send('/method', { method, body: hasBody ? 'payload' : undefined });
          assert.equal(reply.status, 200);
          assert.equal(reply.headers['x-method'], method);
          assert.equal(reply.body.toString(), `method=${method}`);
        });
      }
      it('HEAD answers with headers and no body', async () => {
        const reply = await send('/method', { method: 'HEAD' });
        assert.equal(reply.status, 200);
        assert.equal(reply.headers['x-method'], 'HEAD');
        assert.equal(reply.body.length, 0);
      });
      it('a standard fetch client works (undici)', async () => {
        const res = await fetch(mnt('/method'), { method: 'PATCH', body: 'x' });
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'method=PATCH');
      });
    });

    describe('paths and query strings', () => {
      it('keeps percent-encoded path characters, %2F included', async () => {
        const got = await sendJson('/path/a%20b/%E2%98%83/x%2Fy');
        assert.equal(got.pathname, '/path/a%20b/%E2%98%83/x%2Fy');
      });
      it('keeps the query string raw (+, %2B, %20, repeated keys, empty values)', { skip: need('rawQuery') }, async () => {
        const search = '?a=1+2&b=%2B&c=%20&a=3&d=&e&f=%E2%98%83';
        const got = await sendJson(`/query${search}`);
        assert.equal(got.search, search);
        assert.deepEqual(got.a, ['1 2', '3']);
        assert.ok(got.url.endsWith(`/query${search}`), got.url);
      });
      it('keeps each query pair as sent (+, %2B, %20), whatever the order between names', { skip: need('queryEncoding') }, async () => {
        const sent = ['a=1+2', 'b=%2B', 'c=%20', 'a=3', 'd=', 'f=%E2%98%83'];
        const got = await sendJson(`/query?${sent.join('&')}`);
        assert.deepEqual(got.search.slice(1).split('&').sort(), [...sent].sort());
        assert.deepEqual(got.a, ['1 2', '3']);
      });
      it('query parameters arrive with their values (repeated keys, empty values, encoded)', async () => {
        // '+' for a space is left to the raw test: API Gateway REST hands '+' over undecoded.
        const got = await sendJson('/query?a=1%202&b=%2B&c=%20&a=3&d=&f=%E2%98%83');
        // Sorted by key, repeated keys in order: what even a platform that parses the query keeps.
        const sorted = (pairs: Array<[string, string]>): Array<[string, string]> =>
          pairs.map((p, i) => [p, i] as const).sort((x, y) => (x[0][0] < y[0][0] ? -1 : x[0][0] > y[0][0] ? 1 : x[1] - y[1])).map(([p]) => p);
        assert.deepEqual(sorted(got.params), [['a', '1 2'], ['a', '3'], ['b', '+'], ['c', ' '], ['d', ''], ['f', '☃']]);
      });
      it('request.url is what the WHATWG URL parser makes of the target: the same string on every gateway', async () => {
        // Sent raw (node:http's `path` option): a URL-string request would be normalised by the
        // client. Characters every platform takes (workerd refuses `<`, `` ` `` and a `"` in the
        // query with 400 itself) that the parser encodes, and a dot segment.
        const u = new URL(target!.baseUrl);
        const prefix = `${u.pathname.replace(/\/$/, '')}${BASE_PATH}`;
        const reply = await new Promise<Reply>((resolve, reject) => {
          http
            .get({ host: u.hostname, port: u.port, path: `${prefix}/path/"x"{y}^|/a/../b?q='`, agent }, (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c) => chunks.push(c));
              res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, raw: () => [], body: Buffer.concat(chunks) }));
            })
            .on('error', reject);
        });
        assert.equal(reply.status, 200, reply.body.toString());
        const seen: string = JSON.parse(reply.body.toString()).url;
        assert.equal(new URL(seen).href, seen, 'request.url is already in its serialised form');
        assert.equal(new URL(seen).pathname, '/path/%22x%22%7By%7D%5E|/b');
        if (!unsupported.queryEncoding) assert.equal(new URL(seen).search, '?q=%27');
      });
      it('an unknown route gets the app\'s own 404', async () => {
        const reply = await send('/no/such/route');
        assert.equal(reply.status, 404);
        assert.equal(reply.headers['x-fixture-404'], '1');
      });
    });

    describe('mount at /mnt', () => {
      it('the app sees the stripped path and ctx.basePath', async () => {
        const got = await sendJson('/ctx');
        assert.equal(got.basePath, BASE_PATH);
        assert.equal(new URL(got.url).pathname, '/ctx');
      });
      it('dot segments inside the mount are resolved before the app sees the path', async () => {
        const u = new URL(target!.baseUrl);
        const reply = await new Promise<Reply>((resolve, reject) => {
          http
            .get({ host: u.hostname, port: u.port, path: `${u.pathname.replace(/\/$/, '')}${BASE_PATH}/x/../ctx`, agent }, (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c) => chunks.push(c));
              res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, raw: () => [], body: Buffer.concat(chunks) }));
            })
            .on('error', reject);
        });
        assert.equal(reply.status, 200, reply.body.toString());
        assert.equal(new URL(JSON.parse(reply.body.toString()).url).pathname, '/ctx');
      });
      it('the mount point itself is the app\'s "/"', async () => {
        const id = randomUUID();
        const reply = await send('', { headers: { 'x-probe-id': id } });
        assert.equal(reply.status, 404);
        assert.match(reply.body.toString(), /no route for \/$/m);
      });
      // Sent raw (node:http's `path` option, no URL parsing on the client): '/mnt/../outside' is
      // '/outside' to every URL parser, so it is outside the mount too.
      for (const outside of ['/outside', '/mntx/ctx', '/MNT/ctx', '/', '/mnt/../outside', '/mnt/%2e%2e/outside']) {
        it(`${outside} is a 404 that never reaches the app`, async () => {
          const id = randomUUID();
          const u = new URL(target!.baseUrl);
          const prefix = u.pathname.replace(/\/$/, '');
          const reply = await new Promise<Reply>((resolve, reject) => {
            http
              .get({ host: u.hostname, port: u.port, path: prefix + outside, agent, headers: { 'x-probe-id': id } }, (res) => {
                const chunks: Buffer[] = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, raw: () => [], body: Buffer.concat(chunks) }));
              })
              .on('error', reject);
          });
          assert.equal(reply.status, 404);
          assert.equal(reply.headers['x-fixture-404'], undefined, 'the fixture answered: the request reached the app');
          if (caps.probe === 'logs') await sleep(200);
          assert.deepEqual(await probe(id), []);
        });
      }
    });

    describe('headers', () => {
      it('repeated request headers arrive joined with ", "', async () => {
        const got = await sendJson('/headers', { headers: { 'x-multi': ['a', 'b', 'c'] } });
        assert.equal(got.multi, unsupported.headerJoinSpace ? 'a,b,c' : 'a, b, c');
      });
      it('several Set-Cookie in one response stay separate', async () => {
        const reply = await send('/cookies');
        assert.deepEqual(reply.headers['set-cookie'], [
          'a=1; Path=/',
          'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT; HttpOnly',
          'c=3; SameSite=Lax',
        ]);
        const res = await fetch(mnt('/cookies'));
        assert.equal(res.headers.getSetCookie().length, 3);
        await res.text();
      });
      it('non-ASCII header bytes pass both ways unchanged', async (t) => {
        // 'café ☃' as UTF-8 bytes; node:http sends a Latin-1 string as one byte per char.
        const bytes = Buffer.from('café ☃', 'utf8');
        const reply = await send('/headers', { headers: { 'x-bytes': bytes.toString('latin1') } });
        assert.equal(reply.status, 200);
        const got = JSON.parse(reply.body.toString());
        if (unsupported.headerBytes) {
          t.diagnostic(`${shim.name}: the app sees UTF-8 text, not bytes: ${unsupported.headerBytes}`);
          assert.deepEqual(got.bytes, Array.from('café ☃', (c) => c.charCodeAt(0)));
        } else {
          assert.deepEqual(got.bytes, [...bytes], 'the app sees one char per byte (Fetch isomorphic decoding)');
        }
        assert.deepEqual(reply.raw('x-echo-bytes'), [bytes], 'what the app read, echoed, is the same bytes on the wire');
        if (unsupported.headerBytes) {
          // Header strings go out as their UTF-8 encoding on such a platform.
          assert.deepEqual(reply.raw('x-latin1'), [Buffer.from('caf\u00e9', 'utf8')]);
          assert.deepEqual(reply.raw('x-utf8'), [Buffer.from('\u00e2\u0098\u0083', 'utf8')]);
        } else {
          assert.deepEqual(reply.raw('x-latin1'), [Buffer.from([0x63, 0x61, 0x66, 0xe9])]);
          assert.equal(reply.raw('x-utf8')[0]?.toString('utf8'), '☃');
        }
      });
    });

    describe('bodies', () => {
      const all = (repeat: number): Buffer => Buffer.from(Array.from({ length: 256 * repeat }, (_, i) => i & 255));

      it('a binary response carries all 256 byte values exactly', async () => {
        const reply = await send('/bytes?repeat=4');
        assert.equal(reply.status, 200);
        assert.ok(reply.body.equals(all(4)), 'response bytes differ');
      });
      it('a binary request carries all 256 byte values exactly', async () => {
        const got = await sendJson('/check-bytes', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: all(4) });
        assert.deepEqual(got, { length: 1024, firstMismatch: -1 });
      });
      for (const type of ['application/octet-stream', 'image/png', 'text/plain; charset=latin1']) {
        it(`binary echo round trip as ${type}`, async () => {
          const reply = await send('/echo', { method: 'POST', headers: { 'content-type': type }, body: all(16) });
          assert.equal(reply.status, 200);
          assert.ok(reply.body.equals(all(16)), `echo differs (${reply.body.length} bytes back)`);
        });
      }
      it('JSON round trip keeps every character', async () => {
        const value = { s: 'héllo ☃ 😀 "q" \\ \u2028', n: [1, 2.5, -0.125, null], nested: { t: true, f: false }, empty: {} };
        const res = await fetch(mnt('/json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { received: value, type: 'application/json' });
      });
      it('an empty POST body reads as empty', async () => {
        const got = await sendJson('/upload-hash', { method: 'POST', headers: { 'content-length': '0' } });
        assert.equal(got.bytes, 0);
        assert.equal(got.sha256, createHash('sha256').digest('hex'));
      });
      it('a 1 MB upload with Content-Length is hashed exactly', { skip: fitsRequest(MB) }, async () => {
        const body = patternBytes(MB, 7);
        const got = await sendJson('/upload-hash', { method: 'PUT', body });
        assert.equal(got.bytes, MB);
        assert.equal(got.sha256, createHash('sha256').update(body).digest('hex'));
      });
      it('a 100 MB chunked upload streams through request.body', { skip: need('requestStreaming') || fitsRequest(100 * MB), timeout: 180_000 }, async () => {
        const block = Buffer.from(patternBytes(MB, 11));
        const hash = createHash('sha256');
        const got = await new Promise<any>((resolve, reject) => {
          const req = http.request(mnt('/upload-hash'), { method: 'POST', agent, headers: { 'content-type': 'application/octet-stream' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
              try {
                assert.equal(res.statusCode, 200, Buffer.concat(chunks).toString());
                resolve(JSON.parse(Buffer.concat(chunks).toString()));
              } catch (e) {
                reject(e);
              }
            });
          });
          req.on('error', reject);
          req.setTimeout(150_000, () => req.destroy(new Error('upload timed out')));
          let sent = 0;
          const pump = (): void => {
            while (sent < 100) {
              // Vary each MB so that a dropped or repeated chunk changes the hash.
              const chunk = Buffer.from(block);
              chunk.writeUInt32BE(sent, 0);
              hash.update(chunk);
              sent++;
              if (!req.write(chunk)) return void req.once('drain', pump);
            }
            req.end();
          };
          pump();
        });
        assert.equal(got.bytes, 100 * MB);
        assert.equal(got.sha256, hash.digest('hex'));
        assert.ok(got.chunks > 1, `the body came in ${got.chunks} chunk(s): buffered, not streamed`);
      });
      it('a 10 MB response arrives byte-exact', { skip: fitsResponse(10 * MB), timeout: 60_000 }, async () => {
        const reply = await send(`/large?size=${10 * MB}`, { timeout: 50_000 });
        assert.equal(reply.status, 200);
        assert.equal(reply.body.length, 10 * MB);
        const want = createHash('sha256').update(patternBytes(10 * MB)).digest('hex');
        assert.equal(createHash('sha256').update(reply.body).digest('hex'), want);
      });
    });

    describe('Web API habits of apps and middleware', () => {
      const text = 'héllo ☃';
      const textBytes = Buffer.from(text, 'utf8');

      it('request.formData() reads a urlencoded form', async () => {
        const got = await sendJson('/form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=h%C3%A9llo+%E2%98%83&empty=' });
        assert.deepEqual(got, { a: '1', b: text, empty: '' });
      });
      it('request.formData() reads a multipart form with a binary file', async () => {
        const file = Buffer.from(Array.from({ length: 512 }, (_, i) => i & 255));
        const form = new FormData();
        form.append('name', 'Zoë');
        form.append('upload', new Blob([file], { type: 'image/png' }), 'pic.png');
        const res = await fetch(mnt('/form'), { method: 'POST', body: form });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { name: 'Zoë', upload: { file: 'pic.png', type: 'image/png', size: 512, sha256: createHash('sha256').update(file).digest('hex') } });
      });
      it('a Request made from the gateway\'s request, and its clone, read the same body', async () => {
        const got = await sendJson('/rewrap', { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text });
        assert.deepEqual(got, { method: 'POST', path: '/rewrap', added: 'yes', original: text, cloned: text, isRequest: true });
      });
      it('Response.redirect keeps its status and an absolute Location under the mount', async () => {
        const reply = await send('/redirect');
        assert.equal(reply.status, 307);
        const location = new URL(String(reply.headers.location));
        const expected = new URL(mnt('/ctx?from=redirect'));
        assert.equal(location.pathname + location.search, expected.pathname + expected.search);
      });
      const kinds: Array<[string, string | RegExp | undefined, Buffer]> = [
        ['blob', 'text/x-blob', textBytes],
        ['arraybuffer', undefined, textBytes],
        ['dataview', undefined, textBytes.subarray(1)],
        ['urlsearchparams', 'application/x-www-form-urlencoded;charset=UTF-8', Buffer.from('a=1&b=h%C3%A9llo+%E2%98%83')],
        ['stream', 'text/plain; charset=utf-8', textBytes],
      ];
      for (const [kind, type, bytes] of kinds) {
        it(`a ${kind} response body arrives exact${type ? ', with its content-type' : ''}`, async () => {
          const reply = await send(`/body-type/${kind}`);
          assert.equal(reply.status, 200, reply.body.toString());
          if (type !== undefined) assert.equal(reply.headers['content-type'], type);
          assert.ok(reply.body.equals(bytes), `got ${JSON.stringify(reply.body.toString('latin1'))}`);
        });
      }
      it('a FormData response body arrives as multipart the client can parse', async () => {
        const res = await fetch(mnt('/body-type/formdata'));
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^multipart\/form-data; boundary=/);
        const form = await res.formData();
        assert.equal(form.get('a'), text);
        const file = form.get('f') as File;
        assert.equal(file.name, 'f.bin');
        assert.ok(Buffer.from(await file.arrayBuffer()).equals(textBytes));
      });
    });

    describe('status codes', () => {
      for (const status of [201, 400, 404, 418, 503]) {
        it(`${status} comes through with its body`, async () => {
          const reply = await send(`/status/${status}`);
          assert.equal(reply.status, status);
          assert.equal(reply.headers['x-status'], String(status));
          assert.equal(reply.body.toString(), `status ${status}`);
        });
      }
      for (const status of [204, 304]) {
        it(`${status} has no body and no Content-Length (RFC 9110 §8.6) and the connection stays usable`, async () => {
          const reply = await send(`/status/${status}`);
          assert.equal(reply.status, status);
          assert.equal(reply.body.length, 0);
          assert.equal(reply.headers['transfer-encoding'], undefined);
          if (status === 204) assert.equal(reply.headers['content-length'], undefined);
          assert.equal((await send('/method')).status, 200);
        });
      }
    });

    describe('streaming', () => {
      it('a streamed response\'s first chunk arrives before the last is produced', { skip: need('responseStreaming') }, async () => {
        const id = randomUUID();
        const viaRoute = caps.probe !== 'logs';
        const timeout = viaRoute ? 8000 : 1500;
        const start = Date.now();
        const result = await new Promise<{ body: string; firstAt: number; endAt: number }>((resolve, reject) => {
          const req = http.get(mnt(`/stream?id=${id}&timeout=${timeout}`), { agent }, (res) => {
            let body = '';
            let firstAt = 0;
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              body += chunk;
              if (!firstAt && body.includes('first\n')) {
                firstAt = Date.now();
                // Release the last chunk only now: if the first one were held back, we would never get here.
                if (viaRoute) send(`/release?id=${id}`).catch(reject);
              }
            });
            res.on('end', () => resolve({ body, firstAt, endAt: Date.now() }));
            res.on('error', reject);
          });
          req.on('error', reject);
        });
        if (viaRoute) {
          assert.equal(result.body, 'first\nlast: released\n');
          assert.ok(result.firstAt - start < timeout / 2, `the first chunk took ${result.firstAt - start} ms`);
        } else {
          assert.equal(result.body, 'first\nlast: timeout\n');
          assert.ok(result.endAt - result.firstAt >= timeout * 0.6, `first chunk only ${result.endAt - result.firstAt} ms before the end`);
        }
      });
      it('a client going away aborts request.signal', { skip: need('clientAbort') }, async () => {
        const id = randomUUID();
        const req = http.get(mnt(`/hang?id=${id}&timeout=10000`), { agent: false });
        req.on('error', () => {});
        try {
          await waitForEvent(id, 'started');
        } finally {
          req.destroy();
        }
        const events = await waitForEvent(id, 'aborted', 5000);
        assert.ok(!events.includes('timeout'), JSON.stringify(events));
      });
    });

    describe('errors', () => {
      for (const [path, message] of [
        ['/throw-sync', 'fixture sync throw'],
        ['/reject', 'fixture async reject'],
        ['/not-a-response', ''],
      ] as const) {
        it(`${path} becomes a 500 and the next request still works`, async () => {
          const reply = await send(path);
          assert.equal(reply.status, 500);
          assert.ok(!reply.body.toString().includes('at route'), 'the 500 must not leak a stack trace');
          const next = await sendJson('/ctx');
          assert.equal(next.basePath, BASE_PATH);
          if (message && !unsupported.errorLogs) {
            const end = Date.now() + 3000;
            while (!target!.logs().includes(message) && Date.now() < end) await sleep(25);
            assert.ok(target!.logs().includes(message), `the error "${message}" was not logged`);
          }
        });
      }
      it('a malformed request gets a 4xx and other requests still work', async () => {
        const { connect } = await import('node:net');
        const u = new URL(target!.baseUrl);
        const answer = await new Promise<string>((resolve) => {
          const socket = connect(Number(u.port || 80), u.hostname, () => socket.end('GET /mnt/ctx HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
          let out = '';
          socket.on('data', (d) => (out += d.toString('latin1')));
          socket.on('close', () => resolve(out));
          socket.on('error', () => resolve(out));
          socket.setTimeout(5000, () => socket.destroy());
        });
        assert.match(answer, /^HTTP\/1\.[01] 4\d\d/);
        assert.equal((await send('/method')).status, 200);
      });
    });

    describe('context', () => {
      it('ctx.gateway, ctx.clientAddress and ctx.platform are present', async () => {
        const got = await sendJson('/ctx');
        assert.equal(got.gateway, caps.gateway);
        assert.equal(got.hasPlatform, true);
        assert.equal(got.hasWaitUntil, true);
        assert.equal(got.envType, 'object');
        if (!unsupported.clientAddress) assert.match(String(got.clientAddress), /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/);
      });
      it('ctx.waitUntil work finishes after the response', async () => {
        const id = randomUUID();
        const ms = 600;
        const start = Date.now();
        const reply = await send(`/wait-until?id=${id}&ms=${ms}`);
        const took = Date.now() - start;
        assert.equal(reply.status, 200);
        assert.equal(reply.body.toString(), 'scheduled');
        if (!unsupported.waitUntilAfterResponse) {
          assert.ok(took < ms, `the response waited for waitUntil work (${took} ms)`);
          assert.ok(!(await probe(id)).includes('done'), 'the work was done before the response');
        }
        await waitForEvent(id, 'done', 5000);
      });
    });
  });
}
