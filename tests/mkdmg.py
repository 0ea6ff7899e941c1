#!/usr/bin/env python3
"""Makes UDIF disk images (DMG) from a plain image, for the tests: the
layout of FORMATS.md section 6 (koly trailer, XML property list or binary
resource fork, mish tables), written independently of discconv.

usage: mkdmg.py IN OUT [--chunk SECTORS] [--koly-first] [--rsrc] [--gaps]
                [--segments N] [--break WHAT]

--segments N splits the data fork over OUT (NAME.dmg) and
NAME.002.dmgpart ... at offsets that cut chunks in two.  --break makes one
thing wrong, for the malformed-input tests (see BREAKS)."""
import argparse
import base64
import struct
import sys
import zlib

SECTOR = 512
BREAKS = ("koly-xml-past-end", "koly-data-past-end", "plist-not-xml",
          "plist-not-plist", "base64-garbage", "mish-count-overflow",
          "chunk-overlap", "chunk-past-end", "stream-short", "crc-partition",
          "crc-data-fork", "unknown-chunk", "gap-byte")


def checksum(crc):
    return struct.pack(">II", 2, 32) + struct.pack(">I", crc) + bytes(124)


def mish(first, sectors, entries, crc, count=None):
    head = b"mish" + struct.pack(">IQQQII", 1, first, sectors, 0, 2048, 0)
    head += bytes(24) + checksum(crc)
    head += struct.pack(">I", len(entries) if count is None else count)
    return head + b"".join(struct.pack(">IIQQQQ", *e) for e in entries)


def plist(blkx_items):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
           '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
           '<plist version="1.0">', "<dict>",
           "\t<key>resource-fork</key>", "\t<dict>",
           "\t\t<key>blkx</key>", "\t\t<array>"]
    for i, (name, data) in enumerate(blkx_items):
        b64 = base64.b64encode(data).decode()
        lines = "\n".join("\t\t\t\t" + b64[k:k + 52]
                          for k in range(0, len(b64), 52))
        # Keys in another order than hdiutil's: the reader must not care.
        out += ["\t\t\t<dict>",
                "\t\t\t\t<key>Data</key>", "\t\t\t\t<data>", lines,
                "\t\t\t\t</data>",
                "\t\t\t\t<key>Attributes</key>",
                "\t\t\t\t<string>0x0050</string>",
                "\t\t\t\t<key>ID</key>", "\t\t\t\t<string>%d</string>" % i,
                "\t\t\t\t<key>Name</key>",
                "\t\t\t\t<string>%s</string>" % name,
                "\t\t\t</dict>"]
    out += ["\t\t</array>", "\t</dict>", "</dict>", "</plist>", ""]
    return "\n".join(out).encode()


def resource_fork(blkx_items):
    """A Mac resource fork holding 'blkx' resources, IDs from 0."""
    data = b""
    refs = b""
    names = b""
    for i, (name, payload) in enumerate(blkx_items):
        ref_data = len(data)
        data += struct.pack(">I", len(payload)) + payload
        refs += struct.pack(">hH", i, len(names)) + \
            bytes([0]) + ref_data.to_bytes(3, "big") + bytes(4)
        nb = name.encode()[:255]
        names += bytes([len(nb)]) + nb
    type_list = struct.pack(">H", 0) + b"blkx" + \
        struct.pack(">HH", len(blkx_items) - 1, 2 + 8)
    map_body = bytes(16) + bytes(6) + struct.pack(">H", 0)
    type_off = len(map_body) + 4
    name_off = type_off + len(type_list) + len(refs)
    map_bytes = map_body + struct.pack(">HH", type_off, name_off) + \
        type_list + refs + names
    data_at = 256
    map_at = data_at + len(data)
    header = struct.pack(">IIII", data_at, map_at, len(data), len(map_bytes))
    return header + bytes(data_at - 16) + data + map_bytes


