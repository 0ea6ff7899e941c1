#!/bin/sh
# DMGs discconv writes: read back by 7-Zip (`7zz x -tdmg`, its partitions
# concatenated) and by dmg2img into the very bytes of the disc's data track,
# with every codec; their koly, plist and checksums as an independent
# reader (Python's plistlib and zlib) finds them; read back by discconv
# itself once it reads DMGs; and the discs a DMG cannot hold refused.
. "$(dirname "$0")/lib.sh"

have genisoimage || { skip "genisoimage missing"; finish; }
have python3 || { skip "python3 missing"; finish; }
same_bytes() { cmp -s "$1" "$2"; }

# A disc whose sectors make every kind of chunk: random bytes (stored,
# they do not shrink), text (compressed), 3 MiB of zeros (zero runs), and
# an end inside a 1 MiB chunk.
mkdir -p "$WORK/tree"
head -c 2500000 /dev/urandom > "$WORK/tree/random.bin"
head -c 3145728 /dev/zero > "$WORK/tree/zeros.bin"
seq 1 400000 > "$WORK/tree/numbers.txt"
genisoimage -quiet -R -V DMGTEST -o "$WORK/disc.iso" "$WORK/tree" 2>/dev/null
check "the test disc ends inside a 1 MiB chunk" \
    [ $(($(wc -c < "$WORK/disc.iso") % 1048576)) -ne 0 ]

# dmginfo DMG: checks the trailer and tables as FORMATS.md §6 lays them
# out, then prints the blkx name and its chunk types in order.
cat > "$WORK/dmginfo.py" <<'PY'
import plistlib, struct, sys, zlib
d = open(sys.argv[1], "rb").read()
k = d[-512:]
assert k[:4] == b"koly" and struct.unpack(">II", k[4:12]) == (4, 512), "koly"
fork_off, fork_len = struct.unpack(">QQ", k[24:40])
xml_off, xml_len = struct.unpack(">QQ", k[216:232])
assert fork_off == 0 and xml_off == fork_len, "plist right after the data"
assert xml_off + xml_len == len(d) - 512, "koly right after the plist"
assert struct.unpack(">II", k[80:88]) == (2, 32), "data fork CRC-32"
assert struct.unpack(">I", k[88:92])[0] == zlib.crc32(d[:fork_len]), \
    "data fork checksum"
assert struct.unpack(">I", k[488:492])[0] == 1, "device image"
sectors = struct.unpack(">Q", k[492:500])[0]
plist = plistlib.loads(d[xml_off:xml_off + xml_len])
blkx = plist["resource-fork"]["blkx"]
assert len(blkx) == 1 and "plst" in plist["resource-fork"]
m = blkx[0]["Data"]
assert m[:4] == b"mish" and struct.unpack(">IQQQ", m[4:32]) == \
    (1, 0, sectors, 0), "mish header"
master = zlib.crc32(m[72:76])
assert struct.unpack(">IIII", k[352:368]) == (2, 32, master, 0), \
    "master checksum"
n = struct.unpack(">I", m[200:204])[0]
assert len(m) == 204 + 40 * n
types, at = [], 0
for i in range(n):
    t, _, first, count, off, length = struct.unpack(
        ">II4Q", m[204 + 40 * i:244 + 40 * i])
    assert first == at, "entries follow on"
    if t == 0xFFFFFFFF:
        assert i == n - 1 and first == sectors and off == fork_len
        break
    assert off + length <= fork_len
    at += count
    types.append("%x" % t)
print(blkx[0]["Name"], " ".join(sorted(set(types))))
PY
dmginfo() { python3 "$WORK/dmginfo.py" "$1"; }

