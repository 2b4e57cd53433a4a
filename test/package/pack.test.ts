/**
 * portico as a user gets it (issue 6): `npm pack`, the tarball installed into a fresh project in
 * the temp dir beside hono, express and wrangler (and a top-level miniflare 4, the version npm's
 * `latest` tag gives, which is not the one wrangler runs on), then from that project:
 * every export imported unbundled on every supported Node, a strict NodeNext app type-checked
 * against the shipped declarations, `portico bundle` for every registered target, a Hono and an
 * Express app bundled for node and lambda and exercised, and `portico dev --target cloudflare`.
 * One project serves every case; it is removed at the end.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { targetNames } from '../../src/bundle/targets.ts';
import { awaitOutput } from '../child-output.ts';
import { otherNodeRuntimes } from '../conformance/runtimes.ts';
import { lambdaContext, ok, packPortico, REPO, repoVersion, run, startInProject, stopChild, v2Event, type UserProject, createUserProject } from './user-project.ts';
import { APPS, typeCheckSource } from './user-apps.ts';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string }; exports: Record<string, string | Record<string, string>> };
/** The exports that are modules (not ./package.json). */
const EXPORTS = Object.entries(pkg.exports).filter(([, v]) => typeof v === 'object') as Array<[string, Record<string, string>]>;
const specifier = (key: string) => (key === '.' ? 'portico' : `portico/${key.slice(2)}`);
/** One name each export must have; an export not listed here must at least export something. */
const EXPECTED_NAME: Record<string, string> = { '.': 'isApp', './config': 'defineConfig', './node': 'serve', './lambda': 'handle', './cloudflare': 'toWorker' };
/** The Nodes portico supports: the one running the tests (24) and PORTICO_TEST_NODES (20, 22). */
const NODES = [{ path: process.execPath, version: process.version }, ...otherNodeRuntimes()];

const packDir = mkdtempSync(join(tmpdir(), 'portico-pack-'));
let packed: Awaited<ReturnType<typeof packPortico>>;
let project: UserProject;

before(
  async () => {
    packed = await packPortico(packDir);
    project = await createUserProject(
      [
        packed.tarball,
        `hono@${repoVersion('hono')}`,
        `express@${repoVersion('express')}`,
        `@types/node@${repoVersion('@types/node')}`,
        `wrangler@${repoVersion('wrangler')}`,
        // What `npm i -D miniflare` gives; wrangler keeps its own (a 5.x prerelease) nested.
        'miniflare@4',
      ],
      { ...APPS, 'check.ts': typeCheckSource(EXPORTS.map(([key]) => specifier(key))) },
    );
    console.log(`npm pack ${Math.round(packed.ms)} ms, npm install ${Math.round(project.installMs)} ms, in ${project.dir}`);
  },
  { timeout: 600_000 },
);

after(() => {
  rmSync(packDir, { recursive: true, force: true });
  if (project) rmSync(project.dir, { recursive: true, force: true });
});

