#!/bin/sh
# The NRG layout readers accept: a raw Mode 1 track whose every sector its
# 2048 user bytes regenerate exactly is stored cooked (DAOX mode code 0x00,
# 2048 bytes), which libcdio types as data where it takes raw Mode 1 (0x05)
# for audio; one sector that would not regenerate keeps the track raw.  In
# both cases the BIN comes back byte for byte.
. "$(dirname "$0")/lib.sh"

have genisoimage || { skip "genisoimage missing"; finish; }
make_sample
sample=$WORK/sample

# track1 NRG: "code size" of the first DAOX entry (track 1's storage).
cat >"$WORK/track1.py" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[-12:-8] == b"NER5", "no NER5 footer"
at = struct.unpack(">Q", d[-8:])[0]
while at < len(d) - 12:
    cid, size = d[at:at + 4], struct.unpack(">I", d[at + 4:at + 8])[0]
    if cid == b"DAOX":
        body = d[at + 8:at + 8 + size]
        entry = body[22:22 + 42]
        print("0x%02x %d" % (entry[14], struct.unpack(">H", entry[12:14])[0]))
        break
    at += 8 + size
PY
track1() { python3 "$WORK/track1.py" "$1"; }

# controls NRG: the first byte (control << 4 | ADR) of every CUEX point.
cat >"$WORK/controls.py" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
at = struct.unpack(">Q", d[-8:])[0]
while at < len(d) - 12:
    cid, size = d[at:at + 4], struct.unpack(">I", d[at + 4:at + 8])[0]
    if cid == b"CUEX":
        body = d[at + 8:at + 8 + size]
        print(" ".join("%02x" % body[k] for k in range(0, size, 8)))
        break
    at += 8 + size
PY
controls() { python3 "$WORK/controls.py" "$1"; }
same_bytes() { [ "$(sha256sum < "$1")" = "$(sha256sum < "$2")" ]; }

run convert -q "$sample/sample.cue" -o "$WORK/good.nrg"
check "sample -> NRG: exit 0" [ "$rc" -eq 0 ]
check "the data track is stored as Mode 1 user data (0x00, 2048)" \
    [ "$(track1 "$WORK/good.nrg")" = "0x00 2048" ]
check "the cue points' control: data for track 1, audio (DCP on track 2) after" \
    [ "$(controls "$WORK/good.nrg")" = "41 41 41 21 21 01 01 01" ]

# cd-info cannot show this disc as data, audio, audio in any lossless DAO
# layout.  libcdio 2.1 (lib/driver/image/nrg.c, parse_nrg) reads the mode
# code of the FIRST DAOX entry only; when DAOX byte 18 is 0, as Nero writes
# it, it gives that code's type to every track, and get_track_format_nrg
# answers "data" for every track whenever that code is 0x00.  The CUEX
# control nibble sets only the copy, pre-emphasis and four-channel flags.
# Tried (cd-info --debug=5 prints "DAOX tag detected, track format <first
# code>, mode <byte 18>"): track 1 code 0x05 -> all audio plus "Unknown
# track format 5"; code 0x07 -> all audio; byte 18 = 0x20, 1 or 2, or
# entry bytes 15-17 changed -> all data still.  Only a TAO table (ETN2) is
# typed per track, and it holds no stored pregap, index, ISRC or MCN
# (libcdio also moves each track 150 sectors on), so it would lose what
# this disc has.  Asserted here: track 1 as data, the flags libcdio takes
# from the cue points, and the per-track types from chdman, which reads
# each entry's code.
if have cd-info; then
    cd-info --no-header --no-device-info -i "$WORK/good.nrg" >"$WORK/ci" 2>&1
    check "cd-info types track 1 as data" \
        grep -Eq '^ +1: 00:02:00 +000000 data ' "$WORK/ci"
    check "cd-info knows the mode code" sh -c '! grep -q "Unknown track format" "$1"' \
        sh "$WORK/ci"
    check "cd-info: track 2 may be copied (DCP), track 3 may not" sh -c \
        'grep -Eq "^ +2: 00:09:10 +000535 [a-z]+ +false +yes" "$1" &&
         grep -Eq "^ +3: 00:19:10 +001285 [a-z]+ +false +no" "$1"' sh "$WORK/ci"
else
    skip "cd-info missing (apt-get install libcdio-utils)"
fi
if have chdman; then
    chdman createcd -f -i "$WORK/good.nrg" -o "$WORK/good.chd" >/dev/null 2>&1
    check "chdman types the tracks MODE1, AUDIO, AUDIO" \
        [ "$(chdman info -i "$WORK/good.chd" 2>/dev/null |
             sed -n 's/.*TRACK:[0-9]* TYPE:\([A-Z0-9_]*\).*/\1/p' |
             tr '\n' ' ')" = "MODE1 AUDIO AUDIO " ]
else
    skip "chdman missing (apt-get install mame-tools)"
fi
if have 7zz; then
    check "7-Zip finds the data track's ISO 9660 files" sh -c \
        '7zz l "$1" | grep -q "docs/TRACKS.TXT"' sh "$WORK/good.nrg"
else
    skip "7zz missing (apt-get install 7zip)"
fi
run convert -q "$WORK/good.nrg" -o "$WORK/good-back.cue"
check "NRG -> BIN: the sample's bytes (sha256)" \
    same_bytes "$sample/sample.bin" "$WORK/good-back.bin"

# One Mode 1 sector with a changed byte: its EDC no longer matches, so the
# track stays raw (0x05, 2352) and the bad sector travels as dumped.
mkdir -p "$WORK/bad"
cp "$sample/sample.cue" "$sample/sample.bin" "$WORK/bad/"
printf '\125' | dd of="$WORK/bad/sample.bin" bs=1 seek=$((20 * 2352 + 100)) \
    conv=notrunc 2>/dev/null
run convert -q "$WORK/bad/sample.cue" -o "$WORK/bad.nrg"
check "one corrupted sector -> NRG: exit 0" [ "$rc" -eq 0 ]
check "... the data track stays raw (0x05, 2352)" \
    [ "$(track1 "$WORK/bad.nrg")" = "0x05 2352" ]
run convert -q "$WORK/bad.nrg" -o "$WORK/bad-back.cue"
check "... and comes back byte for byte, the bad sector included" \
    same_bytes "$WORK/bad/sample.bin" "$WORK/bad-back.bin"

# Asked for raw sectors, raw they are.
run convert -q --raw "$sample/sample.cue" -o "$WORK/raw.nrg"
check "--raw keeps raw Mode 1 (0x05, 2352)" \
    [ "$(track1 "$WORK/raw.nrg")" = "0x05 2352" ]
finish
