/**
 * The generated systemd units work as written: the app is started the way its
 * portico-<name>.socket would start portico-<name>.service (systemd-socket-activate listening
 * on the unit's ListenStream, then running its ExecStart with LISTEN_FDS and the unit's
 * Environment, in its WorkingDirectory), behind nginx running the generated nginx files verbatim.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { buildClassic, type BuiltApp } from './classic-app.ts';
import { requireBinary, startNginx, type RunningPeer } from './peers.ts';
import { FIXTURE_APP } from '../conformance/suite.ts';

/** `Key=value` lines of a unit file, in order (keys may repeat). */
function unitEntries(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]);
}

for (const transport of ['fastcgi', 'scgi'] as const) {
  describe(`systemd units of the ${transport} target`, { timeout: 120_000 }, () => {
    let app: BuiltApp;
    let peer: RunningPeer | undefined;
    let stopApp = async (): Promise<void> => {};
    let appLogs = '';

    before(async () => {
      requireBinary('/usr/bin/systemd-socket-activate', 'systemd');
      // The socket in the test's folder (the default is /run/portico/<name>.sock); systemd's
      // LISTEN_FDS wins over the address baked in, so this is socket activation all the same.
      app = await buildClassic(FIXTURE_APP, transport, { basePath: '/mnt', options: (dir) => ({ name: 'units-test', socket: join(dir, 'units-test.sock') }) });
      const socket = join(app.dir, 'units-test.sock');
      const socketUnit = unitEntries(readFileSync(join(app.dist, 'portico-units-test.socket'), 'utf8'));
      const service = unitEntries(readFileSync(join(app.dist, 'portico-units-test.service'), 'utf8'));
      assert.deepEqual(socketUnit.filter(([k]) => k === 'ListenStream'), [['ListenStream', socket]]);
      const exec = service.find(([k]) => k === 'ExecStart')![1].split(' ');
      const cwd = service.find(([k]) => k === 'WorkingDirectory')![1];
      const env = service.filter(([k]) => k === 'Environment').map(([, v]) => ['-E', v]).flat();
      const child = spawn('/usr/bin/systemd-socket-activate', ['-l', socket, ...env, ...exec], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (c: Buffer) => (appLogs += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (appLogs += c.toString()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      stopApp = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      };
      // systemd-socket-activate binds the socket first, then waits for the first connection.
      for (const end = Date.now() + 10_000; !existsSync(socket); await sleep(20)) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`systemd-socket-activate did not create ${socket}:\n${appLogs}`);
      }
      peer = await startNginx(app.dir, {
        http: transport === 'fastcgi' ? `include ${app.dist}/nginx-upstream.conf;` : '',
        server: `location / { return 404; }\ninclude ${app.dist}/nginx.conf;`,
      });
    });

    after(async () => {
      await peer?.stop();
      await stopApp();
      if (app) rmSync(app.dir, { recursive: true, force: true });
    });

    it('the first request starts the app on the socket systemd passes, and it answers', async () => {
      const res = await fetch(`${peer!.baseUrl}/mnt/ctx`);
      const body = await res.text();
      assert.equal(res.status, 200, `${body}\n${appLogs}\n${peer!.logs()}`);
      assert.equal(JSON.parse(body).gateway, transport);
      assert.match(appLogs, /listening on .*(systemd|fd 3)/i);
    });

    it('SIGTERM stops the socket-activated app', async () => {
      await stopApp();
      assert.doesNotMatch(appLogs, /Error/);
    });
  });
}
