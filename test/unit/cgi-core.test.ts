/**
 * adapters/_cgi: the Response → CGI output writer (response.ts) and the bounded request body
 * (body.ts), through an in-memory sink: what goes on the wire for every kind of body, header
 * injection refused, backpressure honoured, limits enforced.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { BodyError, BodyQueue } from '../../adapters/_cgi/body.ts';
import { sendCgiResponse, type ResponseSink } from '../../adapters/_cgi/response.ts';
import { FastResponse } from '../../adapters/_http/response.ts';

/** A sink that records the output; `full` makes every write report a full peer. */
function memorySink(full = false) {
  const out: Buffer[] = [];
  let drains: Array<() => void> = [];
  const state = { ended: false, destroyed: false, writes: 0, gone: false };
  const sink: ResponseSink = {
    sendAll(head, body) {
      out.push(Buffer.from(head, 'latin1'));
      if (body !== undefined) out.push(typeof body === 'string' ? Buffer.from(body) : Buffer.from(body));
      state.ended = true;
    },
    sendHead(head) {
      out.push(Buffer.from(head, 'latin1'));
    },
    write(chunk) {
      state.writes++;
      out.push(Buffer.from(chunk));
      return !full;
    },
    onDrain(cb) {
      drains.push(cb);
    },
    end() {
      state.ended = true;
    },
    destroy() {
      state.destroyed = true;
    },
    get gone() {
      return state.gone;
    },
  };
  const drain = () => {
    const d = drains;
    drains = [];
    for (const cb of d) cb();
  };
  return { sink, out: () => Buffer.concat(out), state, drain };
}

const settle = () => new Promise((r) => setTimeout(r, 10));
const noLog = () => {};

describe('sendCgiResponse', () => {
  it('a string body: Status, headers as given, a text/plain type and its Content-Length', () => {
    const m = memorySink();
    sendCgiResponse(m.sink, new FastResponse('héllo', { status: 201, headers: { 'X-A': '1' } }), false, noLog);
    assert.equal(m.out().toString(), 'Status: 201 Created\r\nX-A: 1\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 6\r\n\r\nhéllo');
  });
  it('keeps every Set-Cookie, drops hop-by-hop fields, and sends a non-Latin-1 value as its UTF-8 bytes', () => {
    const m = memorySink();
    sendCgiResponse(m.sink, new FastResponse(null, { headers: { 'set-cookie': ['a=1', 'b=2'], connection: 'close', 'transfer-encoding': 'chunked', 'x-snow': '☃' } as unknown as HeadersInit }), false, noLog);
    const head = m.out().toString('latin1');
    assert.equal((head.match(/^set-cookie: /gm) ?? []).length, 2);
    assert.doesNotMatch(head, /connection|transfer-encoding/i);
    assert.match(head, /x-snow: \u00e2\u0098\u0083\r\n/);
    assert.match(head, /Content-Length: 0\r\n/);
  });
  it('refuses a header value with CR/LF (no response splitting)', () => {
    const m = memorySink();
    assert.throws(() => sendCgiResponse(m.sink, new FastResponse('x', { headers: { 'x-a': 'a\r\nSet-Cookie: evil=1' } }), false, noLog), TypeError);
    assert.equal(m.out().length, 0);
  });
  it('for any header values, the head parses back to exactly the headers given', () => {
    const value = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 30 }).map((s) => s.trim());
    const name = fc.stringMatching(/^x-[a-z0-9-]{1,10}$/);
    fc.assert(fc.property(fc.dictionary(name, value, { maxKeys: 8 }), (headers) => {
      const m = memorySink();
      sendCgiResponse(m.sink, new FastResponse('', { headers }), false, noLog);
      const text = m.out().toString('latin1');
      const lines = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n').slice(1);
      const got = Object.fromEntries(lines.filter((l) => l.startsWith('x-')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
      assert.deepEqual(got, { ...headers });
    }), { numRuns: 300 });
  });
  it('HEAD: the length of the body, not the body', () => {
    const m = memorySink();
    sendCgiResponse(m.sink, new FastResponse('12345'), true, noLog);
    assert.match(m.out().toString(), /Content-Length: 5\r\n\r\n$/);
  });
  it('204 and 304 get no Content-Length', () => {
    for (const status of [204, 304]) {
      const m = memorySink();
      sendCgiResponse(m.sink, new FastResponse(null, { status }), false, noLog);
      assert.doesNotMatch(m.out().toString(), /Content-Length/);
    }
  });
  it('a native Response whose stream is one chunk goes out whole with a Content-Length', async () => {
    const m = memorySink();
    sendCgiResponse(m.sink, new Response('native body'), false, noLog);
    await settle();
    assert.match(m.out().toString(), /Content-Length: 11\r\n\r\nnative body$/);
    assert.equal(m.state.writes, 0);
  });
  it('a stream waits for drain before each next chunk (backpressure)', async () => {
    const m = memorySink(true);
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (++pulled > 5) c.close();
        else c.enqueue(new Uint8Array(10));
      },
    }, { highWaterMark: 0 });
    sendCgiResponse(m.sink, new FastResponse(stream), false, noLog);
    await settle();
    assert.equal(m.state.writes, 1);
    assert.ok(pulled <= 2, `pulled ${pulled}`);
    for (let i = 0; i < 6; i++) {
      m.drain();
      await settle();
    }
    assert.equal(m.state.writes, 5);
    assert.equal(m.state.ended, true);
  });
  it('a stream that fails after the head destroys the sink and logs once', async () => {
    const m = memorySink();
    const logs: string[] = [];
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({ pull(c) { if (n++ === 0) c.enqueue(new Uint8Array(3)); else c.error(new Error('upstream broke')); } });
    sendCgiResponse(m.sink, new FastResponse(stream), false, (msg) => logs.push(msg));
    await settle();
    assert.equal(m.state.destroyed, true);
    assert.equal(logs.length, 1);
  });
});

