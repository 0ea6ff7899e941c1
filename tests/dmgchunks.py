#!/usr/bin/env python3
"""Test-only DMG chunk access for tests/codecs.sh, until the DMG reader
exists: reads the koly trailer, the XML plist and each blkx's mish table
(FORMATS.md §6.1-6.3) and runs one codec's chunks through tests/codec_tool.

  check TOOL DMG REFERENCE_DMG SHA256 [--as-v1]
      decodes DMG's ADC or LZFSE chunks with TOOL, compares each with the
      same bytes of REFERENCE_DMG (a zlib sibling, decoded by Python), and
      the whole image with SHA256; --as-v1 first rewrites every LZFSE bvx2
      block as the equivalent bvx1 block (tables stored uncompressed)
  extract DMG DIR
      writes each ADC/LZFSE chunk as DIR/NN-OUTLEN.adc or .lzfse
  bench TOOL DMG REPEAT
      decodes every ADC/LZFSE chunk REPEAT times, prints MB/s of output
"""
import hashlib
import os
import plistlib
import struct
import subprocess
import sys
import tempfile
import zlib

ZERO, RAW, IGNORE, ADC, ZLIB, LZFSE = 0, 1, 2, 0x80000004, 0x80000005, 0x80000007
CODEC_NAMES = {ADC: "adc", LZFSE: "lzfse"}


def chunks(path):
    """(type, output offset, output length, input bytes) per chunk, and
    the image size."""
    data = open(path, "rb").read()
    koly = data[-512:]
    assert koly[:4] == b"koly", path
    data_fork, = struct.unpack(">Q", koly[24:32])
    xml_offset, xml_length = struct.unpack(">QQ", koly[216:232])
    sectors, = struct.unpack(">Q", koly[492:500])
    plist = plistlib.loads(data[xml_offset:xml_offset + xml_length])
    found = []
    for blkx in plist["resource-fork"]["blkx"]:
        mish = blkx["Data"]
        first, _count, data_start = struct.unpack(">QQQ", mish[8:32])
        entries, = struct.unpack(">I", mish[200:204])
        for i in range(entries):
            kind, _comment, sector, count, offset, length = struct.unpack(
                ">IIQQQQ", mish[204 + 40 * i:244 + 40 * i])
            start = data_fork + data_start + offset
            found.append((kind, (first + sector) * 512, count * 512,
                          data[start:start + length]))
    return found, sectors * 512


def python_decode(kind, raw, length):
    if kind in (ZERO, IGNORE):
        return bytes(length)
    if kind == RAW:
        return raw
    if kind == ZLIB:
        return zlib.decompress(raw)
    raise ValueError("no Python decoder for chunk type %#x" % kind)


def image(path, decode):
    found, size = chunks(path)
    out = bytearray(size)
    for kind, offset, length, raw in found:
        if kind in (0x7FFFFFFE, 0xFFFFFFFF):
            continue
        piece = decode(kind, raw, length)
        assert len(piece) == length, (path, hex(kind), offset)
        out[offset:offset + length] = piece
    return out


def freq_code(bits):
    """(value, bits used) of one v2 frequency, read from the low bits."""
    if bits & 1 == 0:
        return bits >> 1 & 1, 2
    if bits & 2 == 0:
        return 2 + (bits >> 2 & 1), 3
    if bits & 4 == 0:
        return 4 + (bits >> 3 & 3), 5
    if bits & 8 == 0:
        return 8 + (bits >> 4 & 15), 8
    return 24 + (bits >> 4 & 0x3FF), 14


def v2_to_v1(block):
    """A bvx2 block's header rewritten as a bvx1 header; the payload is
    the same.  Returns (v1 block, bytes of the v2 block consumed)."""
    raw, = struct.unpack("<I", block[4:8])
    v0, v1, v2 = struct.unpack("<QQQ", block[8:32])
    header_size = v2 & 0xFFFFFFFF
    literal_payload = v0 >> 20 & 0xFFFFF
    lmd_payload = v1 >> 40 & 0xFFFFF
    freqs = []
    accum, have, at = 0, 0, 32
    while len(freqs) < 360:
        while at < header_size and have <= 24:
            accum |= block[at] << have
            have += 8
            at += 1
        value, used = freq_code(accum)
        freqs.append(value)
        accum >>= used
        have -= used
    header = struct.pack(
        "<7Ii4HiHHH360H2x", 0x31787662, raw, literal_payload + lmd_payload,
        v0 & 0xFFFFF, v0 >> 40 & 0xFFFFF, literal_payload, lmd_payload,
        (v0 >> 60 & 7) - 7, *[(v1 >> (10 * i)) & 0x3FF for i in range(4)],
        (v1 >> 60 & 7) - 7, v2 >> 32 & 0x3FF, v2 >> 42 & 0x3FF,
        v2 >> 52 & 0x3FF, *freqs)
    assert len(header) == 772
    end = header_size + literal_payload + lmd_payload
    return header + block[header_size:end], end


