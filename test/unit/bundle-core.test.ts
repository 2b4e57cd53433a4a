import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle } from '../../src/bundle/bundle.ts';
import { sizeTable } from '../../src/bundle/report.ts';
import type { BuildContext, Target } from '../../src/bundle/target.ts';

const repo = join(import.meta.dirname, '../..');

function tempApp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-bundle-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A target that exports the app itself, so a test can import the bundle and call fetch. */
function libraryTarget(seen: { ctx?: BuildContext; packaged?: string[] } = {}): Target {
  return {
    name: 'lib',
    description: 'test target',
    resolveOptions(options) {
      const o = options as Record<string, unknown>;
      if ('bad' in o) throw new Error('"lib.bad" must not be set');
      return { ...o, filled: true };
    },
    entrySource: (ctx) => `import app from ${JSON.stringify(ctx.entry)};\nexport default app;\n`,
    esbuildOptions: (ctx) => ({ platform: 'node', format: 'esm', outfile: join(ctx.outDir, 'lib.mjs') }),
    package(ctx, build) {
      seen.ctx = ctx;
      seen.packaged = build.outputFiles;
      return build.outputFiles.map((path) => ({ path, kind: 'entry' }));
    },
  };
}

const APP = `
export default {
  fetch() {
    const h = new Headers({ 'x-a': '1' });
    return new Response('hi', { headers: h });
  },
  kinds() {
    return [new Response('') instanceof Response, String(Response.name), String(Headers.name), globalThis.Response.name];
  },
};
`;

