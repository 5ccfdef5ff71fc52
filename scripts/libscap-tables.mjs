// Reads libs e5c53d64's syscall tables out of the compiled libscap that sysdig 0.29.3 links
// (Debian package libfalcosecurity0, installed with sysdig by scripts/setup.sh). That shared
// library is the only offline copy of them: ../shared/docs/event-table.json lists just the
// syscalls with dedicated events, and no libs source tree is at hand in CI. The tables are
// exported data symbols, so a small ELF64 reader (symbols + R_X86_64_RELATIVE relocations
// for the string pointers) is enough.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_UNAVAILABLE, GenError, readInput } from './gen-output.mjs';

const LIB_DIR = '/usr/lib/x86_64-linux-gnu';
const SHT_RELA = 4;
const SHT_NOBITS = 8;
const SHT_DYNSYM = 11;
const R_X86_64_RELATIVE = 8n;

/** The libscap of libs e5c53d64: FALCO_TS_LIBSCAP, else the Debian package's file. */
export function libscapPath() {
  if (process.env.FALCO_TS_LIBSCAP) return process.env.FALCO_TS_LIBSCAP;
  const names = fs.existsSync(LIB_DIR) ? fs.readdirSync(LIB_DIR) : [];
  const lib = names.find((n) => /^libscap\.so\..*e5c53d64$/.test(n));
  if (!lib)
    throw new GenError(
      `libscap of libs e5c53d64 not found in ${LIB_DIR} (Debian package libfalcosecurity0, installed with sysdig)`,
      EXIT_UNAVAILABLE,
    );
  return path.join(LIB_DIR, lib);
}

/** The exported symbols of an x86_64 ELF64 shared library, with reads of their data. */
export function openElf(file) {
  const b = readInput(file, 'libscap');
  const bad = (why) => new GenError(`${file}: ${why}`);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46) throw bad('not an ELF file');
  if (b[4] !== 2 || b[5] !== 1 || b.readUInt16LE(18) !== 62) throw bad('not a little-endian x86_64 ELF64 file');
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  if (shoff + shnum * shentsize > b.length) throw bad(`section headers at offset ${shoff} run past the end`);
  const secs = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    secs.push({
      type: b.readUInt32LE(o + 4),
      addr: Number(b.readBigUInt64LE(o + 16)),
      off: Number(b.readBigUInt64LE(o + 24)),
      size: Number(b.readBigUInt64LE(o + 32)),
      link: b.readUInt32LE(o + 40),
    });
  }
  const cstr = (off) => {
    const end = b.indexOf(0, off);
    if (off >= b.length || end < 0) throw bad(`string at offset ${off} is not terminated`);
    return b.toString('latin1', off, end);
  };
  const dynsym = secs.find((s) => s.type === SHT_DYNSYM);
  if (!dynsym) throw bad('no dynamic symbol table');
  const dynstr = secs[dynsym.link];
  const symbols = new Map();
  for (let o = dynsym.off; o + 24 <= dynsym.off + dynsym.size; o += 24) {
    const name = cstr(dynstr.off + b.readUInt32LE(o));
    symbols.set(name, { value: Number(b.readBigUInt64LE(o + 8)), size: Number(b.readBigUInt64LE(o + 16)) });
  }
  // a pointer in position-independent data is 0 in the file; its value is the relocation's addend
  const relative = new Map();
  for (const s of secs.filter((s) => s.type === SHT_RELA))
    for (let o = s.off; o + 24 <= s.off + s.size; o += 24)
      if ((b.readBigUInt64LE(o + 8) & 0xffffffffn) === R_X86_64_RELATIVE)
        relative.set(Number(b.readBigUInt64LE(o)), Number(b.readBigInt64LE(o + 16)));
  const fileOffset = (va) => {
    const s = secs.find((s) => s.type !== SHT_NOBITS && s.addr !== 0 && va >= s.addr && va < s.addr + s.size);
    if (!s) throw bad(`address 0x${va.toString(16)} is in no section with file contents`);
    return va - s.addr + s.off;
  };
  return {
    /** The symbol's data: its file offset and size; `entry` is the element size it must divide into. */
    symbol(name, entry) {
      const s = symbols.get(name);
      if (!s) throw bad(`no exported symbol ${name}`);
      if (s.size === 0 || s.size % entry !== 0) throw bad(`${name} has ${s.size} bytes, not a multiple of ${entry}`);
      return { ...s, off: fileOffset(s.value), count: s.size / entry };
    },
    /** The C string a pointer at virtual address `va` points to. */
    stringAt(va) {
      const target = relative.get(va);
      if (target === undefined) throw bad(`no relocation for the pointer at 0x${va.toString(16)}`);
      return cstr(fileOffset(target));
    },
    buffer: b,
  };
}

/**
 * g_syscall_info_table: the name of each PPM_SC_* code, indexed by code (PPM_SC_MAX entries
 * of struct ppm_syscall_desc { category u32, flags u32, name char* }).
 */
export function syscallNames(elf) {
  const t = elf.symbol('g_syscall_info_table', 16);
  const names = [];
  for (let i = 0; i < t.count; i++) names.push(elf.stringAt(t.value + i * 16 + 8));
  return names;
}

/** g_syscall_code_routing_table: the PPM_SC_* code of each x86_64 syscall number (u32 enum). */
export function syscallRouting(elf) {
  const t = elf.symbol('g_syscall_code_routing_table', 4);
  const codes = [];
  for (let i = 0; i < t.count; i++) codes.push(elf.buffer.readUInt32LE(t.off + 4 * i));
  return codes;
}
