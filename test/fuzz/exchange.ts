/**
 * One raw HTTP exchange for fuzzing and soaking: write bytes on a fresh connection, read the
 * first complete response (skipping 1xx), and classify what happened. Test tooling.
 */
import { connect, type NetConnectOpts } from 'node:net';

/** What one exchange came to. */
export type Outcome =
  | { kind: 'status'; status: number; head: string; body: Buffer }
  /** The server closed the connection without answering. */
  | { kind: 'closed' }
  /** The connection was reset (or refused: the server is gone). */
  | { kind: 'reset'; code: string }
  /** Nothing conclusive within the time allowed: a hang. */
  | { kind: 'hang' };

/**
 * @example
 * const outcome = await exchange({ path: '/tmp/s.sock' }, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'GET', 5000);
 */
export function exchange(where: NetConnectOpts, bytes: Buffer, method: string, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(where);
    let buffer = Buffer.alloc(0);
    let settled = false;
    const done = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done(complete(buffer, method, true) ?? { kind: 'hang' }), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const outcome = complete(buffer, method, false);
      if (outcome) done(outcome);
    });
    socket.on('end', () => done(complete(buffer, method, true) ?? { kind: 'closed' }));
    socket.on('close', () => done(complete(buffer, method, true) ?? { kind: 'closed' }));
    socket.on('error', (e: NodeJS.ErrnoException) => done(complete(buffer, method, true) ?? { kind: 'reset', code: e.code ?? e.message }));
    socket.write(bytes);
  });
}

/** The first final response in `buffer` once it is whole (or `ended`: what there is), else undefined. */
export function complete(buffer: Buffer, method: string, ended: boolean): Outcome | undefined {
  let offset = 0;
  for (;;) {
    const end = buffer.indexOf('\r\n\r\n', offset);
    if (end === -1) return ended && buffer.length > offset ? statusOf(buffer.subarray(offset).toString('latin1'), Buffer.alloc(0)) : undefined;
    const head = buffer.subarray(offset, end).toString('latin1');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (!match) return { kind: 'status', status: 0, head, body: Buffer.alloc(0) };
    const status = Number(match[1]);
    if (status >= 100 && status < 200) {
      offset = end + 4;
      continue;
    }
    const rest = buffer.subarray(end + 4);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const noBody = method === 'HEAD' || status === 204 || status === 304;
    if (noBody) return { kind: 'status', status, head, body: Buffer.alloc(0) };
    if (length) return rest.length >= Number(length[1]) || ended ? { kind: 'status', status, head, body: rest.subarray(0, Number(length[1])) } : undefined;
    if (/\r\ntransfer-encoding: *chunked/i.test(head)) return rest.includes('0\r\n\r\n') || ended ? { kind: 'status', status, head, body: rest } : undefined;
    return ended ? { kind: 'status', status, head, body: rest } : undefined;
  }
}

function statusOf(head: string, body: Buffer): Outcome {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  return { kind: 'status', status: match ? Number(match[1]) : 0, head, body };
}
