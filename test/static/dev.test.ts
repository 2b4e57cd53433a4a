/**
 * `portico dev` serves public/ from the source folder for the node, lambda and exe targets, with the
 * same semantics as the bundles (the shared cases), and sees a file saved while it runs.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDev, type DevSession } from '../../src/dev/dev.ts';
import { send } from '../unit/node-helpers.ts';
import { staticCases, type StaticTarget } from './cases.ts';
import { CACHE_CONTROL, makeProject } from './fixture.ts';

const dir = makeProject();
after(() => rmSync(dir, { recursive: true, force: true }));

for (const target of ['node', 'lambda', 'exe'] as const) {
  describe(`portico dev --target ${target}`, () => {
    let dev: DevSession;
    let running: StaticTarget;
    before(async () => {
      dev = await startDev({ target, entry: 'app.mjs', root: dir, outDir: join(dir, '.portico', target), publicDir: join(dir, 'public'), port: 0, options: { staticCacheControl: CACHE_CONTROL }, log: () => {} });
      running = { port: Number(new URL(dev.url).port), base: '', strongEtags: false };
    });
    after(() => dev?.close());
    staticCases(`dev ${target}`, () => running);

    test(`dev ${target}: a file saved while dev runs is served at once, with its new length`, async () => {
      writeFileSync(join(dir, 'public', `new-${target}.txt`), 'fresh');
      const r = await send(running.port, { path: `/new-${target}.txt` });
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), 'fresh');
      writeFileSync(join(dir, 'public', `new-${target}.txt`), 'fresher, longer');
      const again = await send(running.port, { path: `/new-${target}.txt` });
      assert.equal(again.body.toString(), 'fresher, longer');
      assert.notEqual(again.headers.etag, r.headers.etag);
    });
  });
}
