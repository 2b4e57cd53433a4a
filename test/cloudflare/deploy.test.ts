/**
 * `portico deploy --target cloudflare --dry-run`: real `wrangler deploy --dry-run --outdir` on
 * the built dist/cloudflare. It needs no network and no account, so it runs here for real;
 * wrangler gets an empty config home, no token and metrics off, so it cannot log in or phone home.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deployWorker } from '../../adapters/cloudflare/build/deploy.ts';
import { loadTarget } from '../../src/bundle/targets.ts';
import { buildProject, type Project } from './harness.ts';

describe('cloudflare deploy --dry-run', () => {
  let project: Project;
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'portico-cf-home-'));
    for (const name of Object.keys(process.env)) if (name.startsWith('CLOUDFLARE_')) delete process.env[name];
    process.env.XDG_CONFIG_HOME = home;
    process.env.WRANGLER_SEND_METRICS = 'false';
    process.env.CI = 'true';
    project = await buildProject(
      {
        'app.ts': "import { Buffer } from 'node:buffer';\nexport default { fetch: () => new Response(Buffer.from('hi').toString('hex')) };\n",
        'public/robots.txt': 'User-agent: *\n',
      },
      {
        minify: true,
        cloudflare: {
          name: 'dry-run-app',
          vars: { GREETING: 'hello' },
          bindings: { kv_namespaces: [{ binding: 'CACHE', id: '0123456789abcdef0123456789abcdef' }] },
        },
      },
    );
  });
  after(async () => {
    await project?.remove();
    await rm(home, { recursive: true, force: true });
  });

  it("runs wrangler's own dry run on the built output through the target's deploy hook", async () => {
    const target = await loadTarget('cloudflare');
    const lines: string[] = [];
    await target.deploy!(project.result.ctx, { files: project.result.files, flags: { dryRun: true }, log: (line) => lines.push(line) });
    const output = lines.join('\n');
    assert.match(output, /--dry-run: exiting now/, output);
    assert.match(output, /env\.CACHE/, 'wrangler read the KV binding from wrangler.json');
    assert.match(output, /env\.GREETING/, 'and the var');
    assert.match(output, /Read 1 file from the assets directory/, 'and found the static assets');
    assert.doesNotMatch(output, /Attaching additional modules/, 'public/ is not uploaded as modules too');
    const outDir = `${project.outDir}-dry-run`;
    const uploaded = readFileSync(join(outDir, 'worker.js'), 'utf8');
    assert.equal(uploaded, readFileSync(join(project.outDir, 'worker.js'), 'utf8'), 'wrangler uploads worker.js as built (no_bundle)');
  });

  it('writes the dry run where asked, and fails clearly when nothing was built', async () => {
    const out = join(project.root, 'elsewhere');
    const { outDir } = await deployWorker(project.outDir, { dryRun: true, outDir: out, log: () => {} });
    assert.equal(outDir, out);
    assert.ok(existsSync(join(out, 'worker.js')));
    await assert.rejects(deployWorker(join(project.root, 'missing'), { dryRun: true, log: () => {} }), /PORTICO_NOT_BUILT: .*portico bundle --target cloudflare/);
  });

  it('reports a wrangler failure with PORTICO_DEPLOY_FAILED', async () => {
    // An unknown wrangler flag makes wrangler exit non-zero before any network use.
    await assert.rejects(
      deployWorker(project.outDir, { dryRun: true, args: ['--no-such-flag-xyz'], log: () => {} }),
      /PORTICO_DEPLOY_FAILED: wrangler deploy exited with code [1-9]/,
    );
  });

  it('works from the CLI: portico deploy --target cloudflare --dry-run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-cf-cli-'));
    try {
      await mkdir(join(dir, 'public'));
      await writeFile(join(dir, 'public', 'a.txt'), 'a\n');
      await writeFile(join(dir, 'app.ts'), "export default { fetch: () => new Response('hi') };\n");
      await writeFile(join(dir, 'bundle.config.ts'), "export default { entry: 'app.ts', cloudflare: { name: 'cli-dry-run', vars: { FROM_CONFIG: 'yes' } } };\n");
      const cli = new URL('../../bin/portico.mjs', import.meta.url).pathname;
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, 'deploy', '--target', 'cloudflare', '--dry-run'], { cwd: dir, env: process.env });
      const output = stdout + stderr;
      assert.match(output, /--dry-run: exiting now/, output);
      assert.match(output, /env\.FROM_CONFIG/, 'the config bindings reached wrangler.json');
      assert.ok(existsSync(join(dir, 'dist', 'cloudflare-dry-run', 'worker.js')));
      assert.equal(JSON.parse(readFileSync(join(dir, 'dist', 'cloudflare', 'wrangler.json'), 'utf8')).name, 'cli-dry-run');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
