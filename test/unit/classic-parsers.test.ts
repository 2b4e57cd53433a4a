/**
 * The parsers of outside bytes in the classic gateways: FastCGI records and name-value pairs
 * (adapters/fastcgi/runtime/records.ts) and the SCGI netstring header (adapters/scgi/runtime/
 * netstring.ts). Properties: what is encoded parses back whatever the chunking; arbitrary
 * bytes give a result or the parser's own error, never anything else; limits hold.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { decodePairs, encodePairs, encodeRecord, RecordError, RecordReader } from '../../adapters/fastcgi/runtime/records.ts';
import { stdoutRecords, wholeResponse } from '../../adapters/fastcgi/runtime/output.ts';
import { encodeScgiHeader, NetstringError, parseScgiHeader } from '../../adapters/scgi/runtime/netstring.ts';

const byteString = (max: number) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max }).map((c) => String.fromCharCode(...c));
/** Split `buf` at the given cut points (any order, any count). */
function chunks(buf: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, buf.length]) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  return out;
}

describe('FastCGI records', () => {
  const record = fc.record({ type: fc.integer({ min: 1, max: 255 }), requestId: fc.integer({ min: 0, max: 65535 }), content: fc.uint8Array({ maxLength: 300 }) });
  it('any records, however the stream is cut, read back as written (padding skipped)', () => {
    fc.assert(fc.property(fc.array(record, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (records, cuts) => {
      const wire = Buffer.concat(records.map((r) => encodeRecord(r.type, r.requestId, r.content)));
      const reader = new RecordReader();
      const got = chunks(wire, cuts).flatMap((c) => reader.push(c));
      assert.deepEqual(got.map((r) => ({ type: r.type, requestId: r.requestId, content: new Uint8Array(r.content) })), records.map((r) => ({ ...r })));
      assert.equal(reader.pendingBytes, 0);
    }), { numRuns: 400 });
  });
  it('arbitrary bytes give records or a RecordError (bad version), never another error, and hold back less than one record', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
      const reader = new RecordReader();
      try {
        for (const c of chunks(Buffer.from(bytes), cuts)) reader.push(c);
        assert.ok(reader.pendingBytes < 8 + 65535 + 255);
      } catch (error) {
        assert.ok(error instanceof RecordError, String(error));
      }
    }), { numRuns: 1000 });
  });
  it('a record of version 2 is refused', () => {
    const wire = encodeRecord(1, 1, Buffer.from('x'));
    wire[0] = 2;
    assert.throws(() => new RecordReader().push(wire), RecordError);
  });
  it('refuses content over 65,535 bytes when encoding', () => assert.throws(() => encodeRecord(6, 1, new Uint8Array(65536)), RangeError));
});

describe('FastCGI name-value pairs', () => {
  it('round-trip with 1- and 4-byte lengths (names and values up to 300 bytes)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(byteString(300), byteString(300)), { maxLength: 10 }), (pairs) => {
      const got: Array<[string, string]> = [];
      assert.equal(decodePairs(encodePairs(pairs), (n, v) => got.push([n, v])), true);
      assert.deepEqual(got, pairs);
    }), { numRuns: 400 });
  });
  it('a length of 127 takes one byte, 128 takes four', () => {
    assert.equal(encodePairs([['a'.repeat(127), '']]).length, 1 + 1 + 127);
    assert.equal(encodePairs([['a'.repeat(128), '']]).length, 4 + 1 + 128);
  });
  it('arbitrary bytes decode or report false, and never read past the end', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      let total = 0;
      decodePairs(bytes, (n, v) => (total += n.length + v.length));
      assert.ok(total <= bytes.length);
    }), { numRuns: 1000 });
  });
  it('a truncated block reports false', () => {
    const block = encodePairs([['NAME', 'value'.repeat(40)]]);
    for (let cut = 1; cut < block.length; cut++) assert.equal(decodePairs(block.subarray(0, cut), () => {}), false, `cut at ${cut}`);
  });
});

