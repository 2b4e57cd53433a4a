/**
 * The exe target's shim: build the fixture into a single executable with the real CLI
 * (`portico bundle --target exe --base-path /mnt`), copy it alone into an empty folder, start it
 * with an empty environment (no PATH: no node to fall back on) on 127.0.0.1 and a free port,
 * and run the conformance suite against it over HTTP.
 */
import { rmSync } from 'node:fs';
import { buildExe, startExe } from '../exe/exe-process.ts';
import { FIXTURE_APP, runConformance } from './suite.ts';

runConformance({
  name: 'exe (single executable, empty environment)',
  capabilities: { gateway: 'exe' },
  // A cold cache downloads the ~50 MB base binary first.
  startTimeout: 150_000,
  async start({ basePath }) {
    const { exe, dir } = await buildExe(FIXTURE_APP, ['--base-path', basePath]);
    try {
      const running = await startExe(exe);
      return { ...running, stop: async () => { await running.stop(); rmSync(dir, { recursive: true, force: true }); } };
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  },
});