# 7-Zip's partitions, concatenated in order.
seven_out() { # DMG OUT
    rm -rf "$WORK/7z" && 7zz x -tdmg -o"$WORK/7z" "$1" >/dev/null 2>&1 &&
        cat "$WORK/7z"/* > "$2"
}

run convert -q "$WORK/disc.iso" -o "$WORK/zlib.dmg"
check "ISO -> DMG: exit 0" [ "$rc" -eq 0 ]
check "the DMG's tables and checksums hold; one whole-disk blkx of ISO 9660, zlib + stored + zero chunks" \
    [ "$(dmginfo "$WORK/zlib.dmg")" = "whole disk (Apple_ISO : 0) 0 1 80000005" ]
check "the DMG is smaller than the ISO" \
    [ "$(wc -c < "$WORK/zlib.dmg")" -lt $(($(wc -c < "$WORK/disc.iso") - 3000000)) ]

if have 7zz; then
    check "7-Zip tests the zlib DMG: every checksum verified" \
        sh -c "7zz t -tdmg '$WORK/zlib.dmg' | grep -q '^Everything is Ok'"
    seven_out "$WORK/zlib.dmg" "$WORK/zlib-7z.iso"
    check "7-Zip's partitions are the ISO, byte for byte" \
        same_bytes "$WORK/zlib-7z.iso" "$WORK/disc.iso"
else
    skip "7zz missing"
fi
if have dmg2img; then
    check "dmg2img reads the zlib DMG back as the ISO" \
        sh -c "dmg2img -s '$WORK/zlib.dmg' '$WORK/zlib-d2i.iso' && cmp '$WORK/zlib-d2i.iso' '$WORK/disc.iso'"
else
    skip "dmg2img missing"
fi

for codec in bzip2:80000006 lzma:80000008; do
    codec_name=${codec%%:*} type=${codec#*:}
    run convert -q "$WORK/disc.iso" --option "dmg.codec=$codec_name" -o "$WORK/$codec_name.dmg"
    check "dmg.codec=$codec_name: exit 0, chunks of type 0x$type" \
        [ "$rc" -eq 0 -a "$(dmginfo "$WORK/$codec_name.dmg")" = "whole disk (Apple_ISO : 0) 0 1 $type" ]
    if have 7zz; then
        seven_out "$WORK/$codec_name.dmg" "$WORK/$codec_name-7z.iso"
        check "7-Zip reads the $codec_name DMG back as the ISO" \
            same_bytes "$WORK/$codec_name-7z.iso" "$WORK/disc.iso"
    fi
done
# dmg2img 1.6.7 has bzip2 but no LZMA.
if have dmg2img; then
    check "dmg2img reads the bzip2 DMG back as the ISO" \
        sh -c "dmg2img -s '$WORK/bzip2.dmg' '$WORK/bzip2-d2i.iso' && cmp '$WORK/bzip2-d2i.iso' '$WORK/disc.iso'"
fi
run convert -q "$WORK/disc.iso" --option dmg.codec=lz4 -o "$WORK/lz4.dmg"
check "dmg.codec=lz4: usage error naming the codecs, no file" \
    sh -c "[ $rc -eq 2 ] && grep -q 'dmg.codec is one of zlib,bzip2,lzma' '$WORK/err' && [ ! -e '$WORK/lz4.dmg' ]"
run formats
check "'discconv formats' lists dmg.codec and its words" \
    grep -q '^dmg.codec  *zlib|bzip2|lzma ' "$WORK/out"

# A durable output is written with O_DIRECT where it can be, and the data
# fork's checksum is read back from it.
run convert -q --sync "$WORK/disc.iso" -o "$WORK/sync.dmg"
check "with --sync: exit 0, the same DMG" \
    sh -c "[ $rc -eq 0 ] && cmp '$WORK/sync.dmg' '$WORK/zlib.dmg'"

# One chunk, less than 1 MiB: a small disc.
mkdir -p "$WORK/small"
echo hello > "$WORK/small/hello.txt"
genisoimage -quiet -o "$WORK/small.iso" "$WORK/small" 2>/dev/null
run convert -q "$WORK/small.iso" -o "$WORK/small.dmg"
check "a disc of one short chunk: exit 0, tables hold" \
    sh -c "[ $rc -eq 0 ] && python3 '$WORK/dmginfo.py' '$WORK/small.dmg' >/dev/null"
if have 7zz; then
    seven_out "$WORK/small.dmg" "$WORK/small-7z.iso"
    check "7-Zip reads the one-chunk DMG back" \
        same_bytes "$WORK/small-7z.iso" "$WORK/small.iso"
fi

# discconv reads its DMGs back, once it reads DMGs.
if "$DISCCONV" formats | grep -q '^dmg  *yes'; then
    for codec in zlib bzip2 lzma; do
        run convert -q "$WORK/$codec.dmg" -o "$WORK/$codec-back.iso"
        check "ISO -> DMG ($codec) -> ISO is byte-identical" \
            sh -c "[ $rc -eq 0 ] && cmp '$WORK/$codec-back.iso' '$WORK/disc.iso'"
    done
else
    skip "discconv does not read DMGs yet: ISO -> DMG -> ISO not checked"
fi

# A mixed disc: its audio has no place in a whole-device image.
make_sample
run convert -q "$WORK/sample/sample.cue" -o "$WORK/mixed.dmg"
check "a data + audio disc -> DMG: cannot hold (exit 7), advice to choose the track, no file" \
    sh -c "[ $rc -eq 7 ] && grep -q 'audio tracks beside the data track, and a DMG holds one data track' '$WORK/err' && grep -q '(use --tracks N)' '$WORK/err' && [ ! -e '$WORK/mixed.dmg' ] && [ \$(wc -l < '$WORK/err') -eq 1 ]"
run convert -q "$WORK/sample/sample.cue" --tracks 1 -o "$WORK/track1.dmg"
"$DISCCONV" convert -q "$WORK/sample/sample.cue" --tracks 1 -o "$WORK/track1.iso" 2>/dev/null
if have 7zz; then
    seven_out "$WORK/track1.dmg" "$WORK/track1-7z.iso"
    check "its data track chosen: the DMG holds what the ISO of it holds" \
        sh -c "[ $rc -eq 0 ] && cmp '$WORK/track1-7z.iso' '$WORK/track1.iso'"
fi
run convert -q "$WORK/disc.iso" --raw -o "$WORK/raw.dmg"
check "raw sectors asked of a DMG: usage error, no file" \
    sh -c "[ $rc -eq 2 ] && grep -q 'a DMG holds 2048-byte user data' '$WORK/err' && [ ! -e '$WORK/raw.dmg' ]"

finish
