/**
 * What `portico deploy --target lambda` says when the machine is not set up: one line with a
 * stable code and the fix, no stack trace, and the region's source told as it is (no "from
 * ~/.aws/config" when there is no such file). Runs the real CLI with a HOME of its own; the
 * Lambda endpoint points at a closed local port, so nothing can reach AWS.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { lambdaRegion } from '../../adapters/lambda/build/region.ts';

const CLI = join(import.meta.dirname, '../../bin/portico.mjs');
const home = mkdtempSync(join(tmpdir(), 'portico-deploy-home-'));
const project = join(home, 'app');
mkdirSync(project);
writeFileSync(join(project, 'app.ts'), "export default { fetch() { return new Response('x'); } };\n");
after(() => rmSync(home, { recursive: true, force: true }));

/** The environment of a machine with no AWS set-up at all. */
function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' };
  return { ...env, ...extra };
}

function portico(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: project, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function oneLine(stderr: string, code: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${stderr}`);
  assert.match(lines[0]!, new RegExp(`^portico deploy: ${code}: `));
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  return lines[0]!;
}

describe('deploy errors', () => {
  test('no region anywhere: one line naming where it looked and the fix', async () => {
    const { code, stderr } = await portico(['deploy', 'app.ts', '--target', 'lambda'], bareEnv());
    assert.equal(code, 1);
    const line = oneLine(stderr, 'PORTICO_AWS_NO_REGION');
    assert.ok(line.includes(`there is no ${join(home, '.aws', 'config')}`), line);
    assert.match(line, /set lambda\.region in bundle\.config\.ts .* or AWS_REGION$/);
  });

  test('a config file without a region for the profile is named as such', async () => {
    const config = join(home, 'aws-config');
    writeFileSync(config, '[default]\nregion = eu-west-3\n');
    const { stderr } = await portico(['deploy', 'app.ts', '--target', 'lambda', '--skip-bundle'], bareEnv({ AWS_CONFIG_FILE: config, AWS_PROFILE: 'other' }));
    assert.ok(oneLine(stderr, 'PORTICO_AWS_NO_REGION').includes(`${config} has no region for profile other`));
  });

  test('a region but no credentials: one line, no stack', async () => {
    const { code, stderr } = await portico(['deploy', 'app.ts', '--target', 'lambda'], bareEnv({ AWS_REGION: 'us-east-1' }));
    assert.equal(code, 1);
    assert.match(oneLine(stderr, 'PORTICO_AWS_NO_CREDENTIALS'), /set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login$/);
  });

  test('--dry-run tells where the region comes from, or that there is none', async () => {
    const none = await portico(['deploy', 'app.ts', '--target', 'lambda', '--dry-run'], bareEnv());
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /region none set: the deploy would fail; set lambda\.region in bundle\.config\.ts or AWS_REGION/);
    assert.doesNotMatch(none.stdout, /\.aws\/config/);
    const config = join(home, 'aws-config-2');
    writeFileSync(config, '[profile work]\nregion = ap-south-1\n');
    const file = await portico(['deploy', 'app.ts', '--target', 'lambda', '--dry-run'], bareEnv({ AWS_CONFIG_FILE: config, AWS_PROFILE: 'work' }));
    assert.ok(file.stdout.includes(`region ap-south-1, from ${config} (profile work)`), file.stdout);
    const cli = await portico(['deploy', 'app.ts', '--target', 'lambda', '--dry-run'], bareEnv({ AWS_DEFAULT_REGION: 'eu-north-1' }));
    assert.match(cli.stdout, /region eu-north-1, from AWS_DEFAULT_REGION/);
  });

  test('deploy --help lists --dry-run and its cloudflare outdir', async () => {
    const { stdout } = await portico(['deploy', '--help'], bareEnv());
    assert.match(stdout, /--dry-run\s+Bundle and show what would be deployed/);
    assert.match(stdout, /--dry-run-outdir <dir>/);
  });

  test('lambdaRegion: bundle.config.ts beats AWS_REGION beats AWS_DEFAULT_REGION', async () => {
    const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
    try {
      process.env.AWS_REGION = 'us-east-2';
      process.env.AWS_DEFAULT_REGION = 'eu-west-1';
      assert.deepEqual(await lambdaRegion('ca-central-1'), { region: 'ca-central-1', from: 'lambda.region in bundle.config.ts' });
      assert.deepEqual(await lambdaRegion(undefined), { region: 'us-east-2', from: 'AWS_REGION' });
      delete process.env.AWS_REGION;
      assert.deepEqual(await lambdaRegion(undefined), { region: 'eu-west-1', from: 'AWS_DEFAULT_REGION' });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
