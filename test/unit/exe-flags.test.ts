/**
 * The executable's command line (adapters/exe/runtime/flags.ts): flags over PORT/HOST over the
 * baked defaults, one-line errors, and arbitrary argv never throwing anything but an Error with
 * a one-line message. Also the addon cache path and the browser opener per platform.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { addonPath } from '../../adapters/exe/runtime/addons.ts';
import { porticoCacheDir } from '../../adapters/exe/runtime/cache-dir.ts';
import { seaReader } from '../../adapters/exe/runtime/embedded-public.ts';
import { exeUsage, parseExeArgs } from '../../adapters/exe/runtime/flags.ts';
import { openCommand } from '../../adapters/exe/runtime/open.ts';

const defaults = { port: 3000, host: '127.0.0.1', socket: undefined };

test('flags beat PORT/HOST, which beat the baked defaults', () => {
  assert.deepEqual(parseExeArgs([], {}, defaults), { action: 'serve', port: 3000, host: '127.0.0.1', socket: undefined, open: false, limits: {} });
  assert.deepEqual(parseExeArgs([], { PORT: '8080', HOST: '0.0.0.0' }, defaults), { action: 'serve', port: 8080, host: '0.0.0.0', socket: undefined, open: false, limits: {} });
  assert.deepEqual(parseExeArgs(['--port=9000', '--host', '::1', '--open'], { PORT: '8080', HOST: '0.0.0.0' }, defaults), {
    action: 'serve', port: 9000, host: '::1', socket: undefined, open: true, limits: {},
  });
  assert.equal(parseExeArgs(['--socket', '/tmp/a.sock'], {}, defaults).socket, '/tmp/a.sock');
  // A baked socket gives way to an explicit --port.
  assert.equal(parseExeArgs(['--port', '1'], {}, { ...defaults, socket: '/run/x.sock' }).socket, undefined);
  assert.equal(parseExeArgs([], {}, { ...defaults, socket: '/run/x.sock' }).socket, '/run/x.sock');
});

test('--help and --version', () => {
  assert.equal(parseExeArgs(['--help'], {}, defaults).action, 'help');
  assert.equal(parseExeArgs(['-v'], {}, defaults).action, 'version');
  assert.equal(parseExeArgs(['--version', '--help'], {}, defaults).action, 'help');
  assert.match(exeUsage('shop', defaults), /^usage: shop .*\n[^]*default: PORT, else 3000[^]*else 127\.0\.0\.1/);
});

test('the limit flags are server.mjs\'s: flags over the baked limits, shown in --help with the baked values', () => {
  const baked = { ...defaults, maxBodySize: 1000, limits: { responseTimeout: 30_000, maxHeaderSize: 8192 } };
  assert.deepEqual(parseExeArgs(['--response-timeout=5000', '--max-pipelined', '4', '--max-body-size', '10'], {}, baked).limits, {
    responseTimeout: 5000, maxHeaderSize: 8192, maxPipelined: 4, maxBodySize: 10,
  });
  assert.throws(() => parseExeArgs(['--headers-timeout', '1.5'], {}, baked), /^Error: --headers-timeout must be a whole number, got "1\.5"$/);
  const help = exeUsage('shop', baked);
  assert.match(help, /\n  --response-timeout <ms>    time for the app to answer; 504 after \(default 30000; 0: none\)\n/);
  assert.match(help, /--max-body-size <bytes>    largest request body; 413 beyond \(default 1000\)/);
  assert.match(help, /--keep-alive-timeout <ms>  idle keep-alive connections close after \(default 5000\)/, 'an unbaked limit shows the runtime default');
});

test('bad input is a one-line error naming the fix', () => {
  assert.throws(() => parseExeArgs(['--port', 'http'], {}, defaults), /^Error: --port must be a port number \(0-65535\), got "http"$/);
  assert.throws(() => parseExeArgs([], { PORT: '70000' }, defaults), /^Error: PORT must be a port number/);
  assert.throws(() => parseExeArgs(['--port'], {}, defaults), /--port needs a value; see --help/);
  assert.throws(() => parseExeArgs(['serve'], {}, defaults), /unknown argument "serve"; see --help/);
});

test('arbitrary argv and environment: a command or a one-line Error', () => {
  const arg = fc.oneof(fc.constantFrom('--port', '--host', '--socket', '--open', '--help', '-v', '--port=', '--host=', '--response-timeout', '--max-body-size='), fc.string({ maxLength: 12 }));
  fc.assert(
    fc.property(fc.array(arg, { maxLength: 6 }), fc.option(fc.string({ maxLength: 8 }), { nil: undefined }), (argv, PORT) => {
      try {
        const c = parseExeArgs(argv, { PORT }, defaults);
        assert.ok(Number.isInteger(c.port) && c.port >= 0 && c.port <= 65535);
      } catch (error) {
        assert.ok(error instanceof Error);
        assert.ok(!error.message.includes('\n'), error.message);
      }
    }),
    { numRuns: 500 },
  );
});

test('an addon goes to a folder named by its content hash', () => {
  assert.equal(addonPath('native/sharp-0123456789ab.node', '/c'), '/c/native/0123456789ab/sharp.node');
  assert.equal(addonPath('native/a-b-c-ffffffffffff.node', '/c'), '/c/native/ffffffffffff/a-b-c.node');
  assert.throws(() => addonPath('native/../../x.node', '/c'), /PORTICO_EXE_ADDON/);
});

test('the user cache folder per platform', () => {
  assert.equal(porticoCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux'), '/x/cache/portico');
  assert.match(porticoCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux'), /\/\.cache\/portico$/);
  assert.equal(porticoCacheDir({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32').endsWith('portico'), true);
  assert.match(porticoCacheDir({}, 'darwin'), /Library\/Caches\/portico$/);
});

test('the embedded public/ reader slices the asset (end inclusive) and refuses a short one', () => {
  const assets: Record<string, Uint8Array> = { 'public/a.txt': new TextEncoder().encode('hello world') };
  const reader = seaReader((key) => assets[key]);
  assert.equal(new TextDecoder().decode(reader.read('/a.txt', 0, 10) as Uint8Array), 'hello world');
  assert.equal(new TextDecoder().decode(reader.read('/a.txt', 6, 8) as Uint8Array), 'wor');
  assert.throws(() => reader.read('/a.txt', 0, 11), /PORTICO_EXE_ASSET: .*shorter/);
  assert.throws(() => reader.read('/b.txt', 0, 0), /PORTICO_EXE_ASSET: the executable holds no public\/b\.txt/);
});

test('--open uses the desktop opener of each platform', () => {
  assert.deepEqual(openCommand('http://x/', 'linux'), ['xdg-open', ['http://x/']]);
  assert.deepEqual(openCommand('http://x/', 'darwin'), ['open', ['http://x/']]);
  assert.deepEqual(openCommand('http://x/?a=1&b=2', 'win32'), ['cmd', ['/c', 'start', '""', 'http://x/?a=1^&b=2']]);
});
