/**
 * Trusted proxies: which peer addresses may speak for the client through X-Forwarded-For/
 * -Proto/-Host and RFC 7239 `Forwarded`, and what the client then is. Forwarded headers come
 * from outside, so they count only when the immediate peer is a configured proxy, and the
 * client is the rightmost address of the chain that is not itself a trusted proxy (anything to
 * its left was written by the client and may be forged).
 */

/**
 * Who may set forwarded headers: `false` (no one, the default), `true` (every peer: only
 * behind a proxy that overwrites the headers), one or a list of IPs, CIDRs (`10.0.0.0/8`,
 * `fd00::/8`) and the names `'loopback'`, `'private'`, `'linklocal'`, or a predicate.
 */
export type TrustProxy = boolean | string | readonly string[] | ((address: string) => boolean);

/** A compiled `TrustProxy`: whether an address is a trusted proxy. */
export type TrustFn = (address: string) => boolean;

const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
};

/**
 * Compile a TrustProxy option once, at start. Throws `PORTICO_BAD_OPTION` on an entry that is
 * neither an address, a CIDR nor a known name.
 *
 * @example
 * const trusted = compileTrust(['loopback', '10.0.0.0/8']);
 * trusted('127.0.0.1'); // true
 * trusted('::ffff:10.1.2.3'); // true (IPv4-mapped)
 */
export function compileTrust(option: TrustProxy | undefined): TrustFn | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return () => true;
  if (typeof option === 'function') return option;
  const list = typeof option === 'string' ? option.split(',').map((s) => s.trim()).filter(Boolean) : option;
  const ranges: Array<{ bytes: Uint8Array; bits: number }> = [];
  for (const entry of list) {
    for (const cidr of NAMED[entry] ?? [entry]) {
      const slash = cidr.indexOf('/');
      const ip = parseIp(slash === -1 ? cidr : cidr.slice(0, slash));
      let bits = slash === -1 ? 128 : Number(cidr.slice(slash + 1));
      if (ip === undefined || !Number.isInteger(bits) || (slash !== -1 && !/^\d+$/.test(cidr.slice(slash + 1)))) {
        throw new TypeError(
          `PORTICO_BAD_OPTION: "trustProxy" entry ${JSON.stringify(entry)} is not an IP address, a CIDR such as "10.0.0.0/8", or one of loopback, private, linklocal`,
        );
      }
      // An IPv4 prefix length counts within the last 32 bits of the mapped form.
      if (slash !== -1 && ip.v4) bits += 96;
      if (bits > 128 || (ip.v4 && bits < 96)) {
        throw new TypeError(`PORTICO_BAD_OPTION: "trustProxy" entry ${JSON.stringify(entry)} has a prefix length out of range`);
      }
      ranges.push({ bytes: ip.bytes, bits });
    }
  }
  if (ranges.length === 0) return undefined;
  return (address: string) => {
    const ip = parseIp(address);
    if (ip === undefined) return false;
    for (const r of ranges) if (prefixMatch(ip.bytes, r.bytes, r.bits)) return true;
    return false;
  };
}

function prefixMatch(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  let i = 0;
  for (; bits >= 8; bits -= 8, i++) if (a[i] !== b[i]) return false;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (a[i]! & mask) === (b[i]! & mask);
}

/**
 * An IPv4 or IPv6 address as 16 bytes (IPv4 as IPv4-mapped IPv6, so `::ffff:127.0.0.1` and
 * `127.0.0.1` compare equal), or undefined when `text` is not an address. A zone (`%eth0`) is
 * ignored.
 *
 * @example
 * parseIp('10.0.0.1')?.v4; // true
 */
export function parseIp(text: string): { bytes: Uint8Array; v4: boolean } | undefined {
  const bytes = new Uint8Array(16);
  if (text.includes('.') && !text.includes(':')) {
    return parseV4(text, bytes, 12) ? { bytes: mapped(bytes), v4: true } : undefined;
  }
  const pct = text.indexOf('%');
  if (pct !== -1) text = text.slice(0, pct);
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  // A trailing dotted quad counts as two groups.
  const words: number[] = [];
  const push = (list: string[], out: number[]): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      if (g.includes('.')) {
        if (i !== list.length - 1) return false;
        const four = new Uint8Array(4);
        if (!parseV4(g, four, 0)) return false;
        out.push((four[0]! << 8) | four[1]!, (four[2]! << 8) | four[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
        out.push(parseInt(g, 16));
      }
    }
    return true;
  };
  const headWords: number[] = [];
  const tailWords: number[] = [];
  if (!push(head, headWords) || !push(tail, tailWords)) return undefined;
  if (halves.length === 1 && headWords.length !== 8) return undefined;
  if (halves.length === 2 && headWords.length + tailWords.length > 7) return undefined;
  words.push(...headWords);
  while (words.length + tailWords.length < 8) words.push(0);
  words.push(...tailWords);
  for (let i = 0; i < 8; i++) {
    bytes[i * 2] = words[i]! >> 8;
    bytes[i * 2 + 1] = words[i]! & 0xff;
  }
  const isMapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return { bytes, v4: isMapped };
}

function parseV4(text: string, out: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return false;
    const n = Number(p);
    if (n > 255) return false;
    out[at + i] = n;
  }
  return true;
}

function mapped(bytes: Uint8Array): Uint8Array {
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  return bytes;
}

/** One element of an RFC 7239 `Forwarded` header: the hop one proxy saw. */
export interface ForwardedElement {
  for?: string;
  by?: string;
  proto?: string;
  host?: string;
}

