/**
 * Built bundles on the other Node versions they must support: the node target's server.mjs
 * through the whole conformance suite, and the lambda target's index.mjs answering recorded
 * events of each source, imported by that Node as the managed runtime would.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
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
