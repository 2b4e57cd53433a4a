/**
 * Run a CLI-built Cloudflare bundle (`<dir>/cloudflare/worker.js` + wrangler.json) in real
 * workerd through Miniflare: what the cloudflare conformance shim and the apps tests share.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startWorkerd } from '../../adapters/cloudflare/build/dev.ts';
import type { RunningTarget } from './suite.ts';

/**
 * Start the worker built into `dir`; `stop()` closes workerd and removes `dir`.
 *
 * @example
 * const target = await startBuiltWorker('/tmp/build');
 * await fetch(`${target.baseUrl}/`);
 * await target.stop();
 */
export async function startBuiltWorker(dir: string): Promise<RunningTarget> {
  let logs = '';
  const worker = await startWorkerd(join(dir, 'cloudflare'), {
    onLog: (level, message) => {
      logs += `${level}: ${message}\n`;
    },
  });
  return {
    baseUrl: worker.url.origin,
    logs: () => logs,
    async stop() {
      await worker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
