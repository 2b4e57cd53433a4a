// The portico command as users run it: bin/portico.mjs in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitOutput } from '../child-output.ts';

const repo = join(import.meta.dirname, '../..');
const bin = join(repo, 'bin/portico.mjs');

function run(args: string[], cwd = repo, timeoutMs = 15000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`portico ${args.join(' ')} took over ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('--version and --help, per command with types and defaults', async () => {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const version = await run(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, new RegExp(`^portico/${pkg.version.replace(/\./g, '\\.')}\\b`));

  const help = await run(['--help']);
  assert.equal(help.code, 0);
  for (const command of ['bundle', 'serve', 'dev', 'deploy']) assert.match(help.stdout, new RegExp(`\\n  ${command} \\[entry\\]`));

  const bundleHelp = await run(['bundle', '--help']);
  assert.equal(bundleHelp.code, 0);
  assert.match(bundleHelp.stdout, /--target <name>\s+Deployment target: node(, \w+)* \(string, default: config "target", else node\)/);
  assert.match(bundleHelp.stdout, /--outdir <dir>\s+.*\(string, default: dist\)/);
  assert.match(bundleHelp.stdout, /--minify\s+Minify the bundle \(boolean, default: false\)/);
  const devHelp = await run(['dev', '--help']);
  assert.match(devHelp.stdout, /--port <port>\s+Port \(number, default: 3000; with --target fastcgi\|scgi: the config's\)/);
  assert.match(devHelp.stdout, /--socket <path>\s+With --target fastcgi\|scgi: .*\(string, default: the config's\)/);
});

test('usage errors: one line on stderr with a --help hint, exit 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['bundle', '--frob'], /^portico bundle: Unknown option `--frob` \(see portico bundle --help\)\n$/],
    [['frob'], /^portico: unknown command "frob" \(commands: bundle, serve, dev, deploy\) \(see portico --help\)\n$/],
    [['bundle', '--outdir'], /^portico bundle: option `--outdir <dir>` value is missing \(see portico bundle --help\)\n$/],
    [['dev', '--port', 'abc'], /^portico dev: --port must be a port number \(0-65535\), got "abc" \(see portico dev --help\)\n$/],
    [['serve', '--port', '70000'], /^portico serve: --port must be a port number \(0-65535\), got 70000 \(see portico serve --help\)\n$/],
    [['bundle', '--light-response=3'], /^portico bundle: --light-response takes no value, got 3 \(see portico bundle --help\)\n$/],
  ];
  for (const [args, expected] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, expected);
    assert.equal(r.stdout, '');
  }
});

test('failures: one line with the code and the fix, exit 1', async () => {
  const r = await run(['bundle', '--target', 'nope']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^portico bundle: PORTICO_BAD_TARGET: unknown target "nope"; use one of: node(, \w+)*\n$/);
  const d = await run(['deploy', '--target', 'node']);
  assert.equal(d.code, 1);
  assert.match(d.stderr, /^portico deploy: PORTICO_NO_DEPLOY: target node has no deploy; .*\n$/);
  const c = await run(['bundle', '--config', 'missing.config.ts']);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /PORTICO_NO_CONFIG: config file .*missing\.config\.ts does not exist/);
});

test('bundle the example for node: size table, server.mjs and public/', async () => {
  const out = mkdtempSync(join(tmpdir(), 'portico-cli-out-'));
  try {
    const r = await run(['bundle', '--target', 'node', '--outdir', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /server\.mjs\s+entry\s+\d+\.\d\d kB │ gzip: \d+\.\d\d kB\n/);
    assert.match(r.stdout, /public\/about\.html\s+asset/);
    assert.match(r.stdout, /✓ node bundle built in \d+ ms/);
    assert.ok(existsSync(join(out, 'node/server.mjs')));
    assert.ok(existsSync(join(out, 'node/public/about.html')));
  } finally {
    rmSync(out, { recursive: true });
  }
});

test('bundle an app outside the repo that imports a package from its own node_modules', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-outside-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{"name":"outside","type":"module"}');
    mkdirSync(join(dir, 'node_modules/greet'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/greet/package.json'), '{"name":"greet","type":"module","exports":"./index.js"}');
    writeFileSync(join(dir, 'node_modules/greet/index.js'), 'export const greet = (who) => `hello ${who} from greet`;');
    mkdirSync(join(dir, 'src'));
    writeFileSync(
      join(dir, 'src/app.ts'),
      "import { greet } from 'greet';\nimport type { App } from 'portico';\nimport { isApp } from 'portico';\nconst app: App = { fetch: () => new Response(greet('outside') + ' ' + isApp({ fetch() {} })) };\nexport default app;\n",
    );
    writeFileSync(join(dir, 'bundle.config.ts'), "import { defineConfig } from 'portico/config';\nexport default defineConfig({ basePath: '/x', minify: true });\n");
    const r = await run(['bundle', '--target', 'node'], dir);
    assert.equal(r.code, 0, r.stderr);
    const server = readFileSync(join(dir, 'dist/node/server.mjs'), 'utf8');
    assert.match(server, /from greet/);
    assert.doesNotMatch(server, /from ?["']greet["']/, 'greet is bundled, not imported');
    assert.match(server, /"\/x"/, 'basePath from the app\'s own config baked in');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('on the system Node 20 the CLI runs from the prebuilt lib/cli.mjs', async () => {
  const out = mkdtempSync(join(tmpdir(), 'portico-cli20-'));
  try {
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('/usr/bin/node', [bin, 'bundle', '--outdir', out], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /✓ node bundle built in \d+ ms/);
    assert.ok(existsSync(join(out, 'node/server.mjs')));
  } finally {
    rmSync(out, { recursive: true });
  }
});

test('serve (npm start): bundles the example via bundle.config.ts, runs server.mjs, passes SIGTERM on', async () => {
  const out = mkdtempSync(join(tmpdir(), 'portico-serve-'));
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--outdir', out], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const { match: url, logs } = await awaitOutput(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 'portico serve', 10000);
    const text = logs();
    assert.match(text, /✓ built .*server\.mjs in \d+ ms/);
    const res = await fetch(`${url}/json`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).path, '/json');
    const home = await fetch(`${url}/`);
    assert.equal(await home.text(), 'Hello from portico (node)\n', '/ reaches the app, not a static page');
    const page = await fetch(`${url}/about.html`);
    assert.match(await page.text(), /Static hello/, 'examples/hello/public is served');
    const code = await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    assert.equal(code, 0, 'the server drained and exited 0, and serve passed the code on');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(out, { recursive: true, force: true });
  }
});
