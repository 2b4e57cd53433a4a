/**
 * The Lambda hot path must not load undici: Node loads it (20-40 ms) the first time
 * Request/Response/Headers/fetch is read from globalThis, and on Lambda that lands in the
 * first invocation. A fresh process imports the runtime, answers a v2, a v1 and an ALB event
 * with an app that uses FastResponse (what the bundler injects for `Response`) and reads the
 * request's url, headers and body, then reports whether undici's module was ever loaded.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

const script = `
import { readFileSync } from 'node:fs';
const { handle } = await import(${JSON.stringify(root + 'adapters/lambda/runtime/lambda.ts')});
const { FastResponse } = await import(${JSON.stringify(root + 'adapters/_http/response.ts')});
const undici = () => process.moduleLoadList.some((m) => m.includes('undici'));
const before = undici();
const app = {
  async fetch(req, env, ctx) {
    const body = await req.text();
    ctx.waitUntil(Promise.resolve());
    return new FastResponse(JSON.stringify({ url: req.url, ua: req.headers.get('user-agent'), n: body.length }), {
      headers: { 'content-type': 'application/json', 'set-cookie': 'a=1' },
    });
  },
};
const handler = handle(app);
const results = [];
for (const name of ['http-v2', 'rest-v1-stage', 'alb-multi', 'function-url']) {
  const event = JSON.parse(readFileSync(${JSON.stringify(root + 'test/fixtures/lambda-events/')} + name + '.json', 'utf8'));
  results.push((await handler(event, { awsRequestId: 'u1' })).statusCode);
}
const thrower = handle({ fetch() { throw new Error('x'); } }, { log() {} });
results.push((await thrower(JSON.parse(readFileSync(${JSON.stringify(root + 'test/fixtures/lambda-events/http-v2.json')}, 'utf8')), { awsRequestId: 'u2' })).statusCode);
console.log(JSON.stringify({ before, after: undici(), results }));
`;

describe('lambda runtime and undici', () => {
  it('never loads undici on the hot path (fresh process)', () => {
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(out.status, 0, out.stderr);
    const report = JSON.parse(out.stdout.trim().split('\n').pop()!);
    assert.deepEqual(report.results, [200, 200, 200, 200, 500]);
    assert.equal(report.before, false);
    assert.equal(report.after, false, 'undici was loaded while handling events');
  });

  it('the check itself can fail: touching Response loads undici', () => {
    const out = spawnSync(process.execPath, ['-e', "globalThis.Response; console.log(process.moduleLoadList.some((m) => m.includes('undici')))"], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(out.stdout.trim(), 'true');
  });
});
