/**
 * `portico deploy --target lambda` against a local stand-in of the Lambda API that checks the
 * real SigV4-signed requests @aws-sdk/client-lambda sends: which operations, in which order,
 * with which fields, and that the uploaded ZipFile is function.zip byte for byte.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bundle } from '../../src/bundle/bundle.ts';
import { deployLambda, type DeployOptions } from '../../adapters/lambda/build/deploy.ts';
import { resolveLambdaOptions } from '../../adapters/lambda/build/target-options.ts';
import { FakeLambdaApi, TEST_CREDENTIALS } from './fake-lambda-api.ts';

const ROOT = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'portico-deploy-test-'));
const ROLE = 'arn:aws:iam::123456789012:role/portico-test';
let zipPath: string;
let zip: Buffer;
let api: FakeLambdaApi;

before(async () => {
  await bundle({ target: 'lambda', entry: join(ROOT, 'examples/hello/app.ts'), root: ROOT, outDir: join(work, 'a') });
  zipPath = join(work, 'a/lambda/function.zip');
  zip = readFileSync(zipPath);
  api = await FakeLambdaApi.start();
});

after(async () => {
  await api?.close();
  rmSync(work, { recursive: true, force: true });
});

function run(options: Record<string, unknown>, extra: Partial<DeployOptions> = {}) {
  const lines: string[] = [];
  const promise = deployLambda({
    zipPath,
    options: resolveLambdaOptions({ functionName: 'hello-fn', ...options }),
    log: (line) => lines.push(line),
    clientConfig: { endpoint: api.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 },
    ...extra,
  });
  return { promise, lines };
}

describe('deploy', () => {
  test('--dry-run prints the plan and sends nothing', async () => {
    const before = api.requests.length;
    const { promise, lines } = run({ role: ROLE, functionUrl: 'streaming' }, { dryRun: true });
    const report = await promise;
    assert.equal(report.action, 'plan');
    assert.equal(api.requests.length, before, 'no request reached the API');
    const text = lines.join('\n');
    assert.match(text, /hello-fn/);
    assert.match(text, /nodejs24\.x, handler index\.handler/);
    assert.match(text, /RESPONSE_STREAM/);
    assert.ok(text.includes(report.codeSha256));
  });

  test('a missing function without a role fails before creating anything', async () => {
    const before = api.requests.length;
    await assert.rejects(run({ functionName: 'no-role-fn' }).promise, /PORTICO_LAMBDA_NO_ROLE/);
    assert.deepEqual(api.operations().slice(before), ['GetFunction']);
  });

  test('create: signed requests, the zip byte for byte, waiters, a streaming Function URL', async () => {
    const before = api.requests.length;
    const { promise } = run({ role: ROLE, memory: 512, timeout: 20, environment: { GREETING: 'hi' }, functionUrl: 'streaming' });
    const report = await promise;
    const sent = api.requests.slice(before);
    assert.equal(report.action, 'create');
    assert.equal(report.functionUrl, 'https://hello-fn0url.lambda-url.us-east-1.on.aws/');
    const ops = sent.map((r) => r.operation);
    assert.equal(ops[0], 'GetFunction');
    assert.equal(ops[1], 'CreateFunction');
    assert.ok(ops.slice(2, -4).every((op) => op === 'GetFunction') && ops.slice(2, -4).length >= 2, `the Active waiter polls GetFunction until Active: ${ops}`);
    assert.deepEqual(ops.slice(-4), ['GetFunctionUrlConfig', 'CreateFunctionUrlConfig', 'AddPermission', 'AddPermission']);
    for (const r of sent) {
      assert.match(r.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDPORTICOTEST\/\d{8}\/us-east-1\/lambda\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
      assert.ok(r.signatureValid, `${r.operation}: the SigV4 signature verifies`);
    }
    const create = sent[1]!;
    assert.equal(create.method, 'POST');
    assert.equal(create.path, '/2015-03-31/functions');
    assert.deepEqual(Buffer.from(create.body.Code.ZipFile, 'base64'), zip, 'ZipFile is function.zip byte for byte');
    assert.equal(create.body.Handler, 'index.handler');
    assert.equal(create.body.Runtime, 'nodejs24.x');
    assert.equal(create.body.Role, ROLE);
    assert.equal(create.body.MemorySize, 512);
    assert.equal(create.body.Timeout, 20);
    assert.deepEqual(create.body.Environment, { Variables: { GREETING: 'hi' } });
    assert.deepEqual(create.body.Architectures, ['x86_64']);
    const url = sent.find((r) => r.operation === 'CreateFunctionUrlConfig')!;
    assert.equal(url.path, '/2021-10-31/functions/hello-fn/url');
    assert.deepEqual({ AuthType: url.body.AuthType, InvokeMode: url.body.InvokeMode }, { AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' });
    const perms = sent.filter((r) => r.operation === 'AddPermission').map((r) => r.body);
    assert.deepEqual(perms.map((p) => [p.Action, p.Principal]), [['lambda:InvokeFunctionUrl', '*'], ['lambda:InvokeFunction', '*']]);
    assert.equal(perms[0].FunctionUrlAuthType, 'NONE');
    assert.equal(perms[1].InvokedViaFunctionUrl, true);
  });

  test('update: new code uploaded, then configuration, waiting for each; the URL mode changes', async () => {
    // A different build of a different app: a different zip.
    const entry = join(work, 'other.ts');
    writeFileSync(entry, "export default { fetch() { return new Response('other'); } };\n");
    await bundle({ target: 'lambda', entry, root: ROOT, outDir: join(work, 'b') });
    const otherZip = readFileSync(join(work, 'b/lambda/function.zip'));
    assert.notDeepEqual(otherZip, zip);
    const before = api.requests.length;
    const report = await run({ memory: 256, functionUrl: 'buffered' }, { zipPath: join(work, 'b/lambda/function.zip') }).promise;
    const sent = api.requests.slice(before);
    assert.equal(report.action, 'update');
    assert.equal(report.codeUpdated, true);
    const ops = sent.map((r) => r.operation).filter((op, i, all) => !(op === 'GetFunction' && all[i - 1] === 'GetFunction'));
    assert.deepEqual(ops, ['GetFunction', 'UpdateFunctionCode', 'GetFunction', 'UpdateFunctionConfiguration', 'GetFunction', 'GetFunctionUrlConfig', 'UpdateFunctionUrlConfig']);
    const code = sent.find((r) => r.operation === 'UpdateFunctionCode')!;
    assert.equal(code.method, 'PUT');
    assert.equal(code.path, '/2015-03-31/functions/hello-fn/code');
    assert.deepEqual(Buffer.from(code.body.ZipFile, 'base64'), otherZip, 'ZipFile is the new function.zip byte for byte');
    const config = sent.find((r) => r.operation === 'UpdateFunctionConfiguration')!;
    assert.equal(config.path, '/2015-03-31/functions/hello-fn/configuration');
    assert.equal(config.body.MemorySize, 256);
    assert.equal(sent.find((r) => r.operation === 'UpdateFunctionUrlConfig')!.body.InvokeMode, 'BUFFERED');
    assert.ok(sent.every((r) => r.signatureValid));
    assert.deepEqual(api.functions.get('hello-fn')!.zip, otherZip);
  });

  test('update with the same zip skips the code upload (CodeSha256 matches)', async () => {
    const before = api.requests.length;
    const report = await run({ memory: 256, functionUrl: 'buffered' }, { zipPath: join(work, 'b/lambda/function.zip') }).promise;
    assert.equal(report.codeUpdated, false);
    const ops = api.operations().slice(before);
    assert.ok(!ops.includes('UpdateFunctionCode'), `${ops}`);
    assert.ok(ops.includes('UpdateFunctionConfiguration'));
    assert.ok(!ops.includes('UpdateFunctionUrlConfig') && !ops.includes('CreateFunctionUrlConfig'), 'an unchanged URL is left alone');
  });

  test('portico deploy --target lambda through the CLI, endpoint from AWS_ENDPOINT_URL_LAMBDA', async () => {
    const project = join(work, 'cli-project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'app.ts'), "export default { fetch() { return new Response('cli'); } };\n");
    writeFileSync(join(project, 'bundle.config.ts'), `export default { entry: 'app.ts', lambda: { functionName: 'cli-fn', role: '${ROLE}', region: 'us-east-1' } };\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_ENDPOINT_URL_LAMBDA: api.endpoint, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey, AWS_MAX_ATTEMPTS: '1' };
    delete env.AWS_PROFILE;
    const cli = join(ROOT, 'bin/portico.mjs');
    const before = api.requests.length;
    // Asynchronous: the fake API answers from this process while the CLI runs.
    const portico = (args: string[]) => promisify(execFile)(process.execPath, [cli, ...args], { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
    const dry = await portico(['deploy', '--target', 'lambda', '--dry-run']);
    assert.match(dry.stdout, /dry run: no AWS call made/);
    assert.equal(api.requests.length, before);
    const real = await portico(['deploy', '--target', 'lambda']);
    assert.match(real.stdout, /cli-fn created/);
    const create = api.requests.slice(before).find((r) => r.operation === 'CreateFunction')!;
    assert.deepEqual(Buffer.from(create.body.Code.ZipFile, 'base64'), readFileSync(join(project, 'dist/lambda/function.zip')));
  });
});
