/**
 * test/fixtures/sha256.ts, the incremental SHA-256 the conformance fixture hashes uploads
 * with, must agree with node:crypto for any data split into any chunks.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Sha256 } from '../fixtures/sha256.ts';

it('known answers (FIPS 180-4 examples)', () => {
  const hex = (s: string): string => new Sha256().update(new TextEncoder().encode(s)).hex();
  assert.equal(hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
});

it('agrees with node:crypto for any bytes in any chunks', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
      const mine = new Sha256();
      const theirs = createHash('sha256');
      for (const c of chunks) {
        mine.update(c);
        theirs.update(c);
      }
      assert.equal(mine.hex(), theirs.digest('hex'));
    }),
    { numRuns: 500 },
  );
});

it('agrees at every length around the 64-byte block and padding boundaries', () => {
  const data = new Uint8Array(300).map((_, i) => (i * 7 + 3) & 255);
  for (let n = 0; n <= 300; n++) {
    assert.equal(new Sha256().update(data.subarray(0, n)).hex(), createHash('sha256').update(data.subarray(0, n)).digest('hex'), `length ${n}`);
  }
});
