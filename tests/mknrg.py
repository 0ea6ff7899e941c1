#!/usr/bin/env python3
"""Writes small NRG images, well-formed and not, for the fuzz seeds
(fuzz/make-seeds.sh) and the malformed-input suite (tests/malformed.sh).

usage: mknrg.py NAME OUTPUT    (mknrg.py --list shows the names)

The layout follows FORMATS.md section 4: sectors, then a chain of chunks
(id, 32-bit big-endian length, payload) ending in END!, then a footer
pointing at the first chunk ("NER5" + 64-bit offset, or "NERO" + 32-bit).
"""
import struct
import sys

MODE1_COOKED, MODE2_2336, MODE1_RAW, AUDIO = 0x00, 0x03, 0x05, 0x07


def sector(code, size, n):
    """Sector n of a track: a sync and header for raw data, else a pattern."""
    body = bytes((n * 7 + i) & 0xFF for i in range(size))
    if code == MODE1_RAW:
        return b"\x00" + b"\xff" * 10 + b"\x00" + bytes([0, 2, n % 75, 1]) + body[16:]
    return body


class Track:
    def __init__(self, code, size, sectors, pregap=0, number=None):
        self.code, self.size, self.sectors = code, size, sectors
        self.pregap, self.number = pregap, number


def chunk(cid, payload):
    return cid + struct.pack(">I", len(payload)) + payload