/**
 * Parse an RFC 7239 `Forwarded` header (§4: elements split by ",", pairs by ";", values a
 * token or a quoted-string). Never throws; returns undefined when the header is malformed,
 * because a half-understood chain must not pick the client.
 *
 * @example
 * parseForwarded('for=192.0.2.60;proto=https, for="[2001:db8::17]:4711"');
 * // [{ for: '192.0.2.60', proto: 'https' }, { for: '[2001:db8::17]:4711' }]
 */
export function parseForwarded(header: string): ForwardedElement[] | undefined {
  const out: ForwardedElement[] = [];
  let el: ForwardedElement = {};
  let i = 0;
  const n = header.length;
  const skipOws = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  for (;;) {
    skipOws();
    // An empty element (", ,") is allowed by the list syntax of RFC 9110 §5.6.1.
    if (i < n && header[i] === ',') {
      i++;
      continue;
    }
    if (i >= n) break;
    const start = i;
    while (i < n && isTokenChar(header.charCodeAt(i))) i++;
    const name = header.slice(start, i).toLowerCase();
    if (name === '' || header[i] !== '=') return undefined;
    i++;
    let value: string;
    if (header[i] === '"') {
      i++;
      value = '';
      for (;;) {
        if (i >= n) return undefined;
        const c = header[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          if (i + 1 >= n) return undefined;
          value += header[i + 1];
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
    } else {
      const vs = i;
      while (i < n && isTokenChar(header.charCodeAt(i))) i++;
      value = header.slice(vs, i);
      if (value === '') return undefined;
    }
    if (name === 'for' || name === 'by' || name === 'proto' || name === 'host') {
      if (el[name] !== undefined) return undefined; // §4: each parameter at most once per element
      el[name] = value;
    }
    skipOws();
    if (i >= n) {
      out.push(el);
      break;
    }
    if (header[i] === ';') {
      i++;
      continue;
    }
    if (header[i] === ',') {
      out.push(el);
      el = {};
      i++;
      continue;
    }
    return undefined;
  }
  return out;
}

function isTokenChar(c: number): boolean {
  // RFC 9110 §5.6.2 tchar
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x21 || (c >= 0x23 && c <= 0x27) || c === 0x2a || c === 0x2b || c === 0x2d || c === 0x2e ||
    c === 0x5e || c === 0x5f || c === 0x60 || c === 0x7c || c === 0x7e
  );
}

/**
 * The address part of a `for=` node (§6): `192.0.2.1`, `192.0.2.1:80`, `"[2001:db8::1]:443"`,
 * `unknown`, `_hidden`. Obfuscated and unknown nodes come back as given.
 *
 * @example
 * nodeAddress('[2001:db8::1]:443'); // '2001:db8::1'
 */
export function nodeAddress(node: string): string {
  if (node.startsWith('[')) {
    const end = node.indexOf(']');
    return end === -1 ? node : node.slice(1, end);
  }
  const colon = node.indexOf(':');
  // One colon: IPv4 with a port. More: a bare IPv6 (not valid in Forwarded, common in XFF).
  if (colon !== -1 && node.indexOf(':', colon + 1) === -1) return node.slice(0, colon);
  return node;
}

/** The client and the origin it asked for, after trusted-proxy resolution. */
export interface ForwardedInfo {
  clientAddress: string | undefined;
  /** 'http' or 'https' when a trusted proxy said so. */
  proto?: string;
  /** The Host the client asked the proxy for, when a trusted proxy said so. */
  host?: string;
}

/**
 * Resolve the client behind trusted proxies. `get` reads a request header (lower-case name).
 * The peer must be trusted for any header to count; then the chain (Forwarded's `for=` when
 * that header is present, else X-Forwarded-For) is walked from the right past trusted
 * addresses, and the first untrusted one is the client. Proto and host come from the same hop.
 *
 * @example
 * resolveForwarded('127.0.0.1', (n) => ({ 'x-forwarded-for': '203.0.113.7' })[n], compileTrust('loopback'));
 * // { clientAddress: '203.0.113.7' }
 */
export function resolveForwarded(
  peer: string | undefined,
  get: (name: string) => string | null | undefined,
  trusted: TrustFn | undefined,
): ForwardedInfo {
  if (trusted === undefined || peer === undefined || !trusted(peer)) return { clientAddress: peer };
  const forwarded = get('forwarded');
  if (forwarded) {
    const elements = parseForwarded(forwarded);
    if (!elements || elements.length === 0) return { clientAddress: peer };
    let i = elements.length - 1;
    for (; i > 0; i--) {
      const f = elements[i]!.for;
      if (f === undefined || !trusted(nodeAddress(f))) break;
    }
    const el = elements[i]!;
    return {
      clientAddress: el.for !== undefined ? nodeAddress(el.for) : peer,
      proto: el.proto,
      host: el.host,
    };
  }
  const xff = get('x-forwarded-for');
  const protos = splitList(get('x-forwarded-proto'));
  const hosts = splitList(get('x-forwarded-host'));
  if (!xff) return { clientAddress: peer, proto: protos.at(-1), host: hosts.at(-1) };
  const chain = splitList(xff);
  if (chain.length === 0) return { clientAddress: peer, proto: protos.at(-1), host: hosts.at(-1) };
  let i = chain.length - 1;
  for (; i > 0; i--) if (!trusted(nodeAddress(chain[i]!))) break;
  // Proto/host lists line up with the address list only when every hop appended to all three.
  const pick = (list: string[]) => (list.length === chain.length ? list[i] : list.at(-1));
  return { clientAddress: nodeAddress(chain[i]!), proto: pick(protos), host: pick(hosts) };
}

function splitList(value: string | null | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const t = part.trim();
    if (t !== '') out.push(t);
  }
  return out;
}
