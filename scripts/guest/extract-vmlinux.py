#!/usr/bin/env python3
"""Uncompressed ELF vmlinux from a bzImage (Debian's headers ship no scripts/extract-vmlinux).
QEMU boots the ELF directly through its PVH entry, skipping ~2 s of XZ decompression under TCG.
Usage: extract-vmlinux.py BZIMAGE OUT"""
import lzma, sys, zlib

data = open(sys.argv[1], 'rb').read()
out = None
for magic, fn in ((b'\xfd7zXZ\x00', lambda b: lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(b)),
                  (b'\x1f\x8b\x08\x00', lambda b: zlib.decompressobj(31).decompress(b)),
                  (b'\x5d\x00\x00', lambda b: lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(b))):
    pos = data.find(magic)
    while pos >= 0 and out is None:
        try:
            cand = fn(data[pos:])
            if cand[:4] == b'\x7fELF':
                out = cand
        except Exception:
            pass
        pos = data.find(magic, pos + 1)
    if out is not None:
        break
if out is None:
    sys.exit('extract-vmlinux: no compressed ELF found in ' + sys.argv[1])
open(sys.argv[2], 'wb').write(out)
