/**
 * Which Bun builds a `--runtime bun` executable (adapters/exe/build/bun-binary.ts): PORTICO_BUN,
 * else the project's own (the platform package's binary, or the one `bun`'s postinstall put in
 * bun/bin/bun.exe, never its few-byte placeholder), else the registry. The registry is pointed
 * at a closed port with an empty cache, so "else the registry" shows as the offline error.
 * Needs a real Bun: PORTICO_BUN (.ci/run sets it).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bunPlatformInfo, hostBun } from '../../adapters/exe/build/bun-binary.ts';

const realBun = process.env.PORTICO_BUN;
// Outside CI a checkout without PORTICO_BUN skips the two tests that need a real Bun; in CI
// (.ci/run sets it) a missing one fails them instead.
const noBun = !realBun && !process.env.CI && 'PORTICO_BUN is not set';
const root = mkdtempSync(join(tmpdir(), 'portico-bun-binary-'));
after(() => rmSync(root, { recursive: true, force: true }));

const offline = { PORTICO_NPM_REGISTRY: 'http://127.0.0.1:9' };

function project(name: string, files: Record<string, string | { link: string }>): string {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    if (typeof content === 'string') writeFileSync(join(dir, path), content);
    else symlinkSync(content.link, join(dir, path));
  }
  return dir;
}

test('platform names map to Bun packages and --target values', () => {
  assert.deepEqual(bunPlatformInfo('linux-arm64'), { platform: 'linux-arm64', packageName: '@oven/bun-linux-aarch64', binaryPath: 'package/bin/bun', suffix: '', bunTarget: 'bun-linux-arm64' });
  assert.equal(bunPlatformInfo('win-x64').packageName, '@oven/bun-windows-x64');
  assert.equal(bunPlatformInfo('win-x64').binaryPath, 'package/bin/bun.exe');
});

test('PORTICO_BUN wins, with its version', { skip: noBun }, async () => {
  const dir = project('env', { 'package.json': '{}' });
  const bun = await hostBun(dir, 'linux-x64', {}, { PORTICO_BUN: realBun });
  assert.equal(bun.source, 'PORTICO_BUN');
  assert.match(bun.version, /^1\.\d+\.\d+$/);
});

test("the project's bun package: its platform binary, or bun/bin/bun.exe after postinstall", { skip: noBun }, async () => {
  const platformPkg = project('platform-pkg', {
    'package.json': '{}',
    'node_modules/@oven/bun-linux-x64/package.json': '{"name":"@oven/bun-linux-x64"}',
    'node_modules/@oven/bun-linux-x64/bin/bun': { link: realBun! },
  });
  const own = await hostBun(platformPkg, 'linux-x64', {}, offline);
  assert.equal(own.path, join(platformPkg, 'node_modules/@oven/bun-linux-x64/bin/bun'));
  assert.equal(own.source, 'project');
  assert.match(own.version, /^1\.\d+\.\d+$/);
  const moved = project('postinstalled', {
    'package.json': '{}',
    'node_modules/bun/package.json': '{"name":"bun"}',
    'node_modules/bun/bin/bun.exe': { link: realBun! },
  });
  assert.equal((await hostBun(moved, 'linux-x64', {}, offline)).source, 'project');
});

test("bun's placeholder (install scripts off, no platform package) is not a Bun: on to the registry", async () => {
  const dir = project('placeholder', {
    'package.json': '{}',
    'node_modules/bun/package.json': '{"name":"bun"}',
    'node_modules/bun/bin/bun.exe': 'placeholder replaced by postinstall\n',
  });
  const saved = process.env.PORTICO_NPM_REGISTRY;
  process.env.PORTICO_NPM_REGISTRY = offline.PORTICO_NPM_REGISTRY;
  try {
    await assert.rejects(hostBun(dir, 'linux-x64', { cacheDir: join(root, 'empty-cache') }, {}), /PORTICO_EXE_OFFLINE: no Bun for --runtime bun: .*no @oven\/bun-linux-x64 for Bun 1 is cached/);
  } finally {
    if (saved === undefined) delete process.env.PORTICO_NPM_REGISTRY;
    else process.env.PORTICO_NPM_REGISTRY = saved;
  }
});

test('a cached Bun is used without asking the registry: the newest 1.x under <cache>/bun/@oven+bun-<platform>@<version>', async () => {
  const cacheDir = join(root, 'seeded-cache');
  for (const version of ['1.3.9', '1.4.5', '1.10.0']) {
    const dir = join(cacheDir, 'bun', `@oven+bun-linux-x64@${version}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bun'), `fake bun ${version}`);
    const { size, mtimeMs } = statSync(join(dir, 'bun'));
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ name: '@oven/bun-linux-x64', version, integrity: 'sha512-x', sha256: 'x', size, mtimeMs }));
  }
  // A cached file that no longer matches its meta.json is not used.
  writeFileSync(join(cacheDir, 'bun', '@oven+bun-linux-x64@1.10.0', 'bun'), 'truncated');
  const dir = project('cached', { 'package.json': '{}' });
  const saved = process.env.PORTICO_NPM_REGISTRY;
  process.env.PORTICO_NPM_REGISTRY = offline.PORTICO_NPM_REGISTRY;
  try {
    const bun = await hostBun(dir, 'linux-x64', { cacheDir }, {});
    assert.deepEqual(bun, { path: join(cacheDir, 'bun', '@oven+bun-linux-x64@1.4.5', 'bun'), version: '1.4.5', source: 'cache' });
  } finally {
    if (saved === undefined) delete process.env.PORTICO_NPM_REGISTRY;
    else process.env.PORTICO_NPM_REGISTRY = saved;
  }
});
