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
import { startLighttpd, startNginx, type RunningPeer } from './peers.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;

const appSource = (version: string): string => `export default {
  fetch(request, env, ctx) {
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
  const options = transport === 'cgi' ? { shebang: `#!${process.execPath}` } : { socket: join(dir, 'app.sock') };
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
async function startDevCli(dir: string, transport: string) {
  const child = spawn(process.execPath, [CLI, 'dev', '--target', transport], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
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

for (const transport of ['fastcgi', 'scgi'] as const) {
  test(`portico dev --target ${transport}: nginx on the configured socket, the app restarted on save with no request failing`, { timeout: 120_000 }, async () => {
    const dir = project(transport);
    const dev = await startDevCli(dir, transport);
    let peer: RunningPeer | undefined;
    try {
      assert.equal(dev.address, `unix:${join(dir, 'app.sock')}`);
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
      failures = [];
    } finally {
      await peer?.stop();
      await dev.stop();
      assert.equal(dev.child.exitCode, 0, dev.logs());
      assert.equal(existsSync(join(dir, 'app.sock')), false, 'the socket is removed on exit');
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
    writeFileSync(join(dir, 'app.ts'), appSource('v2'));
    await eventually(async () => (await get(url('/x'))).body === 'v2 cgi /shop /x', 'the rebuilt app.cgi');
    assert.match(readFileSync(join(out, 'lighttpd.conf'), 'utf8'), new RegExp(join(dir, 'public').replaceAll('/', '\\/')), 'the config names the source public/');
  } finally {
    await peer?.stop();
    await dev.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
