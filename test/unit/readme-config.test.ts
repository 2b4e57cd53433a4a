/**
 * The README's per-target config tables list exactly the keys each target accepts: the keys a
 * target names in its "unknown option" error (its own list of known keys) against the rows of
 * its table, so neither can change without the other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadTarget } from '../../src/bundle/targets.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The first-column keys of the table that follows the line starting with `` `name` ``. */
function tableKeys(name: string): string[] {
  const start = README.indexOf(`\n\`${name}\` (`);
  assert.ok(start >= 0, `README has a ${name} options table`);
  const lines = README.slice(start + 1).split('\n');
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|')));
  const rows = table.slice(0, table.findIndex((l) => !l.startsWith('|'))).slice(2);
  return rows.map((row) => /^\| `(\w+)` \|/.exec(row)?.[1] ?? assert.fail(`row: ${row}`)).sort();
}

/** The keys the target lists when given one it does not know. */
async function knownKeys(name: string): Promise<string[]> {
  const target = await loadTarget(name);
  try {
    target.resolveOptions!({ notAnOption: 1 });
  } catch (error) {
    const list = /known(?: options)?: ([\w, ]+)/.exec((error as Error).message)?.[1];
    assert.ok(list, `the ${name} error lists its keys: ${(error as Error).message}`);
    return list.split(', ').filter((k) => k !== 'lightResponse').sort();
  }
  return assert.fail(`${name} accepted an unknown option`);
}

for (const name of ['node', 'lambda', 'cloudflare', 'exe']) {
  test(`README documents every ${name} option, and only those`, async () => {
    assert.deepEqual(tableKeys(name), await knownKeys(name));
  });
}
