/**
 * What the conformance suite does not reach, through real servers running the generated files
 * verbatim: public/ served by nginx and Apache themselves (the app never sees those requests),
 * an app at the root (basePath ''), and the peer quirks of issue 8: two Cookie headers (nginx
 * sends them as two params; the app must see one "a=1; b=2"), the Host port kept, a GET with an
 * empty CONTENT_LENGTH, and a chunked upload that Apache's mod_proxy_fcgi passes with no
 * CONTENT_LENGTH at all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import { buildClassic, startBoth } from './classic-app.ts';
import { startApache, startNginx } from './peers.ts';
import type { RunningTarget } from '../conformance/suite.ts';
import { FIXTURE_APP } from '../conformance/suite.ts';

const PUBLIC = { 'hello.txt': 'static hello\n', 'css/site.css': 'body{}\n' };

/** One raw request (node:http, so repeated headers and chunked bodies go out as given). */
function request(url: string, options: { method?: string; headers?: http.OutgoingHttpHeaders; chunks?: string[] } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    for (const c of options.chunks ?? []) req.write(c);
    req.end();
  });
}

const setups = {
  'nginx → fastcgi': async (basePath: string) => {
    const app = await buildClassic(FIXTURE_APP, 'fastcgi', { basePath, publicFiles: PUBLIC, options: (dir) => ({ socket: join(dir, 'app.sock') }) });
    return startBoth(app, () => startNginx(app.dir, { http: `include ${app.dist}/nginx-upstream.conf;`, server: `include ${app.dist}/nginx.conf;` }));
  },
  'Apache mod_proxy_fcgi → fastcgi': async (basePath: string) => {
    const app = await buildClassic(FIXTURE_APP, 'fastcgi', { basePath, publicFiles: PUBLIC, options: (dir) => ({ socket: join(dir, 'app.sock'), socketMode: 0o666 }) });
    return startBoth(app, () => startApache(app.dir, ['proxy', 'proxy_fcgi', 'alias'], `Include ${app.dist}/apache.conf`));
  },
};

for (const [name, setup] of Object.entries(setups)) {
  for (const basePath of ['/shop', '']) {
    describe(`${name}, mounted at ${basePath || '/'}, with public/`, { timeout: 120_000 }, () => {
      let target: RunningTarget;
      const url = (path: string): string => `${target.baseUrl}${basePath}${path}`;
      before(async () => {
        target = await setup(basePath);
      });
      after(() => target?.stop());

      it('a file under public/ is served by the web server, not the app', async () => {
        for (const [file, text] of Object.entries(PUBLIC)) {
          const res = await request(url(`/${file}`), { headers: { 'x-probe-id': 'static' } });
          assert.equal(res.status, 200, `${file}: ${res.body}\n${target.logs()}`);
          assert.equal(res.body, text);
          assert.equal(res.headers['x-fixture-404'], undefined);
        }
        const probe = JSON.parse((await request(url('/__probe?id=static'))).body);
        assert.deepEqual(probe.events, [], 'the app saw a static request');
      });
      it('everything else under the mount reaches the app, with ctx.basePath', async () => {
        const res = await request(url('/ctx'));
        assert.equal(res.status, 200, res.body);
        const got = JSON.parse(res.body);
        assert.equal(got.basePath, basePath);
        assert.equal(new URL(got.url).pathname, '/ctx');
        assert.equal((await request(url('/missing.txt'))).headers['x-fixture-404'], '1', 'a missing file is the app\'s 404');
      });
      it('keeps the port of the Host header', async () => {
        const got = JSON.parse((await request(url('/ctx'))).body);
        assert.equal(new URL(got.url).host, new URL(target.baseUrl).host);
      });
      it('two Cookie headers reach the app as one "a=1; b=2"', async () => {
        const res = await request(url('/headers'), { headers: { cookie: ['a=1', 'b=2'] } });
        assert.equal(JSON.parse(res.body).headers.cookie, 'a=1; b=2');
      });
      it('a GET with an empty body and a chunked POST with no Content-Length both read right', async () => {
        const get = await request(url('/upload-hash'), { method: 'POST', headers: { 'content-length': '0' } });
        assert.equal(JSON.parse(get.body).bytes, 0);
        const chunked = await request(url('/echo'), { method: 'POST', headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, chunks: ['abc', 'def', 'ghi'] });
        assert.equal(chunked.status, 200, chunked.body);
        assert.equal(chunked.body, 'abcdefghi');
      });
    });
  }
}
