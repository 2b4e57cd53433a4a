/**
 * FastCGI 1.0 framing (the FastCGI Specification, Open Market 1996): 8-byte record headers,
 * content up to 65,535 bytes, padding; name-value pairs with 1- and 4-byte lengths. Pure
 * functions over bytes, no I/O, so they can be property-tested and fuzzed on their own.
 */
import { Buffer } from 'node:buffer';

export const VERSION = 1;
export const HEADER_LEN = 8;
/** The largest content of one record (a 16-bit length). */
export const MAX_CONTENT = 65535;

/** Record types (spec §8). A plain object: Node's type stripping has no `enum`. */
export const Type = {
  BEGIN_REQUEST: 1,
  ABORT_REQUEST: 2,
  END_REQUEST: 3,
  PARAMS: 4,
  STDIN: 5,
  STDOUT: 6,
  STDERR: 7,
  DATA: 8,
  GET_VALUES: 9,
  GET_VALUES_RESULT: 10,
  UNKNOWN_TYPE: 11,
} as const;

/** Roles (BEGIN_REQUEST body) and protocol statuses (END_REQUEST body). */
export const RESPONDER = 1;
export const KEEP_CONN = 1;
export const REQUEST_COMPLETE = 0;
export const CANT_MPX_CONN = 1;
export const OVERLOADED = 2;
export const UNKNOWN_ROLE = 3;

/** One record, its content a view into the bytes it was read from. */
export interface FcgiRecord {
  type: number;
  requestId: number;
  content: Uint8Array;
}

/** A record the connection must refuse: the connection is closed. */
export class RecordError extends Error {
  readonly code = 'PORTICO_FCGI_BAD_RECORD';
}

/**
 * Reads records out of a byte stream that arrives in arbitrary pieces.
 *
 * @example
 * const reader = new RecordReader();
 * for (const record of reader.push(chunk)) handle(record);
 */
export class RecordReader {
  #pending: Uint8Array | undefined;

  /** The complete records in `chunk` (after what was left over); throws RecordError on a bad version. */
  push(chunk: Uint8Array): FcgiRecord[] {
    const out: FcgiRecord[] = [];
    this.each(chunk, (type, requestId, buf, start, end) => {
      out.push({ type, requestId, content: buf.subarray(start, end) });
    });
    return out;
  }

  /**
   * `push` without an object per record: `onRecord` gets the content as a range of `buf` (valid
   * during the call; take a subarray to keep it). Stops early when `onRecord` returns false.
   */
  each(chunk: Uint8Array, onRecord: (type: number, requestId: number, buf: Uint8Array, start: number, end: number) => boolean | void): void {
    let buf = chunk;
    if (this.#pending !== undefined) {
      buf = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let at = 0;
    while (buf.length - at >= HEADER_LEN) {
      if (buf[at] !== VERSION) throw new RecordError(`PORTICO_FCGI_BAD_RECORD: record version ${buf[at]}, expected 1 (is the peer speaking FastCGI?)`);
      const contentLength = (buf[at + 4]! << 8) | buf[at + 5]!;
      const end = at + HEADER_LEN + contentLength + buf[at + 6]!;
      if (end > buf.length) break;
      const go = onRecord(buf[at + 1]!, (buf[at + 2]! << 8) | buf[at + 3]!, buf, at + HEADER_LEN, at + HEADER_LEN + contentLength);
      at = end;
      if (go === false) return;
    }
    if (at < buf.length) this.#pending = buf.subarray(at);
  }

  /** Bytes of an incomplete record held back. */
  get pendingBytes(): number {
    return this.#pending?.length ?? 0;
  }
}

/** Write a record header at `at` of `buf`. */
export function writeHeader(buf: Uint8Array, at: number, type: number, requestId: number, contentLength: number, paddingLength = 0): void {
  buf[at] = VERSION;
  buf[at + 1] = type;
  buf[at + 2] = (requestId >> 8) & 0xff;
  buf[at + 3] = requestId & 0xff;
  buf[at + 4] = (contentLength >> 8) & 0xff;
  buf[at + 5] = contentLength & 0xff;
  buf[at + 6] = paddingLength;
  buf[at + 7] = 0;
}

/**
 * One whole record as bytes (content padded to a multiple of 8, as the spec recommends).
 *
 * @example
 * encodeRecord(Type.STDOUT, 1, Buffer.from('Status: 200\r\n\r\n'));
 */
export function encodeRecord(type: number, requestId: number, content: Uint8Array = new Uint8Array(0)): Buffer {
  if (content.length > MAX_CONTENT) throw new RangeError(`a FastCGI record holds at most ${MAX_CONTENT} bytes, got ${content.length}`);
  const padding = (8 - (content.length % 8)) % 8;
  const buf = Buffer.alloc(HEADER_LEN + content.length + padding);
  writeHeader(buf, 0, type, requestId, content.length, padding);
  buf.set(content, HEADER_LEN);
  return buf;
}

/** END_REQUEST: the app status and the protocol status. */
export function endRequest(requestId: number, protocolStatus = REQUEST_COMPLETE, appStatus = 0): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(appStatus >>> 0, 0);
  body[4] = protocolStatus;
  return encodeRecord(Type.END_REQUEST, requestId, body);
}