test('light Response/Headers are injected where the app says them; the globals stay untouched', async () => {
  const dir = tempApp({ 'app.ts': APP });
  try {
    const seen: { ctx?: BuildContext; packaged?: string[] } = {};
    const { files } = await bundle({ target: libraryTarget(seen), entry: 'app.ts', root: dir, options: { x: 1 } });
    assert.deepEqual(seen.ctx?.options, { x: 1, filled: true }, 'resolveOptions output reaches the context');
    assert.equal(seen.ctx?.outDir, join(dir, 'dist/lib'));
    assert.equal(seen.ctx?.lightResponse, true);
    assert.deepEqual(files.map((f) => f.path), [join(dir, 'dist/lib/lib.mjs')]);
    const mod = await import(pathToFileURL(join(dir, 'dist/lib/lib.mjs')).href + '?light');
    const res = mod.default.fetch();
    assert.match(res.constructor.name, /FastResponse$/);
    assert.match(res.headers.constructor.name, /LightHeaders$/);
    assert.equal(await res.text(), 'hi');
    const [isInstance, responseName, headersName, globalName] = mod.default.kinds();
    assert.equal(isInstance, true);
    assert.match(responseName, /FastResponse$/);
    assert.match(headersName, /LightHeaders$/);
    assert.equal(globalName, 'Response');
    assert.equal(globalThis.Response.name, 'Response');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('lightResponse: false (top level or in the target options) keeps the global classes', async () => {
  const dir = tempApp({ 'app.ts': APP });
  try {
    for (const [i, options] of [{ lightResponse: false }, { options: { lightResponse: false } }].entries()) {
      await bundle({ target: libraryTarget(), entry: 'app.ts', root: dir, outDir: `out${i}`, ...options });
      const mod = await import(pathToFileURL(join(dir, `out${i}/lib/lib.mjs`)).href);
      const res = mod.default.fetch();
      assert.equal(res.constructor, globalThis.Response);
      assert.equal(res.headers.constructor, globalThis.Headers);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a Hono app works with the light classes injected', async () => {
  const dir = tempApp({
    'app.ts': `
import { Hono } from ${JSON.stringify(join(repo, 'node_modules/hono/dist/index.js'))};
const app = new Hono();
app.use('*', async (c, next) => { await next(); c.header('x-after', 'yes'); });
app.get('/', (c) => c.text('hono'));
app.get('/json', (c) => c.json({ ok: true }, 201));
app.get('/cookies', (c) => { c.header('set-cookie', 'a=1', { append: true }); c.header('set-cookie', 'b=2', { append: true }); return c.body(null, 204); });
app.post('/echo', async (c) => c.text(await c.req.text()));
export default app;
`,
  });
  try {
    await bundle({ target: libraryTarget(), entry: 'app.ts', root: dir });
    const { default: app } = await import(pathToFileURL(join(dir, 'dist/lib/lib.mjs')).href + '?hono');
    const get = (path: string, init?: RequestInit) => app.fetch(new Request(`http://x${path}`, init));
    let res = await get('/');
    assert.match(res.constructor.name, /FastResponse$/, 'Hono built its Response with the injected class');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-after'), 'yes');
    assert.equal(await res.text(), 'hono');
    res = await get('/json');
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { ok: true });
    res = await get('/cookies');
    assert.equal(res.status, 204);
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
    res = await get('/echo', { method: 'POST', body: 'ping' });
    assert.equal(await res.text(), 'ping');
    res = await get('/missing');
    assert.equal(res.status, 404);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('deterministic: the same input gives the same bytes, wherever the output goes', async () => {
  const dir = tempApp({ 'app.ts': APP, 'lib/util.ts': 'export const n: number = 42;' });
  writeFileSync(join(dir, 'app.ts'), `import { n } from './lib/util.ts';\n${APP.replace("'hi'", 'String(n)')}`);
  try {
    const outputs: string[] = [];
    for (const [outDir, minify] of [['a', false], ['b', false], ['a', false], ['m1', true], ['m2', true]] as const) {
      await bundle({ target: 'node', entry: 'app.ts', root: dir, outDir, minify, sourcemap: true });
      outputs.push(readFileSync(join(dir, outDir, 'node/server.mjs'), 'utf8') + readFileSync(join(dir, outDir, 'node/server.mjs.map'), 'utf8'));
    }
    assert.equal(outputs[0], outputs[1]);
    assert.equal(outputs[0], outputs[2]);
    assert.equal(outputs[3], outputs[4]);
    assert.notEqual(outputs[0], outputs[3]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('errors: a target option rejected, a missing import, an outDir holding the project', async () => {
  const dir = tempApp({ 'app.ts': APP, 'broken.ts': "import './nope.ts';\nexport default {};" });
  try {
    await assert.rejects(bundle({ target: libraryTarget(), entry: 'app.ts', root: dir, options: { bad: 1 } }), /^PorticoError: PORTICO_BAD_OPTION: "lib.bad" must not be set$/);
    await assert.rejects(bundle({ target: 'node', entry: 'app.ts', root: dir, options: { port: 'x' } }), /^PorticoError: PORTICO_BAD_OPTION: "node.port" must be a port number/, 'one code prefix, not two');
    await assert.rejects(bundle({ target: 'node', entry: 'app.ts', root: dir, options: { prot: 1 } }), /unknown option "node.prot"/);
    await assert.rejects(
      bundle({ target: 'node', entry: 'broken.ts', root: dir }),
      (error: Error & { details?: string }) => {
        assert.match(error.message, /^PORTICO_BUILD_FAILED: 1 error: Could not resolve "\.\/nope\.ts" \(broken\.ts:1:7\)$/);
        assert.match(error.details ?? '', /nope\.ts/);
        return true;
      },
    );
    await assert.rejects(bundle({ target: 'nope', entry: 'app.ts', root: dir }), /PORTICO_BAD_TARGET: unknown target "nope"/);
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib/app.ts'), APP);
    // <outDir>/<target> = <dir>/lib = the root: refused, nothing deleted.
    await assert.rejects(bundle({ target: libraryTarget(), entry: 'app.ts', root: join(dir, 'lib'), outDir: '..' }), /PORTICO_BAD_OPTION: output folder .* holds the project root/);
    assert.equal(readFileSync(join(dir, 'lib/app.ts'), 'utf8'), APP);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('size table: raw and gzip sizes, aligned', () => {
  const dir = tempApp({ 'dist/a.mjs': 'x'.repeat(2000), 'dist/function.zip': 'PK' });
  try {
    const table = sizeTable([{ path: join(dir, 'dist/a.mjs'), kind: 'entry' }, { path: join(dir, 'dist/function.zip'), kind: 'zip' }], dir);
    const lines = table.split('\n');
    assert.match(lines[0]!, /^dist\/a\.mjs {9}entry {2}2\.00 kB │ gzip: 0\.0\d kB$/);
    assert.match(lines[1]!, /^dist\/function\.zip {2}zip {4}0\.00 kB$/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
