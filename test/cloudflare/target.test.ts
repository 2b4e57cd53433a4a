/**
 * `portico bundle --target cloudflare`: what lands in dist/cloudflare (worker.js, wrangler.json,
 * public/), nodejs_compat detection from the metafile, option checks, and the hello size budget.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { resolveCloudflareOptions, workerNameFrom, DEFAULT_COMPATIBILITY_DATE } from '../../adapters/cloudflare/build/wrangler-config.ts';
import { buildProject, run, type Project } from './harness.ts';

const HELLO = "export default { fetch: () => new Response('hi') };\n";
const projects: Project[] = [];
after(() => Promise.all(projects.map((p) => p.remove())));

async function build(...args: Parameters<typeof buildProject>): Promise<Project> {
  const project = await buildProject(...args);
  projects.push(project);
  return project;
}

function wranglerJson(project: Project): Record<string, any> {
  return JSON.parse(readFileSync(join(project.outDir, 'wrangler.json'), 'utf8'));
}

describe('cloudflare target output', () => {
  it('writes worker.js as one ES module and a minimal wrangler.json for hello', async () => {
    const project = await build({ 'app.ts': HELLO, 'package.json': '{"name":"@acme/Hello_World"}' });
    const worker = readFileSync(join(project.outDir, 'worker.js'), 'utf8');
    assert.match(worker, /export\s*\{[^}]*as default\s*\}/, 'an ESM default export');
    assert.doesNotMatch(worker, /FastResponse|LightHeaders/, 'no light classes injected on workerd');
    assert.deepEqual(wranglerJson(project), {
      name: 'hello-world',
      main: 'worker.js',
      compatibility_date: DEFAULT_COMPATIBILITY_DATE,
      no_bundle: true,
      find_additional_modules: false,
    });
  });

  it('adds nodejs_compat only when the bundle imports a Node built-in, and that worker runs', async () => {
    const hello = await build({ 'app.ts': HELLO });
    assert.equal(wranglerJson(hello).compatibility_flags, undefined);
    const project = await build({
      'app.ts': "import { Buffer } from 'node:buffer';\nexport default { fetch: () => new Response(Buffer.from('hi').toString('base64')) };\n",
    });
    assert.deepEqual(wranglerJson(project).compatibility_flags, ['nodejs_compat']);
    assert.match(readFileSync(join(project.outDir, 'worker.js'), 'utf8'), /from\s*"node:buffer"/, 'node:buffer stays an import for workerd');
    const worker = await run(project);
    try {
      assert.equal(await (await worker.get('/')).text(), 'aGk=');
    } finally {
      await worker.close();
    }
  });

  it('keeps flags the config asks for, without duplicating nodejs_compat', async () => {
    const project = await build(
      { 'app.ts': "import 'node:events';\n" + HELLO },
      { cloudflare: { compatibilityFlags: ['nodejs_compat', 'no_handle_cross_request_promise_resolution'] } },
    );
    assert.deepEqual(wranglerJson(project).compatibility_flags, ['nodejs_compat', 'no_handle_cross_request_promise_resolution']);
  });

  it('wires public/ as static assets and passes bindings, vars and crons through', async () => {
    const project = await build(
      { 'app.ts': HELLO, 'public/index.html': '<h1>hi</h1>', 'public/img/a.svg': '<svg/>' },
      {
        cloudflare: {
          name: 'shop',
          compatibilityDate: '2025-01-15',
          vars: { API_URL: 'https://example.com', LIMITS: { max: 3 } },
          assetsBinding: 'ASSETS',
          crons: ['0 * * * *'],
          bindings: {
            kv_namespaces: [{ binding: 'CACHE', id: 'abc' }],
            d1_databases: [{ binding: 'DB', database_name: 'shop', database_id: 'xyz' }],
            r2_buckets: [{ binding: 'FILES', bucket_name: 'files' }],
          },
        },
      },
    );
    assert.ok(existsSync(join(project.outDir, 'public', 'img', 'a.svg')));
    const config = wranglerJson(project);
    assert.equal(config.name, 'shop');
    assert.equal(config.compatibility_date, '2025-01-15');
    assert.deepEqual(config.assets, { directory: './public', binding: 'ASSETS' });
    assert.deepEqual(config.vars, { API_URL: 'https://example.com', LIMITS: { max: 3 } });
    assert.deepEqual(config.kv_namespaces, [{ binding: 'CACHE', id: 'abc' }]);
    assert.deepEqual(config.d1_databases, [{ binding: 'DB', database_name: 'shop', database_id: 'xyz' }]);
    assert.deepEqual(config.r2_buckets, [{ binding: 'FILES', bucket_name: 'files' }]);
    assert.deepEqual(config.triggers, { crons: ['0 * * * *'] });
  });

  it('copies assets under the mount point when mounted', async () => {
    const project = await build({ 'app.ts': HELLO, 'public/a.txt': 'a' }, { basePath: '/shop' });
    assert.ok(existsSync(join(project.outDir, 'public', 'shop', 'a.txt')));
  });

  it('keeps a minified hello within 2 KB of a hand-written worker, raw and gzipped', async () => {
    const project = await build({ 'app.ts': HELLO }, { minify: true });
    const portico = readFileSync(join(project.outDir, 'worker.js'));
    const raw = Buffer.from("export default { fetch: () => new Response('hi') };\n");
    const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length;
    assert.ok(portico.length - raw.length <= 2048, `raw: ${portico.length} B vs ${raw.length} B`);
    assert.ok(gz(portico) - gz(raw) <= 2048, `gzip: ${gz(portico)} B vs ${gz(raw)} B`);
  });

  it('re-exports named exports of the app module (Durable Object classes)', async () => {
    const project = await build({ 'app.ts': 'export class Counter {}\n' + HELLO });
    assert.match(readFileSync(join(project.outDir, 'worker.js'), 'utf8'), /Counter/);
    const mod = readFileSync(join(project.outDir, 'worker.js'), 'utf8');
    assert.match(mod, /export\s*\{[^}]*Counter[^}]*\}/);
  });
});

describe('cloudflare options', () => {
  it('fills defaults', () => {
    const o = resolveCloudflareOptions(undefined);
    assert.equal(o.compatibilityDate, DEFAULT_COMPATIBILITY_DATE);
    assert.deepEqual(o.compatibilityFlags, []);
    assert.deepEqual(o.bindings, {});
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', 'x', /"cloudflare" must be an object/],
    ['unknown option', { kvNamespaces: [] }, /"cloudflare.kvNamespaces" is not an option/],
    ['binding section at the top', { kv_namespaces: [] }, /put wrangler binding sections under "cloudflare.bindings"/],
    ['bad name', { name: 'My Worker' }, /"cloudflare.name" must be a worker name/],
    ['bad date', { compatibilityDate: '2025-13-01' }, /"cloudflare.compatibilityDate" must be a date/],
    ['bad flags', { compatibilityFlags: 'nodejs_compat' }, /"cloudflare.compatibilityFlags" must be an array/],
    ['bad var name', { vars: { 'a-b': 1 } }, /"cloudflare.vars key" must be an identifier/],
    ['unknown section', { bindings: { kv: [] } }, /"cloudflare.bindings.kv" is not a binding section/],
    ['section not an array', { bindings: { kv_namespaces: { binding: 'KV' } } }, /"cloudflare.bindings.kv_namespaces" must be an array/],
    ['entry without binding', { bindings: { kv_namespaces: [{ id: 'x' }] } }, /"cloudflare.bindings.kv_namespaces\[0\].binding" must be a binding name/],
    ['bad assets binding', { assetsBinding: 'as sets' }, /"cloudflare.assetsBinding"/],
    ['bad cron', { crons: ['hourly'] }, /"cloudflare.crons" must be an array of cron expressions/],
  ];
  for (const [what, input, message] of bad) {
    it(`rejects ${what} with PORTICO_BAD_OPTION`, () => {
      assert.throws(() => resolveCloudflareOptions(input), (error: Error) => {
        assert.match(error.message, /^PORTICO_BAD_OPTION: /);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('fails the bundle (not the deploy) on a bad option', async () => {
    await assert.rejects(buildProject({ 'app.ts': HELLO }, { cloudflare: { vars: [] } }), /PORTICO_BAD_OPTION: "cloudflare.vars"/);
  });

  it('derives worker names from package names', () => {
    assert.equal(workerNameFrom('@acme/Shop_API'), 'shop-api');
    assert.equal(workerNameFrom('---'), 'portico-app');
    assert.equal(workerNameFrom(undefined), 'portico-app');
    assert.equal(workerNameFrom('x'.repeat(80)).length, 63);
  });
});
