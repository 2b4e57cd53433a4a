/**
 * `portico dev --target fastcgi|scgi|cgi` from a temp project, through the real CLI and a real
 * web server running the config files dev writes (.portico/dev/<t>/), before and after a save:
 * fastcgi and scgi behind nginx on the socket bundle.config.ts names (kept open across the
 * restart, with requests sent all through it and none failing), cgi under lighttpd mod_cgi.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { awaitOutput, stopper } from '../child-output.ts';
import { cgiFcgi, meta } from './fcgi-client.ts';
import { freePort, startLighttpd, startNginx, type RunningPeer } from './peers.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;

// Line 3 throws: dev builds carry source maps, so the logged stack names app.ts:3.
const appSource = (version: string): string => `export default {
  fetch(request, env, ctx) {
    if (request.url.endsWith('/boom')) throw new Error('boom from app.ts');
    return new Response(${JSON.stringify(version)} + ' ' + ctx.gateway + ' ' + ctx.basePath + ' ' + new URL(request.url).pathname);
  },
};
`;

/** A temp project with app.ts (answering `v1 ...`), public/hello.txt and the target's socket or shebang. */
function project(transport: string): string {
  const dir = mkdtempSync(join(tmpdir(), `portico-dev-${transport}-`));
  writeFileSync(join(dir, 'app.ts'), appSource('v1'));
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'public', 'hello.txt'), 'static hello\n');
  // fastcgi's config asks for workers, which dev leaves aside: it runs each build as one process.
  const options = transport === 'cgi' ? { shebang: `#!${process.execPath}` } : { socket: join(dir, 'app.sock'), ...(transport === 'fastcgi' ? { workers: 3 } : {}) };
  writeFileSync(join(dir, 'bundle.config.ts'), `export default ${JSON.stringify({ basePath: '/shop', [transport]: options })};\n`);
  return dir;
}

