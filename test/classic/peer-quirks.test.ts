/**
 * What the conformance suite does not reach, through real servers running the generated files
 * verbatim: public/ served by nginx, Apache and lighttpd themselves (the app never sees those
 * requests; lighttpd for all three protocols, nginx also for cgi through fcgiwrap), an app at the root (basePath ''), and the peer
 * quirks of issue 8: two Cookie headers (nginx sends them as two params; the app must see one
 * "a=1; b=2"), the Host port kept, a GET with an empty CONTENT_LENGTH, and a chunked upload that
 * Apache's mod_proxy_fcgi passes with no CONTENT_LENGTH at all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import { buildClassic, startBoth, type Transport } from './classic-app.ts';
import { shareableNode, startApache, startLighttpd, startNginx, startNginxFcgiwrap } from './peers.ts';
import type { RunningTarget } from '../conformance/suite.ts';
import { FIXTURE_APP } from '../conformance/suite.ts';

const PUBLIC = { 'hello.txt': 'static hello\n', 'css/site.css': 'body{}\n', 'index.html': 'root index\n', 'docs/index.html': 'docs index\n' };

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

/** A server in front of the app, and what it cannot carry (the reason, shown as a skip). */
interface Setup {
  start(basePath: string): Promise<RunningTarget>;
  chunkedUpload?: string;
  /** Why `folder` (no slash) of a folder with an index.html is not redirected to `folder/`. */
  folderRedirect?: string;
}

/** lighttpd in front of the app over `transport`, its generated lighttpd.conf included as written. */
function lighttpd(transport: Transport): Setup {
  return {
    async start(basePath) {
      const app = await buildClassic(FIXTURE_APP, transport, {
        basePath,
        publicFiles: PUBLIC,
        options: (dir) => (transport === 'cgi' ? { shebang: `#!${shareableNode(dir)}` } : { socket: join(dir, 'app.sock') }),
      });
      return startBoth(app, () => startLighttpd(app.dir, `include "${app.dist}/lighttpd.conf"`), transport !== 'cgi');
    },
    chunkedUpload: 'lighttpd answers a chunked upload (no Content-Length) 411 when it streams request bodies (see test/conformance/lighttpd.test.ts)',
    folderRedirect: 'lighttpd\'s config cannot ask whether a folder holds an index.html before it rewrites, so `folder` goes to the app',
  };
}

const setups: Record<string, Setup> = {
  'nginx → fastcgi': {
    async start(basePath) {
      const app = await buildClassic(FIXTURE_APP, 'fastcgi', { basePath, publicFiles: PUBLIC, options: (dir) => ({ socket: join(dir, 'app.sock') }) });
      return startBoth(app, () => startNginx(app.dir, { http: `include ${app.dist}/nginx-upstream.conf;`, server: `include ${app.dist}/nginx.conf;` }));
    },
  },
  'Apache mod_proxy_fcgi → fastcgi': {
    async start(basePath) {
      const app = await buildClassic(FIXTURE_APP, 'fastcgi', { basePath, publicFiles: PUBLIC, options: (dir) => ({ socket: join(dir, 'app.sock'), socketMode: 0o666 }) });
      return startBoth(app, () => startApache(app.dir, ['proxy', 'proxy_fcgi', 'alias', 'dir'], `Include ${app.dist}/apache.conf`));
    },
  },
  'nginx → fcgiwrap → cgi': {
    async start(basePath) {
      const app = await buildClassic(FIXTURE_APP, 'cgi', {
        basePath,
        publicFiles: PUBLIC,
        options: (dir) => ({ shebang: `#!${process.execPath}`, fcgiwrapSocket: join(dir, 'fcgiwrap.sock') }),
      });
      return startBoth(app, () => startNginxFcgiwrap(app.dir, { server: `include ${app.dist}/nginx.conf;` }), false);
    },
  },
  'lighttpd mod_fastcgi → fastcgi': lighttpd('fastcgi'),
  'lighttpd mod_scgi → scgi': lighttpd('scgi'),
  'lighttpd mod_cgi → cgi': lighttpd('cgi'),
};

/**
 * Wait until the app has logged `portico-probe <id> ...` (the fixture prints one for every request
 * with an x-probe-id header: a CGI script has no memory across requests to ask instead).
 */
