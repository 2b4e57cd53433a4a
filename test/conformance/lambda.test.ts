/**
 * The lambda target's shim: bundle the fixture with the real CLI (`portico bundle --target
 * lambda --base-path /mnt`), load the built dist/lambda/index.mjs in its own process behind
 * the dev hook's front-door emulation (test/lambda/serve-built.ts: each HTTP request becomes
 * the event AWS would send, the handler's result becomes the HTTP response), and run the
 * suite once per event source: Function URL / HTTP API 2.0 buffered and streaming, REST API
 * 1.0, ALB. The built zip under AWS's own runtime client is tested in test/lambda/ric.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServeBuilt } from './node-process.ts';
import { FIXTURE_APP, runConformance, type Capabilities } from './suite.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;
const LIMIT = 6 * 1024 * 1024;

function lambdaCapabilities(event: string, streaming: boolean): Capabilities {
  return {
    gateway: 'lambda',
    maxRequestBody: LIMIT,
    maxResponseBody: streaming ? 20 * 1024 * 1024 : LIMIT,
    limitReason: streaming ? 'streamed Lambda responses are limited to 20 MB' : 'Lambda invocation payloads (request event and buffered response) are limited to 6 MB',
    unsupported: {
      requestStreaming: 'Lambda hands the function the whole request in one event',
      clientAbort: 'Lambda does not tell a running invocation that the client went away',
      ...(event === 'v2' ? { headerJoinSpace: 'Function URLs and HTTP APIs join repeated request headers with "," (API Gateway docs: "value1,value2")' } : {}),
      ...(event === 'v2'
        ? {}
        : event === 'v1'
          ? {
              rawQuery: 'REST API events carry decoded query parameters, not the query string as sent',
              queryEncoding: 'API Gateway REST decodes query values form-style ("+" and "%20" both arrive as a space)',
            }
          : { rawQuery: 'ALB events carry the query values as sent, grouped by name: the order between names is lost' }),
      ...(streaming
        ? {}
        : {
            responseStreaming: 'a buffered Lambda response is sent once the handler returns (use lambda.streaming for a Function URL with RESPONSE_STREAM)',
            waitUntilAfterResponse: 'a buffered handler must finish ctx.waitUntil work before returning its result: Lambda freezes the sandbox after',
          }),
    },
  };
}

for (const [event, streaming] of [['v2', false], ['v2', true], ['v1', false], ['alb-multi', false]] as const) {
  runConformance({
    name: `lambda (${event === 'v2' ? 'Function URL / HTTP API 2.0' : event === 'v1' ? 'REST API 1.0' : 'ALB, multi-value headers'}${streaming ? ', streaming' : ', buffered'})`,
    capabilities: lambdaCapabilities(event, streaming),
    async start({ basePath }) {
      // A fresh folder as the working directory, so no bundle.config.ts of the repo applies.
      const dir = mkdtempSync(join(tmpdir(), 'portico-conformance-lambda-'));
      if (streaming) writeFileSync(join(dir, 'bundle.config.ts'), 'export default { lambda: { streaming: true } };\n');
      await promisify(execFile)(process.execPath, [CLI, 'bundle', FIXTURE_APP, '--target', 'lambda', '--outdir', dir, '--base-path', basePath], { cwd: dir });
      return startServeBuilt(dir, event);
    },
  });
}
