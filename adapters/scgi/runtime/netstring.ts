/**
 * The SCGI request header block (SCGI 1.0 spec, Neil Schemenauer 2006): a netstring
 * `<length>:<bytes>,` whose bytes are NUL-terminated name and value strings, CONTENT_LENGTH
 * first. Pure functions over bytes, so they can be property-tested and fuzzed.
 */
import { Buffer } from 'node:buffer';
import { addParam, type CgiParams } from '../../_cgi/meta.ts';

/** A header block that is not SCGI: the connection is closed. */
export class NetstringError extends Error {
  readonly code = 'PORTICO_SCGI_BAD_HEADER';
  /** The answer to give, when one is worth giving (431 for a block over the limit). */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(`PORTICO_SCGI_BAD_HEADER: ${message}`);
    this.status = status;
  }
}

/** A parsed header block and how many bytes of the input it took. */
export interface ScgiHeader {
  params: CgiParams;
  consumed: number;
}

/**
 * Parse the header block at the start of `buf`: the block and its length, undefined when more
 * bytes are needed, or a NetstringError when the bytes cannot be SCGI or the block is larger
 * than `maxSize`.
 *
 * @example
 * parseScgiHeader(Buffer.from('24:CONTENT_LENGTH\x000\x00SCGI\x001\x00,'), 65536);
 * // { params: Map { CONTENT_LENGTH → '0', SCGI → '1' }, consumed: 28 }
 */
export function parseScgiHeader(buf: Uint8Array, maxSize: number): ScgiHeader | undefined {
  let length = 0;
  let at = 0;
  for (;; at++) {
    if (at >= buf.length) return undefined;
    const c = buf[at]!;
    if (c === 58 /* : */) break;
    if (c < 48 || c > 57) throw new NetstringError(`the request does not start with a netstring length (byte ${c} at ${at})`);
    if (at >= 10) throw new NetstringError('the netstring length has more than 10 digits');
    length = length * 10 + (c - 48);
  }
  if (at === 0) throw new NetstringError('the netstring length is empty');
  if (buf[0] === 48 && at > 1) throw new NetstringError('the netstring length has a leading zero');
  if (length > maxSize) throw new NetstringError(`the header block is ${length} bytes, more than maxParamsSize (${maxSize})`, 431);
  const start = at + 1;
  const end = start + length;
  if (buf.length < end + 1) return undefined;
  if (buf[end] !== 44 /* , */) throw new NetstringError('the netstring does not end with a comma');
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const params: CgiParams = new Map();
  let first = true;
  let i = start;
  while (i < end) {
    const nameEnd = b.indexOf(0, i);
    if (nameEnd === -1 || nameEnd >= end) throw new NetstringError('a header name is not NUL-terminated');
    const valueEnd = b.indexOf(0, nameEnd + 1);
    if (valueEnd === -1 || valueEnd >= end) throw new NetstringError('a header value is not NUL-terminated');
    const name = b.toString('latin1', i, nameEnd);
    if (name === '') throw new NetstringError('a header name is empty');
    const value = b.toString('latin1', nameEnd + 1, valueEnd);
    if (first) {
      if (name !== 'CONTENT_LENGTH') throw new NetstringError(`the first header is ${JSON.stringify(name.slice(0, 40))}, not CONTENT_LENGTH`);
      if (!/^\d{1,15}$/.test(value)) throw new NetstringError(`CONTENT_LENGTH is ${JSON.stringify(value.slice(0, 40))}, not a number`);
      first = false;
    }
    addParam(params, name, value);
    i = valueEnd + 1;
  }
  if (first) throw new NetstringError('the header block is empty (CONTENT_LENGTH must come first)');
  return { params, consumed: end + 1 };
}

/**
 * The header block for `pairs` (name, value byte strings): what a web server sends.
 *
 * @example
 * encodeScgiHeader([['CONTENT_LENGTH', '0'], ['SCGI', '1']]);
 */
export function encodeScgiHeader(pairs: ReadonlyArray<readonly [string, string]>): Buffer {
  const body = Buffer.from(pairs.map(([n, v]) => `${n}\0${v}\0`).join(''), 'latin1');
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]);
}