def lzfse_blocks(stream, rewrite_v2=False):
    """The block magics of an LZFSE stream, and the stream with its bvx2
    blocks rewritten as bvx1 when asked."""
    magics, out, at = [], bytearray(), 0
    while True:
        magic = stream[at:at + 4]
        rewritten = rewrite_v2 and magic == b"bvx2"
        magics.append("bvx1" if rewritten else magic.decode())
        if magic == b"bvx$":
            out += stream[at:at + 4]
            return magics, bytes(out)
        if magic == b"bvx-":
            end = at + 8 + struct.unpack("<I", stream[at + 4:at + 8])[0]
        elif magic == b"bvxn":
            end = at + 12 + struct.unpack("<I", stream[at + 8:at + 12])[0]
        elif magic == b"bvx2":
            v1_block, used = v2_to_v1(stream[at:])
            if rewritten:
                out += v1_block
                at += used
                continue
            end = at + used
        else:
            raise ValueError("unexpected block %r" % magic)
        out += stream[at:end]
        at = end


class Tool:
    """tests/codec_tool, fed through files in a folder of its own."""

    def __init__(self, path, folder):
        self.path = path
        self.src = os.path.join(folder, "in")
        self.dst = os.path.join(folder, "out")

    def decode(self, codec, raw, length, repeat=0):
        with open(self.src, "wb") as f:
            f.write(raw)
        args = [self.path] + (["-r", str(repeat)] if repeat else [])
        run = subprocess.run(args + [codec, str(length), self.src, self.dst],
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit("codec_tool %s refused a chunk: %s"
                             % (codec, run.stderr.strip()))
        with open(self.dst, "rb") as f:
            return f.read(), run.stdout.strip()


def check(tool, path, reference_path, sha256, as_v1):
    reference = image(reference_path, python_decode)
    if hashlib.sha256(reference).hexdigest() != sha256:
        raise SystemExit("%s: the reference does not decode to %s"
                         % (reference_path, sha256))
    found, size = chunks(path)
    out = bytearray(size)
    kinds, decoded = {}, 0
    for n, (kind, offset, length, raw) in enumerate(found):
        if kind in (0x7FFFFFFE, 0xFFFFFFFF):
            continue
        if kind not in CODEC_NAMES:
            out[offset:offset + length] = python_decode(kind, raw, length)
            continue
        if kind == LZFSE:
            magics, raw = lzfse_blocks(raw, as_v1)
            for magic in magics:
                kinds[magic] = kinds.get(magic, 0) + 1
        piece, _ = tool.decode(CODEC_NAMES[kind], raw, length)
        want = reference[offset:offset + length]
        if piece != want:
            at = next(i for i in range(length) if piece[i] != want[i])
            raise SystemExit("chunk %d (output offset %d, %d bytes): first "
                             "wrong byte at %d" % (n, offset, length, at))
        out[offset:offset + length] = piece
        decoded += 1
    got = hashlib.sha256(out).hexdigest()
    if got != sha256:
        raise SystemExit("%s: image sha256 %s, expected %s"
                         % (path, got, sha256))
    print("%d chunks match, blocks %s" % (decoded, kinds))


def extract(path, folder):
    os.makedirs(folder, exist_ok=True)
    found, _ = chunks(path)
    for n, (kind, _offset, length, raw) in enumerate(found):
        if kind in CODEC_NAMES:
            name = "%02d-%d.%s" % (n, length, CODEC_NAMES[kind])
            with open(os.path.join(folder, name), "wb") as f:
                f.write(raw)


def bench(tool, path, repeat):
    total_ns, total_bytes = 0.0, 0
    for kind, _offset, length, raw in chunks(path)[0]:
        if kind in CODEC_NAMES:
            _, ns = tool.decode(CODEC_NAMES[kind], raw, length, repeat)
            total_ns += float(ns)
            total_bytes += length * repeat
    print("%.0f MB/s (%d bytes decoded %d times)"
          % (total_bytes / total_ns * 1e3, total_bytes // repeat, repeat))


def main(argv):
    if len(argv) == 3 and argv[0] == "extract":
        extract(argv[1], argv[2])
        return
    with tempfile.TemporaryDirectory(prefix="dmgchunks.") as folder:
        if len(argv) >= 5 and argv[0] == "check":
            check(Tool(argv[1], folder), argv[2], argv[3], argv[4],
                  "--as-v1" in argv[5:])
        elif len(argv) == 4 and argv[0] == "bench":
            bench(Tool(argv[1], folder), argv[2], int(argv[3]))
        else:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
