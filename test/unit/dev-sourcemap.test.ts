/**
 * `portico dev` maps stack traces to the sources: an error thrown by the app (two files deep,
 * TypeScript) logs a stack whose frames name the source files and lines, not the dev bundle.
 * The real CLI, on the node target and on the lambda target (both load each build in-process).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitOutput } from '../child-output.ts';

const CLI = new URL('../../bin/portico.mjs', import.meta.url).pathname;

// Line 4, column 9 is the `throw`; types before it move the bundle's columns and lines away.
const ROUTES = `interface Route { path: string; status: number }
export function boom(path: string): Response {
  const route: Route = { path, status: 500 };
  throw new Error(\`no route for \${route.path}\`);
}
`;
const APP = `import { boom } from './routes.ts';
type Env = Record<string, string>;
export default { fetch(request: Request, _env: Env) { return boom(new URL(request.url).pathname); } };
`;

for (const target of ['node', 'lambda']) {
  test(`dev --target ${target}: an app error's stack names src/routes.ts:4:9 and src/app.ts:3`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-dev-map-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/routes.ts'), ROUTES);
    writeFileSync(join(dir, 'src/app.ts'), APP);
    const child = spawn(process.execPath, [CLI, 'dev', '--target', target, '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });
    const { match: url, logs } = await awaitOutput(child, /portico dev \(\w+\): (http:\/\/\S+)/, 'portico dev', 30_000);
    const res = await fetch(`${url}missing`);
    assert.equal(res.status, 500);
    await res.text();
    const deadline = Date.now() + 5000;
    while (!/no route for \/missing[\s\S]*src\/app\.ts/.test(logs()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const stack = logs().slice(logs().indexOf('no route for /missing'));
    const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
    assert.match(frames[0] ?? '', new RegExp(`at boom \\(${join(dir, 'src/routes.ts')}:4:9\\)`), stack);
    assert.match(frames[1] ?? '', new RegExp(`${join(dir, 'src/app.ts')}:3:\\d+\\)`), stack);
    assert.doesNotMatch(frames.slice(0, 2).join('\n'), /\.portico[\\/]dev/);
  });
}
