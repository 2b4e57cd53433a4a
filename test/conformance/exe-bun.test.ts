/**
 * The bun executable's shim: build the fixture with the real CLI (`portico bundle --target exe
 * --runtime bun --base-path /mnt`), copy it alone into an empty folder, start it with an empty
 * environment on 127.0.0.1 and a free port, and run the conformance suite against it over HTTP.
 * The Bun that builds it is PORTICO_BUN (.ci/run sets it), else the repository's `bun`
 * devDependency, else a download from the npm registry: never a skip.
 */
import { rmSync } from 'node:fs';
import { buildExe, startExe } from '../exe/exe-process.ts';
import { FIXTURE_APP, runConformance } from './suite.ts';

runConformance({
  name: 'exe --runtime bun (Bun.serve, empty environment)',
  capabilities: { gateway: 'exe' },
  // A cold cache downloads the ~45 MB Bun first.
  startTimeout: 150_000,
  async start({ basePath }) {
    const { exe, dir } = await buildExe(FIXTURE_APP, ['--runtime', 'bun', '--base-path', basePath]);
    try {
      const running = await startExe(exe);
      return { ...running, stop: async () => { await running.stop(); rmSync(dir, { recursive: true, force: true }); } };
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  },
});
