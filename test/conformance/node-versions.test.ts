/**
 * Built bundles on the other Node versions they must support: the node target's server.mjs and
 * the fastcgi target's (behind nginx) through the whole conformance suite, the cgi target's app.cgi
 * run as a web server runs it, and the lambda target's index.mjs answering recorded
 * events of each source, imported by that Node as the managed runtime would.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { buildClassic, startBoth } from '../classic/classic-app.ts';
import { startNginx } from '../classic/peers.ts';
import { startBundledNode } from './node-process.ts';
import { otherNodeRuntimes } from './runtimes.ts';
import { FIXTURE_APP, runConformance } from './suite.ts';

const run = promisify(execFile);
const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;

// Invokes the built handler once per event file and prints the results as JSON.
const INVOKE = `
const [bundle, ...files] = process.argv.slice(1);
const { handler } = await import(bundle);
const { readFileSync } = await import('node:fs');
const context = { awsRequestId: 'req-1', functionName: 'fn', getRemainingTimeInMillis: () => 30000 };
const out = [];
for (const f of files) out.push(await handler(JSON.parse(readFileSync(f, 'utf8')), context));
console.log(JSON.stringify(out));
`;

for (const runtime of otherNodeRuntimes()) {
  runConformance({
    name: `node (bundled server.mjs on Node ${runtime.version})`,
    capabilities: { gateway: 'node' },
    start: ({ basePath }) => startBundledNode(FIXTURE_APP, { basePath, runtime: runtime.path }),
  });

  runConformance({
    name: `nginx fastcgi_pass → fastcgi (bundled server.mjs on Node ${runtime.version})`,
    capabilities: { gateway: 'fastcgi' },
    async start({ basePath }) {
      const app = await buildClassic(FIXTURE_APP, 'fastcgi', { basePath, options: (dir) => ({ socket: join(dir, 'app.sock') }) });
      return startBoth(
        app,
        () => startNginx(app.dir, { http: `include ${app.dist}/nginx-upstream.conf;`, server: `location / { return 404; }\ninclude ${app.dist}/nginx.conf;` }),
        true,
        runtime.path,
      );
    },
  });

  describe(`cgi (bundled app.cgi on Node ${runtime.version})`, () => {
    it('answers a CGI request (meta-variables and stdin in, Status and body out) run by that Node', async () => {
      const app = await buildClassic(FIXTURE_APP, 'cgi', { basePath: '/mnt', options: () => ({ shebang: `#!${runtime.path}` }) });
      try {
        const env = {
          GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'POST', SCRIPT_NAME: '/mnt', PATH_INFO: '/echo', REQUEST_URI: '/mnt/echo?x=1', QUERY_STRING: 'x=1',
          SERVER_NAME: 'example.com', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1', CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: '5', REMOTE_ADDR: '198.51.100.7',
        };
        // Run as a web server runs it: the script itself, its shebang naming the Node under test.
        const out = execFileSync(join(app.dist, 'app.cgi'), [], { env, input: 'hello', encoding: 'latin1' });
        const [head, body] = out.split('\r\n\r\n');
        assert.match(head!, /^Status: 200/);
        assert.equal(body, 'hello');
      } finally {
        rmSync(app.dir, { recursive: true, force: true });
      }
    });
  });

  describe(`lambda (bundled index.mjs on Node ${runtime.version})`, () => {
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'portico-lambda-versions-'));
      await run(process.execPath, [CLI, 'bundle', FIXTURE_APP, '--target', 'lambda', '--outdir', dir], { cwd: dir });
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('answers HTTP API v2, REST v1 and ALB events with the exact bytes (base64 both ways)', async () => {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const body = bytes.toString('base64');
      const headers = { host: 'example.com', 'content-type': 'application/octet-stream' };
      const events = [
        { version: '2.0', routeKey: '$default', rawPath: '/echo', rawQueryString: '', headers, body, isBase64Encoded: true,
          requestContext: { http: { method: 'POST', path: '/echo', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7' }, stage: '$default', requestId: 'r1', domainName: 'example.com' } },
        { resource: '/{proxy+}', path: '/echo', httpMethod: 'POST', headers, multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
          queryStringParameters: null, multiValueQueryStringParameters: null, body, isBase64Encoded: true,
          requestContext: { stage: 'prod', path: '/echo', httpMethod: 'POST', requestId: 'r2', identity: { sourceIp: '198.51.100.7' }, domainName: 'example.com' } },
        { requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef' } },
          httpMethod: 'POST', path: '/echo', queryStringParameters: {}, headers, body, isBase64Encoded: true },
      ];
      const files = events.map((e, i) => {
        const file = join(dir, `event-${i}.json`);
        writeFileSync(file, JSON.stringify(e));
        return file;
      });
      const { stdout } = await run(runtime.path, ['--input-type=module', '-e', INVOKE, join(dir, 'lambda', 'index.mjs'), ...files], { cwd: dir });
      const results = JSON.parse(stdout) as Array<{ statusCode: number; body: string; isBase64Encoded: boolean }>;
      assert.equal(results.length, events.length);
      for (const [i, r] of results.entries()) {
        assert.equal(r.statusCode, 200, `event ${i}: ${JSON.stringify(r).slice(0, 300)}`);
        assert.equal(r.isBase64Encoded, true, `event ${i}`);
        assert.deepEqual(Buffer.from(r.body, 'base64'), bytes, `event ${i}`);
      }
    });
  });
}