def koly(data_off, data_len, rsrc_off, rsrc_len, xml_off, xml_len, sectors,
         data_crc, master_crc, seg=(1, 1), running=0):
    k = b"koly" + struct.pack(">III", 4, 512, 1)
    k += struct.pack(">QQQQQ", running, data_off, data_len, rsrc_off,
                     rsrc_len)
    k += struct.pack(">II", *seg) + b"discconv-test-id"
    k += checksum(data_crc)
    k += struct.pack(">QQ", xml_off, xml_len) + bytes(120)
    k += checksum(master_crc)
    k += struct.pack(">IQ", 1, sectors) + bytes(12)
    assert len(k) == 512
    return k


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--chunk", type=int, default=2048)
    ap.add_argument("--koly-first", action="store_true")
    ap.add_argument("--rsrc", action="store_true")
    ap.add_argument("--segments", type=int, default=1)
    ap.add_argument("--gaps", action="store_true",
                    help="17 filler bytes after each chunk, in no chunk")
    ap.add_argument("--break", dest="brk", choices=BREAKS)
    a = ap.parse_args()
    raw = open(a.input, "rb").read()
    raw += bytes(-len(raw) % SECTOR)
    sectors = len(raw) // SECTOR
    # Two partitions, as hdiutil makes for a CD master: a small first one
    # and the rest.
    split = min(64, sectors // 2)
    parts = [("Driver Descriptor Map (DDM : 0)", 0, split),
             ("disk image (Apple_ISO : 1)", split, sectors - split)]
    fork = b""
    gaps = a.gaps or a.brk == "gap-byte"
    first_gap = None
    blkx = []
    for p, (name, first, count) in enumerate(parts):
        entries = []
        start = len(fork)
        for s in range(0, count, a.chunk):
            n = min(a.chunk, count - s)
            data = raw[(first + s) * SECTOR:(first + s + n) * SECTOR]
            if data == bytes(len(data)):
                entries.append((2, 0, s, n, len(fork), 0))
                continue
            packed = zlib.compress(data, 6)
            if a.brk == "stream-short" and p == 1 and s == 0:
                packed = packed[:len(packed) // 2]
            entries.append((0x80000005, 0, s, n, len(fork), len(packed)))
            fork += packed
            if gaps:
                first_gap = len(fork) if first_gap is None else first_gap
                fork += b"\xa5" * 17
        entries.append((0xFFFFFFFF, 0, count, 0, len(fork), 0))
        crc = 0
        for t, _, s, n, _, _ in entries:
            if t == 0x80000005:
                crc = zlib.crc32(raw[(first + s) * SECTOR:
                                     (first + s + n) * SECTOR], crc)
        if a.brk == "crc-partition" and p == 1:
            crc ^= 1
        if a.brk == "unknown-chunk" and p == 1:
            entries[0] = (0x80000009,) + entries[0][1:]
        if a.brk == "chunk-overlap" and p == 1 and len(entries) > 2:
            e = entries[1]
            entries[1] = (e[0], e[1], e[2] - 1) + e[3:]
        if a.brk == "chunk-past-end" and p == 1:
            e = entries[0]
            entries[0] = e[:4] + (len(fork) + 4096,) + e[5:]
        count_field = 0x10000000 if (a.brk == "mish-count-overflow"
                                     and p == 1) else None
        blkx.append((name, mish(first, count, entries, crc, count_field)))
        del start
    master = zlib.crc32(b"".join(b[1][72:76] for b in blkx))
    data_crc = zlib.crc32(fork) ^ (1 if a.brk == "crc-data-fork" else 0)
    if a.brk == "gap-byte":  # only the data fork's checksum can see it
        fork = fork[:first_gap] + b"\xa4" + fork[first_gap + 1:]
    if a.brk == "base64-garbage":
        table = plist(blkx).replace(b"<data>", b"<data>\n!!not*base64!!", 1)
    elif a.brk == "plist-not-xml":
        table = b"<plist><dict><key>resource-fork</key></plist>"
    elif a.brk == "plist-not-plist":
        table = b'<?xml version="1.0"?>\n<html><body>no</body></html>\n'
    elif a.rsrc:
        table = resource_fork(blkx)
    else:
        table = plist(blkx)
    seg_count = a.segments
    if a.koly_first:
        data_off = 512
        xml_off = data_off + len(fork)
        k = koly(data_off, len(fork), xml_off if a.rsrc else 0,
                 len(table) if a.rsrc else 0, 0 if a.rsrc else xml_off,
                 0 if a.rsrc else len(table), sectors, data_crc, master)
        open(a.output, "wb").write(k + fork + table)
        return
    if seg_count == 1:
        xml_len = 0 if a.rsrc else len(table)
        if a.brk == "koly-xml-past-end":
            xml_len += 100000
        data_len = len(fork) + (10 ** 6 if a.brk == "koly-data-past-end"
                                else 0)
        k = koly(0, data_len, len(fork) if a.rsrc else 0,
                 len(table) if a.rsrc else 0, 0 if a.rsrc else len(fork),
                 xml_len, sectors, data_crc, master)
        open(a.output, "wb").write(fork + table + k)
        return
    # Segments: the data fork cut at points inside chunks.
    cuts = [len(fork) * i // seg_count + 7 for i in range(seg_count)]
    cuts[0] = 0
    cuts.append(len(fork))
    stem = a.output[:-4] if a.output.endswith(".dmg") else a.output
    for i in range(seg_count):
        piece = fork[cuts[i]:cuts[i + 1]]
        pcrc = zlib.crc32(piece)
        if i == 0:
            k = koly(0, len(piece), 0, 0, len(piece), len(table), sectors,
                     pcrc, master, (1, seg_count), 0)
            open(a.output, "wb").write(piece + table + k)
        else:
            k = koly(0, len(piece), 0, 0, 0, 0, sectors, pcrc, master,
                     (i + 1, seg_count), cuts[i])
            open("%s.%03d.dmgpart" % (stem, i + 1), "wb").write(piece + k)


if __name__ == "__main__":
    sys.exit(main())
