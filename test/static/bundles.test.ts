/**
 * public/ served by built bundles, through their real peers: the node bundle's server.mjs as
 * its own process, and the lambda bundle's handler behind the front-door emulation of
 * `portico dev --target lambda` for every event source (Function URL / HTTP API 2.0 buffered
 * and streaming, REST API 1.0, ALB with and without multi-value headers). Also checks that a
 * bundle ships the files it serves and nothing else.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import { lambdaDevListener } from '../../adapters/lambda/build/dev.ts';
import { installAwsLambdaGlobal } from '../../adapters/lambda/build/emulate-invoke.ts';
import type { EmulatedEventKind } from '../../adapters/lambda/build/emulate-event.ts';
import { awaitOutput } from '../child-output.ts';
import { otherNodeRuntimes } from '../conformance/runtimes.ts';
import { staticCases, type StaticTarget } from './cases.ts';
import { CACHE_CONTROL, makeProject } from './fixture.ts';
import { bundle } from '../../src/bundle/bundle.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;
const dir = makeProject();
after(() => rmSync(dir, { recursive: true, force: true }));

async function bundleWith(outdir: string, target: string, config: string, basePath = ''): Promise<void> {
  writeFileSync(join(dir, 'bundle.config.ts'), config);
  const args = [CLI, 'bundle', 'app.mjs', '--target', target, '--outdir', outdir, ...(basePath ? ['--base-path', basePath] : [])];
  await promisify(execFile)(process.execPath, args, { cwd: dir });
}

const nodeOut = join(dir, 'out-node');
let nodeBuilt: Promise<void> | undefined;
// Built once, run on this Node and on every other one bundles must support (Node 20, 22).
for (const runtime of [{ path: process.execPath, version: process.version }, ...otherNodeRuntimes()]) {
  describe(`node bundle on Node ${runtime.version}`, () => {
    let child: ReturnType<typeof spawn>;
    let running: StaticTarget;
    before(async () => {
      await (nodeBuilt ??= bundleWith(nodeOut, 'node', `export default { node: { staticCacheControl: ${JSON.stringify(CACHE_CONTROL)} } };\n`, '/shop'));
      child = spawn(runtime.path, [join(nodeOut, 'node/server.mjs'), '--port', '0', '--host', '127.0.0.1'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      const { match } = await awaitOutput(child, /listening on http:\/\/[^\s:]+:(\d+)/, 'server.mjs', 10_000);
      running = { port: Number(match), base: '/shop', strongEtags: true };
    });
    after(() => {
      child?.kill('SIGKILL');
    });
    staticCases(`node bundle, Node ${runtime.version}`, () => running);
  });
}

test('node bundle: ships the served files and no hidden ones', async () => {
  await (nodeBuilt ??= bundleWith(nodeOut, 'node', `export default { node: { staticCacheControl: ${JSON.stringify(CACHE_CONTROL)} } };\n`, '/shop'));
  const pub = join(nodeOut, 'node/public');
  assert.ok(existsSync(join(pub, 'style.css.br')));
  assert.ok(existsSync(join(pub, '.well-known/security.txt')));
  assert.ok(!existsSync(join(pub, '.env')));
  assert.ok(!existsSync(join(pub, '.git')));
});

for (const [kind, streaming] of [['v2', false], ['v2', true], ['v1', false], ['alb', false], ['alb-multi', false]] as const) {
  describe(`lambda bundle, ${kind}${streaming ? ', streaming' : ''}`, () => {
    let server: Server;
    let running: StaticTarget;
    const out = join(dir, `out-lambda-${kind}-${streaming}`);
    before(async () => {
      await bundleWith(out, 'lambda', `export default { lambda: { streaming: ${streaming}, staticCacheControl: ${JSON.stringify(CACHE_CONTROL)} } };\n`);
      installAwsLambdaGlobal();
      const { handler } = (await import(pathToFileURL(join(out, 'lambda/index.mjs')).href)) as { handler: (...args: any[]) => unknown };
      const listener = lambdaDevListener(handler, { event: kind as EmulatedEventKind });
      server = createServer((req, res) => void listener(req, res).catch(() => res.destroy()));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      running = { port: (server.address() as AddressInfo).port, base: '', strongEtags: true };
    });
    after(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
    staticCases(`lambda ${kind}${streaming ? ' streaming' : ''}`, () => running);

    if (kind === 'v2' && !streaming) {
      test('lambda bundle: the zip holds the served files and no hidden ones', () => {
        const names = Object.keys(unzipSync(readFileSync(join(out, 'lambda/function.zip'))));
        assert.ok(names.includes('public/logo.png'));
        assert.ok(names.includes('public/style.css.gz'));
        assert.ok(names.includes('public/.well-known/security.txt'));
        assert.ok(!names.some((n) => n.includes('.env') || n.includes('.git/')), names.join(' '));
      });
    }
  });
}

test('staticCacheControl is checked at build time for both targets', async () => {
  for (const [target, value, message] of [
    ['node', { 'assets/': 'x' }, /PORTICO_BAD_OPTION: "node\.staticCacheControl" must be a Cache-Control value/],
    ['lambda', 'a\r\nb', /PORTICO_BAD_OPTION: "lambda\.staticCacheControl" must be a Cache-Control value/],
  ] as const) {
    await assert.rejects(bundle({ target, entry: join(dir, 'app.mjs'), root: dir, outDir: join(dir, 'out-bad'), options: { staticCacheControl: value } }), message);
  }
});
