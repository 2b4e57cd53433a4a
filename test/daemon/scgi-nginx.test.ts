/**
 * Daemon mode of the scgi server.mjs behind nginx's scgi_pass (the generated nginx.conf included
 * as written): it shares the fastcgi main (adapters/_cgi/start.ts), so this checks what differs,
 * a connection per request: both workers answer, and SIGHUP under load fails no request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildClassic, type BuiltApp } from '../classic/classic-app.ts';
import { startNginx, type RunningPeer } from '../classic/peers.ts';
import { answeringPids, childPids, get, reloadUnderLoad, startServer, workersOf } from './processes.ts';

let app: BuiltApp;
let nginx: RunningPeer;

before(async () => {
  app = await buildClassic(new URL('./app.ts', import.meta.url).pathname, 'scgi', { options: (dir) => ({ socket: join(dir, 'app.sock') }) });
  nginx = await startNginx(app.dir, { server: `include ${app.dist}/nginx.conf;` });
});
after(async () => {
  await nginx?.stop();
  if (app) rmSync(app.dir, { recursive: true, force: true });
});

describe('scgi --workers behind nginx', { timeout: 60_000 }, () => {
  it('both workers answer, and SIGHUP under load replaces them with zero failed requests', async () => {
    const server = await startServer(join(app.dist, 'server.mjs'), [], { PORTICO_WORKERS: '2' });
    try {
      const before = await workersOf(server.pid);
      const result = await reloadUnderLoad(server, () => get(`${nginx.baseUrl}/slow?ms=30`), 8);
      assert.match(server.logs(), /reload done: 2 workers replaced/);
      assert.equal(result.failed, 0, `failed: ${result.errors.join('; ')}`);
      const after = childPids(server.pid);
      assert.deepEqual(after.filter((p) => before.includes(p)), []);
      assert.ok(before.some((pid) => result.bodies.has(String(pid))), 'the old workers served');
      assert.deepEqual(await answeringPids(() => get(`${nginx.baseUrl}/slow?ms=50`), after), after, 'the new workers serve');
    } finally {
      await server.stop();
    }
  });
});
