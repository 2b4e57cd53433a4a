/**
 * The cloudflare target's shim: bundle the fixture with the real CLI (`portico bundle --target
 * cloudflare --base-path /mnt`), run dist/cloudflare (worker.js under its generated
 * wrangler.json) in real workerd through Miniflare on an ephemeral loopback port, and run the
 * conformance suite against it over HTTP.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FIXTURE_APP, runConformance } from './suite.ts';
import { startBuiltWorker } from './worker-process.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;
// Wrangler (which reads wrangler.json for Miniflare) must not phone home in tests.
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' };
Object.assign(process.env, { WRANGLER_SEND_METRICS: 'false', CI: 'true' });

runConformance({
  name: 'cloudflare (bundled worker.js in workerd)',
  capabilities: {
    gateway: 'cloudflare',
    unsupported: {
      // Measured: bytes C3 A9 reach the app as 'é' (one char), a lone E9 as U+FFFD, and a
      // response header char U+00E9 leaves as C3 A9. The raw bytes are gone before JS runs.
      headerBytes: 'workerd decodes request header bytes as UTF-8 (invalid ones become U+FFFD) and encodes response header text as UTF-8',
      // Measured with and without the enable_request_signal flag: Miniflare's entry worker sits
      // between the socket and the app and does not pass the disconnect on.
      clientAbort: "locally, Miniflare's entry worker does not abort the app's request.signal when the client goes away (on Cloudflare this needs the enable_request_signal flag)",
    },
  },
  async start({ basePath }) {
    // A fresh folder as the working directory, so no bundle.config.ts of the repo applies.
    const dir = mkdtempSync(join(tmpdir(), 'portico-conformance-cf-'));
    await promisify(execFile)(process.execPath, [CLI, 'bundle', FIXTURE_APP, '--target', 'cloudflare', '--outdir', dir, '--base-path', basePath], { cwd: dir, env });
    return startBuiltWorker(dir);
  },
});
