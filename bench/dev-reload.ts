/**
 * How long `portico dev` takes from a file save to the new code being served (target: ≤ 200 ms).
 * It copies a tiny app to a temp folder, starts `node bin/portico.mjs dev app.ts --port N` there,
 * then rewrites the file `--edits` times; after each write it polls GET / until the new text
 * comes back and records the time since the write. Prints the median, min and max.
 *
 *   node bench/dev-reload.ts [--edits 10] [--poll 5]
 *
 * A script, not a test. It ends the dev server it started (by pid) and removes the temp folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, installCleanup, start, stop, stopAll } from './_lib/processes.ts';
import { median } from './_lib/stats.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_MS = 200;
/** Longest wait for one edit to show before it counts as a failure. */
const EDIT_TIMEOUT_MS = 10_000;

function options(): { edits: number; pollMs: number } {
  let v: { edits: string; poll: string };
  try {
    v = parseArgs({ options: { edits: { type: 'string', default: '10' }, poll: { type: 'string', default: '5' } } }).values as typeof v;
  } catch (err) {
    console.error(`PORTICO_BAD_OPTION: ${(err as Error).message}; usage: node bench/dev-reload.ts [--edits 10] [--poll 5]`);
    process.exit(2);
  }
  const edits = Number(v.edits);
  const pollMs = Number(v.poll);
  if (!Number.isInteger(edits) || edits < 1 || edits > 100) {
    console.error(`PORTICO_BAD_OPTION: --edits must be an integer from 1 to 100, got ${JSON.stringify(v.edits)}`);
    process.exit(2);
  }
  if (!Number.isInteger(pollMs) || pollMs < 1 || pollMs > 1000) {
    console.error(`PORTICO_BAD_OPTION: --poll must be milliseconds from 1 to 1000, got ${JSON.stringify(v.poll)}`);
    process.exit(2);
  }
  return { edits, pollMs };
}

/** The app's source for version `n`: it answers `version n`. */
function appSource(n: number): string {
  return `export default {\n  fetch() {\n    return new Response('version ${n}\\n');\n  },\n};\n`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET `url` until its text is `want`; resolves to the milliseconds since `since`, or NaN at the deadline. */
async function pollUntil(url: string, want: string, since: number, pollMs: number, deadline: number): Promise<number> {
  while (performance.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const text = await res.text();
      if (text === want) return performance.now() - since;
    } catch {
      // restarting: connection refused or reset; try again
    }
    await sleep(pollMs);
  }
  return NaN;
}

async function main(): Promise<void> {
  const { edits, pollMs } = options();
  installCleanup((edits * (EDIT_TIMEOUT_MS + 1000) + 60_000) * 1.5);
  const work = mkdtempSync(join(tmpdir(), 'portico-dev-reload-'));
  const file = join(work, 'app.ts');
  writeFileSync(file, appSource(0));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const dev = start(process.execPath, [join(root, 'bin', 'portico.mjs'), 'dev', file, '--port', String(port)], { cwd: work });
  try {
    console.log(`portico dev reload latency — ${new Date().toISOString()}, Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    const up = await pollUntil(url, 'version 0\n', performance.now(), 50, performance.now() + 30_000);
    if (Number.isNaN(up)) {
      throw new Error(`PORTICO_BENCH_DEV_TIMEOUT: the dev server did not serve version 0 at ${url} within 30 s:\n${dev.stderrTail()}`);
    }
    console.log(`dev server up and serving in ${up.toFixed(0)} ms`);
    const times: number[] = [];
    for (let i = 1; i <= edits; i++) {
      // Let the watcher settle, so each edit is measured on its own, not merged with the last.
      await sleep(400);
      const t0 = performance.now();
      writeFileSync(file, appSource(i));
      const ms = await pollUntil(url, `version ${i}\n`, t0, pollMs, t0 + EDIT_TIMEOUT_MS);
      times.push(ms);
      console.log(`edit ${i}: ${Number.isNaN(ms) ? `not served within ${EDIT_TIMEOUT_MS} ms` : `${ms.toFixed(0)} ms`}`);
    }
    const ok = times.filter((t) => !Number.isNaN(t));
    const m = median(ok);
    console.log('');
    console.log(`| edits | served | median | min | max | target ${TARGET_MS} ms |`);
    console.log('| ---: | ---: | ---: | ---: | ---: | --- |');
    console.log(
      `| ${edits} | ${ok.length} | ${m.toFixed(0)} ms | ${Math.min(...ok).toFixed(0)} ms | ${Math.max(...ok).toFixed(0)} ms | ${ok.length === edits && m <= TARGET_MS ? 'met' : 'MISSED'} |`,
    );
    console.log(`(polling every ${pollMs} ms, so each figure may be up to ${pollMs} ms late; load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
    if (ok.length < edits) process.exitCode = 1;
  } finally {
    await stop(dev);
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
