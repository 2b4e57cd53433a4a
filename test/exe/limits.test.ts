/**
 * The executable takes the node server's limits: from bundle.config.ts (`exe: {...}`, baked in)
 * and from the same flags as server.mjs, which win; `--help` lists them with the baked values.
 * One executable built with the real CLI, run alone in an empty folder with an empty
 * environment, each limit seen over HTTP (a 504, a 413).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { buildExe, startExe } from './exe-process.ts';

const project = mkdtempSync(join(tmpdir(), 'portico-exe-limits-'));
// '/slow' answers after 1.5 s, later than the baked responseTimeout.
writeFileSync(
  join(project, 'app.mjs'),
  `export default { async fetch(request) {
  if (new URL(request.url).pathname === '/slow') await new Promise((r) => setTimeout(r, 1500));
  return new Response('read ' + (await request.arrayBuffer()).byteLength);
} };
`,
);
writeFileSync(join(project, 'bundle.config.mjs'), 'export default { exe: { responseTimeout: 300, maxBodySize: 1000 } };\n');

let exe: string;
let outDir: string;
before(async () => {
  ({ exe, dir: outDir } = await buildExe('app.mjs', [], { cwd: project }));
}, { timeout: 150_000 });
after(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

test('baked limits apply: exe.responseTimeout gives a 504, exe.maxBodySize a 413', async () => {
  const running = await startExe(exe);
  try {
    const slow = await fetch(`${running.baseUrl}/slow`);
    assert.equal(slow.status, 504);
    await slow.arrayBuffer();
    const big = await fetch(`${running.baseUrl}/`, { method: 'POST', body: 'x'.repeat(1001) });
    assert.equal(big.status, 413);
    await big.arrayBuffer();
    const fits = await fetch(`${running.baseUrl}/`, { method: 'POST', body: 'x'.repeat(1000) });
    assert.equal(await fits.text(), 'read 1000');
  } finally {
    await running.stop();
  }
});

test('flags beat the baked limits, as for server.mjs', async () => {
  const running = await startExe(exe, { args: ['--response-timeout', '0', '--max-body-size=10'] });
  try {
    const slow = await fetch(`${running.baseUrl}/slow`);
    assert.equal(slow.status, 200, '--response-timeout 0: no limit');
    assert.equal(await slow.text(), 'read 0');
    const big = await fetch(`${running.baseUrl}/`, { method: 'POST', body: 'x'.repeat(11) });
    assert.equal(big.status, 413);
    await big.arrayBuffer();
  } finally {
    await running.stop();
  }
});

test('--help lists the limit flags with the baked values; a bad one exits 2 with one line', async () => {
  const { stdout } = await promisify(execFile)(exe, ['--help'], { env: {} });
  assert.match(stdout, /\n {2}--response-timeout <ms> {4}time for the app to answer; 504 after \(default 300; 0: none\)\n/);
  assert.match(stdout, /--max-body-size <bytes> {4}largest request body; 413 beyond \(default 1000\)/);
  assert.match(stdout, /--headers-timeout <ms> {5}time to send the request head; 408 and closed after \(default 20000\)/);
  for (const [args, message] of [
    [['--response-timeout', 'soon'], /^app: --response-timeout must be a whole number, got "soon"\n$/],
    [['--max-pipelined', '0'], /^app: PORTICO_BAD_OPTION: .*maxPipelined.*\n$/],
  ] as const) {
    const failed = await promisify(execFile)(exe, [...args], { env: {} }).then(
      () => assert.fail(`${args.join(' ')} should fail`),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(failed.code, 2, args.join(' '));
    assert.match(failed.stderr, message);
  }
});
