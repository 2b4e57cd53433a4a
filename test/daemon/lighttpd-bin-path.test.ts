/**
 * Daemon mode under lighttpd's "bin-path": lighttpd starts the fastcgi server.mjs itself and
 * hands it the listening socket on fd 0 (the generated lighttpd.conf, its commented bin-path
 * line uncommented, nothing else changed). With `workers: 2` in bundle.config.ts the process
 * lighttpd started becomes the primary, two workers answer on that inherited socket, and
 * stopping lighttpd ends the primary and its workers with it.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClassic, type BuiltApp } from '../classic/classic-app.ts';
import { startLighttpd, type RunningPeer } from '../classic/peers.ts';
import { get, titleOf, until } from './processes.ts';

const APP = new URL('./app.ts', import.meta.url).pathname;
let app: BuiltApp;
let lighttpd: RunningPeer | undefined;

before(async () => {
  app = await buildClassic(APP, 'fastcgi', { options: (dir) => ({ socket: join(dir, 'app.sock'), workers: 2, name: 'shop' }) });
});
after(async () => {
  await lighttpd?.stop();
  rmSync(app.dir, { recursive: true, force: true });
});

/** The parent pid of `pid`, from /proc. */
function parentOf(pid: number): number {
  // The fields after the command name (which may hold spaces) start with state, then ppid.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('lighttpd starts a primary on fd 0, two workers answer, and stopping lighttpd ends them all', { timeout: 60_000 }, async () => {
  const text = readFileSync(join(app.dist, 'lighttpd.conf'), 'utf8');
  const uncommented = text.replace(/^(\s*)# ("bin-path")/m, '$1$2');
  assert.notEqual(uncommented, text, 'the generated lighttpd.conf has a commented bin-path line');
  const conf = join(app.dir, 'lighttpd-bin-path.conf');
  writeFileSync(conf, uncommented);
  lighttpd = await startLighttpd(app.dir, `include "${conf}"`);

  const seen = new Set<number>();
  await until(async () => {
    for (const pid of await Promise.all(Array.from({ length: 8 }, () => get(`${lighttpd!.baseUrl}/`)))) seen.add(Number(pid));
    return seen.size >= 2;
  }, `two workers answering through lighttpd (seen ${[...seen]})\n${lighttpd.logs()}`, 20_000);
  const workers = [...seen];
  assert.equal(workers.length, 2, `only the two workers answer: ${workers}`);
  const primary = parentOf(workers[0]!);
  assert.equal(parentOf(workers[1]!), primary, 'both workers are children of one primary');
  assert.equal(parentOf(primary), lighttpd.pid, 'the primary is the process lighttpd started');
  assert.match(titleOf(primary), /^portico: primary shop/);
  for (const pid of workers) assert.match(titleOf(pid), /^portico: worker shop/);

  await lighttpd.stop();
  lighttpd = undefined;
  await until(() => ![primary, ...workers].some(alive), 'the primary and its workers to exit with lighttpd', 20_000);
});
