/**
 * adapters/_http/request.ts, through a tiny gateway subclass: LightRequest must read like the
 * Fetch Request for what apps and frameworks use, and build its parts lazily, once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LightHeaders, LightRequest, linkNativeRequest } from '../../adapters/_http/request.ts';

/** A gateway in miniature: the body comes as chunks, counted calls show what is built when. */
class TestRequest extends LightRequest {
  calls = { url: 0, headers: 0, read: 0, stream: 0 };
  #url: string;
  #headers: Record<string, string>;
  #chunks: Uint8Array[];

  constructor(method: string, url: string, headers: Record<string, string> = {}, chunks: Uint8Array[] = []) {
    super(method);
    this.#url = url;
    this.#headers = headers;
    this.#chunks = chunks;
  }
  protected _url(): string {
    this.calls.url++;
    return this.#url;
  }
  protected _headers(): LightHeaders {
    this.calls.headers++;
    return new LightHeaders(this.#headers);
  }
  protected _readBody(): Promise<Uint8Array> {
    this.calls.read++;
    const total = this.#chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return Promise.resolve(out);
  }
  protected _streamBody(): ReadableStream<Uint8Array> | null {
    this.calls.stream++;
    const chunks = this.#chunks.slice();
    return new ReadableStream({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
  }
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('LightRequest', () => {
  it('builds url and headers on first use, once', () => {
    const req = new TestRequest('GET', 'http://h/a?b=1', { 'X-A': '1' });
    assert.deepEqual(req.calls, { url: 0, headers: 0, read: 0, stream: 0 });
    assert.equal(req.url, 'http://h/a?b=1');
    assert.equal(req.url, 'http://h/a?b=1');
    assert.equal(req.headers.get('x-a'), '1');
    assert.equal(req.headers, req.headers);
    assert.deepEqual(req.calls, { url: 1, headers: 1, read: 0, stream: 0 });
    assert.equal(req.method, 'GET');
  });

  it('reads the body straight, without a stream: text, json, arrayBuffer, bytes', async () => {
    const body = '{"a":"é☃"}';
    for (const reader of ['text', 'json', 'arrayBuffer', 'bytes'] as const) {
      const req = new TestRequest('POST', 'http://h/', {}, [enc(body.slice(0, 4)), enc(body.slice(4))]);
      const native = new Request('http://h/', { method: 'POST', body });
      const norm = (v: unknown): unknown => (v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v instanceof Uint8Array ? [...v] : v);
      assert.deepEqual(norm(await req[reader]()), norm(await native[reader]()), reader);
      assert.equal(req.calls.stream, 0);
      assert.equal(req.bodyUsed, true);
      await assert.rejects(req.text(), TypeError, 'a second read rejects');
    }
  });

  it('GET and HEAD have no body, and read as empty', async () => {
    for (const method of ['GET', 'HEAD']) {
      const req = new TestRequest(method, 'http://h/', {}, [enc('ignored')]);
      assert.equal(req.body, null);
      assert.equal(await req.text(), '');
      assert.equal(req.calls.read, 0);
    }
  });

  it('streams the body through request.body', async () => {
    const req = new TestRequest('PUT', 'http://h/', {}, [enc('ab'), enc('cd'), enc('e')]);
    const reader = req.body!.getReader();
    const seen: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen.push(new TextDecoder().decode(value));
    }
    assert.deepEqual(seen, ['ab', 'cd', 'e']);
    assert.equal(req.bodyUsed, true);
    assert.equal(req.calls.read, 0);
    await assert.rejects(req.text(), TypeError);
  });

  it('still reads with text() after someone only looked at request.body (as frameworks do)', async () => {
    const req = new TestRequest('POST', 'http://h/', {}, [enc('hello '), enc('world')]);
    assert.ok(req.body, 'there is a body');
    assert.equal(req.bodyUsed, false);
    assert.equal(await req.text(), 'hello world');
    assert.equal(req.bodyUsed, true);
    await assert.rejects(req.arrayBuffer(), TypeError);
  });

  it('aborts its signal when the gateway says the client went away, once', () => {
    const req = new TestRequest('GET', 'http://h/');
    const signal = req.signal;
    assert.equal(req.signal, signal);
    let fired = 0;
    signal.addEventListener('abort', () => fired++);
    req._abort();
    req._abort(new Error('again'));
    assert.equal(signal.aborted, true);
    assert.equal(fired, 1);
    assert.equal((signal.reason as DOMException).name, 'AbortError');
    const early = new TestRequest('GET', 'http://h/');
    early._abort(new Error('timeout'));
    assert.equal(early.signal.aborted, true, 'an abort before anyone asked for the signal still shows');
    assert.equal((early.signal.reason as Error).message, 'timeout');
  });

  it('builds one native Request with the same method, url, headers and body', async () => {
    const req = new TestRequest('PATCH', 'http://h/x?y=%2B', { 'x-a': '1', cookie: 'a=b' }, [enc('payload')]);
    const native = req._native;
    assert.equal(req._native, native);
    assert.ok(native instanceof Request);
    assert.equal(native.method, 'PATCH');
    assert.equal(native.url, 'http://h/x?y=%2B');
    assert.equal(native.headers.get('x-a'), '1');
    assert.equal(await req.text(), 'payload', 'reads go through the native request once it exists');
  });

  it('clone, blob and formData work through the native class', async () => {
    const req = new TestRequest('POST', 'http://h/', { 'content-type': 'application/x-www-form-urlencoded' }, [enc('a=1&b=%E2%98%83')]);
    const copy = req.clone();
    assert.equal(await copy.text(), 'a=1&b=%E2%98%83');
    assert.equal((await req.formData()).get('b'), '☃');
    const other = new TestRequest('POST', 'http://h/', {}, [enc('xyz')]);
    assert.equal(await (await other.blob()).text(), 'xyz');
  });

  it('has the Fetch defaults for what a gateway has nothing to say about', () => {
    const req = new TestRequest('GET', 'http://h/');
    const native = new Request('http://h/');
    for (const key of ['cache', 'credentials', 'destination', 'integrity', 'keepalive', 'mode', 'redirect', 'referrerPolicy'] as const) {
      assert.equal(req[key], native[key], key);
    }
    assert.equal(Object.prototype.toString.call(req), '[object Request]');
  });

  it('passes instanceof checks both ways, and instanceof Request once linked', () => {
    const req = new TestRequest('GET', 'http://h/');
    assert.ok(req instanceof LightRequest);
    assert.ok(new Request('http://h/') instanceof LightRequest);
    assert.ok(!({} instanceof LightRequest));
    assert.ok(!(new Response('') instanceof LightRequest));
    linkNativeRequest();
    linkNativeRequest();
    assert.ok(req instanceof Request);
    assert.equal(req.method, 'GET', 'own getters still win over the native prototype');
    assert.equal(req.url, 'http://h/');
  });

  it('reads any chunking of any bytes back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 8 }), fc.boolean(), async (chunks, viaStream) => {
        const want = chunks.flatMap((c) => [...c]);
        const req = new TestRequest('POST', 'http://h/', {}, chunks);
        if (viaStream) void req.body;
        assert.deepEqual([...(await req.bytes())], want);
      }),
      { numRuns: 300 },
    );
  });
});
