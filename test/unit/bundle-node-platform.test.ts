/**
 * Every Node target resolves dependencies the way Node does (src/bundle/node-platform.ts): a
 * dual package `require`d from CommonJS gets its CommonJS build, an `import` gets the ESM one, a
 * package's `main` wins over `module`. Checked two ways: the esbuild settings of every
 * registered Node-platform target are the shared ones, and one app built for node and for lambda
 * answers exactly what the same code answers when Node runs it unbundled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle, prepareBuild } from '../../src/bundle/bundle.ts';
import { nodePlatformOptions } from '../../src/bundle/node-platform.ts';
import { targetNames } from '../../src/bundle/targets.ts';
import { awaitOutput } from '../child-output.ts';
import { fixture, lambdaContext } from './lambda-helpers.ts';

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** A project whose dependencies tell apart every way a resolver can pick a file. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-node-platform-'));
  write(dir, {
    // is-promise's shape, plus the webpack `module` condition some packages add.
    'node_modules/dual/package.json': JSON.stringify({ name: 'dual', exports: { '.': { module: './m.mjs', import: './m.mjs', require: './c.js', default: './c.js' } } }),
    'node_modules/dual/m.mjs': 'export default function dual() { return "esm"; }\n',
    'node_modules/dual/c.js': 'module.exports = function dual() { return "cjs"; };\n',
    // `main` and `module` fields, no exports map: Node reads main.
    'node_modules/fields/package.json': JSON.stringify({ name: 'fields', main: './c.js', module: './m.mjs' }),
    'node_modules/fields/m.mjs': 'export default "module field";\n',
    'node_modules/fields/c.js': 'module.exports = "main field";\n',
    // A CommonJS package that requires the dual one, as Express's router requires is-promise.
    'node_modules/cjs-user/package.json': JSON.stringify({ name: 'cjs-user', main: 'index.js' }),
    'node_modules/cjs-user/index.js': 'const dual = require("dual");\nmodule.exports = typeof dual === "function" ? dual() : "got " + typeof dual;\n',
    'probe.mjs': [
      'import dual from "dual";',
      'import fields from "fields";',
      'import viaCjs from "cjs-user";',
      'export const seen = { importDual: dual(), fields, requireDualFromCjs: viaCjs };',
      '',
    ].join('\n'),
    'app.mjs': 'import { seen } from "./probe.mjs";\nexport default { fetch: () => Response.json(seen) };\n',
  });
  return dir;
}

test('every Node-platform target uses the shared resolution settings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-node-platform-opts-'));
  try {
    writeFileSync(join(dir, 'app.mjs'), 'export default { fetch: () => new Response("") };\n');
    const shared = nodePlatformOptions({ outfile: 'x', outDir: dir });
    let nodeTargets = 0;
    for (const name of targetNames) {
      const { esbuildOptions: o } = await prepareBuild({ target: name, entry: 'app.mjs', root: dir });
      if (o.platform !== 'node') continue;
      nodeTargets++;
      assert.deepEqual(
        // The executable embeds the build's own Node, so it may target that Node's syntax.
        { conditions: o.conditions, mainFields: o.mainFields, target: name === 'exe' ? shared.target : o.target, banner: o.format === 'esm' ? o.banner : shared.banner },
        { conditions: shared.conditions, mainFields: shared.mainFields, target: shared.target, banner: shared.banner },
        `target ${name}`,
      );
    }
    assert.ok(nodeTargets >= 2, `node and lambda at least, found ${nodeTargets}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a dual CommonJS/ESM dependency bundles as Node loads it, the same on node and lambda', async (t) => {
  const dir = project();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const unbundled = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', `import { seen } from ${JSON.stringify(pathToFileURL(join(dir, 'probe.mjs')).href)}; console.log(JSON.stringify(seen));`], { cwd: dir }).toString(),
  );
  assert.deepEqual(unbundled, { importDual: 'esm', fields: 'main field', requireDualFromCjs: 'cjs' });

  await bundle({ target: 'lambda', entry: 'app.mjs', root: dir });
  const { handler } = await import(pathToFileURL(join(dir, 'dist/lambda/index.mjs')).href);
  const result = await handler(fixture('http-v2'), lambdaContext());
  assert.equal(result.statusCode, 200);
  assert.deepEqual(JSON.parse(result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString() : result.body), unbundled);

  await bundle({ target: 'node', entry: 'app.mjs', root: dir });
  const child = spawn(process.execPath, [join(dir, 'dist/node/server.mjs'), '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => void child.kill('SIGKILL'));
  const { match: url } = await awaitOutput(child, /listening on (http:\/\/\S+)/, 'server.mjs', 10_000);
  assert.deepEqual(await (await fetch(url)).json(), unbundled);
});