describe('FastCGI output', () => {
  it('a whole response is STDOUT records of at most 65,535 bytes, then the empty STDOUT and END_REQUEST', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 65535 }), (size, id) => {
      const body = Buffer.alloc(size, 0x61);
      const wire = wholeResponse(id, 'Status: 200 OK\r\n\r\n', body);
      const records = new RecordReader().push(wire);
      const stdout = records.filter((r) => r.type === 6);
      assert.ok(stdout.every((r) => r.content.length <= 65535 && r.requestId === id));
      assert.equal(Buffer.concat(stdout.map((r) => r.content)).toString('latin1'), `Status: 200 OK\r\n\r\n${'a'.repeat(size)}`);
      assert.equal(stdout.at(-1)!.content.length, 0);
      assert.equal(records.at(-1)!.type, 3);
    }), { numRuns: 60 });
  });
  it('stdoutRecords splits a big chunk', () => {
    const records = new RecordReader().push(stdoutRecords(1, new Uint8Array(65535 * 2 + 1), false));
    assert.deepEqual(records.map((r) => r.content.length), [65535, 65535, 1]);
  });
});

/** A netstring of `body` with the right length. */
const ns = (body: string) => `${body.length}:${body},`;

describe('SCGI netstring header', () => {
  const name = fc.stringMatching(/^[A-Z_]{1,20}$/);
  const value = byteString(100).filter((v) => !v.includes('\0'));
  it('any header block, cut anywhere, parses back once it is complete', () => {
    fc.assert(fc.property(fc.nat({ max: 99999 }), fc.array(fc.tuple(name, value), { maxLength: 10 }), fc.uint8Array({ maxLength: 20 }), (length, rest, body) => {
      const pairs: Array<[string, string]> = [['CONTENT_LENGTH', String(length)], ...rest];
      const head = encodeScgiHeader(pairs);
      const wire = Buffer.concat([head, body]);
      for (let cut = 0; cut < head.length; cut++) assert.equal(parseScgiHeader(wire.subarray(0, cut), 1 << 20), undefined);
      const parsed = parseScgiHeader(wire, 1 << 20)!;
      assert.equal(parsed.consumed, head.length);
      assert.equal(parsed.params.get('CONTENT_LENGTH'), String(length));
    }), { numRuns: 200 });
  });
  it('arbitrary bytes give a header, undefined (more needed) or a NetstringError', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.concat([Buffer.from(`${b.length}:`), b, Buffer.from(',')]))), (bytes) => {
      try {
        const r = parseScgiHeader(bytes, 1024);
        if (r) assert.ok(r.consumed <= bytes.length && r.params.get('CONTENT_LENGTH') !== undefined);
      } catch (error) {
        assert.ok(error instanceof NetstringError, String(error));
      }
    }), { numRuns: 2000 });
  });
  const bad: Array<[string, string]> = [
    ['no digits', ':x,'],
    ['a letter in the length', '1a:'],
    ['eleven digits', '12345678901:'],
    ['a leading zero', '01:x,'],
    ['no comma', '3:abc;'],
    ['CONTENT_LENGTH not first', ns('SCGI\x001\x00CONTENT_LENGTH\x000\x00')],
    ['a bad CONTENT_LENGTH', ns('CONTENT_LENGTH\x00-1\x00')],
    ['an empty name', ns('CONTENT_LENGTH\x000\x00\x00x\x00')],
    ['a value without NUL', ns('CONTENT_LENGTH\x000\x00A\x00b')],
    ['a name without NUL', '5:ABCDE,'],
    ['an empty block', '0:,'],
  ];
  for (const [what, wire] of bad) it(`refuses ${what}`, () => assert.throws(() => parseScgiHeader(Buffer.from(wire, 'latin1'), 1024), NetstringError));
  it('a block over the limit is refused with 431 before it arrives', () => {
    assert.throws(() => parseScgiHeader(Buffer.from('5000:'), 1024), (e: NetstringError) => e.status === 431);
  });
});
