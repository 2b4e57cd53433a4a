// NodeRequest decodes bodies with Buffer (faster) instead of TextDecoder: the two must agree on
// every byte sequence, BOM and malformed UTF-8 included, as Fetch's text() defines them.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import fc from 'fast-check';
import { NodeRequest } from '../../adapters/_node/request.ts';

const request = new NodeRequest({ method: 'POST' } as IncomingMessage, {} as ServerResponse, 'http://h/', 1024);
const decode = (bytes: Uint8Array): string => (request as unknown as { _decode(b: Uint8Array): string })._decode(bytes);
const fetchText = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

test('a leading BOM is dropped, a second one kept, as TextDecoder does', () => {
  const bom = [0xef, 0xbb, 0xbf];
  assert.equal(decode(Uint8Array.from([...bom, 0x61])), 'a');
  assert.equal(decode(Uint8Array.from([...bom, ...bom, 0x61])), '\ufeffa');
});

test('malformed UTF-8 becomes U+FFFD exactly where TextDecoder puts it', () => {
  for (const bytes of [[0xc3], [0xe2, 0x98], [0xff, 0x61], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98]]) {
    const b = Uint8Array.from(bytes);
    assert.equal(decode(b), fetchText(b), `bytes ${bytes}`);
  }
});

test('property: Buffer decoding equals TextDecoder for any bytes (plain and Buffer inputs, offsets)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(8), (bytes, offset) => {
      assert.equal(decode(bytes), fetchText(bytes));
      const padded = new Uint8Array(bytes.length + offset);
      padded.set(bytes, offset);
      const view = padded.subarray(offset);
      assert.equal(decode(view), fetchText(view));
      assert.equal(decode(Buffer.from(bytes)), fetchText(bytes));
    }),
    { numRuns: 5000 },
  );
});
