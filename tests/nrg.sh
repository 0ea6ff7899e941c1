#!/bin/sh
# NRG against libcdio and nrg2iso: every corpus NRG and every NRG discconv
# writes (the sample disc, data-only ISOs, audio-only cues, CD-Extra) reads
# the same in cd-info; the data track read by iso-info; nrg2iso's ISO is
# ours plus the chunks it wrongly copies.
#
# Where libcdio 2.1.0 is wrong, the test says so and checks around it:
#  - it prints 0 channels for every NRG audio track (its NRG driver keeps no
#    channel count), so channels and pre-emphasis are not compared;
#  - it types every track of a disc-at-once image by the first DAOX entry's
#    mode code, and codes it does not know (0x05 raw Mode 1, the 2448-byte
#    ones) come out as "audio": the expected types are derived that way;
#  - it asserts (aborts) on a second CUEX or ETN chunk, so multi-session
#    images are checked against our own reading only;
#  - its iso-info opens only plain 2048-byte images (it fails on the corpus
#    videocd.nrg too), so it reads the data track we extract;
#  - its sector reads of DAO images assume 2336-byte blocks after a
#    150-sector pregap, whatever DAOX says: cd-info's file system analysis
#    is not a reference for Mode 1 or raw images.
. "$(dirname "$0")/lib.sh"

have cd-info || { skip "cd-info missing (apt-get install libcdio-utils)"; finish; }
have genisoimage || { skip "genisoimage missing"; finish; }

# cd-info's table as libcdio sees an NRG, and ours as libcdio would print
# it.  --dao: our written images are disc-at-once, typed by track 1.
cat >"$WORK/libcdio_view.py" <<'PY'
import json, re, sys
cdinfo, ours, dao = sys.argv[1], sys.argv[2], len(sys.argv) > 3
text = open(cdinfo, encoding="utf-8", errors="replace").read()
# drop the channels / pre-emphasis columns of audio tracks
text = re.sub(r"^(\s*\d+: \d\d:\d\d:\d\d\s+\d+ audio\s+\w+\s+\w+)\s+\d\s+\w+\s*$",
              r"\1", text, flags=re.M)
open(cdinfo + ".view", "w").write(text)
disc = json.load(open(ours))
if dao and disc["tracks"]:
    first = disc["tracks"][0]
    kind, size = first["type"], first["sector_size"]
    if kind == "mode1" and size == 2048:
        typed = "mode1"
    elif kind.startswith("mode2") and size < 2448:
        typed = "mode2-xa"
    else:  # audio, and the codes libcdio does not know
        typed = "audio"
    for t in disc["tracks"]:
        t["type"] = typed
json.dump(disc, open(ours + ".view", "w"))
PY

# agree NAME NRG [--dao]: cd-info and discconv read the same track table.
agree() {
    name=$1 nrg=$2
    (cd "$(dirname "$nrg")" && cd-info --no-device-info --no-cddb -i "$(basename "$nrg")") \
        >"$WORK/ci" 2>&1
    "$DISCCONV" info --json "$nrg" >"$WORK/ours.json" &&
        python3 "$WORK/libcdio_view.py" "$WORK/ci" "$WORK/ours.json" ${3:+dao} &&
        check "$name: cd-info and discconv agree" \
            python3 "$top_srcdir/tests/compare_cdinfo.py" "$WORK/ci.view" "$WORK/ours.json.view"
}

# iso_reads NAME NRG TRACK [OPTIONS]: iso-info reads the data track we
# extract, with the volume id discconv reports.
iso_reads() {
    name=$1 nrg=$2 track=$3; shift 3
    rm -f "$WORK/track.iso"
    "$DISCCONV" convert -q "$nrg" --track "$track" "$@" -o "$WORK/track.iso" 2>/dev/null &&
        iso-info --no-header -i "$WORK/track.iso" >"$WORK/isoinfo" 2>&1
    volume=$(sed -n 's/^Volume *: //p' "$WORK/isoinfo")
    "$DISCCONV" info --json "$nrg" >"$WORK/fs.json"
    check "$name: iso-info reads track $track as volume '$volume'" python3 -c '
import json, sys
fs = [f for f in json.load(open(sys.argv[1]))["filesystems"]
      if f["track"] == int(sys.argv[2])][0]
assert fs["iso9660"] and sys.argv[3] in (fs["volume_id"], fs.get("joliet_volume_id")), (fs, sys.argv[3])
' "$WORK/fs.json" "$track" "$volume"
}

