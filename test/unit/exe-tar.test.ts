/**
 * The exe target's tar reader (adapters/exe/build/tar.ts) reads npm tarballs downloaded from the
 * network: property tests against archives written here (ustar names with a prefix, pax paths,
 * GNU long names, base-256 sizes) and against real `tar` output, and arbitrary bytes must give
 * a file, undefined, or PORTICO_EXE_TARBALL, never another exception.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { findTarFile } from '../../adapters/exe/build/tar.ts';

type Style = 'plain' | 'prefix' | 'pax' | 'gnu';

function header(name: string, size: number, type: string, prefix = '', base256 = false): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  if (base256) {
    h[124] = 0x80;
    h.writeUIntBE(size, 136 - 6, 6);
  } else h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write(type, 156);
  h.write('ustar\0' + '00', 257);
  h.write(prefix, 345, 155, 'utf8');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function pad(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

/** A tar archive of `files`, each written in the given style. */
function writeTar(files: { name: string; data: Buffer; style: Style; base256: boolean }[]): Buffer {
  const parts: Buffer[] = [];
  for (const { name, data, style, base256 } of files) {
    if (style === 'pax') {
      const pax = Buffer.from(paxRecord('path', name));
      parts.push(header('PaxHeader', pax.length, 'x'), pad(pax), header('truncated', data.length, '0', '', base256));
    } else if (style === 'gnu') {
      const long = Buffer.from(name + '\0');
      parts.push(header('././@LongLink', long.length, 'L'), pad(long), header('truncated', data.length, '0', '', base256));
    } else if (style === 'prefix' && name.includes('/')) {
      const cut = name.lastIndexOf('/');
      parts.push(header(name.slice(cut + 1), data.length, '0', name.slice(0, cut), base256));
    } else parts.push(header(name, data.length, '0', '', base256));
    parts.push(pad(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const segment = fc.stringMatching(/^[a-z0-9._-]{1,20}$/).filter((s) => s !== '.' && s !== '..');
const fileArb = fc.record({
  name: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')).filter((n) => Buffer.byteLength(n) < 100),
  data: fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
  style: fc.constantFrom<Style>('plain', 'prefix', 'pax', 'gnu'),
  base256: fc.boolean(),
});

test('every file written is found with its bytes, whatever the header style', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fileArb, { selector: (f) => f.name, minLength: 1, maxLength: 6 }), (files) => {
      const tar = writeTar(files);
      for (const f of files) assert.deepEqual(Buffer.from(findTarFile(tar, f.name)!), f.data, f.name);
      assert.equal(findTarFile(tar, 'package/not/there'), undefined);
    }),
  );
});

test('names longer than 100 bytes through pax and GNU headers', () => {
  const name = `package/${'deep/'.repeat(40)}node`;
  for (const style of ['pax', 'gnu'] as const) {
    const tar = writeTar([{ name, data: Buffer.from('bin'), style, base256: false }]);
    assert.equal(Buffer.from(findTarFile(tar, name)!).toString(), 'bin', style);
  }
});

test('reads what GNU tar writes (an npm-like package/ layout)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-tar-'));
  try {
    mkdirSync(join(dir, 'package/bin'), { recursive: true });
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff));
    writeFileSync(join(dir, 'package/bin/node'), bytes);
    writeFileSync(join(dir, 'package/package.json'), '{}');
    const tar = execFileSync('tar', ['--format=pax', '-cf', '-', '-C', dir, 'package']);
    assert.deepEqual(Buffer.from(findTarFile(tar, 'package/bin/node')!), bytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('arbitrary and corrupted bytes: a file, undefined or PORTICO_EXE_TARBALL, never another error', () => {
  const valid = writeTar([{ name: 'package/bin/node', data: Buffer.from('x'.repeat(700)), style: 'pax', base256: false }]);
  const inputs = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }),
    // A valid archive with some bytes changed, or cut short.
    fc.tuple(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(valid.length)).map(([edits, cut]) => {
      const copy = Buffer.from(valid);
      for (const [at, byte] of edits) copy[at] = byte;
      return copy.subarray(0, cut);
    }),
  );
  fc.assert(
    fc.property(inputs, (bytes) => {
      try {
        const found = findTarFile(bytes, 'package/bin/node');
        assert.ok(found === undefined || found instanceof Uint8Array);
      } catch (error) {
        assert.match((error as Error).message, /^PORTICO_EXE_TARBALL: /);
      }
    }),
    { numRuns: 500 },
  );
});

test('an entry running past the end is an error, not a short file', () => {
  const tar = writeTar([{ name: 'package/bin/node', data: Buffer.alloc(2048, 1), style: 'plain', base256: false }]);
  assert.throws(() => findTarFile(tar.subarray(0, 1024), 'package/bin/node'), /PORTICO_EXE_TARBALL: .*runs past the end/);
});