async function probeLogged(target: RunningTarget, id: string): Promise<void> {
  const end = Date.now() + 5_000;
  while (!target.logs().includes(`portico-probe ${id} `)) {
    if (Date.now() > end) throw new Error(`the app never logged probe ${id}:\n${target.logs()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const [name, setup] of Object.entries(setups)) {
  for (const basePath of ['/shop', '']) {
    describe(`${name}, mounted at ${basePath || '/'}, with public/`, { timeout: 120_000 }, () => {
      let target: RunningTarget;
      const url = (path: string): string => `${target.baseUrl}${basePath}${path}`;
      before(async () => {
        target = await setup.start(basePath);
      });
      after(() => target?.stop());

      it('a file under public/ is served by the web server, not the app', async () => {
        for (const [file, text] of Object.entries(PUBLIC)) {
          const res = await request(url(`/${file}`), { headers: { 'x-probe-id': 'static' } });
          assert.equal(res.status, 200, `${file}: ${res.body}\n${target.logs()}`);
          assert.equal(res.body, text);
          assert.equal(res.headers['x-fixture-404'], undefined);
        }
        // A request the app does see, sent after them, is logged; the static ones never were.
        await request(url('/ctx'), { headers: { 'x-probe-id': 'after-static' } });
        await probeLogged(target, 'after-static');
        assert.doesNotMatch(target.logs(), /portico-probe static /, 'the app saw a static request');
      });
      it('a folder\'s index.html is served at folder/ and at the mount, as the node gateway serves it', async () => {
        const docs = await request(url('/docs/'), { headers: { 'x-probe-id': 'index' } });
        assert.equal(docs.status, 200, `${docs.body}\n${target.logs()}`);
        assert.equal(docs.body, 'docs index\n');
        const queried = await request(url('/docs/?a=1'), { headers: { 'x-probe-id': 'index' } });
        assert.equal(queried.body, 'docs index\n');
        // The mount itself: served, or (Apache's mod_dir) first redirected to the mount with a slash.
        let top = await request(url(''), { headers: { 'x-probe-id': 'index' } });
        if (top.status === 301) {
          assert.equal(new URL(top.headers.location!, target.baseUrl).pathname, `${basePath}/`);
          top = await request(url('/'), { headers: { 'x-probe-id': 'index' } });
        }
        assert.equal(top.status, 200, `${top.body}\n${target.logs()}`);
        assert.equal(top.body, 'root index\n');
        await request(url('/ctx'), { headers: { 'x-probe-id': 'after-index' } });
        await probeLogged(target, 'after-index');
        assert.doesNotMatch(target.logs(), /portico-probe index /, 'the app saw an index request');
        // A folder with no index.html is the app's, which sees the path as sent.
        const css = await request(url('/css/'));
        assert.equal(css.headers['x-fixture-404'], '1', css.body);
        assert.match(css.body, /no route for \/css\/$/m);
      });
      it('a folder with an index.html, asked for without its slash, is redirected to folder/ (query kept)', { skip: setup.folderRedirect }, async () => {
        const res = await request(url('/docs?a=1&b=%2F'), { headers: { 'x-probe-id': 'redirect' } });
        assert.equal(res.status, 301, `${res.body}\n${target.logs()}`);
        const to = new URL(res.headers.location!, target.baseUrl);
        assert.equal(to.pathname + to.search, `${basePath}/docs/?a=1&b=%2F`);
        assert.doesNotMatch(target.logs(), /portico-probe redirect /);
      });
      it('everything else under the mount reaches the app, with ctx.basePath', async () => {
        const res = await request(url('/ctx?q=a+b&r=%2F'));
        assert.equal(res.status, 200, res.body);
        const got = JSON.parse(res.body);
        assert.equal(got.basePath, basePath);
        assert.equal(new URL(got.url).pathname, '/ctx');
        assert.equal(new URL(got.url).search, '?q=a+b&r=%2F', 'the query as sent');
        assert.equal((await request(url('/missing.txt'))).headers['x-fixture-404'], '1', 'a missing file is the app\'s 404');
        const folder = await request(url('/css'));
        assert.equal(folder.headers['x-fixture-404'], '1', `a folder of public/ is the app's: ${folder.status} ${JSON.stringify(folder.headers)} ${folder.body}`);
      });
      it('keeps the port of the Host header', async () => {
        const got = JSON.parse((await request(url('/ctx'))).body);
        assert.equal(new URL(got.url).host, new URL(target.baseUrl).host);
      });
      it('two Cookie headers reach the app as one "a=1; b=2"', async () => {
        const res = await request(url('/headers'), { headers: { cookie: ['a=1', 'b=2'] } });
        assert.equal(JSON.parse(res.body).headers.cookie, 'a=1; b=2');
      });
      it('a POST with an empty body reads right', async () => {
        const empty = await request(url('/upload-hash'), { method: 'POST', headers: { 'content-length': '0' } });
        assert.equal(JSON.parse(empty.body).bytes, 0);
      });
      it('a chunked POST with no Content-Length reads right', { skip: setup.chunkedUpload }, async () => {
        const chunked = await request(url('/echo'), { method: 'POST', headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, chunks: ['abc', 'def', 'ghi'] });
        assert.equal(chunked.status, 200, chunked.body);
        assert.equal(chunked.body, 'abcdefghi');
      });
    });
  }
}
