/**
 * What a baked static manifest costs at start, and which way to ship it is cheapest: a JSON
 * string literal parsed at import (`JSON.parse('...')`, what the bundler writes), a .json file
 * beside the bundle read and parsed at import, or a plain object literal. Each way is imported
 * in a fresh node process `--runs` times; the figure is the CPU time of importing the module
 * and building the routes Map (user + system, so other work on the machine barely moves it),
 * against an empty module.
 *
 *   node bench/static-manifest-start.ts [--files 2000] [--runs 21]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { markdownTable, median } from './_lib/stats.ts';

const { values } = parseArgs({ options: { files: { type: 'string', default: '2000' }, runs: { type: 'string', default: '21' } } });
const count = Number(values.files);
const runs = Number(values.runs);
const work = mkdtempSync(join(tmpdir(), 'portico-manifest-start-'));
try {
  const files: Record<string, unknown> = {};
  const tag = (c: string) => `"${c.repeat(27)}"`;
  for (let i = 0; i < count; i++) {
    files[`/assets${i % 20}/chunk-${i}-3f9a2b.js`] = {
      size: 1000 + i,
      etag: tag('x'),
      type: 'text/javascript; charset=utf-8',
      ...(i % 3 === 0 ? { br: { size: 300, etag: tag('y') }, gzip: { size: 400, etag: tag('z') } } : {}),
    };
  }
  const json = JSON.stringify({ version: 1, files });
  writeFileSync(join(work, 'm.json'), json);
  const ways: Record<string, string> = {
    'empty module (baseline)': 'export const m = { files: {} };',
    'JSON.parse of a string literal (baked, what portico writes)': `export const m = JSON.parse(${JSON.stringify(json)});`,
    '.json file beside the bundle, read and parsed': `import { readFileSync } from 'node:fs';\nexport const m = JSON.parse(readFileSync(new URL('./m.json', import.meta.url), 'utf8'));`,
    'object literal': `export const m = ${json};`,
  };
  writeFileSync(
    join(work, 'run.mjs'),
    // CPU time, not wall time: other work on the machine stretches the wall clock, not this.
    `const c0 = process.cpuUsage(); const mod = await import(process.argv[2]); new Map(Object.entries(mod.m.files)); const c = process.cpuUsage(c0); console.log((c.user + c.system) / 1000);\n`,
  );
  const rows: string[][] = [];
  let i = 0;
  for (const [label, source] of Object.entries(ways)) {
    const file = join(work, `way${i++}.mjs`);
    writeFileSync(file, source);
    const times: number[] = [];
    for (let r = 0; r < runs; r++) times.push(Number(execFileSync(process.execPath, [join(work, 'run.mjs'), file], { encoding: 'utf8' })));
    rows.push([label, median(times).toFixed(1), Math.min(...times).toFixed(1)]);
  }
  console.log(`${count} files, manifest ${(json.length / 1024).toFixed(0)} KB of JSON; Node ${process.version}; ${runs} fresh processes each; load average ${loadavg()[0]!.toFixed(2)}\n`);
  console.log(markdownTable(['way', 'import + routes, median CPU ms', 'min CPU ms'], rows));
} finally {
  rmSync(work, { recursive: true, force: true });
}
