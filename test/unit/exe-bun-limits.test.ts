/**
 * The limits under `--runtime bun` (adapters/exe/runtime/bun-limits.ts): what maps onto
 * Bun.serve and how, what is refused with one line (a flag at run time, an `exe.*` key at build
 * time), and the bun executable's --help listing only what it honours.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitFlag } from '../../adapters/_node/server-args.ts';
import { resolveExeOptions } from '../../adapters/exe/build/options.ts';
import { BUN_LIMIT_USAGE, BUN_LIMITS, BUN_REFUSED, bunLimits, idleSeconds } from '../../adapters/exe/runtime/bun-limits.ts';
import { exeUsage, parseExeArgs } from '../../adapters/exe/runtime/flags.ts';

const defaults = { port: 3000, host: '127.0.0.1', socket: undefined };

test('every limit is either honoured or refused under Bun, never both, never neither', () => {
  const all = ['maxHeaderSize', 'headersTimeout', 'requestTimeout', 'keepAliveTimeout', 'responseTimeout', 'streamIdleTimeout', 'maxPipelined', 'maxBodySize'];
  assert.deepEqual([...BUN_LIMITS, ...Object.keys(BUN_REFUSED)].sort(), all.sort());
});

test('streamIdleTimeout → Bun idleTimeout: ms rounded up to whole seconds, at most 255 s, 0 stays none', () => {
  assert.equal(idleSeconds(0), 0);
  assert.equal(idleSeconds(1), 1);
  assert.equal(idleSeconds(1000), 1);
  assert.equal(idleSeconds(1001), 2);
  assert.equal(idleSeconds(255_000), 255);
  assert.equal(idleSeconds(255_001), undefined);
});

test('flags over the baked maxBodySize; honoured limits become bunServe options', () => {
  assert.deepEqual(bunLimits({}, undefined), {});
  assert.deepEqual(bunLimits({}, 1000), { maxBodySize: 1000 });
  assert.deepEqual(bunLimits({ maxBodySize: 10 }, 1000), { maxBodySize: 10 });
  assert.deepEqual(bunLimits({ responseTimeout: 0, streamIdleTimeout: 1500 }, undefined), { responseTimeout: 0, idleTimeout: 2 });
  const parsed = parseExeArgs(['--response-timeout', '500', '--max-body-size=7'], {}, { ...defaults, maxBodySize: 1000, limits: { streamIdleTimeout: 30_000 } });
  assert.deepEqual(bunLimits(parsed.limits, 1000), { maxBodySize: 7, responseTimeout: 500, idleTimeout: 30 });
});

test('a limit Bun cannot honour is one PORTICO_EXE_BUN_LIMIT line naming the flag and why', () => {
  assert.throws(() => bunLimits({ maxPipelined: 4 }, undefined), {
    message: 'PORTICO_EXE_BUN_LIMIT: --max-pipelined is not available with --runtime bun (Bun.serve has no such setting)',
  });
  for (const key of Object.keys(BUN_REFUSED) as (keyof typeof BUN_REFUSED)[]) {
    assert.throws(() => bunLimits({ [key]: 5000 }, undefined), new RegExp(`^Error: PORTICO_EXE_BUN_LIMIT: ${limitFlag(key)} is not available with --runtime bun \\([^\\n]+\\)$`));
  }
  assert.throws(() => bunLimits({ keepAliveTimeout: 5000 }, undefined), /one idle timeout per connection, set by --stream-idle-timeout/);
  assert.throws(() => bunLimits({ streamIdleTimeout: 300_000 }, undefined), {
    message: "PORTICO_EXE_BUN_LIMIT: --stream-idle-timeout 300000 is more than Bun.serve's idleTimeout allows (255000 ms; 0: none)",
  });
});

test('the build refuses an exe.* limit Bun cannot honour, only with runtime bun', () => {
  assert.throws(() => resolveExeOptions({ runtime: 'bun', headersTimeout: 5000 }), {
    message: 'PORTICO_EXE_BUN_LIMIT: exe.headersTimeout is not available with --runtime bun (Bun.serve has no such setting)',
  });
  assert.throws(() => resolveExeOptions({ runtime: 'bun', streamIdleTimeout: 256_000 }), /^PorticoError: PORTICO_EXE_BUN_LIMIT: exe\.streamIdleTimeout 256000 is more than/);
  assert.deepEqual(resolveExeOptions({ runtime: 'bun', maxBodySize: 10, responseTimeout: 5000, streamIdleTimeout: 255_000 }), {
    runtime: 'bun', maxBodySize: 10, responseTimeout: 5000, streamIdleTimeout: 255_000,
  });
  assert.deepEqual(resolveExeOptions({ runtime: 'node', maxPipelined: 4, headersTimeout: 5000 }), { runtime: 'node', maxPipelined: 4, headersTimeout: 5000 });
  assert.deepEqual(resolveExeOptions({ maxPipelined: 4 }), { maxPipelined: 4 });
});

test('--help of a bun executable lists only the limit flags it honours, with the baked defaults', () => {
  const help = exeUsage('shop', { ...defaults, maxBodySize: 1000, limits: { responseTimeout: 5000 } }, BUN_LIMIT_USAGE);
  assert.match(help, /\n  --response-timeout <ms>    time for the app to answer; 504 after \(default 5000; 0: none\)\n/);
  assert.match(help, /\n  --stream-idle-timeout <ms> longest silence on a connection, idle keep-alive included; whole seconds, at most 255000 \(default 60000; 0: none\)\n/);
  assert.match(help, /\n  --max-body-size <bytes>    largest request body; 413 beyond \(default 1000\)\n/);
  for (const flag of ['--max-header-size', '--headers-timeout', '--request-timeout', '--keep-alive-timeout', '--max-pipelined']) assert.ok(!help.includes(flag), `${flag} is not listed`);
  assert.match(exeUsage('shop', defaults), /--max-pipelined/, 'the Node executable lists them all');
});
