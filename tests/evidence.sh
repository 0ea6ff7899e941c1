#!/bin/sh
# Raw means evidence: a headerless file is read as raw sectors only when
# its bytes show a layout (a file system, sync patterns with counting
# headers, subchannel Q CRCs) or its name claims a raw image; a file named
# after a format whose bytes are not that format is refused by that
# format's reader (exit 4).  Formats recognised but not read are refused
# naming them (exit 5).
. "$(dirname "$0")/lib.sh"

have genisoimage || { skip "genisoimage missing"; finish; }
make_sample
d=$WORK/ev
mkdir -p "$d"

# expect NAME CODE TEXT FILE [OPTIONS]: `info FILE` exits CODE and its
# one line of stderr holds TEXT (for CODE 0: stdout does).
expect() {
    name=$1 code=$2 text=$3 file=$4; shift 4
    run info "$file" "$@"
    where=$WORK/err
    [ "$code" -ne 0 ] || where=$WORK/out
    if [ "$rc" -ne "$code" ]; then
        bad "$name: exit $rc, expected $code"; sed 's/^/    /' "$WORK/err"
    elif [ "$code" -ne 0 ] && [ "$(wc -l < "$WORK/err")" -ne 1 ]; then
        bad "$name: not one line on stderr"; sed 's/^/    /' "$WORK/err"
    elif ! grep -q -F -- "$text" "$where"; then
        bad "$name: no \"$text\""; sed 's/^/    /' "$where" | head -5
    else
        ok "$name (exit $rc)"
    fi
}

# 4 KiB of random bytes: two 2048-byte sectors by size, nothing else.
python3 -c 'import random, sys
sys.stdout.buffer.write(random.Random(12).randbytes(4096))' > "$d/random"

# --- named after a format, and not it: that format's reader says so -------
for pair in "cue:not a cue sheet" "toc:not a TOC file" \
            "ccd:not a CloneCD control file" "nrg:not an NRG image"; do
    ext=${pair%%:*}
    cp "$d/random" "$d/noise.$ext"
    expect "random bytes named .$ext" 4 "${pair#*:}" "$d/noise.$ext"
done

# --- named a raw image: read as one ----------------------------------------
for ext in iso img bin raw; do
    cp "$d/random" "$d/noise.$ext"
    expect "random bytes named .$ext: a raw image" 0 "(img)" "$d/noise.$ext"
done
cp "$d/random" "$d/noise.dat"
expect "random bytes named .dat: no evidence, refused" 5 \
    "no disc image format recognised" "$d/noise.dat"
check "... and the refusal says how to force it" grep -q -- "--from" "$WORK/err"
expect "... which --from img forces" 0 "(img)" "$d/noise.dat" --from img

# --- evidence in the bytes, whatever the name ------------------------------
"$DISCCONV" convert -q "$WORK/sample/sample.cue" --track 1 -o "$d/data.iso"
cp "$d/data.iso" "$d/iso.dat"
expect "an ISO renamed .dat: its volume descriptor" 0 "(iso)" "$d/iso.dat"
"$DISCCONV" convert -q "$d/data.iso" -o "$d/data.img"
cp "$d/data.img" "$d/raw.dat"
expect "a raw 2352 dump renamed .dat: sync and headers" 0 "mode1" "$d/raw.dat"
# The same sectors out of order: syncs, but headers that do not count up.
python3 -c 'import sys
data = open(sys.argv[1], "rb").read()
s = [data[i:i + 2352] for i in range(0, len(data), 2352)]
s[0], s[2] = s[2], s[0]
open(sys.argv[2], "wb").write(b"".join(s))' "$d/data.img" "$d/shuffled.dat"
expect "syncs with headers out of order, named .dat: refused" 5 \
    "no disc image format recognised" "$d/shuffled.dat"