# --- the corpus --------------------------------------------------------------
if have_corpus; then
    for nrg in "$CORPUS"/nrg/*/*.nrg; do
        agree "${nrg#"$CORPUS"/}" "$nrg"
    done
    v=$CORPUS/nrg/libcdio/videocd.nrg
    cd-info --no-device-info --no-cddb -i "$v" 2>/dev/null |
        sed -n "s/^ISO 9660: \([0-9]*\) blocks, label \`\([A-Z]*\) *'/\1 \2/p" | head -1 >"$WORK/label"
    "$DISCCONV" info --json "$v" >"$WORK/v.json"
    check "videocd.nrg: cd-info's ISO 9660 blocks and label are ours" python3 -c '
import json, sys
blocks, label = open(sys.argv[2]).read().split()
fs = json.load(open(sys.argv[1]))["filesystems"][0]
assert (fs["blocks"], fs["volume_id"]) == (int(blocks), label), fs
' "$WORK/v.json" "$WORK/label"
    iso_reads "videocd.nrg" "$v" 1 --allow-form2-truncation
    run convert -q "$CORPUS/nrg/libcdio/p1.nrg" -o "$WORK/p1.nrg"
    check "p1.nrg written again is Nero's file byte for byte" cmp "$CORPUS/nrg/libcdio/p1.nrg" "$WORK/p1.nrg"
    run convert -q "$v" -o "$WORK/videocd-dao.nrg"
    agree "videocd.nrg rewritten as DAO" "$WORK/videocd-dao.nrg" --dao
else
    skip "corpus absent: $CORPUS"
fi

# --- NRGs discconv writes ----------------------------------------------------
make_sample
S=$WORK/sample
run convert -q "$S/sample.cue" -o "$WORK/sample.nrg"
agree "sample disc -> NRG" "$WORK/sample.nrg" --dao
iso_reads "sample disc -> NRG" "$WORK/sample.nrg" 1
run convert -q "$S/sample.cue" --cooked -o "$WORK/cooked.nrg"
agree "sample disc --cooked -> NRG" "$WORK/cooked.nrg" --dao

genisoimage -quiet -V NRGDATA -o "$WORK/data.iso" "$top_srcdir/src/core"
genisoimage -quiet -J -R -V NRGJOLIET -o "$WORK/joliet.iso" "$top_srcdir/src"
for iso in data joliet; do
    run convert -q "$WORK/$iso.iso" -o "$WORK/$iso.nrg"
    agree "$iso.iso -> NRG" "$WORK/$iso.nrg" --dao
    iso_reads "$iso.iso -> NRG" "$WORK/$iso.nrg" 1
    run convert -q "$WORK/$iso.nrg" -o "$WORK/$iso-back.iso"
    check "$iso.iso -> NRG -> ISO identical" cmp "$WORK/$iso.iso" "$WORK/$iso-back.iso"
done

"$GEN_TONE" 300 440 660 >"$WORK/tone1.bin"
"$GEN_TONE" 200 330 0 >"$WORK/tone2.bin"
cat >"$WORK/audio.cue" <<'CUE'
CATALOG 0000000000017
FILE "tone1.bin" BINARY
  TRACK 01 AUDIO
    FLAGS DCP
    INDEX 01 00:00:00
FILE "tone2.bin" BINARY
  TRACK 02 AUDIO
    INDEX 00 00:00:00
    INDEX 01 00:01:00
CUE
run convert -q "$WORK/audio.cue" -o "$WORK/audio.nrg"
agree "audio cue -> NRG" "$WORK/audio.nrg" --dao
run convert -q "$WORK/audio.nrg" -o "$WORK/audio-back.cue"
check "audio cue -> NRG -> BIN/CUE: the same samples" \
    sh -c 'cat "$1/tone1.bin" "$1/tone2.bin" | cmp - "$1/audio-back.bin"' sh "$WORK"

# --- CD-Extra: audio session, then data session ------------------------------
"$DISCCONV" convert -q "$WORK/data.iso" -o "$WORK/d2.cue"
cat >"$WORK/extra.cue" <<'CUE'
REM SESSION 01
FILE "tone1.bin" BINARY
  TRACK 01 AUDIO
    INDEX 01 00:00:00
REM SESSION 02
FILE "d2.bin" BINARY
  TRACK 02 MODE1/2352
    INDEX 01 00:00:00
CUE
run convert -q "$WORK/extra.cue" -o "$WORK/extra.nrg"
run info "$WORK/extra.nrg"
check "CD-Extra NRG: info shows two sessions, data at LBA 11700" \
    sh -c 'grep -q "2 tracks, 2 sessions" "$1" && grep -Eq "^ +2 +2 +mode1 .* 11700 " "$1"' sh "$WORK/out"
run convert -q "$WORK/extra.nrg" --track 2 -o "$WORK/extra.iso"
check "CD-Extra NRG --track 2 -> ISO is the data session's ISO" cmp "$WORK/data.iso" "$WORK/extra.iso"
run convert -q "$WORK/extra.nrg" -o "$WORK/extra.img"
check "CD-Extra NRG -> raw IMG says its two sessions become one" \
    grep -q "2 sessions are written one after the other as one in extra.img" "$WORK/err"
run convert -q "$WORK/extra.nrg" -o "$WORK/extra-back.cue"
check "... and BIN/CUE, which keeps sessions, says nothing of them" \
    sh -c '! grep -q "sessions are written" "$1"' sh "$WORK/err"
check "CD-Extra NRG -> BIN/CUE keeps REM SESSION and the bins" \
    sh -c 'grep -q "REM SESSION 02" "$1/extra-back.cue" &&
           cat "$1/tone1.bin" "$1/d2.bin" | cmp - "$1/extra-back.bin"' sh "$WORK"

# --- nrg2iso -------------------------------------------------------------------
# A one-track DAO Mode 1 image (ours, and one made here byte by byte): our
# ISO is the first N bytes of nrg2iso's output, whose extra tail is exactly
# the chunk area and footer it should have left out.
python3 - "$WORK/data.iso" "$WORK/byhand.nrg" <<'PY'
import struct, sys
iso = open(sys.argv[1], "rb").read()
n = len(iso) // 2048
data = bytes(150 * 2048) + iso
cue = b"".join(struct.pack(">BBBBi", 0x41, t, i, 0, lba) for t, i, lba in
               ((0, 0, -150), (1, 0, -150), (1, 1, 0), (0xAA, 1, n)))
entry = bytes(12) + struct.pack(">HBBBB", 2048, 0, 0, 0, 1) + \
        struct.pack(">QQQ", 0, 150 * 2048, len(data))
dao = struct.pack(">I", 22 + len(entry)) + bytes(13) + bytes([0, 0, 1, 1, 1]) + entry
def chunk(cid, payload):
    return cid + struct.pack(">I", len(payload)) + payload
chunks = chunk(b"CUEX", cue) + chunk(b"DAOX", dao) + \
         chunk(b"SINF", struct.pack(">I", 1)) + chunk(b"MTYP", struct.pack(">I", 1)) + \
         chunk(b"END!", b"")
open(sys.argv[2], "wb").write(data + chunks + b"NER5" + struct.pack(">Q", len(data)))
PY
if have nrg2iso; then
    for nrg in data byhand; do
        rm -f "$WORK/ours.iso" "$WORK/peer.iso"
        run convert -q "$WORK/$nrg.nrg" -o "$WORK/ours.iso"
        nrg2iso "$WORK/$nrg.nrg" "$WORK/peer.iso" >/dev/null 2>&1
        check "$nrg.nrg: our ISO is nrg2iso's minus the chunks it copies" python3 -c '
import struct, sys
nrg, ours, peer = (open(p, "rb").read() for p in sys.argv[1:])
first_chunk = struct.unpack(">Q", nrg[-8:])[0]
assert peer[:len(ours)] == ours, "prefix differs"
assert peer[len(ours):] == nrg[first_chunk:], "the tail is not the chunk area"
' "$WORK/$nrg.nrg" "$WORK/ours.iso" "$WORK/peer.iso"
    done
else
    skip "nrg2iso missing (apt-get install nrg2iso)"
fi
agree "hand-made DAO Mode 1 NRG" "$WORK/byhand.nrg" --dao

# --- errors ----------------------------------------------------------------------
head -c 40000 "$WORK/data.nrg" >"$WORK/cut.nrg"
tail -c 12 "$WORK/data.nrg" >>"$WORK/cut.nrg"
run info "$WORK/cut.nrg"
check "a cut NRG: exit 4, the footer and its offset named" \
    sh -c '[ "$1" -eq 4 ] && grep -q "footer NER5 at offset 40000" "$2"' sh "$rc" "$WORK/err"
# CD-TEXT that came from cue TITLE/PERFORMER lines (no packs in the
# source) is written as packs that cd-info reads back.  cd-info prints
# CD-TEXT only for a disc it takes for audio, and libcdio types every DAO
# track by track 1's mode code: --raw keeps the data track's raw code
# (0x05), which libcdio cannot type and reads as audio.
run convert -q --raw "$WORK/sample/sample.cue" -o "$WORK/text.nrg"
cd-info --no-device-info --no-cddb -i "$WORK/text.nrg" >"$WORK/ci" 2>&1
check "cue CD-TEXT written as packs cd-info reads" sh -c "
    grep -q 'TITLE: discconv sample disc' '$WORK/ci' &&
    grep -q 'PERFORMER: discconv' '$WORK/ci' && grep -q 'TITLE: C and G' '$WORK/ci'"
finish
