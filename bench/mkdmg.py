#!/usr/bin/env python3
"""Writes a UDZO DMG of a plain image, independently of discconv: Python's
zlib and plistlib, the layout of ../shared/FORMATS.md section 6 as hdiutil
writes a volume without a partition map (one "whole disk" blkx, 1 MiB
chunks, zero runs as type 2, chunks that do not shrink stored raw), with
CRC-32 checksums.  For the benchmark's input, so that discconv's reader is
not timed on files only its own writer makes.

    python3 bench/mkdmg.py IMAGE OUT.dmg [LEVEL]
"""
import plistlib
import struct
import sys
import zlib

SECTOR = 512
CHUNK = 1 << 20
ZERO, RAW, IGNORE, ZLIB, END = 0x0, 0x1, 0x2, 0x80000005, 0xFFFFFFFF


def crc_field(crc):
    return struct.pack(">II", 2, 32) + struct.pack(">I", crc).ljust(128, b"\0")


def main():
    image, out = sys.argv[1], sys.argv[2]
    level = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    entries, image_crc, fork_crc, pos, sector = [], 0, 0, 0, 0
    with open(image, "rb") as src, open(out, "wb") as dst:
        while True:
            data = src.read(CHUNK)
            if not data:
                break
            if len(data) % SECTOR:
                data += b"\0" * (SECTOR - len(data) % SECTOR)
            n = len(data) // SECTOR
            if data.count(0) == len(data):
                # hdiutil's partition checksum leaves type 2 runs out.
                entries.append((IGNORE, sector, n, pos, 0))
            else:
                image_crc = zlib.crc32(data, image_crc)
                packed = zlib.compress(data, level)
                kind = ZLIB
                if len(packed) >= len(data):
                    packed, kind = data, RAW
                dst.write(packed)
                fork_crc = zlib.crc32(packed, fork_crc)
                entries.append((kind, sector, n, pos, len(packed)))
                pos += len(packed)
            sector += n
        entries.append((END, sector, 0, pos, 0))
        mish = b"mish" + struct.pack(">IQQQII", 1, 0, sector, 0, 0x808, 0)
        mish += b"\0" * 24 + crc_field(image_crc)
        mish += struct.pack(">I", len(entries))
        for kind, first, count, offset, length in entries:
            mish += struct.pack(">II4Q", kind, 0, first, count, offset, length)
        name = "whole disk (Apple_HFS : 0)"
        plist = plistlib.dumps({"resource-fork": {"blkx": [{
            "Attributes": "0x0050", "CFName": name, "Data": mish,
            "ID": "0", "Name": name}]}})
        dst.write(plist)
        koly = b"koly" + struct.pack(">III", 4, 512, 1)
        koly += struct.pack(">QQQQQII", 0, 0, pos, 0, 0, 1, 1) + b"\0" * 16
        koly += crc_field(fork_crc)
        koly += struct.pack(">QQ", pos, len(plist)) + b"\0" * 120
        koly += crc_field(zlib.crc32(struct.pack(">I", image_crc)))
        koly += struct.pack(">IQ", 1, sector) + b"\0" * 12
        assert len(koly) == 512
        dst.write(koly)


main()
