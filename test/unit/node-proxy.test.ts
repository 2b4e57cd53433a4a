import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compileTrust, nodeAddress, parseForwarded, parseIp, resolveForwarded } from '../../adapters/_node/proxy.ts';
import { send, start } from './node-helpers.ts';

const echo = {
  fetch: (r: Request, _e: unknown, ctx: { clientAddress?: string }) => Response.json({ url: r.url, client: ctx.clientAddress }),
};

describe('trustProxy through the server', () => {
  const headers = { 'x-forwarded-for': '203.0.113.9, 10.0.0.2', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' };

  test('off by default: forwarded headers are ignored', async () => {
    const s = await start(echo);
    try {
      const j = JSON.parse((await send(s.port, { path: '/p?q', headers })).body.toString());
      assert.equal(j.client, '127.0.0.1');
      assert.equal(j.url, `http://127.0.0.1:${s.port}/p?q`);
    } finally {
      await s.close();
    }
  });

  test('a trusted peer: client, proto and host come from the headers', async () => {
    const s = await start(echo, { trustProxy: ['loopback', '10.0.0.0/8'] });
    try {
      const j = JSON.parse((await send(s.port, { path: '/p?q', headers })).body.toString());
      assert.equal(j.client, '203.0.113.9');
      assert.equal(j.url, 'https://shop.example/p?q');
      const f = JSON.parse((await send(s.port, { path: '/f', headers: { forwarded: 'for=198.51.100.4;proto=https;host=a.example, for=10.1.1.1' } })).body.toString());
      assert.equal(f.client, '198.51.100.4');
      assert.equal(f.url, 'https://a.example/f');
    } finally {
      await s.close();
    }
  });

  test('a peer outside the list is not believed; a bad forwarded host is ignored', async () => {
    const s = await start(echo, { trustProxy: '10.0.0.0/8' });
    try {
      const j = JSON.parse((await send(s.port, { path: '/p', headers })).body.toString());
      assert.equal(j.client, '127.0.0.1');
      assert.equal(j.url, `http://127.0.0.1:${s.port}/p`);
    } finally {
      await s.close();
    }
    const t = await start(echo, { trustProxy: true });
    try {
      const j = JSON.parse((await send(t.port, { path: '/p', headers: { 'x-forwarded-host': 'evil.example/x?', 'x-forwarded-proto': 'gopher' } })).body.toString());
      assert.equal(j.url, `http://127.0.0.1:${t.port}/p`);
    } finally {
      await t.close();
    }
  });

  test('an invalid Host header is a 400', async () => {
    const s = await start(echo);
    try {
      assert.equal((await send(s.port, { headers: { host: 'a/b' } })).status, 400);
      assert.equal((await send(s.port, { headers: { host: 'user@h' } })).status, 400);
      assert.equal((await send(s.port, { headers: { host: '[::1]:80' } })).status, 200);
    } finally {
      await s.close();
    }
  });
});

describe('trust and forwarded parsing', () => {
  test('addresses, CIDRs and names', () => {
    const t = compileTrust(['loopback', '192.168.0.0/16', '2001:db8::/32', '203.0.113.7'])!;
    for (const a of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '192.168.4.4', '2001:db8:1::9', '203.0.113.7']) assert.ok(t(a), a);
    for (const a of ['128.0.0.1', '192.169.0.1', '2001:db9::1', '203.0.113.8', 'unknown', '', '::2']) assert.ok(!t(a), a);
    assert.equal(compileTrust(false), undefined);
    assert.equal(compileTrust(undefined), undefined);
    assert.throws(() => compileTrust('10.0.0.0/33'), /PORTICO_BAD_OPTION/);
    assert.throws(() => compileTrust(['10.0.0.300']), /PORTICO_BAD_OPTION/);
  });

  test('rightmost untrusted address is the client', () => {
    const trust = compileTrust(['10.0.0.0/8'])!;
    const get = (h: Record<string, string>) => (n: string) => h[n];
    assert.equal(resolveForwarded('10.0.0.1', get({ 'x-forwarded-for': '1.1.1.1, 2.2.2.2, 10.0.0.5' }), trust).clientAddress, '2.2.2.2');
    assert.equal(resolveForwarded('10.0.0.1', get({ 'x-forwarded-for': '10.0.0.9, 10.0.0.5' }), trust).clientAddress, '10.0.0.9');
    assert.equal(resolveForwarded('9.9.9.9', get({ 'x-forwarded-for': '1.1.1.1' }), trust).clientAddress, '9.9.9.9');
    assert.deepEqual(resolveForwarded('10.0.0.1', get({ forwarded: 'for="[2001:db8::1]:443";proto=https' }), trust), {
      clientAddress: '2001:db8::1',
      proto: 'https',
      host: undefined,
    });
    // A malformed Forwarded header does not pick a client.
    assert.equal(resolveForwarded('10.0.0.1', get({ forwarded: 'for="unterminated' }), trust).clientAddress, '10.0.0.1');
  });

  test('parseForwarded follows RFC 7239 examples', () => {
    assert.deepEqual(parseForwarded('for="_gazonk"'), [{ for: '_gazonk' }]);
    assert.deepEqual(parseForwarded('For="[2001:db8:cafe::17]:4711"'), [{ for: '[2001:db8:cafe::17]:4711' }]);
    assert.deepEqual(parseForwarded('for=192.0.2.60;proto=http;by=203.0.113.43'), [{ for: '192.0.2.60', proto: 'http', by: '203.0.113.43' }]);
    assert.deepEqual(parseForwarded('for=192.0.2.43, for=198.51.100.17'), [{ for: '192.0.2.43' }, { for: '198.51.100.17' }]);
    assert.equal(parseForwarded('for=a;for=b'), undefined);
    assert.equal(parseForwarded('for'), undefined);
    assert.equal(nodeAddress('192.0.2.1:80'), '192.0.2.1');
    assert.equal(nodeAddress('2001:db8::1'), '2001:db8::1');
  });

  test('property: parseForwarded never throws and reads back what was serialised', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
    const quotedSafe = fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s));
    const value = fc.oneof(token, quotedSafe);
    const element = fc.record({ for: fc.option(value, { nil: undefined }), proto: fc.option(value, { nil: undefined }), host: fc.option(value, { nil: undefined }) });
    const serialise = (v: string) => (/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(v) ? v : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`);
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 5 }), (elements) => {
        const cleaned = elements.map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));
        if (cleaned.some((e) => Object.keys(e).length === 0)) return;
        const header = cleaned.map((e) => Object.entries(e).map(([k, v]) => `${k}=${serialise(v as string)}`).join(';')).join(', ');
        assert.deepEqual(parseForwarded(header), cleaned);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (junk) => {
        const out = parseForwarded(junk);
        assert.ok(out === undefined || Array.isArray(out));
      }),
      { numRuns: 2000 },
    );
  });

  test('property: parseIp agrees with node:net on what is an address', async () => {
    const { isIP } = await import('node:net');
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 40 })), (s) => {
        assert.equal(parseIp(s) !== undefined, isIP(s) !== 0, s);
      }),
      { numRuns: 3000 },
    );
  });
});
