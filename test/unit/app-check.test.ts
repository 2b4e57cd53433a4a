/**
 * The build-time app check (src/bundle/app-check.ts): a bundle whose entry holds no app fails
 * `portico bundle` for every target with one PORTICO_NO_APP line naming the entry and the fix,
 * before anything could be deployed; a real app builds, and a module that cannot load off its
 * platform (or never settles) is let through, since only the platform can tell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '../../src/bundle/bundle.ts';
import { checkAppExport } from '../../src/bundle/app-check.ts';
import { targetNames } from '../../src/bundle/targets.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;
const NODE_MODULES = new URL('../../node_modules', import.meta.url).pathname;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-app-check-'));
  symlinkSync(NODE_MODULES, join(dir, 'node_modules'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function cli(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const FIX = /export an app: `export default \{ fetch\(request, env, ctx\) \{ \.\.\. \} \}`, or for an Express\/Connect app `export default fromNodeHandler\(app\)`/;

test('an Express app exported without fromNodeHandler fails portico bundle on every target, in one line', async (t) => {
  const dir = project({ 'src/app.ts': "import express from 'express';\nconst app = express();\napp.get('/', (_q, s) => { s.send('hi'); });\nexport default app;\n" });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const target of targetNames) {
    const { code, stdout, stderr } = await cli(dir, ['bundle', '--target', target]);
    assert.equal(code, 1, `${target}: exit code`);
    assert.doesNotMatch(stdout, /✓/, `${target}: no success line`);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${target}: one line, got:\n${stderr}`);
    assert.match(lines[0]!, /^portico bundle: PORTICO_NO_APP: src\/app\.ts exports as default a function, not an app; /);
    assert.match(lines[0]!, FIX);
  }
});

test('no default export, an object without fetch, null: each named; found statically when the module cannot even load', async (t) => {
  const dir = project({
    'named.ts': 'export const app = { fetch: () => new Response("x") };\n',
    'object.ts': 'export default { hello: 1, get() {} };\n',
    'null.ts': 'export default null;\n',
    // Top level that fails off the platform: the static step still sees there is no default.
    'broken.ts': 'if (!globalThis.CF_ONLY) throw new Error("needs workerd");\nexport const handler = 1;\n',
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: Array<[string, RegExp]> = [
    ['named.ts', /named\.ts has no default export \(its exports: app\)/],
    ['object.ts', /object\.ts exports as default an object without a fetch method \(keys: hello, get\)/],
    ['null.ts', /null\.ts exports as default null, not an app/],
    ['broken.ts', /broken\.ts has no default export \(its exports: handler\)/],
  ];
  for (const [entry, message] of cases) {
    await assert.rejects(bundle({ target: 'node', entry, root: dir }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'PORTICO_NO_APP');
      assert.match(error.message, message);
      assert.match(error.message, FIX);
      return true;
    });
  }
});

test('real apps build: an object, a named fetch, CommonJS, fromNodeHandler, a Worker with Durable Objects', async (t) => {
  const dir = project({
    'object.ts': 'export default { fetch: () => new Response("x") };\n',
    'named.ts': 'export function fetch() { return new Response("x"); }\n',
    'cjs.cjs': 'module.exports = { fetch: () => new Response("x") };\n',
    'express.ts': "import express from 'express';\nimport { fromNodeHandler } from 'portico/node';\nexport default fromNodeHandler(express());\n",
    // A top-level timer must not hold the check: the child exits once it has the shape.
    'busy.ts': 'setInterval(() => {}, 1000);\nexport default { fetch: () => new Response("x") };\n',
    'worker.ts': "import { DurableObject } from 'cloudflare:workers';\nexport class Counter extends DurableObject {}\nexport default { fetch: () => new Response('x') };\n",
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const entry of ['object.ts', 'named.ts', 'cjs.cjs', 'express.ts', 'busy.ts']) {
    const started = performance.now();
    const { files } = await bundle({ target: 'lambda', entry, root: dir });
    t.diagnostic(`${entry}: lambda bundle with the check in ${Math.round(performance.now() - started)} ms`);
    assert.ok(files.some((f) => f.kind === 'zip'), entry);
  }
  const { files } = await bundle({ target: 'cloudflare', entry: 'worker.ts', root: dir });
  assert.ok(files.some((f) => f.path.endsWith('worker.js')));
});

test('no verdict, and the build goes on, when the module throws on load or never settles', async (t) => {
  const dir = project({
    'throws.ts': 'if (!process.env.DATABASE_URL_FOR_THIS_TEST) throw new Error("no database");\nexport default 42;\n',
    'hangs.ts': 'await new Promise((r) => setTimeout(r, 60_000));\nexport default 42;\n',
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await checkAppExport({ entry: join(dir, 'throws.ts'), root: dir });
  const started = performance.now();
  await checkAppExport({ entry: join(dir, 'hangs.ts'), root: dir, timeoutMs: 500 });
  const waited = performance.now() - started;
  assert.ok(waited < 5000, `bounded by the time limit, took ${Math.round(waited)} ms`);
  // The same module that loads holds no app: the check is real, not a pass-through.
  await assert.rejects(checkAppExport({ entry: join(dir, 'throws.ts'), root: dir, define: { 'process.env.DATABASE_URL_FOR_THIS_TEST': '"x"' } }), /exports as default a number, not an app/);
  assert.ok(existsSync(dir));
});
