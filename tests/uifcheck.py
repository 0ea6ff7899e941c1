#!/usr/bin/env python3
"""Reads a UIF (MagicISO) as ../shared/FORMATS.md section 5 lays it out,
independently of discconv (Python's struct, zlib and lzma), checking its
structure on the way, and writes the plain image it holds.

    python3 tests/uifcheck.py IMAGE.uif OUT [CUE]

OUT receives the plain bytes (the ISO of a type 8 image, the BIN of a
type 9 one); CUE, for type 9, the cue sheet stored in `blss`.  Prints
one line of what the footer says and the block types used, then for
type 9 one line per `blms` track record:

    version 2 type 8 sectors 1234 size 2048 blocks 1,3,5
    track 1 data mode 1 at 0
    track 2 audio mode 0 at 4650

Exits 1 naming what is wrong with a malformed file.  Plain UIFs only:
no DES or cipher cascade.
"""
import lzma
import struct
import sys
import zlib


def fail(why):
    sys.exit("uifcheck: " + why)


def lzma_decode(data, size, what):
    """Version >= 3: flag byte (x86 BCJ), 5 property bytes, 8-byte size,
    raw LZMA1 with or without an end marker."""
    if len(data) < 14:
        fail(what + ": LZMA prefix cut short")
    props, dict_size = data[1], struct.unpack_from("<I", data, 2)[0]
    if props >= 9 * 5 * 5:
        fail(what + ": bad LZMA properties")
    lc, lp, pb = props % 9, props // 9 % 5, props // 45
    filters = [{"id": lzma.FILTER_LZMA1, "lc": lc, "lp": lp, "pb": pb,
                "dict_size": dict_size}]
    if data[0]:
        filters.insert(0, {"id": lzma.FILTER_X86})
    d = lzma.LZMADecompressor(format=lzma.FORMAT_RAW, filters=filters)
    out = d.decompress(data[14:], max_length=size + 1)
    if len(out) != size:
        fail("%s: LZMA gives %d bytes, not %d" % (what, len(out), size))
    return out


def zlib_decode(data, size, what):
    d = zlib.decompressobj(15)
    out = d.decompress(data, size + 1)
    if len(out) != size or not d.eof or d.unused_data:
        fail("%s: zlib stream gives %d bytes, not %d in one stream"
             % (what, len(out), size))
    return out


def section(blob, at, signature, extra=0):
    """A 16-byte header (signature, size, compressed flag, count) and its
    data; returns (count, extra bytes, plain data of `count` bytes or
    None for blhr, end offset)."""
    sig, size, flag, count = struct.unpack_from("<4sIII", blob, at)
    if sig != signature:
        fail("%s expected at %d, found %r" % (signature.decode(), at, sig))
    if flag != 1:
        fail("%s is not compressed" % signature.decode())
    start = at + 16 + extra
    end = at + 8 + size
    if size < 8 + extra or end > len(blob) - 64:
        fail("%s size %d runs past the footer" % (signature.decode(), size))
    return count, blob[at + 16:start], blob[start:end], end


def main():
    uif, out_path = sys.argv[1], sys.argv[2]
    cue_path = sys.argv[3] if len(sys.argv) > 3 else None
    blob = open(uif, "rb").read()
    if len(blob) < 64:
        fail("shorter than a footer")
    f = blob[-64:]
    (sig, bbis_size, version, image_type, _unknown, _pad, sectors, sector_size,
     lastdiff, blhr_at, tables_size) = struct.unpack_from("<4sIHHHHIIIQI", f)
    if sig != b"bbis" or bbis_size != 64:
        fail("no bbis footer of 64 bytes")
    if f[40:64] != bytes(24):
        fail("hash or key bytes set: an encrypted UIF")
    if image_type not in (8, 9) or version not in (2, 3):
        fail("version %d, type %d" % (version, image_type))
    if blhr_at + tables_size != len(blob):
        fail("blhr offset + tables size is not the file's size")
    if lastdiff > sector_size:
        fail("lastdiff larger than a sector")
    use_lzma = version >= 3

    def decode(data, size, what):
        return (lzma_decode if use_lzma else zlib_decode)(data, size, what)

    count, _, packed, at = section(blob, blhr_at, b"blhr")
    table = decode(packed, 24 * count, "blhr")
    image = bytearray(sectors * sector_size)
    types, next_sector, data_end = set(), 0, 0
    for i in range(count):
        off, zsize, first, n, kind = struct.unpack_from("<QIIII", table,
                                                        24 * i)
        what = "block %d" % i
        if first != next_sector or n == 0:
            fail("%s starts at sector %d, not %d" % (what, first, next_sector))
        if off + zsize > blhr_at:
            fail("%s reads past the blocks" % what)
        if kind != 3 and off != data_end:
            fail("%s at %d does not follow the last at %d"
                 % (what, off, data_end))
        size = n * sector_size
        data = blob[off:off + zsize]
        if kind == 1:
            if zsize != size:
                fail("%s stored with %d bytes for %d" % (what, zsize, size))
            plain = data
        elif kind == 3:
            if zsize != 0:
                fail("%s: a zero block with data" % what)
            plain = bytes(size)
        elif kind == 5:
            plain = decode(data, size, what)
            if len(data) >= size:
                fail("%s compressed does not shrink: should be stored" % what)
        else:
            fail("%s has type %d" % (what, kind))
        if kind != 3:
            data_end = off + zsize
        image[first * sector_size:first * sector_size + size] = plain
        types.add(kind)
        next_sector = first + n
    if next_sector != sectors:
        fail("blocks cover %d sectors of %d" % (next_sector, sectors))
    if lastdiff:
        del image[len(image) - (sector_size - lastdiff):]
    print("version %d type %d sectors %d size %d blocks %s" % (
        version, image_type, sectors, sector_size,
        ",".join(str(t) for t in sorted(types))))

    if image_type == 9:
        length, _, packed, at = section(blob, at, b"blms")
        blms = decode(packed, length, "blms")
        if length < 0x40 or (length - 0x40) % 68:
            fail("blms of %d bytes is no header and records" % length)
        if struct.unpack_from("<I", blms, 4)[0] or \
           struct.unpack_from("<I", blms, 16)[0]:
            fail("blms names stored")
        for p in range(0x40, length, 68):
            r = blms[p:p + 68]
            lba = (r[8] * 60 + r[9]) * 75 + r[10] - 150
            if struct.unpack_from("<I", r, 24)[0] != sector_size:
                fail("blms record of another sector size")
            print("track %d %s mode %d at %d" % (
                r[3], "audio" if r[1] in (0x10, 0x12) else "data", r[11], lba))
        length, original, packed, at = section(blob, at, b"blss",
                                               extra=4)
        if struct.unpack("<I", original)[0] != 1:
            fail("blss original type is not BIN/CUE")
        cue = decode(packed, length, "blss")
        if cue_path:
            open(cue_path, "wb").write(cue)
    if at != len(blob) - 64:
        fail("%d bytes between the tables and the footer"
             % (len(blob) - 64 - at))
    open(out_path, "wb").write(image)


main()
