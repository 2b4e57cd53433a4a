/**
 * The node target's shim: bundle the fixture with the real CLI (`portico bundle --target node
 * --base-path /mnt`), start the built `server.mjs` as its own process on an ephemeral loopback
 * port, and run the conformance suite against it over HTTP.
 *
 * PORTICO_TEST_NODE=/path/to/node runs the built bundle on another Node (e.g. 20 or 22, which
 * bundles must support); the toolchain that builds it stays the current one.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BASE_PATH, FIXTURE_APP, runConformance } from './suite.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;
const runtime = process.env.PORTICO_TEST_NODE || process.execPath;

runConformance({
  name: `node (bundled server.mjs${runtime === process.execPath ? '' : ` on ${runtime}`})`,
  capabilities: { gateway: 'node' },
  async start({ basePath }) {
    // A fresh folder as the working directory, so no bundle.config.ts of the repo applies.
    const dir = mkdtempSync(join(tmpdir(), 'portico-conformance-node-'));
    await promisify(execFile)(process.execPath, [CLI, 'bundle', FIXTURE_APP, '--target', 'node', '--outdir', dir, '--base-path', basePath], { cwd: dir });

    const child = spawn(runtime, [join(dir, 'node', 'server.mjs'), '--port', '0', '--host', '127.0.0.1'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server.mjs did not say where it listens within 10 s:\n${logs}`)), 10_000);
      const onData = (chunk: Buffer): void => {
        logs += chunk.toString();
        const m = /listening on (http:\/\/[^\s/]+)/.exec(logs);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server.mjs exited (${code ?? signal}) before listening:\n${logs}`));
      });
    });

    return {
      baseUrl,
      logs: () => logs,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

export { BASE_PATH };