/** One GET on a fresh connection: status and body. */
function get(url: string, agent?: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: agent ?? false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

/** Start `portico dev --target <t>` in `dir`; resolves once the first build serves and its notes are printed. */
async function startDevCli(dir: string, transport: string, flags: string[] = []) {
  const child = spawn(process.execPath, [CLI, 'dev', '--target', transport, ...flags], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = stopper(child);
  try {
    const { match, logs } = await awaitOutput(child, new RegExp(`portico dev \\(${transport}\\): (\\S+)[\\s\\S]*lighttpd: include`), 'portico dev', 60_000);
    return { child, address: match, logs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Poll until `check` passes (a rebuild lands within a second or two). */
async function eventually(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// fastcgi on the socket bundle.config.ts names; scgi on the one --socket names instead.
for (const transport of ['fastcgi', 'scgi'] as const) {
  const flagSocket = transport === 'scgi';
  test(`portico dev --target ${transport}: nginx on the ${flagSocket ? '--socket' : 'configured socket'}, the app restarted on save with no request failing`, { timeout: 120_000 }, async () => {
    const dir = project(transport);
    const socket = join(dir, flagSocket ? 'flag.sock' : 'app.sock');
    const dev = await startDevCli(dir, transport, flagSocket ? ['--socket', socket] : []);
    let peer: RunningPeer | undefined;
    try {
      assert.equal(dev.address, `unix:${socket}`);
      assert.equal(existsSync(join(dir, 'app.sock')), flagSocket ? false : true, 'the flag wins over the configured socket');
      const out = join(dir, '.portico', 'dev', transport);
      assert.match(dev.logs(), new RegExp(`nginx: +include ${out.replaceAll('/', '\\/')}`), 'it names the config to include');
      peer = await startNginx(dir, {
        http: transport === 'fastcgi' ? `include ${out}/nginx-upstream.conf;` : '',
        server: `include ${out}/nginx.conf;`,
      });
      const url = (path: string): string => `${peer!.baseUrl}/shop${path}`;
      assert.deepEqual(await get(url('/x')), { status: 200, body: `v1 ${transport} /shop /x` });
      assert.deepEqual(await get(url('/hello.txt')), { status: 200, body: 'static hello\n' }, 'nginx serves the source public/ folder');

      // Requests without pause, on kept-alive client connections, while the app is saved and restarted.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      const seen = new Map<string, number>();
      let failures: string[] = [];
      let running = true;
      const load = Promise.all(
        Array.from({ length: 4 }, async () => {
          while (running) {
            const res = await get(url('/x'), agent).catch((e: Error) => ({ status: 0, body: e.message }));
            if (res.status !== 200) failures.push(`${res.status} ${res.body}`);
            seen.set(res.body, (seen.get(res.body) ?? 0) + 1);
          }
        }),
      );
      await sleep(300);
      writeFileSync(join(dir, 'app.ts'), appSource('v2'));
      await eventually(async () => (seen.get(`v2 ${transport} /shop /x`) ?? 0) > 20, 'v2 to be served');
      running = false;
      await load;
      agent.destroy();
      assert.deepEqual(failures, [], `requests failed across the restart:\n${dev.logs()}\n${peer.logs()}`);
      assert.ok((seen.get(`v1 ${transport} /shop /x`) ?? 0) > 0, 'v1 served before the save');
      assert.match(dev.logs(), /✓ reloaded/);
      assert.doesNotMatch(dev.logs(), /worker/, 'dev runs each build as one process, whatever the config says of workers');
      // Only the socket nginx connects to gets the socketMode note, never a build's private one.
      assert.deepEqual(dev.logs().match(/note: unix:\S+/g), [`note: unix:${socket}`]);
      failures = [];
    } finally {
      await peer?.stop();
      await dev.stop();
      assert.equal(dev.child.exitCode, 0, dev.logs());
      assert.equal(existsSync(socket), false, 'the socket is removed on exit');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('portico dev --target cgi: lighttpd runs the rebuilt app.cgi after a save, and serves public/ itself', { timeout: 120_000 }, async () => {
  const dir = project('cgi');
  const dev = await startDevCli(dir, 'cgi');
  let peer: RunningPeer | undefined;
  try {
    const out = join(dir, '.portico', 'dev', 'cgi');
    assert.equal(dev.address, join(out, 'app.cgi'));
    peer = await startLighttpd(dir, `include "${out}/lighttpd.conf"`);
    const url = (path: string): string => `${peer!.baseUrl}/shop${path}`;
    assert.deepEqual(await get(url('/x')), { status: 200, body: 'v1 cgi /shop /x' });
    assert.deepEqual(await get(url('/hello.txt')), { status: 200, body: 'static hello\n' });
    assert.equal((await get(url('/boom'))).status, 500);
    await eventually(async () => /boom from app\.ts/.test(peer!.logs()), 'the error in lighttpd\'s log');
    assert.match(peer.logs(), new RegExp(`boom from app\\.ts \\(at .*${join(dir, 'app.ts').replaceAll('/', '\\/')}:3:`), 'the stack names the source, not app.cgi');
    writeFileSync(join(dir, 'app.ts'), appSource('v2'));
    await eventually(async () => (await get(url('/x'))).body === 'v2 cgi /shop /x', 'the rebuilt app.cgi');
    assert.match(readFileSync(join(out, 'lighttpd.conf'), 'utf8'), new RegExp(join(dir, 'public').replaceAll('/', '\\/')), 'the config names the source public/');
  } finally {
    await peer?.stop();
    await dev.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('portico dev --target fastcgi --port: serves there (not on the configured socket), the written configs say so, and a thrown error names app.ts', { timeout: 120_000 }, async () => {
  const dir = project('fastcgi');
  const port = await freePort();
  const dev = await startDevCli(dir, 'fastcgi', ['--port', String(port)]);
  try {
    assert.equal(dev.address, `127.0.0.1:${port}`);
    assert.equal(existsSync(join(dir, 'app.sock')), false, 'the configured socket is not bound');
    const out = join(dir, '.portico', 'dev', 'fastcgi');
    assert.match(readFileSync(join(out, 'nginx-upstream.conf'), 'utf8'), new RegExp(`server 127\\.0\\.0\\.1:${port}\\b`));
    assert.match(readFileSync(join(out, 'lighttpd.conf'), 'utf8'), new RegExp(`"port" => ${port}\\b`));
    const reply = await cgiFcgi(`127.0.0.1:${port}`, meta('/shop/x', { SCRIPT_NAME: '/shop' }));
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), 'v1 fastcgi /shop /x');
    assert.equal((await cgiFcgi(`127.0.0.1:${port}`, meta('/shop/boom', { SCRIPT_NAME: '/shop' }))).status, 500);
    await eventually(async () => /boom from app\.ts/.test(dev.logs()), 'the error in the dev log');
    assert.match(dev.logs(), new RegExp(`boom from app\\.ts \\(at .*${join(dir, 'app.ts').replaceAll('/', '\\/')}:3:`), 'the stack names the source, not server.mjs');
  } finally {
    await dev.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('portico dev --target cgi --port: refused with one line naming the fix', { timeout: 60_000 }, async () => {
  const dir = project('cgi');
  try {
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'dev', '--target', 'cgi', '--port', '9000'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
    assert.notEqual(result.code, 0);
    assert.match(result.output, /PORTICO_BAD_FLAG: portico dev --target cgi takes no --port or --host/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
