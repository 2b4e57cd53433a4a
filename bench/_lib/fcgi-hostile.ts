/**
 * Hostile clients straight at a FastCGI socket, for bench/soak-classic.ts: what a broken or
 * malicious web server (or anything else that reaches the socket) may send. Each outcome is
 * counted in the tally under a name that says what the gateway did. Bench tooling.
 */
import { Buffer } from 'node:buffer';
import { encodePairs, encodeRecord, Type } from '../../adapters/fastcgi/runtime/records.ts';
import { begin, FcgiConnection, meta, params, request, stdin } from '../../test/classic/fcgi-client.ts';
import { sleep, type Tally } from './soak.ts';

async function open(socket: string): Promise<FcgiConnection> {
  const c = new FcgiConnection(socket);
  await c.ready();
  return c;
}

/** Resolves 'closed' once `c` closes, 'open' after `ms`. */
function closedWithin(c: FcgiConnection, ms: number): Promise<'closed' | 'open'> {
  return Promise.race([c.closed.then(() => 'closed' as const), sleep(ms).then(() => 'open' as const)]);
}

/** The status of request `id`'s reply, or why there is none. */
async function statusOf(c: FcgiConnection, id: number): Promise<string> {
  try {
    return String((await c.reply(id, 10_000)).status);
  } catch (error) {
    return (error as Error).message.startsWith('connection closed') ? 'closed' : 'no reply';
  }
}

/** The hostile clients, one a call, on the socket at `socket`: run them with `inTurn` (bench/_lib/soak.ts). */
export const FCGI_HOSTILE: Array<(socket: string, tally: Tally) => Promise<void>> = [
  // Not FastCGI at all: the connection must close.
  async (socket, tally) => {
    const c = await open(socket);
    c.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    tally.note(`fcgi malformed record: ${await closedWithin(c, 5000)}`);
    c.close();
  },
  // A record header announcing 65,535 content bytes, then nothing (a truncated record).
  async (socket, tally) => {
    const c = await open(socket);
    c.write(Buffer.concat([begin(1, true), Buffer.from([1, Type.PARAMS, 0, 1, 0xff, 0xff, 0, 0]), Buffer.alloc(100, 65)]));
    await sleep(200);
    c.close();
    tally.note('fcgi truncated record, then left');
  },
  // Params over maxParamsSize (128 KiB by default): 431.
  async (socket, tally) => {
    const c = await open(socket);
    c.write(request(1, meta('/hello', { HTTP_X_BIG: 'x'.repeat(200 * 1024) })));
    tally.note(`fcgi params over the limit: ${await statusOf(c, 1)}`);
    c.close();
  },
  // 256 requests opened at once, each with 120 KB of params (under the limit) never ended.
  async (socket, tally) => {
    const c = await open(socket);
    const piece = encodePairs([['HTTP_X_PART', 'x'.repeat(120 * 1024)]]);
    for (let id = 1; id <= 256 && !c.socket.destroyed; id++) {
      c.write(Buffer.concat([begin(id, true), encodeRecord(Type.PARAMS, id, piece.subarray(0, 60000)), encodeRecord(Type.PARAMS, id, piece.subarray(60000))]));
      if (c.socket.writableLength > 1 << 20) await Promise.race([new Promise((r) => c.socket.once('drain', r)), c.closed]);
    }
    tally.note(`fcgi 256 requests with unfinished params: ${await closedWithin(c, 2000)}`);
    c.close();
  },
  // One body byte a read, each read filled up with a 64 KB record for no request, while the
  // app has not read its body yet (/slow reads it after 500 ms).
  async (socket, tally) => {
    const c = await open(socket);
    c.write(Buffer.concat([begin(1, true), params(1, meta('/slow?ms=500', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '200' }))]));
    const filler = encodeRecord(Type.STDIN, 999, Buffer.alloc(65000));
    for (let i = 0; i < 200 && !c.socket.destroyed; i++) {
      c.write(Buffer.concat([stdin(1, 'b', false), filler]));
      await new Promise((r) => setImmediate(r));
    }
    c.write(stdin(1, ''));
    tally.note(`fcgi one body byte a read among 64 KB records: ${await statusOf(c, 1)}`);
    c.close();
  },
  // A body shorter than CONTENT_LENGTH, then the empty STDIN: 400.
  async (socket, tally) => {
    const c = await open(socket);
    c.write(request(1, meta('/echo', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '10000' }), 'b'.repeat(3000)));
    tally.note(`fcgi truncated body: ${await statusOf(c, 1)}`);
    c.close();
  },
  // Part of a body, then the connection vanishes.
  async (socket, tally) => {
    const c = await open(socket);
    c.write(Buffer.concat([begin(1, true), params(1, meta('/echo', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '100000' })), stdin(1, 'z'.repeat(30000), false)]));
    await sleep(50);
    c.close();
    tally.note('fcgi left mid-body');
  },
  // FCGI_ABORT_REQUEST while a 4 MiB answer goes out (whole, then streamed): END_REQUEST, and
  // the kept connection serves the next request.
  ...['/big', '/stream'].map((path) => async (socket: string, tally: Tally) => {
    const c = await open(socket);
    c.write(request(1, meta(`${path}?size=4194304`), '', true));
    await sleep(20);
    c.write(encodeRecord(Type.ABORT_REQUEST, 1));
    const aborted = await statusOf(c, 1);
    c.write(request(2, meta('/hello'), '', true));
    tally.note(`fcgi abort mid-answer of ${path}: END_REQUEST ${aborted === 'closed' || aborted === 'no reply' ? aborted : 'seen'}, next request ${await statusOf(c, 2)}`);
    c.close();
  }),
  // 100 requests multiplexed on one connection (slow, whole and streamed answers), then it vanishes.
  async (socket, tally) => {
    const c = await open(socket);
    const all: Buffer[] = [];
    for (let id = 1; id <= 100; id++) {
      all.push(request(id, meta(['/slow?ms=200', '/big?size=1048576', '/stream?size=1048576'][id % 3]!), '', true));
    }
    c.write(Buffer.concat(all));
    await sleep(30);
    c.close();
    tally.note('fcgi 100 multiplexed requests, then left');
  },
];

