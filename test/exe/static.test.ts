/**
 * public/ inside the executable: the static project of test/static/fixture.ts built with
 * `--target exe --base-path /shop`, copied alone into an empty folder (no public/ beside it),
 * run with an empty environment, and the shared static cases run against it over HTTP. The
 * executable holds the served files and none of the hidden ones.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { staticCases, type StaticTarget } from '../static/cases.ts';
import { CACHE_CONTROL, makeProject } from '../static/fixture.ts';
import { buildExe, startExe } from './exe-process.ts';

describe('exe with public/', () => {
  const project = makeProject();
  let exe: string;
  let outDir: string;
  let running: Awaited<ReturnType<typeof startExe>>;
  let target: StaticTarget;
  before(async () => {
    writeFileSync(join(project, 'bundle.config.ts'), `export default { exe: { staticCacheControl: ${JSON.stringify(CACHE_CONTROL)} } };\n`);
    ({ exe, dir: outDir } = await buildExe('app.mjs', ['--base-path', '/shop'], { cwd: project }));
    running = await startExe(exe);
    target = { port: Number(new URL(running.baseUrl).port), base: '/shop', strongEtags: true };
  }, { timeout: 150_000 });
  after(async () => {
    await running?.stop();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  staticCases('exe', () => target);

  test('the executable holds the served files and no hidden ones', () => {
    const bytes = readFileSync(exe);
    assert.ok(bytes.includes('Contact: x'), '.well-known/security.txt is embedded');
    for (const secret of ['SECRET=1', 'SECRET=2', 'SECRET=3']) assert.ok(!bytes.includes(secret), `${secret} must not be embedded`);
  });
});
