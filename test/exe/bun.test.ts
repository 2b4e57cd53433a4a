/**
 * `portico bundle --target exe --runtime bun`, beyond the conformance suite (run once per
 * runtime by test/conformance/exe.test.ts): public/ embedded and served with the node gateway's
 * semantics; a native addon embedded; the command line (PORT, --socket, --version),
 * `exe.runtime`, `exe.maxBodySize` and `exe.trustProxy` from bundle.config.ts; the limit flags
 * Bun can honour (--max-body-size, --response-timeout, --stream-idle-timeout) and the refusal
 * of the others, at run time and at build time; a forced
 * `--light-response`, a SIGTERM that lets in-flight requests and waitUntil work finish;
 * linux-arm64 (run under qemu-user) and win-x64 (a PE file) built from Linux with those
 * platforms' Bun from the npm registry; and the build errors: an unknown runtime, no Bun to
 * be had. Every executable runs copied alone into an empty folder with an empty environment.
 *
 * The building Bun is PORTICO_BUN (.ci/run sets it), else the repository's `bun`
 * devDependency, else a download: the tests never skip.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { awaitOutput, stopper } from '../child-output.ts';
import { staticCases, type StaticTarget } from '../static/cases.ts';
import { CACHE_CONTROL, makeProject } from '../static/fixture.ts';
import { makeHelloAddon } from '../native-addon.ts';
import { readElf, readPe } from './binary-formats.ts';
import { buildExe, startExe } from './exe-process.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;
const cleanup: string[] = [];
after(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

describe('bun executable with public/', () => {
  const project = makeProject();
  cleanup.push(project);
  let exe: string;
  let running: Awaited<ReturnType<typeof startExe>>;
  let target: StaticTarget;
  before(async () => {
    writeFileSync(join(project, 'bundle.config.ts'), `export default { exe: { staticCacheControl: ${JSON.stringify(CACHE_CONTROL)} } };\n`);
    let dir: string;
    ({ exe, dir } = await buildExe('app.mjs', ['--runtime', 'bun', '--base-path', '/shop'], { cwd: project }));
    cleanup.push(dir);
    running = await startExe(exe);
    target = { port: Number(new URL(running.baseUrl).port), base: '/shop', strongEtags: true };
  }, { timeout: 150_000 });
  after(() => running?.stop());

  staticCases('exe --runtime bun', () => target);

  test('the executable holds the served files and no hidden ones', () => {
    const bytes = readFileSync(exe);
    assert.ok(bytes.includes('Contact: x'), '.well-known/security.txt is embedded');
    for (const secret of ['SECRET=1', 'SECRET=2', 'SECRET=3']) assert.ok(!bytes.includes(secret), `${secret} must not be embedded`);
  });
});

/** An app with a slow route and waitUntil work, to watch a graceful stop. */
const APP = `export default {
  async fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    if (path === '/slow') {
      ctx.waitUntil(new Promise((r) => setTimeout(r, 300)).then(() => console.log('waitUntil done')));
      await new Promise((r) => setTimeout(r, 400));
      return new Response('slow done');
    }
    if (path === '/size') return new Response(String((await request.arrayBuffer()).byteLength));
    if (path === '/who') return Response.json({ client: ctx.clientAddress, url: request.url });
    return new Response('runtime ' + (typeof Bun === 'object' ? 'bun' : 'node') + ' gateway ' + ctx.gateway);
  },
};
`;

function post(url: string, body: Buffer, chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    if (chunked) {
      req.write(body.subarray(0, 600));
      req.end(body.subarray(600));
    } else req.end(body);
  });
}

/**
 * In a describe: a project named shop of `app` with `config` as its bundle.config.ts (exe.runtime
 * 'bun' there, no --runtime flag), built before the tests; `built` gets the executable.
 */
