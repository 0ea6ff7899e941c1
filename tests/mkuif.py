#!/usr/bin/env python3
"""Makes MagicISO UIF images for the tests, from the format's description
(../shared/FORMATS.md section 5 with its corrections in 5.6), independent of
discconv's writer:

  data blocks | blhr table | [blms | blss] | bbis footer (64 bytes)

usage: mkuif.py PLAIN OUT.uif [options]

PLAIN is the plain image (an ISO, or a BIN for --mixed).  Its size need not
be a multiple of the sector size: the last sector is padded and `lastdiff`
says how long it is.  DES is done with `openssl enc -des-ecb` (legacy
provider); exit status 77 when openssl cannot do DES.

Options:
  --version N        footer version 1..4 (3 and 4: LZMA, else zlib)
  --sector N         sector size (2048; 2352 for a BIN)
  --block N          sectors per block (16)
  --stored-every N   every Nth block stored, not compressed (0: none)
  --no-zero          all-zero blocks compressed rather than type 3
  --plain-table      table (and blms, blss) not compressed
  --bcj 0|1          the x86 BCJ flag of LZMA blocks (1)
  --shuffle          blocks written in reverse order in the file
  --fixed-key K      DES with MagicISO's fixed key K (1..16; version >= 2)
  --password TEXT    DES with the password's key (bsdr)
  --cascade          set key2 = 2 (MagicISO's cipher cascade) and nothing else
  --mixed TYPE:FILE  image type 9: blms, and blss holding FILE as original
                     type TYPE (cue, ccd:SUBFILE, nrg, mds); `none:` writes
                     no blss at all
  --tracks LIST      blms records, NUM:audio|data:LBA,... (LBA in the
                     payload's sectors)
  --break WHAT       damage one thing (for tests/malformed.sh): footer-offset,
                     table-count, block-past, block-overlap, sector-overflow,
                     lastdiff, block-type, block-offset, stream-short
"""
import argparse
import lzma
import os
import struct
import subprocess
import sys
import zlib

FIXED_KEYS = [
    "FAngS)snOt32", "AglEy29TarsI;", "bum87OrYx*THeCa", "ARMy67sabot&",
    "FoOTs:blaZe70", "panIc+elD%self79", "Usnea*hest98", "apex(TUft!BLOKE70",
    "sword18rEpP}", "ARb10naVY=Rouse", "PAIR18gAG:swAYs", "gums}Box73yANg",
    "naVal45drain]", "Cams42hEt83faiLs)", "rIaNt$Notch5", "ExaCT&art*MEteS47",
]
ORIGINAL = {"iso": 0, "cue": 1, "mds": 2, "ccd": 3, "nrg": 4}


def des_key(text):
    """Text in 32 zeroed bytes, the four LE 64-bit words added."""
    buf = text.encode("latin-1")[:31].ljust(32, b"\0")
    words = struct.unpack("<4Q", buf)
    return struct.pack("<Q", sum(words) & 0xFFFFFFFFFFFFFFFF)


def des_encrypt(key, data):
    """DES-ECB over the whole 8-byte units; a trailing part stays."""
    whole = len(data) & ~7
    if whole == 0:
        return data
    for extra in (["-provider", "legacy", "-provider", "default"], []):
        r = subprocess.run(["openssl", "enc", "-des-ecb", "-e", "-nopad",
                            "-K", key.hex()] + extra,
                           input=data[:whole], capture_output=True)
        if r.returncode == 0 and len(r.stdout) == whole:
            return r.stdout + data[whole:]
    sys.stderr.write("mkuif: openssl cannot do DES-ECB\n")
    sys.exit(77)


