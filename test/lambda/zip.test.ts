/**
 * The lambda target's packaging: function.zip byte-identical across builds (and time zones),
 * sorted entries with fixed times and sane unix modes, public/ assets and native addons inside
 * (the addon loaded for real under aws-lambda-ric), and the options' checks.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import { bundle } from '../../src/bundle/bundle.ts';
import { zipEntries } from '../../adapters/lambda/build/zip.ts';
import { resolveLambdaOptions } from '../../adapters/lambda/build/target-options.ts';
import { makeHelloAddon } from '../native-addon.ts';
import { emulatedEvent } from '../../adapters/lambda/build/emulate-event.ts';
import { startFunction } from './ric-harness.ts';

const ROOT = join(import.meta.dirname, '../..');
const HELLO = join(ROOT, 'examples/hello/app.ts');
const work = mkdtempSync(join(tmpdir(), 'portico-zip-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The central directory of a zip (APPNOTE.txt 4.3.12): name, version made by, time, date, external attributes. */
function centralDirectory(zip: Buffer): { name: string; madeBy: number; time: number; date: number; attrs: number; method: number }[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(p), 0x02014b50);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    out.push({
      madeBy: zip.readUInt16LE(p + 4),
      method: zip.readUInt16LE(p + 10),
      time: zip.readUInt16LE(p + 12),
      date: zip.readUInt16LE(p + 14),
      attrs: zip.readUInt32LE(p + 38),
      name: zip.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
    });
    assert.equal(extraLen, 0, 'no extra fields (no timestamps, no uid/gid)');
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

describe('function.zip', () => {
  test('two builds of the same app give the same bytes, in any time zone', async () => {
    await bundle({ target: 'lambda', entry: HELLO, root: ROOT, outDir: join(work, 'one'), publicDir: join(ROOT, 'examples/hello/public') });
    // The second build runs in another process, in another time zone, a moment later.
    const script = `import { bundle } from ${JSON.stringify(join(ROOT, 'src/bundle/bundle.ts'))};
      await bundle({ target: 'lambda', entry: ${JSON.stringify(HELLO)}, root: ${JSON.stringify(ROOT)}, outDir: ${JSON.stringify(join(work, 'two'))}, publicDir: ${JSON.stringify(join(ROOT, 'examples/hello/public'))} });`;
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TZ: 'Pacific/Chatham' } });
    const a = readFileSync(join(work, 'one/lambda/function.zip'));
    const b = readFileSync(join(work, 'two/lambda/function.zip'));
    assert.equal(sha256(a), sha256(b));
    assert.equal(sha256(readFileSync(join(work, 'one/lambda/index.mjs'))), sha256(readFileSync(join(work, 'two/lambda/index.mjs'))));
  });

  test('entries: sorted, index.mjs and public/ assets, fixed 1980 time, unix 0644, deflated', () => {
    const zip = readFileSync(join(work, 'one/lambda/function.zip'));
    const entries = centralDirectory(zip);
    const names = entries.map((e) => e.name);
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes('index.mjs'));
    assert.ok(names.includes('public/about.html'));
    assert.ok(!names.includes('function.zip'), 'the zip does not contain itself');
    for (const e of entries) {
      assert.equal(e.madeBy >> 8, 3, `${e.name}: made by Unix, so modes survive`);
      assert.equal(e.attrs >>> 16, 0o100644, `${e.name}: regular file, rw-r--r--`);
      assert.equal(e.date, (0 << 9) | (1 << 5) | 1, `${e.name}: 1980-01-01`);
      assert.equal(e.time, 0);
      assert.equal(e.method, 8);
    }
    const files = unzipSync(zip);
    assert.deepEqual(Buffer.from(files['index.mjs']!), readFileSync(join(work, 'one/lambda/index.mjs')));
    assert.deepEqual(Buffer.from(files['public/about.html']!), readFileSync(join(ROOT, 'examples/hello/public/about.html')));
    assert.ok(readFileSync(join(work, 'one/lambda/index.mjs'), 'utf8').startsWith("import { createRequire as __porticoCreateRequire } from 'node:module';"), 'the createRequire banner comes first');
  });

  test('zipEntries: order and modes do not depend on the order given; bad paths are refused', () => {
    const x = { path: 'b/x.txt', data: new Uint8Array([1]) };
    const y = { path: 'a.txt', data: new Uint8Array([2]), executable: true };
    const one = zipEntries([x, y]);
    assert.deepEqual(zipEntries([y, x]), one);
    assert.equal(centralDirectory(Buffer.from(one)).find((e) => e.name === 'a.txt')!.attrs >>> 16, 0o100755);
    assert.throws(() => zipEntries([{ path: '../evil', data: new Uint8Array() }]), /PORTICO_ZIP_PATH/);
    assert.throws(() => zipEntries([{ path: '/abs', data: new Uint8Array() }]), /PORTICO_ZIP_PATH/);
    assert.throws(() => zipEntries([x, { ...x }]), /PORTICO_ZIP_DUPLICATE/);
  });

  test('a native addon is copied into the zip and loads under aws-lambda-ric', async () => {
    makeHelloAddon(join(work, 'native-app'));
    const entry = join(work, 'native-app/app.ts');
    writeFileSync(entry, "import addon from 'hello-addon';\nexport default { fetch() { return new Response(addon.hello()); } };\n");
    await bundle({ target: 'lambda', entry, root: join(work, 'native-app'), outDir: join(work, 'native-app/dist') });
    const zip = readFileSync(join(work, 'native-app/dist/lambda/function.zip'));
    const names = centralDirectory(zip).map((e) => e.name);
    const native = names.find((n) => /^native\/hello-[0-9a-f]{12}\.node$/.test(n));
    assert.ok(native, `native addon in the zip: ${names}`);
    const fn = await startFunction(join(work, 'native-app/dist/lambda/function.zip'));
    try {
      const outcome = await fn.invoke(emulatedEvent('v2', { method: 'GET', url: '/', rawHeaders: ['host', 'x'], body: new Uint8Array() }));
      assert.equal(outcome.kind, 'buffered', fn.logs());
      assert.equal((outcome as { payload: { body: string } }).payload.body, 'native says hi');
    } finally {
      await fn.stop();
    }
  });
});

