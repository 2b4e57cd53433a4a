/**
 * Hostile clients straight at an SCGI socket, for bench/soak-classic.ts: a header block that
 * is not a netstring, one over the limit, bodies cut short, clients vanishing mid-answer and
 * bursts of requests whose senders leave at once. Each outcome is counted in the tally under a
 * name that says what the gateway did. Bench tooling.
 */
import { Buffer } from 'node:buffer';
import { connect } from 'node:net';
import { encodeScgiHeader } from '../../adapters/scgi/runtime/netstring.ts';
import { meta, parseCgi } from '../../test/classic/fcgi-client.ts';
import { sleep, type Tally } from './soak.ts';

/** An SCGI request for `uri` with `extra` params and a CONTENT_LENGTH of `length` (default: the body's). */
export function scgiRequest(uri: string, extra: Record<string, string> = {}, body = '', length = Buffer.byteLength(body)): Buffer {
  const pairs: Array<[string, string]> = [['CONTENT_LENGTH', String(length)], ['SCGI', '1'], ...Object.entries(meta(uri, extra))];
  return Buffer.concat([encodeScgiHeader(pairs), Buffer.from(body)]);
}

/**
 * Send `bytes` on a new connection to `path` (half-closing after when `halfClose`), collect
 * the answer until the gateway closes or `leaveAfterMs` passes.
 */
function exchange(path: string, bytes: Uint8Array, opts: { halfClose?: boolean; leaveAfterMs?: number } = {}): Promise<{ got: Buffer; closedByGateway: boolean }> {
  return new Promise((resolve) => {
    const s = connect(path);
    const got: Buffer[] = [];
    let left = false;
    s.on('data', (d: Buffer) => got.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ got: Buffer.concat(got), closedByGateway: !left });
    });
    s.write(bytes);
    if (opts.halfClose) s.end();
    const timer = setTimeout(() => {
      left = true;
      s.destroy();
    }, opts.leaveAfterMs ?? 10_000);
  });
}

const statusOf = (r: { got: Buffer; closedByGateway: boolean }): string =>
  r.got.length > 0 ? String(parseCgi(r.got).status) : r.closedByGateway ? 'closed' : 'no answer';

/** The hostile clients, one a call, on the socket at `path`: run them with `inTurn` (bench/_lib/soak.ts). */
export const SCGI_HOSTILE: Array<(path: string, tally: Tally) => Promise<void>> = [
  async (path, tally) => tally.note(`scgi malformed header: ${statusOf(await exchange(path, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), { leaveAfterMs: 5000 }))}`),
  async (path, tally) => tally.note(`scgi header over the limit: ${statusOf(await exchange(path, scgiRequest('/hello', { HTTP_X_BIG: 'x'.repeat(200 * 1024) })))}`),
  async (path, tally) => {
    const r = await exchange(path, scgiRequest('/echo', { REQUEST_METHOD: 'POST' }, 'b'.repeat(3000), 10000), { halfClose: true });
    tally.note(`scgi truncated body, half-closed: ${statusOf(r)}`);
  },
  async (path, tally) => {
    await exchange(path, scgiRequest('/echo', { REQUEST_METHOD: 'POST' }, 'z'.repeat(30000), 100000), { leaveAfterMs: 50 });
    tally.note('scgi left mid-body');
  },
  async (path, tally) => {
    await exchange(path, scgiRequest('/big?size=4194304'), { leaveAfterMs: 30 });
    tally.note('scgi left mid-answer');
  },
  async (path, tally) => {
    await exchange(path, scgiRequest('/stream?size=4194304'), { leaveAfterMs: 30 });
    tally.note('scgi left mid-answer (streamed)');
  },
  // 100 connections at once, each sending a whole request and leaving at once.
  async (path, tally) => {
    await Promise.all(Array.from({ length: 100 }, (_, i) => exchange(path, scgiRequest(['/slow?ms=200', '/big?size=1048576', '/stream?size=1048576'][i % 3]!), { leaveAfterMs: 10 })));
    tally.note('scgi burst of 100 requests, each left at once');
  },
];