class Maker:
    def __init__(self, a):
        self.a = a
        self.key = None
        if a.fixed_key:
            self.key = des_key(FIXED_KEYS[(a.fixed_key - 1) & 15])
        elif a.password is not None:
            self.key = des_key(a.password)

    def lzma(self, data):
        filters = [{"id": lzma.FILTER_LZMA1, "preset": 6,
                    "dict_size": 1 << 20}]
        if self.a.bcj:
            filters.insert(0, {"id": lzma.FILTER_X86})
        raw = lzma.compress(data, format=lzma.FORMAT_RAW, filters=filters)
        props = lzma._encode_filter_properties(filters[-1])
        return (bytes([1 if self.a.bcj else 0]) + props +
                struct.pack("<Q", len(data)) + raw)

    def compress(self, data):
        if self.a.version >= 3:
            return self.lzma(data)
        return zlib.compress(data, 9)

    def crypt(self, data):
        return des_encrypt(self.key, data) if self.key else data

    def section(self, sig, payload, extra=b"", overhead=8):
        """A table section: compressed (and then encrypted) unless
        --plain-table; count is entries for blhr, bytes for the others."""
        count = (len(payload) // 24) if sig == b"blhr" else len(payload)
        if self.a.plain_table:
            size = (8 + len(payload)) if sig == b"blhr" else 8 + len(payload)
            return struct.pack("<4sIII", sig, size, 0, count) + extra + payload
        body = self.crypt(self.compress(payload))
        return (struct.pack("<4sIII", sig, len(body) + overhead, 1, count) +
                extra + body)


def blms_for(bin_name, cue_name, tracks):
    """Names at 0x40, then 68-byte records: control, point, binary MSF."""
    names = bin_name.encode() + b"\0" + cue_name.encode() + b"\0"
    head = bytearray(0x40)
    struct.pack_into("<I", head, 4, 0x40)
    struct.pack_into("<I", head, 0x10, 0x40 + len(bin_name) + 1)
    out = bytes(head) + names
    for number, audio, lba, size in tracks:
        rec = bytearray(68)
        rec[1] = 0x10 if audio else 0x14
        rec[3] = number
        m, rest = divmod(lba + 150, 75 * 60)
        s, f = divmod(rest, 75)
        rec[8], rec[9], rec[10] = m, s, f
        rec[11] = 0 if audio else 1
        struct.pack_into("<I", rec, 24, size)
        out += bytes(rec)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("plain")
    p.add_argument("out")
    p.add_argument("--version", type=int, default=1)
    p.add_argument("--sector", type=int, default=2048)
    p.add_argument("--block", type=int, default=16)
    p.add_argument("--stored-every", type=int, default=0)
    p.add_argument("--no-zero", action="store_true")
    p.add_argument("--plain-table", action="store_true")
    p.add_argument("--bcj", type=int, default=1)
    p.add_argument("--shuffle", action="store_true")
    p.add_argument("--fixed-key", type=int, default=0)
    p.add_argument("--password")
    p.add_argument("--cascade", action="store_true")
    p.add_argument("--mixed")
    p.add_argument("--tracks", default="",
                   help="blms records: NUM:audio|data:LBA,...")
    p.add_argument("--break", dest="damage")
    a = p.parse_args()
    m = Maker(a)

    plain = open(a.plain, "rb").read()
    ss = a.sector
    sectors = (len(plain) + ss - 1) // ss
    lastdiff = len(plain) % ss
    padded = plain + bytes(sectors * ss - len(plain))

    blocks = []   # [offset, stored, sector, count, type]
    data = bytearray()
    order = list(range(0, sectors, a.block))
    if a.shuffle:
        order.reverse()
    for n, first in enumerate(order):
        count = min(a.block, sectors - first)
        chunk = padded[first * ss:(first + count) * ss]
        if not a.no_zero and chunk.count(0) == len(chunk):
            blocks.append([0, 0, first, count, 3])
            continue
        if a.stored_every and n % a.stored_every == a.stored_every - 1:
            body, kind = chunk, 1
            # A stored block may leave its zero tail out (zero-padded).
            body = body.rstrip(b"\0") if n % 2 else body
        else:
            body, kind = m.compress(chunk), 5
        body = m.crypt(body)
        blocks.append([len(data), len(body), first, count, kind])
        data += body
    blocks.sort(key=lambda b: b[2])

    if a.damage == "block-past":
        blocks[-1][3] += 5
    elif a.damage == "block-overlap":
        blocks[1][2] -= 1
    elif a.damage == "sector-overflow":
        blocks[-1][2], blocks[-1][3] = 0xFFFFFFF0, 0x20
    elif a.damage == "stream-short":
        packed = [b for b in blocks if b[4] == 5]
        packed[0][3] += 1   # one sector more than its stream holds
        blocks[:] = [b for b in blocks if b is packed[0] or
                     not (packed[0][2] < b[2] < packed[0][2] + packed[0][3])]
    elif a.damage == "block-type":
        blocks[0][4] = 7
    elif a.damage == "block-offset":
        nonzero = [b for b in blocks if b[1]]
        nonzero[0][0] = len(data) + 100

    table = b"".join(struct.pack("<QIIII", *b) for b in blocks)
    tables = bytearray()
    tables_at = len(data)
    if a.damage == "table-count":
        sec = m.section(b"blhr", table)
        sec = sec[:12] + struct.pack("<I", len(blocks) + 3) + sec[16:]
        tables += sec
    else:
        tables += m.section(b"blhr", table)
    image_type = 8
    if a.mixed:
        image_type = 9
        kind, _, rest = a.mixed.partition(":")
        tracks = []
        for spec in filter(None, a.tracks.split(",")):
            num, what, lba = spec.split(":")
            tracks.append((int(num), what == "audio", int(lba),
                           2352 if what == "audio" else ss))
        stem = os.path.splitext(os.path.basename(a.plain))[0]
        tables += m.section(b"blms", blms_for(stem + ".bin", stem + ".cue",
                                              tracks))
        if kind == "none":
            stored = None
        elif kind == "nrg":
            stored = b""
        elif kind == "ccd":
            ccd_file, sub_file = rest.split(":")
            ccd = open(ccd_file, "rb").read()
            sub = open(sub_file, "rb").read() if sub_file else b""
            stored = struct.pack("<II", len(ccd), len(sub)) + ccd + sub
        else:
            stored = open(rest, "rb").read()
        extra = struct.pack("<I", ORIGINAL.get(kind, 0))
        if stored is None:
            pass
        elif stored:
            tables += m.section(b"blss", stored, extra, overhead=12)
        else:
            tables += struct.pack("<4sIII", b"blss", 12, 0, 0) + extra

    version = a.version
    key1 = a.fixed_key
    key2 = 2 if a.cascade else 0

    def footer(table_offset, tables_size, key1):
        f = struct.pack("<4sIHHHHIIIQI16sBBBBI", b"bbis", 64, version,
                        image_type, 0, 0, sectors, ss,
                        ss + 1 if a.damage == "lastdiff" else lastdiff,
                        table_offset, tables_size, bytes(16), key1, key2,
                        0, 0, 0)
        return f

    out = bytearray(data)
    if a.password is not None:
        # bsdr, then the real footer encrypted, then the real table; the
        # real footer's table offset + 72 is where that table starts.
        inner = footer(len(out), len(tables) + 72 + 64, 0)
        out += struct.pack("<4sI", b"bsdr", 64) + m.crypt(inner)
        out += tables
        table_offset = tables_at
    else:
        table_offset = len(out)
        out += tables
    tables_size = len(out) - table_offset + 64
    if a.damage == "footer-offset":
        table_offset = len(out) + 4096
    out += footer(table_offset, tables_size,
                  0 if a.password is not None else key1)
    open(a.out, "wb").write(out)


if __name__ == "__main__":
    main()
