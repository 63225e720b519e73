#!/usr/bin/env python3
"""Marks chosen glibc version needs of an ELF64 shared library weak (VER_FLG_WEAK), in place.

The dynamic loader refuses a library that needs a symbol version (GLIBC_2.38) the system libc lacks, unless that
need is flagged weak; then it loads it and resolves the symbols from whatever provides them (here a preloaded shim).
A weak need the libc lacks still makes the loader print "weak version ... not found" for every program that links
the library at start-up (the dotnet host, git-theta), so the need is also renamed to the oldest version the same
libc entry already needs (GLIBC_2.2.5 on x86-64): the loader then finds it and prints nothing, and the symbols it
covered (__isoc23_strtoul) are taken, unversioned, from the preloaded shim, which comes first in the lookup order.
Only the flags, hash and name offset of matching .gnu.version_r auxiliary entries change; the file keeps its size
and every other byte. Run it on a copy, never on a system file.
"""
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def elf_hash(name):
    h = 0
    for c in name.encode():
        h = ((h << 4) + c) & 0xFFFFFFFF
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h


def main(path, versions):
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            sys.exit(f"{path}: not a little-endian ELF64 file")
        e_shoff, = struct.unpack_from("<Q", data, 0x28)
        e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
        sections = []
        for i in range(e_shnum):
            name, kind, flags, addr, offset, size, link, info = struct.unpack_from("<IIQQQQII", data, e_shoff + i * e_shentsize)
            sections.append((kind, offset, size, link, info))
        changed = []
        for kind, offset, size, link, info in sections:
            if kind != SHT_GNU_VERNEED:
                continue
            strtab = sections[link][1]
            entry = offset
            for _ in range(info):
                vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, entry)
                aux = entry + vn_aux
                oldest = None
                for _ in range(vn_cnt):
                    vna_hash, vna_flags, vna_other, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
                    end = data.index(0, strtab + vna_name)
                    name = data[strtab + vna_name:end].decode()
                    if oldest is None and name not in versions:
                        oldest = (vna_name, name)
                    if name in versions and not vna_flags & VER_FLG_WEAK:
                        struct.pack_into("<H", data, aux + 4, vna_flags | VER_FLG_WEAK)
                        if oldest is not None:
                            struct.pack_into("<I", data, aux, elf_hash(oldest[1]))
                            struct.pack_into("<I", data, aux + 8, oldest[0])
                            name = f"{name} (now {oldest[1]})"
                        changed.append(name)
                    aux += vna_next
                    if vna_next == 0:
                        break
                entry += vn_next
                if vn_next == 0:
                    break
        f.seek(0)
        f.write(data)
    print(f"{path}: weak version needs: {', '.join(changed) if changed else 'none changed'}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: weaken-version-needs.py LIBRARY VERSION...")
    main(sys.argv[1], set(sys.argv[2:]))