describe('lambda options', () => {
  test('defaults', () => {
    const o = resolveLambdaOptions(undefined, ROOT);
    assert.equal(o.runtime, 'nodejs24.x');
    assert.equal(o.memory, 1024);
    assert.equal(o.timeout, 30);
    assert.equal(o.streaming, false);
    assert.equal(o.functionUrl, false);
    assert.equal(o.functionName, 'portico');
    assert.equal(resolveLambdaOptions({ functionUrl: 'streaming' }).streaming, true);
  });

  const bad: [unknown, RegExp][] = [
    [{ memory: 64 }, /"lambda\.memory" must be a whole number of MB from 128 to 10240, got 64/],
    [{ timeout: 901 }, /"lambda\.timeout" must be a whole number of seconds from 1 to 900/],
    [{ runtime: 'nodejs18.x' }, /"lambda\.runtime" must be one of 'nodejs20\.x', 'nodejs22\.x', 'nodejs24\.x'/],
    [{ functionUrl: 'streaming', streaming: false }, /needs a streaming handler/],
    [{ functionUrl: true }, /"lambda\.functionUrl" must be false, 'buffered' or 'streaming'/],
    [{ memmory: 512 }, /unknown option "lambda\.memmory"/],
    [{ Memory: 512 }, /did you mean "lambda\.memory"/],
    [{ environment: { AWS_REGION: 'x' } }, /reserved by Lambda/],
    [{ environment: { AB: 1 } }, /"lambda\.environment\.AB" must be a string/],
    [{ environment: { A: 'x' } }, /"lambda\.environment\.A" must be named by a letter then at least one more/],
    [{ role: 'admin' }, /IAM role ARN/],
    [{ functionName: 'has space' }, /"lambda\.functionName" must be 1 to 64 letters/],
    [{ region: 'mars' }, /"lambda\.region" must be an AWS region/],
    [{ binary: true }, /"lambda\.binary" must be a list of media types/],
    [{ deadlineMargin: '1s' }, /"lambda\.deadlineMargin" must be a number of milliseconds/],
    [{ albSetCookie: 'all' }, /"lambda\.albSetCookie" must be 'first' or 'case-variants'/],
  ];
  for (const [input, message] of bad) {
    test(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(() => resolveLambdaOptions(input), (e: Error) => e.message.startsWith('PORTICO_BAD_OPTION: ') && message.test(e.message));
    });
  }

  test('runtime options from the config reach handle() in the built entry', async () => {
    const outDir = join(work, 'runtime-options');
    await bundle({ target: 'lambda', entry: HELLO, root: ROOT, outDir, options: { deadlineMargin: 250, albSetCookie: 'case-variants', binary: ['image/*'] } });
    const source = readFileSync(join(outDir, 'lambda', 'index.mjs'), 'utf8');
    const call = /handle\(resolveApp\([^)]*\), (\{.*\})\);/.exec(source);
    assert.ok(call, 'the entry hands options to handle()');
    assert.deepEqual(JSON.parse(call[1]!), { binary: ['image/*'], deadlineMargin: 250, albSetCookie: 'case-variants' });
  });

  test('a bad option fails the build with the option named', async () => {
    await assert.rejects(
      bundle({ target: 'lambda', entry: HELLO, root: ROOT, outDir: join(work, 'bad'), options: { memory: 'lots' } }),
      /^PorticoError: PORTICO_BAD_OPTION: "lambda\.memory" must be a whole number of MB/,
    );
  });
});
