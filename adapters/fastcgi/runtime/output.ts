/**
 * FastCGI output for one request: STDOUT records (at most 65,535 content bytes each), the empty
 * STDOUT that closes the stream, and END_REQUEST. A whole small response becomes one buffer,
 * so it leaves in one write.
 */
import { Buffer } from 'node:buffer';
import { HEADER_LEN, MAX_CONTENT, REQUEST_COMPLETE, Type, writeHeader } from './records.ts';

const END_LEN = HEADER_LEN + HEADER_LEN + 8; // empty STDOUT + END_REQUEST with its 8-byte body

function writeEnd(buf: Buffer, at: number, requestId: number, protocolStatus: number): void {
  writeHeader(buf, at, Type.STDOUT, requestId, 0);
  writeHeader(buf, at + HEADER_LEN, Type.END_REQUEST, requestId, 8);
  buf.fill(0, at + 2 * HEADER_LEN, at + END_LEN);
  buf[at + 2 * HEADER_LEN + 4] = protocolStatus;
}

/** The empty STDOUT and END_REQUEST that finish a request. */
export function endRecords(requestId: number, protocolStatus = REQUEST_COMPLETE): Buffer {
  const buf = Buffer.allocUnsafe(END_LEN);
  writeEnd(buf, 0, requestId, protocolStatus);
  return buf;
}

/** Wrap `content` in STDOUT records, copying it once. */
export function stdoutRecords(requestId: number, content: Uint8Array, finish: boolean): Buffer {
  const records = Math.ceil(content.length / MAX_CONTENT);
  const buf = Buffer.allocUnsafe(content.length + records * HEADER_LEN + (finish ? END_LEN : 0));
  let at = 0;
  for (let from = 0; from < content.length; from += MAX_CONTENT) {
    const piece = Math.min(MAX_CONTENT, content.length - from);
    writeHeader(buf, at, Type.STDOUT, requestId, piece);
    buf.set(content.subarray(from, from + piece), at + HEADER_LEN);
    at += HEADER_LEN + piece;
  }
  if (finish) writeEnd(buf, at, requestId, REQUEST_COMPLETE);
  return buf;
}

/**
 * A whole response (CGI head + body) as STDOUT records plus the end of the request.
 *
 * @example
 * socket.write(wholeResponse(1, 'Status: 200 OK\r\n\r\n', 'hi'));
 */
export function wholeResponse(requestId: number, head: string, body: string | Uint8Array | undefined): Buffer {
  const headLen = head.length; // latin1: one byte a char
  const bodyLen = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  const total = headLen + bodyLen;
  if (total > MAX_CONTENT) {
    const content = Buffer.allocUnsafe(total);
    content.write(head, 0, 'latin1');
    if (typeof body === 'string') content.write(body, headLen, 'utf8');
    else if (body !== undefined) content.set(body, headLen);
    return stdoutRecords(requestId, content, true);
  }
  const buf = Buffer.allocUnsafe(HEADER_LEN + total + END_LEN);
  writeHeader(buf, 0, Type.STDOUT, requestId, total);
  buf.write(head, HEADER_LEN, 'latin1');
  if (typeof body === 'string') buf.write(body, HEADER_LEN + headLen, 'utf8');
  else if (body !== undefined) buf.set(body, HEADER_LEN + headLen);
  writeEnd(buf, HEADER_LEN + total, requestId, REQUEST_COMPLETE);
  return buf;
}