test('the tarball holds the built package, the sources the bundler reads, and no tests, bench or CI files', () => {
  const files = new Set(packed.files);
  for (const [key, entry] of EXPORTS) {
    for (const condition of ['types', 'portico-source', 'import']) {
      assert.ok(entry[condition], `exports[${JSON.stringify(key)}] has no "${condition}"`);
      assert.ok(files.has(entry[condition]!.slice(2)), `${entry[condition]} (exports[${JSON.stringify(key)}].${condition}) is not in the tarball`);
    }
    assert.equal(Object.keys(entry)[0], 'types', `exports[${JSON.stringify(key)}]: "types" must come first for TypeScript`);
  }
  for (const needed of ['lib/cli.mjs', 'bin/portico.mjs', 'package.json', 'README.md', 'adapters/node/runtime/start.ts', 'src/bundle/targets.ts']) {
    assert.ok(files.has(needed), `${needed} is not in the tarball`);
  }
  const stray = packed.files.filter((f) => /^(test|bench|\.ci|examples|scripts|dist|\.portico)\//.test(f) || /\.test\.ts$|\.tmp$|tsconfig/.test(f));
  assert.deepEqual(stray, [], 'files that do not belong in the tarball');
  assert.ok(existsSync(join(project.dir, 'node_modules/portico/lib/cli.mjs')), 'the installed bin must find lib/cli.mjs, never compile in node_modules');
});

for (const node of NODES) {
  test(`on Node ${node.version}: every export imports unbundled, and the CLI bundles`, async () => {
    const floor = /^>=(\d+)\.(\d+)$/.exec(pkg.engines.node);
    assert.ok(floor, `engines.node ${pkg.engines.node} is not ">=major.minor"`);
    const [major, minor] = node.version.slice(1).split('.').map(Number) as [number, number];
    assert.ok(major > Number(floor[1]) || (major === Number(floor[1]) && minor >= Number(floor[2])), `Node ${node.version} is below engines.node ${pkg.engines.node}`);

    const script = `const out = {}; for (const s of ${JSON.stringify(EXPORTS.map(([k]) => specifier(k)))}) out[s] = Object.keys(await import(s)); console.log(JSON.stringify(out));`;
    const { stdout } = ok(await run(node.path, ['--input-type=module', '-e', script], { cwd: project.dir }), `import on ${node.version}`);
    const names = JSON.parse(stdout) as Record<string, string[]>;
    for (const [key] of EXPORTS) {
      const got = names[specifier(key)]!;
      if (EXPECTED_NAME[key]) assert.ok(got.includes(EXPECTED_NAME[key]!), `${specifier(key)} on ${node.version} lacks ${EXPECTED_NAME[key]}: ${got.join(', ')}`);
      else assert.ok(got.length > 0, `${specifier(key)} on ${node.version} exports nothing`);
    }

    const outDir = `dist-${node.version}`;
    ok(await run(node.path, ['node_modules/portico/bin/portico.mjs', 'bundle', 'app.ts', '--target', 'node', '--outdir', outDir], { cwd: project.dir }), `portico bundle on ${node.version}`);
    assert.ok(existsSync(join(project.dir, outDir, 'node', 'server.mjs')));
    if (major < 22) {
      // workerd needs Node 22 (wrangler's engines): one line that says so, exit 1.
      const dev = await run(node.path, ['node_modules/portico/bin/portico.mjs', 'dev', 'app.ts', '--target', 'cloudflare', '--port', '0'], { cwd: project.dir });
      assert.equal(dev.code, 1);
      assert.match(dev.stderr.trim(), /^portico dev: PORTICO_NODE_TOO_OLD: .*Node 22 or newer; this is Node 20\.\S+$/);
    }
  });
}

test('a strict NodeNext app type-checks against the shipped declarations (this repository\'s tsc)', async () => {
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  writeFileSync(
    join(project.dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', noEmit: true, types: ['node'] }, files: ['check.ts'] }),
  );
  const result = await run(process.execPath, [tsc, '-p', '.', '--listFiles'], { cwd: project.dir });
  assert.equal(result.code, 0, `tsc reported errors:\n${result.stdout}${result.stderr}`);
  const read = result.stdout.split('\n').filter((f) => f.includes('/node_modules/portico/'));
  assert.ok(read.length > 0 && read.every((f) => f.endsWith('.d.ts')), `tsc read portico's sources instead of its declarations:\n${read.join('\n')}`);
});

for (const target of targetNames) {
  test(`npx portico bundle --target ${target}`, async () => {
    const outDir = `dist-plain`;
    ok(await run('npx', ['portico', 'bundle', 'app.ts', '--target', target, '--outdir', outDir], { cwd: project.dir }), `portico bundle --target ${target}`);
    const dir = join(project.dir, outDir, target);
    assert.ok(existsSync(dir) && readdirSync(dir).length > 0, `${dir} is empty`);
    if (target === 'node') {
      const answer = await withServer(join(outDir, 'node', 'server.mjs'), (base) => fetch(`${base}/hi`).then((r) => r.text()));
      assert.equal(answer, 'plain node /hi');
    }
    if (target === 'lambda') {
      const result = await invokeLambda(join(dir, 'index.mjs'), v2Event('GET', '/hi'));
      assert.equal(result.statusCode, 200);
      assert.equal(result.body, 'plain lambda /hi');
    }
  });
}

/** The same checks for each user app: an async route and a JSON POST. */
const CASES: Array<{ app: string; target: string }> = [
  { app: 'hono', target: 'node' },
  { app: 'hono', target: 'lambda' },
  { app: 'express', target: 'node' },
  { app: 'express', target: 'lambda' },
];
for (const { app, target } of CASES) {
  test(`a user's ${app} app bundled for ${target}: async route and JSON POST`, async () => {
    const outDir = `dist-${app}`;
    ok(await run('npx', ['portico', 'bundle', `${app}-app.ts`, '--target', target, '--outdir', outDir], { cwd: project.dir }), `bundle ${app} for ${target}`);
    const json = JSON.stringify({ n: 1, s: 'é' });
    let got: Array<{ status: number; body: string }>;
    if (target === 'node') {
      got = await withServer(join(outDir, 'node', 'server.mjs'), async (base) => {
        const a = await fetch(`${base}/async`);
        const b = await fetch(`${base}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
        return [{ status: a.status, body: await a.text() }, { status: b.status, body: await b.text() }];
      });
    } else {
      const file = join(project.dir, outDir, 'lambda', 'index.mjs');
      const a = await invokeLambda(file, v2Event('GET', '/async'));
      const b = await invokeLambda(file, v2Event('POST', '/json', json, { 'content-type': 'application/json' }));
      got = [a, b].map((r) => ({ status: r.statusCode, body: r.body }));
    }
    assert.deepEqual(got, [
      { status: 200, body: `${app} async` },
      { status: 201, body: JSON.stringify({ got: { n: 1, s: 'é' } }) },
    ]);
  });
}

test('portico dev --target cloudflare runs with the wrangler the project installed', async () => {
  const child = startInProject(project.dir, process.execPath, ['node_modules/portico/bin/portico.mjs', 'dev', 'app.ts', '--target', 'cloudflare', '--port', '0']);
  try {
    const { match: url, logs } = await awaitOutput(child, /portico dev \(cloudflare\): (http:\/\/\S+)/, 'portico dev --target cloudflare', 90_000);
    const response = await fetch(new URL('hi', url));
    assert.equal(await response.text(), 'plain cloudflare /hi', logs());
    assert.doesNotMatch(logs(), /TypeError|PORTICO_/);
  } finally {
    await stopChild(child);
  }
});

async function withServer<T>(serverFile: string, use: (base: string) => Promise<T>): Promise<T> {
  const child = startInProject(project.dir, process.execPath, [serverFile, '--port', '0', '--host', '127.0.0.1']);
  try {
    const { match: base } = await awaitOutput(child, /listening on (http:\/\/[^\s/]+)/, serverFile, 15_000);
    return await use(base);
  } finally {
    await stopChild(child);
  }
}

async function invokeLambda(file: string, event: unknown): Promise<{ statusCode: number; body: string }> {
  const { handler } = (await import(pathToFileURL(file).href)) as { handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }> };
  return handler(event, lambdaContext);
}