/** UNKNOWN_TYPE for a record type this side does not know (spec §4.2). */
export function unknownType(type: number): Buffer {
  const body = Buffer.alloc(8);
  body[0] = type;
  return encodeRecord(Type.UNKNOWN_TYPE, 0, body);
}

/** Buffer's undocumented but long-standing (Node >= 0.x) direct latin1 decoder. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * Decode name-value pairs (spec §3.4): each length one byte when below 128, else four bytes with
 * the top bit set. Names and values come as byte strings (latin1). Returns undefined when the
 * bytes are not a whole number of pairs.
 *
 * @example
 * decodePairs(encodePairs([['A', 'b']])); // [['A', 'b']]
 */
export function decodePairs(buf: Uint8Array, each: (name: string, value: string) => void): boolean {
  const b = (Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)) as Latin1Buffer;
  let at = 0;
  const n = b.length;
  while (at < n) {
    let nameLen = b[at]!;
    if (nameLen & 0x80) {
      if (at + 4 > n) return false;
      nameLen = ((nameLen & 0x7f) << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
      at += 4;
    } else at += 1;
    if (at >= n) return false;
    let valueLen = b[at]!;
    if (valueLen & 0x80) {
      if (at + 4 > n) return false;
      valueLen = ((valueLen & 0x7f) << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
      at += 4;
    } else at += 1;
    if (nameLen + valueLen > n - at) return false;
    // latin1Slice: Buffer's own decoder without toString's argument checks (a tenth of the
    // params cost); byte strings, one char per byte, so nothing is decoded twice.
    each(nameAt(b, at, nameLen), b.latin1Slice(at + nameLen, at + nameLen + valueLen));
    at += nameLen + valueLen;
  }
  return true;
}

// Every request repeats the same few dozen names (REQUEST_URI, HTTP_HOST, ...). A name seen
// before comes back as the same string, found by its bytes: no new string to allocate, and an
// object keyed by it stays on V8's fast path (measured: a third of a request's params cost).
// Bounded, so that names a client makes up cannot grow it without end.
const NAMES = new Map<number, Array<{ bytes: Buffer; name: string }>>();
let namesKept = 0;
const MAX_NAMES = 1024;

function nameAt(b: Latin1Buffer, at: number, len: number): string {
  if (len === 0 || len > 64) return b.latin1Slice(at, at + len);
  const key = (len << 24) ^ (b[at]! << 16) ^ (b[at + len - 1]! << 8) ^ b[at + (len >> 1)]!;
  const bucket = NAMES.get(key);
  if (bucket !== undefined) {
    for (const entry of bucket) {
      const e = entry.bytes;
      let i = 0;
      while (i < len && e[i] === b[at + i]) i++;
      if (i === len) return entry.name;
    }
  }
  const name = b.latin1Slice(at, at + len);
  if (namesKept < MAX_NAMES) {
    namesKept++;
    const entry = { bytes: Buffer.from(b.subarray(at, at + len)), name };
    if (bucket === undefined) NAMES.set(key, [entry]);
    else bucket.push(entry);
  }
  return name;
}

function lengthBytes(n: number): number[] {
  return n < 128 ? [n] : [((n >>> 24) & 0x7f) | 0x80, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** Encode name-value pairs (byte strings) for PARAMS or GET_VALUES_RESULT. */
export function encodePairs(pairs: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of pairs) {
    const nb = Buffer.from(name, 'latin1');
    const vb = Buffer.from(value, 'latin1');
    parts.push(Buffer.from([...lengthBytes(nb.length), ...lengthBytes(vb.length)]), nb, vb);
  }
  return Buffer.concat(parts);
}
