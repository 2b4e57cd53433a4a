/**
 * Find one file in a tar archive (an npm package tarball, already gunzipped): ustar names with
 * their prefix, pax `path` records and GNU long names, octal or base-256 sizes. Only what reading
 * an npm tarball needs; the bytes come from the network, so every length is checked.
 *
 * Build time only.
 */
import { PorticoError } from '../../../src/config/errors.ts';

const BLOCK = 512;
const decoder = new TextDecoder();

function bad(why: string): PorticoError {
  return new PorticoError('PORTICO_EXE_TARBALL', `the downloaded package is not a readable tar archive (${why}); delete the cache folder it came from and build again`);
}

function text(bytes: Uint8Array, start: number, length: number): string {
  const field = bytes.subarray(start, start + length);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}

/** A size field: octal digits (NUL/space padded), or base-256 when the first byte's high bit is set. */
function size(header: Uint8Array): number {
  if (header[124]! & 0x80) {
    let n = header[124]! & 0x7f;
    for (let i = 125; i < 136; i++) n = n * 256 + header[i]!;
    if (!Number.isSafeInteger(n)) throw bad('entry size out of range');
    return n;
  }
  const digits = text(header, 124, 12).trim();
  if (!/^[0-7]*$/.test(digits)) throw bad(`size field ${JSON.stringify(digits)} is not octal`);
  return digits === '' ? 0 : parseInt(digits, 8);
}

/** The pax extended header's `path`, if any: records are "<len> <key>=<value>\n". */
function paxPath(data: Uint8Array): string | undefined {
  let path: string | undefined;
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) throw bad('pax record without a length');
    const length = Number(decoder.decode(data.subarray(at, space)));
    if (!Number.isInteger(length) || length <= space - at || at + length > data.length) throw bad('pax record length out of range');
    const record = decoder.decode(data.subarray(space + 1, at + length - 1));
    if (record.startsWith('path=')) path = record.slice(5);
    at += length;
  }
  return path;
}

/**
 * The contents of the regular file at `name`, or undefined when the archive has none. Throws
 * PORTICO_EXE_TARBALL when the archive is cut short or malformed.
 *
 * @example
 * findTarFile(gunzipSync(tgz), 'package/bin/node'); // Uint8Array(126891984) [...]
 */
export function findTarFile(tar: Uint8Array, name: string): Uint8Array | undefined {
  let at = 0;
  let longName: string | undefined;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return undefined; // end of archive
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
    const stored = text(header, 148, 8).trim();
    if (!/^[0-7]+$/.test(stored) || parseInt(stored, 8) !== sum) throw bad(`header checksum mismatch at byte ${at}`);
    const length = size(header);
    const start = at + BLOCK;
    if (start + length > tar.length) throw bad(`entry at byte ${at} runs past the end`);
    const data = tar.subarray(start, start + length);
    const type = String.fromCharCode(header[156]!);
    at = start + Math.ceil(length / BLOCK) * BLOCK;
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue; // global pax header: nothing a lookup by name needs
    const prefix = text(header, 345, 155);
    const path = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    if ((type === '0' || type === '\0') && path === name) return data;
  }
  if (at !== tar.length) throw bad('archive ends inside a header');
  return undefined;
}
