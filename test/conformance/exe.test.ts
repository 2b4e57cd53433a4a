/**
 * The exe target's shim, once per runtime inside: build the fixture into a single executable
 * with the real CLI (`portico bundle --target exe [--runtime bun] --base-path /mnt`), copy it
 * alone into an empty folder, start it with an empty environment (no PATH: no node to fall back
 * on) on 127.0.0.1 and a free port, and run the conformance suite against it over HTTP. The Bun
 * that builds the bun one is PORTICO_BUN (.ci/run sets it), else a download: never a skip.
 */
import { rmSync } from 'node:fs';
import { buildExe, startExe } from '../exe/exe-process.ts';
import { FIXTURE_APP, runConformance } from './suite.ts';

for (const [name, args] of [
  ['exe (single executable, empty environment)', []],
  ['exe --runtime bun (Bun.serve, empty environment)', ['--runtime', 'bun']],
] as const) {
  runConformance({
    name,
    capabilities: { gateway: 'exe' },
    // A cold cache downloads the ~50 MB base binary (or the ~45 MB Bun) first.
    startTimeout: 150_000,
    async start({ basePath }) {
      const { exe, dir } = await buildExe(FIXTURE_APP, [...args, '--base-path', basePath]);
      try {
        const running = await startExe(exe);
        return { ...running, stop: async () => { await running.stop(); rmSync(dir, { recursive: true, force: true }); } };
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    },
  });
}
