/**
 * A native addon inside the executable, and a start that leaves undici unloaded: an app that
 * requires a compiled N-API addon (test/native-addon.ts) and reports which undici modules node
 * has loaded, built with the real CLI and run alone in an empty folder. The addon is written
 * once to <cache>/portico/native/<hash>/ and reused by the next start; nothing appears beside
 * the executable.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeHelloAddon } from '../native-addon.ts';
import { buildExe, startExe } from './exe-process.ts';
import { seaExecArgv } from '../../adapters/exe/build/sea.ts';

const project = mkdtempSync(join(tmpdir(), 'portico-exe-native-'));
const cache = mkdtempSync(join(tmpdir(), 'portico-exe-cache-'));
const cleanup: string[] = [project, cache];
after(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

test('an embedded addon loads from the user cache, the first response needs no undici, and the executable starts with its execArgv', { timeout: 150_000 }, async () => {
  makeHelloAddon(project);
  writeFileSync(
    join(project, 'app.mjs'),
    `import addon from 'hello-addon';
export default {
  fetch(request, env, ctx) {
    const undici = process.moduleLoadList.filter((m) => /undici/.test(m));
    return new Response(JSON.stringify({ addon: addon.hello(), undici, gateway: ctx.gateway, execArgv: process.execArgv }), { headers: { 'content-type': 'application/json' } });
  },
};
`,
  );
  const { exe, dir } = await buildExe('app.mjs', [], { cwd: project });
  cleanup.push(dir);
  const env = { XDG_CACHE_HOME: cache };

  const first = await startExe(exe, { env });
  let written: string;
  try {
    const body = await (await fetch(`${first.baseUrl}/`)).json();
    // The SEA config's execArgv (adapters/exe/build/sea.ts seaExecArgv): no scavenge before the first response.
    assert.deepEqual(body, { addon: 'native says hi', undici: [], gateway: 'exe', execArgv: seaExecArgv(process.versions.node) });
    assert.ok(Number(process.versions.node.split('.')[0]) < 24 || body.execArgv.includes('--min-semi-space-size=2'));
    const hashes = readdirSync(join(cache, 'portico/native'));
    assert.equal(hashes.length, 1);
    assert.match(hashes[0]!, /^[0-9a-f]{12}$/);
    written = join(cache, 'portico/native', hashes[0]!, 'hello.node');
    assert.deepEqual(readdirSync(first.folder), [exe.split('/').at(-1)], 'nothing written beside the executable');
  } finally {
    await first.stop();
  }

  const mtime = statSync(written).mtimeMs;
  const second = await startExe(exe, { env });
  try {
    assert.equal((await (await fetch(`${second.baseUrl}/`)).json()).addon, 'native says hi');
    assert.equal(statSync(written).mtimeMs, mtime, 'the second start reuses the extracted addon');
  } finally {
    await second.stop();
  }
});
