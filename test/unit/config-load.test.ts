import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findConfigFile, loadConfig } from '../../src/config/load.ts';
import { resolveConfig } from '../../src/config/resolve.ts';

function tempApp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const APP = 'export default { fetch: () => new Response("hi") };\n';

test('finds bundle.config.ts from a subfolder and stops at the package root', () => {
  const dir = tempApp({ 'package.json': '{}', 'bundle.config.mjs': 'export default {}', 'src/deep/x.ts': '' });
  try {
    assert.equal(findConfigFile(join(dir, 'src/deep')), join(dir, 'bundle.config.mjs'));
    const other = tempApp({ 'package.json': '{}', 'sub/package.json': '{}' });
    try {
      assert.equal(findConfigFile(join(other, 'sub')), undefined);
    } finally {
      rmSync(other, { recursive: true });
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('no config file: empty config, defaults filled', async () => {
  const dir = tempApp({ 'package.json': '{}', 'src/app.ts': APP });
  try {
    const loaded = await loadConfig({ cwd: dir });
    assert.deepEqual(loaded, { path: undefined, config: {}, dependencies: [] });
    const r = resolveConfig(loaded, { cwd: dir, targetNames: ['node'] });
    assert.equal(r.root, dir);
    assert.equal(r.entry, join(dir, 'src/app.ts'));
    assert.equal(r.outDir, join(dir, 'dist'));
    assert.equal(r.publicDir, undefined);
    assert.equal(r.basePath, '');
    assert.equal(r.target, 'node');
    assert.equal(r.minify, false);
    assert.equal(r.lightResponse, undefined, 'unset: the target decides');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a TS config with imports, portico/config and a type: bundled, imported, temp file deleted', async () => {
  const dir = tempApp({
    'package.json': '{}',
    'public/a.txt': 'a',
    'app/main.ts': APP,
    'config/base.ts': 'export const base: string = "/shop/";\n',
    'bundle.config.ts': [
      "import { defineConfig } from 'portico/config';",
      "import { base } from './config/base.ts';",
      'interface Extra { port: number }',
      'const extra: Extra = { port: 8080 };',
      "export default defineConfig({ entry: 'app/main.ts', basePath: base, minify: true, node: { port: extra.port } });",
    ].join('\n'),
  });
  try {
    const loaded = await loadConfig({ cwd: dir });
    assert.equal(loaded.path, join(dir, 'bundle.config.ts'));
    assert.deepEqual(loaded.dependencies.filter((f) => f.startsWith(dir)).sort(), [join(dir, 'bundle.config.ts'), join(dir, 'config/base.ts')]);
    assert.ok(loaded.dependencies.some((f) => f.endsWith('src/config/define.ts')), 'portico/config resolved to this package');
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('timestamp')), []);
    const r = resolveConfig(loaded, { cwd: dir, targetNames: ['node'], overrides: { minify: false } });
    assert.equal(r.entry, join(dir, 'app/main.ts'));
    assert.equal(r.basePath, '/shop');
    assert.equal(r.publicDir, join(dir, 'public'));
    assert.equal(r.minify, false, 'a CLI flag wins over the config');
    assert.deepEqual(r.targetOptions.node, { port: 8080 });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a config function receives the command', async () => {
  const dir = tempApp({ 'app.ts': APP, 'bundle.config.js': 'export default ({ command }) => ({ minify: command === "bundle" });' });
  try {
    const loaded = await loadConfig({ cwd: dir, command: 'bundle' });
    assert.deepEqual(loaded.config, { minify: true });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('--config path: found; missing path: a clear error', async () => {
  const dir = tempApp({ 'app.ts': APP, 'conf/my.config.mjs': 'export default { outDir: "out" }' });
  try {
    const loaded = await loadConfig({ cwd: dir, configFile: 'conf/my.config.mjs' });
    assert.deepEqual(loaded.config, { outDir: 'out' });
    await assert.rejects(loadConfig({ cwd: dir, configFile: 'nope.ts' }), /PORTICO_NO_CONFIG: .*nope\.ts does not exist/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('bad options fail naming the option and the fix', async () => {
  const dir = tempApp({ 'app.ts': APP });
  const check = (config: Record<string, unknown>, message: RegExp) =>
    assert.throws(() => resolveConfig({ path: undefined, config, dependencies: [] }, { cwd: dir, targetNames: ['node', 'lambda'] }), message);
  try {
    check({ outDir: 3 }, /^PorticoError: PORTICO_BAD_OPTION: "outDir" must be a string \(a folder path\), got 3$/);
    check({ outdir: 'x' }, /unknown option "outdir"; did you mean "outDir"\?/);
    check({ minify: 'yes' }, /"minify" must be true or false, got "yes"/);
    check({ basePath: '/a?b' }, /PORTICO_BAD_OPTION: "basePath" must be a plain path/);
    check({ publicDir: 'missing' }, /"publicDir" folder .*missing does not exist; create it or set publicDir: false/);
    check({ target: 'nope' }, /PORTICO_BAD_TARGET: unknown target "nope"; use one of: node, lambda/);
    check({ node: 5 }, /"node" must be an object of node target options, got 5/);
    check({ entry: 'missing.ts' }, /PORTICO_NO_ENTRY: entry .*missing\.ts is not a file/);
    check({ define: { X: 1 } }, /"define\.X" must be a string of JS source/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('no entry anywhere: PORTICO_NO_ENTRY says how to pass one', () => {
  const dir = tempApp({ 'README.md': '' });
  try {
    assert.throws(() => resolveConfig({ path: undefined, config: {}, dependencies: [] }, { cwd: dir, targetNames: ['node'] }), /PORTICO_NO_ENTRY: no app module found .*pass one/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a config that does not build or throws: PORTICO_BAD_CONFIG with the file', async () => {
  const broken = tempApp({ 'bundle.config.ts': 'export default {' });
  const throwing = tempApp({ 'bundle.config.mjs': 'throw new Error("boom"); export default {}' });
  const notObject = tempApp({ 'bundle.config.mjs': 'export default 42' });
  try {
    await assert.rejects(loadConfig({ cwd: broken }), /PORTICO_BAD_CONFIG: cannot build .*bundle\.config\.ts/);
    await assert.rejects(loadConfig({ cwd: throwing }), /PORTICO_BAD_CONFIG: .* threw while loading: boom/);
    await assert.rejects(loadConfig({ cwd: notObject }), /must `export default defineConfig\(\{ \.\.\. \}\)` \(an object\), got 42/);
    assert.deepEqual(readdirSync(throwing).filter((f) => f.includes('timestamp')), [], 'temp file removed even on error');
  } finally {
    for (const d of [broken, throwing, notObject]) rmSync(d, { recursive: true });
  }
});
