#!/usr/bin/env python3
"""Writes an ISO-type zlib UIF (version 2) of a plain image, independently
of discconv: Python's zlib and struct, the layout of ../shared/FORMATS.md
section 5 (blocks of 512 sectors, all-zero blocks as zero fill, blocks
that do not shrink stored, a zlib-compressed block table, the 64-byte
bbis footer).  For the benchmark's input, so that discconv's reader is
not timed on files only its own writer makes.

    python3 bench/mkuif.py IMAGE OUT.uif [LEVEL]
"""
import struct
import sys
import zlib

SECTOR = 2048
BLOCK = 512 * SECTOR
STORED, ZERO, COMPRESSED = 1, 3, 5


def main():
    image, out = sys.argv[1], sys.argv[2]
    level = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    entries, pos, sector = [], 0, 0
    with open(image, "rb") as src, open(out, "wb") as dst:
        while True:
            data = src.read(BLOCK)
            if not data:
                break
            if len(data) % SECTOR:
                sys.exit("mkuif: the image is not whole 2048-byte sectors")
            n = len(data) // SECTOR
            if data.count(0) == len(data):
                entries.append((pos, 0, sector, n, ZERO))
            else:
                packed, kind = zlib.compress(data, level), COMPRESSED
                if len(packed) >= len(data):
                    packed, kind = data, STORED
                dst.write(packed)
                entries.append((pos, len(packed), sector, n, kind))
                pos += len(packed)
            sector += n
        table = zlib.compress(b"".join(struct.pack("<QIIII", *e)
                                       for e in entries), level)
        blhr = b"blhr" + struct.pack("<III", 8 + len(table), 1, len(entries))
        dst.write(blhr + table)
        bbis = b"bbis" + struct.pack("<IHHHHIIIQI", 64, 2, 8, 0, 0, sector,
                                     SECTOR, 0, pos, len(blhr + table) + 64)
        dst.write(bbis.ljust(64, b"\0"))


main()