function bunProject(app: string, config: string, version: string, built: (exe: string) => void): void {
  const project = mkdtempSync(join(tmpdir(), 'portico-bun-project-'));
  cleanup.push(project);
  before(async () => {
    writeFileSync(join(project, 'app.mjs'), app);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'shop', version }));
    writeFileSync(join(project, 'bundle.config.ts'), config);
    const { exe, dir } = await buildExe('app.mjs', [], { cwd: project });
    cleanup.push(dir);
    built(exe);
  }, { timeout: 150_000 });
}

describe('bun executable: command line and config', () => {
  let exe: string;
  bunProject(APP, "export default { exe: { runtime: 'bun', maxBodySize: 1000, trustProxy: 'loopback' } };\n", '1.2.3', (path) => (exe = path));

  test('exe.runtime in bundle.config.ts makes a Bun executable; --version says so', () => {
    const run = spawnSync(exe, ['--version'], { encoding: 'utf8', env: {} });
    assert.match(run.stdout, /^shop 1\.2\.3 \(portico exe, Bun \d+\.\d+\.\d+\)\n$/);
    const bad = spawnSync(exe, ['--port', 'x'], { encoding: 'utf8', env: {} });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^shop: --port must be a port number/);
  });

  test('PORT from the environment, and Bun as the runtime with gateway exe', async () => {
    const running = await startExe(exe, { args: [] });
    try {
      const res = await fetch(`${running.baseUrl}/`);
      assert.equal(await res.text(), 'runtime bun gateway exe');
    } finally {
      await running.stop();
    }
    const folder = mkdtempSync(join(tmpdir(), 'portico-bun-port-'));
    cleanup.push(folder);
    const child = spawn(exe, [], { cwd: folder, env: { PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = stopper(child);
    try {
      const { match } = await awaitOutput(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 'the bun executable', 15_000);
      assert.notEqual(new URL(match).port, '3000', 'PORT=0 picked a free port instead of the default');
    } finally {
      await stop();
    }
  });

  test('a port in use is one line and exit code 1', async () => {
    const { createServer } = await import('node:net');
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => busy.once('listening', resolve));
    try {
      const port = String((busy.address() as { port: number }).port);
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(exe, ['--port', port], { env: {} }, (_e, _o, stderr) => resolve({ code: child.exitCode, stderr }));
      });
      assert.equal(run.code, 1);
      assert.equal(run.stderr, `[portico] PORTICO_LISTEN_FAILED: cannot listen on 127.0.0.1:${port}: the address is in use (EADDRINUSE); stop the other server or choose another --port\n`);
    } finally {
      busy.close();
    }
  });

  test('--socket serves on a unix socket', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'portico-bun-sock-'));
    cleanup.push(folder);
    const socketPath = join(folder, 'app.sock');
    const child = spawn(exe, ['--socket', socketPath], { cwd: folder, env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = stopper(child);
    try {
      await awaitOutput(child, /listening on unix:(\S+)/, 'the bun executable', 15_000);
      const body = await new Promise<string>((resolve, reject) => {
        request({ socketPath, path: '/', headers: { host: 'x' } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        }).on('error', reject).end();
      });
      assert.equal(body, 'runtime bun gateway exe');
    } finally {
      await stop();
    }
  });

  test('exe.maxBodySize: a larger body gets 413 (declared or chunked), a smaller one reaches the app', async () => {
    const running = await startExe(exe);
    try {
      assert.deepEqual(await post(`${running.baseUrl}/size`, Buffer.alloc(1000), false), { status: 200, body: '1000' });
      assert.equal((await post(`${running.baseUrl}/size`, Buffer.alloc(1001), false)).status, 413);
      assert.deepEqual(await post(`${running.baseUrl}/size`, Buffer.alloc(1000), true), { status: 200, body: '1000' });
      for (const size of [1001, 1500]) {
        const chunked = await post(`${running.baseUrl}/size`, Buffer.alloc(size), true).catch((error: Error) => ({ status: 0, body: error.message }));
        assert.equal(chunked.status, 413, `a chunked body of ${size} bytes: ${chunked.body}`);
      }
      assert.doesNotMatch(running.logs(), /failed/, 'a body over the limit is the client\'s doing: no error line');
    } finally {
      await running.stop();
    }
  });

  test('exe.trustProxy: a trusted peer\'s X-Forwarded-For/-Proto/-Host set ctx.clientAddress and request.url', async () => {
    const running = await startExe(exe);
    try {
      const forwarded = await (await fetch(`${running.baseUrl}/who?q=1`, { headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' } })).json();
      assert.deepEqual(forwarded, { client: '203.0.113.7', url: 'https://shop.example/who?q=1' });
      const direct = await (await fetch(`${running.baseUrl}/who`)).json();
      assert.equal(direct.client, '127.0.0.1');
      const hostile = await (await fetch(`${running.baseUrl}/who`, { headers: { 'x-forwarded-host': 'evil.example/x?y' } })).json();
      assert.equal(hostile.url, `${running.baseUrl}/who`, 'a forwarded host that is no host is ignored');
    } finally {
      await running.stop();
    }
  });

  test('SIGTERM: the in-flight request and its waitUntil work finish, then exit 0', async () => {
    const running = await startExe(exe);
    const exited = new Promise<number | null>((resolve) => {
      const poll = setInterval(() => {
        try {
          process.kill(running.pid, 0);
        } catch {
          clearInterval(poll);
          resolve(null);
        }
      }, 20);
    });
    const slow = fetch(`${running.baseUrl}/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 100));
    process.kill(running.pid, 'SIGTERM');
    assert.equal(await slow, 'slow done');
    await exited;
    assert.match(running.logs(), /SIGTERM: finishing in-flight requests/);
    assert.match(running.logs(), /waitUntil done/);
    await running.stop();
  });
});

/** An app that answers late, never, or streams with a pause, to watch the limits. */
const LIMITS_APP = `export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/never') return new Promise(() => {});
    if (url.pathname === '/late') {
      await new Promise((r) => setTimeout(r, Number(url.searchParams.get('ms'))));
      return new Response('late done');
    }
    if (url.pathname === '/pause') {
      const body = new ReadableStream({
        async pull(c) {
          c.enqueue(new TextEncoder().encode('first '));
          await new Promise((r) => setTimeout(r, 10_000));
          c.enqueue(new TextEncoder().encode('second'));
          c.close();
        },
      });
      return new Response(body);
    }
    if (url.pathname === '/size') return new Response(String((await request.arrayBuffer()).byteLength));
    return new Response('ok');
  },
};
`;

/** Time a GET to its end: status, body, and whether the connection was cut first. */
async function timedGet(url: string): Promise<{ status: number; body: string; cut: boolean; ms: number; headers: Headers | undefined }> {
  const started = Date.now();
  let status = 0;
  let headers: Headers | undefined;
  let body = '';
  try {
    const res = await fetch(url);
    ({ status, headers } = res);
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      body += new TextDecoder().decode(value);
    }
    return { status, body, cut: false, ms: Date.now() - started, headers };
  } catch {
    return { status, body, cut: true, ms: Date.now() - started, headers };
  }
}

describe('bun executable: the limits Bun can honour, and the refusal of the others', () => {
  let exe: string;
  bunProject(LIMITS_APP, "export default { exe: { runtime: 'bun', maxBodySize: 1000, responseTimeout: 30000 } };\n", '1.0.0', (path) => (exe = path));

  test('--response-timeout: an app that never answers gets 504 (and a log line); one in time is unaffected', async () => {
    const running = await startExe(exe, { args: ['--response-timeout', '600'] });
    try {
      const [never, late] = await Promise.all([timedGet(`${running.baseUrl}/never`), timedGet(`${running.baseUrl}/late?ms=100`)]);
      assert.equal(never.status, 504);
      assert.equal(never.body, 'Gateway Timeout: the app did not answer in time\n');
      assert.equal(never.headers?.get('connection'), 'close');
      assert.ok(never.ms >= 550 && never.ms < 3000, `504 after ${never.ms} ms (600 + a sweep of 150)`);
      assert.deepEqual([late.status, late.body], [200, 'late done']);
      assert.match(running.logs(), /GET http:\/\/127\.0\.0\.1:\d+\/never: the app did not answer within responseTimeout \(600 ms\); answered 504/);
    } finally {
      await running.stop();
    }
  });

  test('--stream-idle-timeout: a stalled stream is cut; an app working longer than that is not (its time is responseTimeout\'s)', { timeout: 30_000 }, async () => {
    const running = await startExe(exe, { args: ['--stream-idle-timeout', '1000', '--response-timeout', '0'] });
    try {
      // Bun checks idle connections every few seconds: 1 s of silence is cut within 1-8 s
      // (2.6-4.1 s measured); unpaused, the same timer would cut the 6 s answer too.
      const [pause, late] = await Promise.all([timedGet(`${running.baseUrl}/pause`), timedGet(`${running.baseUrl}/late?ms=6000`)]);
      assert.equal(pause.status, 200);
      assert.ok(pause.cut, `the paused stream was cut (body ${JSON.stringify(pause.body)})`);
      assert.equal(pause.body, 'first ');
      assert.ok(pause.ms >= 900 && pause.ms < 8000, `cut after ${pause.ms} ms`);
      assert.deepEqual([late.status, late.body, late.cut], [200, 'late done', false]);
    } finally {
      await running.stop();
    }
  });

  test('--max-body-size as a flag beats exe.maxBodySize: 413 above it, declared or chunked', async () => {
    const running = await startExe(exe, { args: ['--max-body-size', '100'] });
    try {
      assert.deepEqual(await post(`${running.baseUrl}/size`, Buffer.alloc(100), false), { status: 200, body: '100' });
      assert.equal((await post(`${running.baseUrl}/size`, Buffer.alloc(101), false)).status, 413);
      const chunked = await post(`${running.baseUrl}/size`, Buffer.alloc(900), true).catch((error: Error) => ({ status: 0, body: error.message }));
      assert.equal(chunked.status, 413, `a chunked body of 900 bytes: ${chunked.body}`);
    } finally {
      await running.stop();
    }
  });

  test('a limit flag Bun has no setting for is one PORTICO_EXE_BUN_LIMIT line and exit code 2', () => {
    const cases: [string[], string][] = [
      [['--max-pipelined', '4'], '--max-pipelined is not available with --runtime bun (Bun.serve has no such setting)'],
      [['--headers-timeout=5000'], '--headers-timeout is not available with --runtime bun (Bun.serve has no such setting)'],
      [['--keep-alive-timeout', '1000'], '--keep-alive-timeout is not available with --runtime bun (Bun.serve has one idle timeout per connection, set by --stream-idle-timeout)'],
      [['--stream-idle-timeout', '300000'], "--stream-idle-timeout 300000 is more than Bun.serve's idleTimeout allows (255000 ms; 0: none)"],
    ];
    for (const [args, line] of cases) {
      const run = spawnSync(exe, ['--port', '0', ...args], { encoding: 'utf8', env: {}, timeout: 10_000 });
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stderr, `shop: PORTICO_EXE_BUN_LIMIT: ${line}\n`);
      assert.equal(run.stdout, '', 'nothing listened');
    }
  });

  test('--help lists only the limit flags Bun honours, with the baked defaults', () => {
    const run = spawnSync(exe, ['--help'], { encoding: 'utf8', env: {} });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /\n  --max-body-size <bytes>    largest request body; 413 beyond \(default 1000\)\n/);
    assert.match(run.stdout, /\n  --response-timeout <ms>    time for the app to answer; 504 after \(default 30000; 0: none\)\n/);
    assert.match(run.stdout, /\n  --stream-idle-timeout <ms> longest silence on a connection, idle keep-alive included; whole seconds, at most 255000 \(default 60000; 0: none\)\n/);
    for (const flag of ['--max-header-size', '--headers-timeout', '--request-timeout', '--keep-alive-timeout', '--max-pipelined']) assert.ok(!run.stdout.includes(flag), `${flag} is not listed:\n${run.stdout}`);
  });
});

test('a native addon (.node) is embedded and loads from inside the bun executable', { timeout: 150_000 }, async () => {
  const project = mkdtempSync(join(tmpdir(), 'portico-bun-native-'));
  cleanup.push(project);
  makeHelloAddon(project);
  writeFileSync(join(project, 'app.mjs'), "import addon from 'hello-addon';\nexport default { fetch: () => new Response(addon.hello()) };\n");
  const { exe, dir } = await buildExe('app.mjs', ['--runtime', 'bun'], { cwd: project });
  cleanup.push(dir);
  const running = await startExe(exe);
  try {
    assert.equal(await (await fetch(`${running.baseUrl}/`)).text(), 'native says hi');
  } finally {
    await running.stop();
  }
});

test('--light-response forced on: the app gets portico\'s light Response and Bun.serve still answers', { timeout: 150_000 }, async () => {
  const project = mkdtempSync(join(tmpdir(), 'portico-bun-light-'));
  cleanup.push(project);
  writeFileSync(join(project, 'app.mjs'), "export default { fetch: () => new Response('light ' + (Response !== globalThis.Response), { status: 201, headers: { 'x-a': '1' } }) };\n");
  const { exe, dir } = await buildExe('app.mjs', ['--runtime', 'bun', '--light-response'], { cwd: project });
  cleanup.push(dir);
  const running = await startExe(exe);
  try {
    const res = await fetch(`${running.baseUrl}/`);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-a'), '1');
    assert.equal(await res.text(), 'light true');
  } finally {
    await running.stop();
  }
});

describe('bun executable for other platforms (their Bun from the npm registry)', () => {
  const project = mkdtempSync(join(tmpdir(), 'portico-bun-cross-'));
  cleanup.push(project);
  writeFileSync(join(project, 'app.mjs'), "export default { fetch: (r) => Response.json({ arch: process.arch, path: new URL(r.url).pathname, marker: 'cross-app-7f3a' }) };\n");
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'shop', version: '1.2.3' }));

  test('--platform linux-arm64: an aarch64 ELF that answers under qemu-user', { timeout: 240_000 }, async () => {
    const { exe, dir } = await buildExe('app.mjs', ['--runtime', 'bun', '--platform', 'linux-arm64'], { cwd: project });
    cleanup.push(dir);
    assert.equal(readElf(readFileSync(exe)).machine, 183, 'EM_AARCH64');
    const sysroot = '/usr/aarch64-linux-gnu';
    const child = spawn('qemu-aarch64', ['-L', sysroot, exe, '--port', '0'], { env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = stopper(child, 2000);
    try {
      const { match: url } = await awaitOutput(child, /listening on (http:\/\/\S+)/, 'the arm64 bun executable under qemu (apt-get install qemu-user libc6-arm64-cross)', 90_000);
      assert.deepEqual(await (await fetch(`${url}/hello`)).json(), { arch: 'arm64', path: '/hello', marker: 'cross-app-7f3a' });
    } finally {
      await stop();
    }
  });

  test('--platform win-x64: a PE32+ x64 file named .exe holding the app', { timeout: 240_000 }, async () => {
    const { exe, dir } = await buildExe('app.mjs', ['--runtime', 'bun', '--platform', 'win-x64'], { cwd: project });
    cleanup.push(dir);
    assert.match(exe, /shop\.exe$/);
    const file = readFileSync(exe);
    const pe = readPe(file);
    assert.equal(pe.machine, 0x8664, 'IMAGE_FILE_MACHINE_AMD64');
    assert.ok(pe.pe32plus);
    assert.ok(file.includes('cross-app-7f3a'), 'the bundled app is inside');
  });
});

/** Run `portico bundle app.mjs --target exe ...args` in a project without bun; resolves with the exit code and stderr. */
function bundle(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, 'bundle', 'app.mjs', '--target', 'exe', '--outdir', join(cwd, 'dist'), ...args], { cwd, env }, (_e, _o, stderr) =>
      resolve({ code: child.exitCode ?? -1, stderr }),
    );
  });
}

describe('bun executable: build errors, one line each with the fix', () => {
  const project = mkdtempSync(join(tmpdir(), 'portico-bun-errors-'));
  cleanup.push(project);
  writeFileSync(join(project, 'app.mjs'), "export default { fetch: () => new Response('hi') };\n");
  const { PORTICO_BUN: _bun, ...withoutBun } = process.env;

  test('an unknown runtime names the known ones', async () => {
    const { code, stderr } = await bundle(project, ['--runtime', 'deno'], process.env);
    assert.equal(code, 1);
    assert.match(stderr.trim(), /^portico bundle: PORTICO_BAD_OPTION: .*exe\.runtime.*"node" or "bun"/);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  });

  test('--runtime without --target exe is a usage error', async () => {
    const child = spawnSync(process.execPath, [CLI, 'bundle', 'app.mjs', '--target', 'node', '--runtime', 'bun', '--outdir', join(project, 'dist')], { cwd: project, encoding: 'utf8' });
    assert.equal(child.status, 2);
    assert.match(child.stderr, /--runtime is an option of --target exe/);
  });

  test('no Bun anywhere (no PORTICO_BUN, no bun package, empty cache, registry unreachable)', async () => {
    const { code, stderr } = await bundle(project, ['--runtime', 'bun'], {
      ...withoutBun,
      XDG_CACHE_HOME: mkdtempSync(join(project, 'cache-')),
      PORTICO_NPM_REGISTRY: 'http://127.0.0.1:9', // discard port: nothing listens
    });
    assert.equal(code, 1);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, /^portico bundle: PORTICO_EXE_OFFLINE: no Bun for --runtime bun: .*npm i -D bun.*no @oven\/bun-linux-x64 for Bun 1 is cached/);
  });

  test('an exe.* limit Bun has no setting for fails the build, one line', async () => {
    const limited = mkdtempSync(join(tmpdir(), 'portico-bun-limit-build-'));
    cleanup.push(limited);
    writeFileSync(join(limited, 'app.mjs'), "export default { fetch: () => new Response('hi') };\n");
    writeFileSync(join(limited, 'bundle.config.ts'), 'export default { exe: { maxPipelined: 4 } };\n');
    const { code, stderr } = await bundle(limited, ['--runtime', 'bun'], process.env);
    assert.equal(code, 1);
    assert.equal(stderr, 'portico bundle: PORTICO_EXE_BUN_LIMIT: exe.maxPipelined is not available with --runtime bun (Bun.serve has no such setting)\n');
    // An idle timeout beyond Bun's 255 s, with runtime bun from the config rather than the flag.
    writeFileSync(join(limited, 'bundle.config.ts'), "export default { exe: { runtime: 'bun', streamIdleTimeout: 600000 } };\n");
    const long = await bundle(limited, [], process.env);
    assert.equal(long.code, 1);
    assert.match(long.stderr, /^portico bundle: PORTICO_EXE_BUN_LIMIT: exe\.streamIdleTimeout 600000 is more than Bun\.serve's idleTimeout allows \(255000 ms; 0: none\)\n$/);
  });

  test('PORTICO_BUN naming a missing file', async () => {
    const { code, stderr } = await bundle(project, ['--runtime', 'bun'], { ...withoutBun, PORTICO_BUN: join(project, 'no-such-bun') });
    assert.equal(code, 1);
    assert.match(stderr.trim(), /^portico bundle: PORTICO_EXE_BUN: PORTICO_BUN names .*no-such-bun, which does not exist; point it at a Bun executable, or unset it$/);
  });
});