describe('BodyQueue', () => {
  it('ends by itself at the expected length and drops bytes beyond it', async () => {
    const q = new BodyQueue(5, 100);
    q.push(Buffer.from('hel'));
    q.push(Buffer.from('loEXTRA'));
    assert.equal(q.done, true);
    assert.equal(Buffer.from(await q.readAll()).toString(), 'hello');
  });
  it('fails short of the expected length with 400, over the limit with 413', async () => {
    const short = new BodyQueue(10, 100);
    short.push(Buffer.from('abc'));
    short.end();
    await assert.rejects(short.readAll(), (e: BodyError) => e.status === 400);
    const big = new BodyQueue(undefined, 4);
    big.push(Buffer.from('abcde'));
    await assert.rejects(big.readAll(), (e: BodyError) => e.status === 413);
  });
  it('asks the source to pause beyond its high-water mark and to resume once read', async () => {
    const calls: boolean[] = [];
    const q = new BodyQueue(undefined, 1 << 20, (p) => calls.push(p), 10);
    q.push(new Uint8Array(6));
    q.push(new Uint8Array(6));
    assert.deepEqual(calls, [true]);
    const reader = q.stream().getReader();
    await reader.read();
    await reader.read();
    assert.deepEqual(calls, [true, false]);
    q.end();
    assert.equal((await reader.read()).done, true);
  });
  it('hands back any chunking byte for byte, as a stream or all at once', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 10 }), fc.boolean(), async (chunks, asStream) => {
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const q = new BodyQueue(undefined, 1 << 20, undefined, 16);
      const done = asStream
        ? (async () => {
          const parts: Uint8Array[] = [];
          for await (const c of q.stream()) parts.push(c);
          return Buffer.concat(parts);
        })()
        : q.readAll().then((b) => Buffer.from(b));
      for (const c of chunks) q.push(c);
      q.end();
      const got = await done;
      assert.equal(got.length, total);
      assert.deepEqual(got, Buffer.concat(chunks));
    }), { numRuns: 200 });
  });
});
