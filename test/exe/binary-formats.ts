/**
 * Just enough PE and ELF reading to check a built executable without running it: where the SEA
 * blob was injected (the `NODE_SEA_BLOB` RCDATA resource of a PE, the `NODE_SEA_BLOB` note of an
 * ELF), and whether the SEA fuse was flipped. Test tooling: it reads files this repo built.
 */

/** The magic every SEA blob starts with (node's src/node_sea.h, kMagic), little-endian. */
export const SEA_BLOB_MAGIC = 0x0143da20;
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Whether the fuse says "a blob is injected" (`:1`), and that no unflipped copy remains. */
export function fuseFlipped(file: Buffer): boolean {
  return file.includes(`${FUSE}:1`) && !file.includes(`${FUSE}:0`);
}

/** A PE file's machine, and its `NODE_SEA_BLOB` RCDATA resource when present. */
/** `signed`: the PE has an Authenticode certificate table (data directory 4). */
export function readPe(file: Buffer): { machine: number; pe32plus: boolean; signed: boolean; blob: Buffer | undefined } {
  if (file.toString('latin1', 0, 2) !== 'MZ') throw new Error('no MZ header');
  const pe = file.readUInt32LE(0x3c);
  if (file.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('no PE signature');
  const machine = file.readUInt16LE(pe + 4);
  const sections = file.readUInt16LE(pe + 6);
  const optionalSize = file.readUInt16LE(pe + 20);
  const optional = pe + 24;
  const pe32plus = file.readUInt16LE(optional) === 0x20b;
  // Data directory 2 is the resource table; directories start at 112 (PE32+) or 96 (PE32).
  const resourceDir = optional + (pe32plus ? 112 : 96) + 2 * 8;
  const resourceRva = file.readUInt32LE(resourceDir);
  const signed = file.readUInt32LE(resourceDir + 2 * 8 + 4) !== 0;
  const table = optional + optionalSize;
  const toOffset = (rva: number): number => {
    for (let i = 0; i < sections; i++) {
      const s = table + i * 40;
      const va = file.readUInt32LE(s + 12);
      const rawSize = file.readUInt32LE(s + 16);
      const raw = file.readUInt32LE(s + 20);
      if (rva >= va && rva < va + Math.max(rawSize, file.readUInt32LE(s + 8))) return raw + (rva - va);
    }
    throw new Error(`RVA ${rva} is in no section`);
  };
  if (resourceRva === 0) return { machine, pe32plus, signed, blob: undefined };
  const base = toOffset(resourceRva);
  const entries = (dir: number): { name: number | string; target: number; isDir: boolean }[] => {
    const count = file.readUInt16LE(dir + 12) + file.readUInt16LE(dir + 14);
    const out = [];
    for (let i = 0; i < count; i++) {
      const e = dir + 16 + i * 8;
      const nameField = file.readUInt32LE(e);
      const dataField = file.readUInt32LE(e + 4);
      let name: number | string = nameField;
      if (nameField & 0x80000000) {
        const at = base + (nameField & 0x7fffffff);
        name = file.toString('utf16le', at + 2, at + 2 + file.readUInt16LE(at) * 2);
      }
      out.push({ name, target: base + (dataField & 0x7fffffff), isDir: (dataField & 0x80000000) !== 0 });
    }
    return out;
  };
  const RT_RCDATA = 10;
  for (const type of entries(base)) {
    if (type.name !== RT_RCDATA || !type.isDir) continue;
    for (const named of entries(type.target)) {
      if (named.name !== 'NODE_SEA_BLOB' || !named.isDir) continue;
      const language = entries(named.target)[0];
      if (!language || language.isDir) continue;
      const rva = file.readUInt32LE(language.target);
      const size = file.readUInt32LE(language.target + 4);
      const at = toOffset(rva);
      return { machine, pe32plus, signed, blob: file.subarray(at, at + size) };
    }
  }
  return { machine, pe32plus, signed, blob: undefined };
}

/** A 64-bit little-endian ELF file's machine, and the desc of its `NODE_SEA_BLOB` note when present. */
export function readElf(file: Buffer): { machine: number; blob: Buffer | undefined } {
  if (file.readUInt32BE(0) !== 0x7f454c46) throw new Error('no ELF magic');
  if (file[4] !== 2 || file[5] !== 1) throw new Error('not a 64-bit little-endian ELF');
  const machine = file.readUInt16LE(18);
  const phoff = Number(file.readBigUInt64LE(32));
  const phentsize = file.readUInt16LE(54);
  const phnum = file.readUInt16LE(56);
  const PT_NOTE = 4;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (file.readUInt32LE(ph) !== PT_NOTE) continue;
    let at = Number(file.readBigUInt64LE(ph + 8));
    const end = at + Number(file.readBigUInt64LE(ph + 32));
    while (at + 12 <= end) {
      const namesz = file.readUInt32LE(at);
      const descsz = file.readUInt32LE(at + 4);
      const name = file.toString('latin1', at + 12, at + 12 + namesz).replace(/\0+$/, '');
      const desc = at + 12 + Math.ceil(namesz / 4) * 4;
      if (name === 'NODE_SEA_BLOB') return { machine, blob: file.subarray(desc, desc + descsz) };
      at = desc + Math.ceil(descsz / 4) * 4;
    }
  }
  return { machine, blob: undefined };
}