def cue_point(control, track, index, lba, v2):
    bcd = lambda v: v if v == 0xAA else (v // 10) << 4 | v % 10
    head = bytes([control << 4 | 1, bcd(track), bcd(index), 0])
    if v2:
        return head + struct.pack(">i", lba)
    m, rest = divmod(lba + 150, 75 * 60)
    return head + bytes([0, m & 0xFF, rest // 75, rest % 75])


def dao(tracks, v2=True, mcn=b"", lead=0):
    """Sector data, then CUEX/CUES + DAOX/DAOI chunks for one session."""
    data, points, entries = b"", [], b""
    lba = 0
    points.append(cue_point(4 if tracks[0].code != AUDIO else 0, 0, 0, -150, v2))
    for i, t in enumerate(tracks):
        number = t.number or i + 1
        control = 0 if t.code == AUDIO else 4
        start = len(data)
        data += b"".join(sector(t.code, t.size, n) for n in range(t.sectors))
        index1 = start + t.pregap * t.size
        points.append(cue_point(control, number, 0, -150 if i == 0 and not t.pregap else lba, v2))
        points.append(cue_point(control, number, 1, lba + t.pregap, v2))
        lba += t.sectors
        wide = ">QQQ" if v2 else ">III"
        entries += (b"\0" * 12 + struct.pack(">HB", t.size, t.code) + b"\0" * 3
                    + struct.pack(wide, start, index1, len(data)))
    points.append(cue_point(0, 0xAA, 1, lba, v2))
    header = struct.pack(">I", 22 + len(entries)) + mcn.ljust(13, b"\0") + b"\0" * 3
    header += bytes([tracks[0].number or 1, tracks[-1].number or len(tracks)])
    return data, (chunk(b"CUEX" if v2 else b"CUES", b"".join(points))
                  + chunk(b"DAOX" if v2 else b"DAOI", header + entries))


def tao(tracks, v2=True, base=0):
    """Sector data, then one ETN2/ETNF chunk for a session."""
    data, entries = b"", b""
    for t in tracks:
        start = base + len(data)
        data += b"".join(sector(t.code, t.size, n) for n in range(t.sectors))
        length = t.sectors * t.size
        if v2:
            entries += struct.pack(">QQIIQ", start, length, t.code, 0, 0)
        else:
            entries += struct.pack(">IIIII", start, length, t.code, 0, 0)
    return data, chunk(b"ETN2" if v2 else b"ETNF", entries)


def image(data, chunks, v2=True, end=True, first=None):
    body = chunks + (chunk(b"END!", b"") if end else b"")
    offset = len(data) if first is None else first
    footer = b"NER5" + struct.pack(">Q", offset) if v2 else b"NERO" + struct.pack(">I", offset)
    return data + body + footer


def cdtext_packs(texts=(b"NRG DISC", b"ONE"), charset=0):
    """TITLE packs for the disc and its tracks, then the size information
    packs (0x8F): character set (0 ISO-8859-1, 1 ASCII), tracks, counts."""
    def crc(p):
        c = 0
        for byte in p:
            c ^= byte << 8
            for _ in range(8):
                c = (c << 1) ^ 0x1021 if c & 0x8000 else c << 1
        return struct.pack(">H", ~c & 0xFFFF)
    text = b"".join(t + b"\0" for t in texts)
    packs, seq = [], 0
    for at in range(0, len(text), 12):
        track = text[:at].count(b"\0")
        position = at - (text[:at].rfind(b"\0") + 1)
        p = bytes([0x80, track, seq, min(position, 15)]) + text[at:at + 12].ljust(12, b"\0")
        packs.append(p + crc(p))
        seq += 1
    info = (bytes([charset, 1, len(texts) - 1, 0, len(packs)] + [0] * 14 + [3])
            + bytes([seq + 2] + [0] * 7) + bytes([9] + [0] * 7))
    for k in range(3):
        p = bytes([0x8F, k, seq, 0]) + info[12 * k:12 * k + 12]
        packs.append(p + crc(p))
        seq += 1
    return b"".join(packs)


DATA = [Track(MODE1_COOKED, 2048, 20)]
MIXED = [Track(MODE1_COOKED, 2048, 4), Track(AUDIO, 2352, 6, pregap=2)]


def cases():
    c = {}
    d, ch = dao(DATA)
    c["dao2-data"] = image(d, ch)
    d, ch = dao(MIXED, v2=False, mcn=b"0000000000017")
    c["dao1-mixed"] = image(d, ch, v2=False)
    d, ch = dao([Track(MODE2_2336, 2336, 4), Track(MODE1_RAW, 2352, 4)])
    c["dao2-raw"] = image(d, ch + chunk(b"SINF", struct.pack(">I", 2)) +
                          chunk(b"MTYP", struct.pack(">I", 1)))
    d, ch = dao([Track(AUDIO, 2352, 5)])
    c["dao2-cdtext"] = image(d, ch + chunk(b"CDTX", cdtext_packs()))
    d, ch = tao([Track(MODE1_COOKED, 2048, 6), Track(AUDIO, 2352, 3)])
    c["tao2"] = image(d, ch)
    d, ch = tao([Track(AUDIO, 2352, 3), Track(AUDIO, 2352, 2)], v2=False)
    c["tao1"] = image(d, ch, v2=False)
    d1, ch1 = tao([Track(AUDIO, 2352, 3)])
    d2, ch2 = tao([Track(MODE1_COOKED, 2048, 4)], base=len(d1))
    c["tao2-two-sessions"] = image(d1 + d2, ch1 + ch2)

    # Malformed: each lies in one way.
    d, ch = dao(DATA)
    c["bad-footer-past-end"] = image(d, ch, first=1 << 40)
    c["bad-footer-at-itself"] = image(d, ch, first=len(d) + len(ch) + 8)
    c["bad-footer-huge-v1"] = image(d, ch, v2=False, first=0xFFFFFFFF)
    c["bad-no-end"] = image(d, ch, end=False)
    c["bad-chunk-length-huge"] = image(d, b"CUEX\xff\xff\xff\xff" + ch[8:])
    c["bad-chunk-not-an-id"] = image(d, b"\x01\x02\x03\x04" + ch[4:])
    # The footer points into the sectors, which are no chunk chain.
    c["bad-footer-into-data"] = image(d, ch, first=100)
    # Thousands of empty chunks never reaching END!.
    c["bad-endless-chain"] = image(d, chunk(b"SINF", b"") * 5000)
    # CUEX without its DAOX, and a DAOX without its CUEX.
    c["bad-cue-without-dao"] = image(d, ch[:8 + struct.unpack(">I", ch[4:8])[0]])
    c["bad-dao-without-cue"] = image(d, ch[8 + struct.unpack(">I", ch[4:8])[0]:])
    # A track whose end lies in the chunks, and one before its start.
    d, ch = dao(DATA)
    at = ch.index(b"DAOX") + 8 + 22
    big = ch[:at + 34] + struct.pack(">Q", len(d) + 4096) + ch[at + 42:]
    c["bad-track-into-chunks"] = image(d, big)
    back = ch[:at + 18] + struct.pack(">QQQ", 8192, 4096, 0) + ch[at + 42:]
    c["bad-track-backwards"] = image(d, back)
    huge = ch[:at + 18] + struct.pack(">QQQ", 0, 0, (1 << 63) + 2048) + ch[at + 42:]
    c["bad-track-offsets-huge"] = image(d, huge)
    zero = ch[:at + 12] + struct.pack(">H", 0) + ch[at + 14:]
    c["bad-sector-size-zero"] = image(d, zero)
    odd = ch[:at + 12] + struct.pack(">H", 2047) + ch[at + 14:]
    c["bad-sector-size-odd"] = image(d, odd)
    code = ch[:at + 14] + b"\x42" + ch[at + 15:]
    c["bad-mode-code"] = image(d, code)
    # Two tracks over the same bytes.
    d, ch = dao([Track(MODE1_COOKED, 2048, 4), Track(MODE1_COOKED, 2048, 4)])
    at = ch.index(b"DAOX") + 8 + 22 + 42
    c["bad-tracks-overlap"] = image(d, ch[:at + 18] + struct.pack(">QQQ", 0, 0, 8192) + ch[at + 42:])
    # Cue points out of order, and not BCD.
    d, ch = dao(MIXED)
    pts = ch[8:8 + struct.unpack(">I", ch[4:8])[0]]
    swapped = pts[:8] + pts[24:32] + pts[16:24] + pts[8:16] + pts[32:]
    c["bad-cue-points-out-of-order"] = image(d, ch[:8] + swapped + ch[8 + len(pts):])
    nonbcd = pts[:9] + b"\x1f" + pts[10:]
    c["bad-cue-point-not-bcd"] = image(d, ch[:8] + nonbcd + ch[8 + len(pts):])
    # An ETN2 entry whose length multiplied out runs past the data, one
    # that counts 2^64 - 1 bytes, and a table of more than 99 tracks.
    d, ch = tao([Track(AUDIO, 2352, 3)])
    c["bad-tao-length-past-data"] = image(d, chunk(b"ETN2", struct.pack(">QQIIQ", 0, 3 * 2352 * 1000, AUDIO, 0, 0)))
    c["bad-tao-length-max"] = image(d, chunk(b"ETN2", struct.pack(">QQIIQ", 0, (1 << 64) - 1, AUDIO, 0, 0)))
    c["bad-tao-too-many-tracks"] = image(d, chunk(b"ETN2", struct.pack(">QQIIQ", 0, 0, AUDIO, 0, 0) * 120))
    # CD-TEXT that is not whole packs.
    d, ch = dao([Track(AUDIO, 2352, 5)])
    c["bad-cdtext-size"] = image(d, ch + chunk(b"CDTX", cdtext_packs()[:-16]))
    c["bad-truncated"] = c["dao2-data"][:len(c["dao2-data"]) // 2]
    c["bad-footer-only"] = b"NER5" + struct.pack(">Q", 0)
    return c


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--list":
        print("\n".join(cases()))
        return 0
    if len(sys.argv) != 3 or sys.argv[1] not in cases():
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[2], "wb") as out:
        out.write(cases()[sys.argv[1]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
