// The node target's server.mjs: one file that runs with no node_modules on the system Node 20
// (/usr/bin/node) and on the Node running the tests, reading --port/PORT and serving public/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '../../src/bundle/bundle.ts';
import { listenOptions, serverArgs } from '../../adapters/node/runtime/start.ts';
import { makeHelloAddon } from '../native-addon.ts';
import { awaitOutput } from '../child-output.ts';

const SYSTEM_NODE = '/usr/bin/node';

/** Start server.mjs and resolve with its base URL from the "listening on" line (bounded wait). */
function startServer(node: string, file: string, args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(node, [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return awaitOutput(child, /listening on (http:\/\/\S+)/, `${file} on ${node}`, 5000).then(
    ({ match: url }) => ({ child, url }),
    (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

test('listen options: argv beats env beats the baked config; bad values say the fix', () => {
  const baked = { port: 3000, host: '127.0.0.1', socket: undefined };
  assert.deepEqual(listenOptions([], {}, baked), { port: 3000, host: '127.0.0.1', socket: undefined });
  assert.deepEqual(listenOptions([], { PORT: '8080', HOST: '::1' }, baked), { port: 8080, host: '::1', socket: undefined });
  assert.deepEqual(listenOptions(['--port', '9000', '--host=0.0.0.0'], { PORT: '8080' }, baked), { port: 9000, host: '0.0.0.0', socket: undefined });
  assert.deepEqual(listenOptions(['--socket', '/tmp/x.sock'], {}, baked).socket, '/tmp/x.sock');
  // A baked socket gives way to an explicit --port or --host (the parser the executable shares).
  assert.deepEqual(listenOptions(['--port', '8080'], {}, { ...baked, socket: '/run/x.sock' }), { port: 8080, host: '127.0.0.1', socket: undefined });
  assert.equal(listenOptions([], {}, { ...baked, socket: '/run/x.sock' }).socket, '/run/x.sock');
  assert.throws(() => listenOptions(['--port', 'http'], {}, baked), /--port must be a port number \(0-65535\), got "http"/);
  assert.throws(() => listenOptions([], { PORT: '70000' }, baked), /PORT must be a port number/);
  assert.throws(() => listenOptions(['--verbose'], {}, baked), /unknown argument "--verbose"; see node server\.mjs --help/);
  // Limits: flags over the baked config, whole numbers only; --help wins.
  const limits = { responseTimeout: 30_000, maxHeaderSize: 8192 };
  assert.deepEqual(serverArgs(['--response-timeout=5000', '--max-pipelined', '4'], {}, { ...baked, limits }).limits, { responseTimeout: 5000, maxHeaderSize: 8192, maxPipelined: 4 });
  assert.throws(() => serverArgs(['--headers-timeout', '1.5'], {}, baked), /--headers-timeout must be a whole number, got "1\.5"/);
  assert.equal(serverArgs(['--help'], {}, baked).help, true);
  assert.throws(() => listenOptions(['--port'], {}, baked), /--port needs a value/);
});

test('server.mjs runs alone (no node_modules) on the system Node 20 and on this Node, with base path and static files', async (t) => {
  assert.ok(existsSync(SYSTEM_NODE), `${SYSTEM_NODE} (Node 20) is needed for this test`);
  const dir = mkdtempSync(join(tmpdir(), 'portico-node-'));
  const shipped = mkdtempSync(join(tmpdir(), 'portico-shipped-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(shipped, { recursive: true, force: true });
  });
  mkdirSync(join(dir, 'public'));
  mkdirSync(join(dir, 'node_modules/cjs-dep'), { recursive: true });
  writeFileSync(join(dir, 'public/hello.txt'), 'static hello\n');
  // A CommonJS dependency that requires a node built-in: needs the createRequire banner in ESM.
  writeFileSync(join(dir, 'node_modules/cjs-dep/package.json'), '{"name":"cjs-dep","main":"index.js"}');
  writeFileSync(join(dir, 'node_modules/cjs-dep/index.js'), "const os = require('os'); exports.eol = JSON.stringify(os.EOL);");
  writeFileSync(
    join(dir, 'app.ts'),
    `import { eol } from 'cjs-dep';
import type { App } from 'portico';
const app: App = {
  fetch(request, _env, ctx) {
    const url = new URL(request.url);
    return Response.json({ path: url.pathname, base: ctx.basePath, gateway: ctx.gateway, eol, node: process.versions.node });
  },
};
export default app;
`,
  );
  await bundle({ target: 'node', entry: 'app.ts', root: dir, publicDir: 'public', basePath: '/shop', options: { port: 1 } });
  // Ship server.mjs and public/ alone to a folder with no node_modules anywhere above it.
  copyFileSync(join(dir, 'dist/node/server.mjs'), join(shipped, 'server.mjs'));
  cpSync(join(dir, 'dist/node/public'), join(shipped, 'public'), { recursive: true });

  for (const node of [SYSTEM_NODE, process.execPath]) {
    // --port beats the baked port 1 (which would fail to bind as non-root or clash).
    const { child, url } = await startServer(node, join(shipped, 'server.mjs'), ['--port', '0', '--host', '127.0.0.1']);
    try {
      const origin = new URL(url).origin;
      const res = await fetch(`${origin}/shop/cart?x=1`);
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.path, '/cart');
      assert.equal(body.base, '/shop');
      assert.equal(body.gateway, 'node');
      assert.equal(body.eol, '"\\n"');
      if (node === SYSTEM_NODE) assert.match(body.node, /^20\./, 'ran on the system Node 20');
      const outside = await fetch(`${origin}/elsewhere`);
      assert.equal(outside.status, 404);
      await outside.text();
      const file = await fetch(`${origin}/shop/hello.txt`);
      assert.equal(await file.text(), 'static hello\n');
    } finally {
      await stop(child);
    }
  }
  // PORT from the environment when no --port is given.
  const { child, url } = await startServer(process.execPath, join(shipped, 'server.mjs'), [], { PORT: '0', HOST: '127.0.0.1' });
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+/);
    const res = await fetch(`${new URL(url).origin}/shop/`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  } finally {
    await stop(child);
  }
});

test('server.mjs: a bad --port exits 2 with one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-node-'));
  try {
    writeFileSync(join(dir, 'app.ts'), 'export default { fetch: () => new Response("x") };');
    await bundle({ target: 'node', entry: 'app.ts', root: dir });
    const child = spawn(process.execPath, [join(dir, 'dist/node/server.mjs'), '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.equal(err, 'server.mjs: --port must be a port number (0-65535), got "abc"\n');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a native addon (.node) goes to native/ beside server.mjs and loads there, with no node_modules', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-node-native-'));
  const shipped = mkdtempSync(join(tmpdir(), 'portico-node-native-shipped-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(shipped, { recursive: true, force: true });
  });
  makeHelloAddon(dir);
  writeFileSync(join(dir, 'app.ts'), "import addon from 'hello-addon';\nexport default { fetch() { return new Response(addon.hello()); } };\n");
  const result = await bundle({ target: 'node', entry: 'app.ts', root: dir, outDir: join(dir, 'dist') });
  const native = result.files.map((f) => f.path).find((p) => /\/native\/hello-[0-9a-f]{12}\.node$/.test(p));
  assert.ok(native, `the addon is among the outputs: ${result.files.map((f) => f.path).join(', ')}`);
  cpSync(join(dir, 'dist/node'), shipped, { recursive: true });
  const { child, url } = await startServer(process.execPath, join(shipped, 'server.mjs'), ['--port', '0', '--host', '127.0.0.1']);
  try {
    assert.equal(await (await fetch(url)).text(), 'native says hi');
  } finally {
    await stop(child);
  }
});
