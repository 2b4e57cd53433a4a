// The built server.mjs under the crash policy and at its edges: a rejection the app leaves
// behind is logged with its request and the server goes on; an uncaught exception drains
// in-flight requests and exits 1; a port in use is one line and exit 1; --help prints usage.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { AsyncLocalStorage } from 'node:async_hooks';
import { installCrashPolicy, requestScope } from '../../adapters/_node/crash-policy.ts';
import { listeningUrl } from '../../adapters/_node/serve.ts';
import { buildServer, runServer } from '../fuzz/built-server.ts';

const LOOPBACK = ['--port', '0', '--host', '127.0.0.1'];

/** Run server.mjs to its end with `args`; resolves with its exit code and output. */
function runToEnd(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('built server.mjs: crash policy, exit codes, usage', () => {
  let built: ReturnType<typeof buildServer>;
  before(() => {
    built = buildServer(new URL('../fixtures/crash-app.ts', import.meta.url).pathname);
  });
  after(() => built?.remove());

  test('a rejection the app leaves behind is logged with its request, and the server goes on serving', async () => {
    const server = await runServer(built.file, LOOPBACK);
    try {
      assert.equal(await (await fetch(`${server.url}/reject`)).text(), 'ok');
      assert.equal(await (await fetch(`${server.url}/reject-later`)).text(), 'ok');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await (await fetch(`${server.url}/after`)).text(), 'hello');
      assert.equal(server.child.exitCode, null, 'the server is still running');
      const logs = server.logs();
      assert.match(logs, /nothing handled it \(during GET \/reject\).*left behind by \/reject/);
      assert.match(logs, /nothing handled it \(during GET \/reject-later\).*left behind by a timer/);
    } finally {
      await server.stop();
    }
  });

  test('an uncaught exception finishes in-flight requests, then exits 1', async () => {
    const server = await runServer(built.file, LOOPBACK);
    try {
      const slow = fetch(`${server.url}/slow?ms=800`).then((r) => r.text());
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await (await fetch(`${server.url}/throw-later`)).text(), 'ok');
      assert.equal(await slow, 'slow done');
      assert.equal(await server.exited, 1);
      assert.match(server.logs(), /uncaught exception; finishing in-flight requests.*thrown from a timer/);
    } finally {
      await server.stop();
    }
  });

  test('a port in use: one line on stderr, no stack, exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const { code, stderr } = await runToEnd(built.file, ['--port', String(port), '--host', '127.0.0.1']);
      assert.equal(code, 1);
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0]!, new RegExp(`PORTICO_LISTEN_FAILED: cannot listen on 127\\.0\\.0\\.1:${port}: the address is in use \\(EADDRINUSE\\)`));
    } finally {
      blocker.close();
    }
  });

  test('--help prints the usage and exits 0; an unknown flag exits 2 in one line', async () => {
    const help = await runToEnd(built.file, ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: node server\.mjs/);
    for (const flag of ['--headers-timeout', '--response-timeout', '--max-header-size', '--max-pipelined']) assert.ok(help.stdout.includes(flag), flag);
    const bad = await runToEnd(built.file, ['--verbose']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });

  test('limits from flags reach the server: --response-timeout', async () => {
    const server = await runServer(built.file, [...LOOPBACK, '--response-timeout', '200']);
    try {
      assert.equal((await fetch(`${server.url}/slow?ms=2000`)).status, 504);
    } finally {
      await server.stop();
    }
  });
});

test('the listening line names the address really bound', () => {
  assert.equal(listeningUrl({ address: '::', family: 'IPv6', port: 3000 }), 'http://[::]:3000');
  assert.equal(listeningUrl({ address: '0.0.0.0', family: 'IPv4', port: 80 }), 'http://0.0.0.0:80');
  assert.equal(listeningUrl({ address: '::1', family: 'IPv6', port: 1 }), 'http://[::1]:1');
  assert.equal(listeningUrl('/run/app.sock'), 'unix:/run/app.sock');
});

test('the request scope: one AsyncLocalStorage while a labelling policy is installed, made when first asked for', () => {
  const quiet = { drain: async () => {}, log: () => {}, exit: () => {} };
  assert.equal(requestScope(), undefined, 'no policy, no scope: the gateway pays nothing');
  const remove = installCrashPolicy({ ...quiet, labelRequests: true });
  try {
    // Asked for before the setImmediate that makes it otherwise: the first request still gets one.
    const scope = requestScope();
    assert.ok(scope instanceof AsyncLocalStorage);
    assert.equal(requestScope(), scope);
    assert.equal(scope.run({ method: 'GET', url: '/x' }, () => scope.getStore()?.url), '/x');
  } finally {
    remove();
  }
  assert.equal(requestScope(), undefined, 'removed with the policy');
  const unlabelled = installCrashPolicy({ ...quiet, labelRequests: false });
  try {
    assert.equal(requestScope(), undefined);
  } finally {
    unlabelled();
  }
});