# 2448-byte audio sectors with interleaved subchannel: Q CRCs are the
# evidence (ECMA-130: CRC-16 0x1021, stored inverted; Q in bit 6).
cat >"$d/sub.py" <<'PY'
import random, sys
def crc16(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = (crc << 1 ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc ^ 0xFFFF
bcd = lambda v: v // 10 << 4 | v % 10
def msf(lba):
    return bytes([bcd(lba // 4500), bcd(lba // 75 % 60), bcd(lba % 75)])
rng, good, out = random.Random(3), sys.argv[1] == "good", bytearray()
for lba in range(30):
    q = bytes([0x01, 0x01, 0x01]) + msf(lba) + b"\0" + msf(lba + 150)
    crc = crc16(q) if good else crc16(q) ^ 0x5A5A
    q += bytes([crc >> 8, crc & 0xFF])
    sub = bytes(((q[i // 8] >> (7 - i % 8)) & 1) << 6 for i in range(96))
    out += rng.randbytes(2352) + sub
sys.stdout.buffer.write(out)
PY
python3 "$d/sub.py" good > "$d/sub.dat"
python3 "$d/sub.py" bad > "$d/badsub.dat"
expect "2448-byte audio with good Q CRCs, named .dat" 0 "audio" "$d/sub.dat"
check "... read as 2448-byte sectors" grep -q " 2448 " "$WORK/out"
# (30 sectors of 2448 bytes are no whole number of 2048 or 2352: without
# the Q evidence nothing fits at all.)
expect "2448-byte audio with bad Q CRCs, named .dat: refused" 5 \
    "not a disc image format discconv knows" "$d/badsub.dat"

# An HFS+ volume header 1024 bytes in (signature "H+", version 4).
python3 -c 'import sys
img = bytearray(8 * 2048)
img[1024:1028] = b"H+\x00\x04"
sys.stdout.buffer.write(img)' > "$d/mac.dat"
expect "an HFS+ volume named .dat: 2048-byte sectors" 0 "(img)" "$d/mac.dat"

# --- formats recognised but not read: named, exit 5 ------------------------
# fixture NAME HEXBYTES [AT]: 4 KiB of zeros with the bytes at AT (default
# 0; negative counts from the end).
fixture() {
    python3 -c 'import sys
data = bytearray(4096)
magic, at = bytes.fromhex(sys.argv[1]), int(sys.argv[2])
at = at if at >= 0 else len(data) + at
data[at:at + len(magic)] = magic
sys.stdout.buffer.write(data)' "$2" "${3:-0}" > "$d/$1"
}
fixture x.mds "$(printf 'MEDIA DESCRIPTOR' | xxd -p)"
fixture x.chd "$(printf 'MComprHD' | xxd -p)0000007c00000005"
fixture x.cdi 0500008000010000 -8
fixture x.ecm 45434d00
fixture x.isz 49735a21
fixture x.daa 44414100
fixture x.gbi 47424900
fixture x.cso 4349534f
fixture x.b6t "$(printf 'BWT5 STREAM SIGN' | xxd -p)"
fixture x.dmg 656e637263647361
fixture x.7z 377abcaf271c
for f in "x.mds:Alcohol 120%" "x.chd:MAME CHD" "x.cdi:DiscJuggler" \
         "x.ecm:ECM" "x.isz:UltraISO" "x.daa:PowerISO" "x.gbi:gBurner" \
         "x.cso:compressed ISO (CSO)" "x.b6t:BlindWrite" \
         "x.dmg:encrypted Apple disk image" \
         "x.7z:a 7-Zip archive, not a disc image: unpack it first"; do
    expect "${f%%:*}: ${f#*:}" 5 "${f#*:}" "$d/${f%%:*}"
done
# Archives made by their own tools, of a real ISO.
gzip -c "$d/data.iso" > "$d/data.iso.gz"
xz -c "$d/data.iso" > "$d/data.iso.xz"
bzip2 -c "$d/data.iso" > "$d/data.iso.bz2"
(cd "$d" && zip -q data.zip data.iso)
tar -C "$d" -cf "$d/data.tar" data.iso
for f in "data.iso.gz:gzip" "data.iso.xz:xz" "data.iso.bz2:bzip2" \
         "data.zip:ZIP archive" "data.tar:tar archive"; do
    expect "${f%%:*}: ${f#*:}, unpack it first" 5 "${f#*:}" "$d/${f%%:*}"
    check "... says to unpack it" grep -q "unpack it first" "$WORK/err"
done
if have zstd; then
    zstd -q -c "$d/data.iso" > "$d/data.iso.zst"
    expect "data.iso.zst: Zstandard" 5 "Zstandard" "$d/data.iso.zst"
fi
# A signature beats a name that claims raw sectors.
cp "$d/x.7z" "$d/game.iso"
expect "a 7-Zip archive named .iso" 5 "7-Zip archive" "$d/game.iso"
# Not a DiscJuggler trailer when the header offset points outside the file.
fixture notcdi.dat 05000080ffffff00 -8
expect "a CDI version with an impossible offset is not CDI" 5 \
    "no disc image format recognised" "$d/notcdi.dat"

# An Alcohol 120% data file: by its name, or by the .mds beside it; a cue
# sheet beside it that describes it still wins.
cp "$d/data.img" "$d/disc.mdf"
expect "a raw dump named .mdf" 5 "Alcohol 120% image (MDF)" "$d/disc.mdf"
mkdir -p "$d/alc"
cp "$d/data.img" "$d/alc/disc.bin"
cp "$d/x.mds" "$d/alc/disc.mds"
expect "a .bin with an .mds beside it" 5 "described by disc.mds" "$d/alc/disc.bin"
printf 'FILE "disc.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n' \
    > "$d/alc/disc.cue"
expect "... unless a cue sheet beside it describes it" 0 "(bincue)" "$d/alc/disc.bin"

# --- --from with a name that is not a format lists the names ---------------
expect "--from with an unknown name" 2 "it reads bincue, toc, nrg" \
    "$d/data.iso" --from cdi
finish
