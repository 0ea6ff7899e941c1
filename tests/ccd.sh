#!/bin/sh
# CloneCD (.ccd + .img + .sub), read and written.  A set made from the
# sample disc converts back to the sample's BIN/CUE bytes and track table;
# CloneCD -> BIN/CUE -> CloneCD is byte for byte; ccd2iso reads the data
# track as we do; sessions and .sub bytes survive CloneCD -> CloneCD (and
# a trip through a 2448-byte NRG).
. "$(dirname "$0")/lib.sh"

have genisoimage || { skip "genisoimage missing"; finish; }
make_sample
S=$WORK/sample
cd "$WORK" || exit 1

# tracks FILE: the track table and disc fields of `info --json`, without
# the image's own name and format.
tracks() {
    "$DISCCONV" info --json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
# Block information (language, character set) comes with packs alone.
for k in ("image", "format", "cdtext_blocks"):
    d.pop(k, None)
print(json.dumps(d, sort_keys=True, indent=1))'
}

# --- the sample disc ------------------------------------------------------------
run convert -q "$S/sample.cue" -o s.ccd
check "sample -> CloneCD writes s.ccd and s.img, no .sub" \
    sh -c '[ "$1" -eq 0 ] && [ -s s.ccd ] && [ -s s.img ] && [ ! -e s.sub ]' sh "$rc"
check "s.img is the sample's BIN (one session, everything stored)" cmp "$S/sample.bin" s.img
tracks "$S/sample.cue" >twin.json
tracks s.ccd >ccd.json
check "CloneCD reads the same track table as its cue twin" diff twin.json ccd.json

mkdir -p twin back
run convert -q "$S/sample.cue" -o twin/x.cue
run convert -q s.ccd -o back/x.cue
check "CloneCD -> BIN/CUE: the cue twin's BIN byte for byte" cmp twin/x.bin back/x.bin
# The set carries the sample's CD-TEXT as packs, which the cue names as a
# .cdt besides the same TITLE/PERFORMER lines: all else is the twin's.
check "CloneCD -> BIN/CUE: the twin's sheet plus CDTEXTFILE" \
    sh -c 'grep -v "^CDTEXTFILE" back/x.cue | diff twin/x.cue - && grep -q "^CDTEXTFILE \"x.cdt\"" back/x.cue'
check "CloneCD -> BIN/CUE: the same track table" sh -c \
    'diff ccd.json "$1"' sh "$(tracks back/x.cue >back.json; echo back.json)"
run convert -q back/x.cue -o back/s.ccd
check "CloneCD -> BIN/CUE -> CloneCD: .ccd byte for byte" cmp s.ccd back/s.ccd
check "CloneCD -> BIN/CUE -> CloneCD: .img byte for byte" cmp s.img back/s.img
run convert -q s.ccd -o again.ccd
check "CloneCD -> CloneCD: byte for byte" sh -c 'cmp s.ccd again.ccd && cmp s.img again.img'

# --- ccd2iso -----------------------------------------------------------------------
if have ccd2iso; then
    # ccd2iso reads Mode 1 sectors from the .img until the first other one
    # (the audio tracks here), ignoring the .ccd.
    ccd2iso s.img peer.iso >/dev/null 2>&1
    run convert -q s.ccd --track 1 -o ours.iso
    check "ccd2iso's ISO of s.img is discconv's track 1" cmp peer.iso ours.iso
    genisoimage -quiet -V CCDDATA -o data.iso "$top_srcdir/src/core"
    run convert -q data.iso -o data.ccd
    rm -f peer.iso
    ccd2iso data.img peer.iso >/dev/null 2>&1
    check "ccd2iso reads a data-only set we write as the ISO it came from" cmp data.iso peer.iso
else
    skip "ccd2iso missing (apt-get install ccd2iso)"
fi

# --- two sessions (CD-Extra) -----------------------------------------------------
genisoimage -quiet -V CCDEXTRA -o d2.iso "$top_srcdir/src/formats"
"$DISCCONV" convert -q d2.iso -o d2.cue
"$GEN_TONE" 300 440 660 >tone1.bin
cat >extra.cue <<'CUE'
REM SESSION 01
FILE "tone1.bin" BINARY
  TRACK 01 AUDIO
    INDEX 01 00:00:00
REM SESSION 02
FILE "d2.bin" BINARY
  TRACK 02 MODE1/2352
    INDEX 01 00:00:00
CUE
run convert -q extra.cue -o extra.ccd
run info extra.ccd
check "CD-Extra CloneCD: two sessions, data at LBA 11700" \
    sh -c 'grep -q "2 tracks, 2 sessions" out && grep -Eq "^ +2 +2 +mode1 .* 11700 " out' 
check "CD-Extra CloneCD: the .img is both sessions without the gap" \
    sh -c 'cat tone1.bin d2.bin | cmp - extra.img'
tracks extra.cue >extra-cue.json
tracks extra.ccd >extra-ccd.json
check "CD-Extra CloneCD: the cue's track table" diff extra-cue.json extra-ccd.json
run convert -q extra.ccd --track 2 -o extra.iso
check "CD-Extra CloneCD --track 2 -> ISO is the data session's ISO" cmp d2.iso extra.iso
run convert -q extra.ccd -o extra2.ccd
check "CD-Extra CloneCD -> CloneCD: byte for byte" \
    sh -c 'cmp extra.ccd extra2.ccd && cmp extra.img extra2.img'

# A hand-written two-session set, as CloneCD lays it out (A0/A1/A2 first,
# B0/C0 mode-5 entries in session 1, INDEX values from the session start).
python3 - "$WORK/hand" <<'PY'
import sys
stem = sys.argv[1]
def sector(lba, mode):
    m = lba + 150
    bcd = lambda v: (v // 10) << 4 | v % 10
    head = b"\x00" + b"\xff" * 10 + b"\x00" + bytes([bcd(m // 4500), bcd(m // 75 % 60), bcd(m % 75), mode])
    return head + bytes(2352 - 16)
audio = bytes(2352 * 200)
data = b"".join(sector(200 + 11250 + i, 1) for i in range(150 + 100))
open(stem + ".img", "wb").write(audio + data)
def entry(n, session, point, plba, adr=1, control=0):
    m = plba + 150
    return (f"[Entry {n}]\nSession={session}\nPoint=0x{point:02x}\nADR=0x{adr:02x}\n"
            f"Control=0x{control:02x}\nTrackNo=0\nAMin=0\nASec=0\nAFrame=0\nALBA=-150\n"
            f"Zero=0\nPMin={m // 4500}\nPSec={m // 75 % 60}\nPFrame={m % 75}\nPLBA={plba}\n")
s2 = 200 + 11250 + 150
entries = [entry(0, 1, 0xA0, 4350), entry(1, 1, 0xA1, 4350), entry(2, 1, 0xA2, 200),
           entry(3, 1, 0x01, 0), entry(4, 1, 0xB0, 0, adr=5), entry(5, 1, 0xC0, 0, adr=5),
           entry(6, 2, 0xA0, 8850, control=4), entry(7, 2, 0xA1, 8850, control=4),
           entry(8, 2, 0xA2, s2 + 100, control=4), entry(9, 2, 0x02, s2, control=4)]
open(stem + ".ccd", "w").write(
    "[CloneCD]\nVersion=3\n[Disc]\nTocEntries=10\nSessions=2\nDataTracksScrambled=0\n"
    "CDTextLength=0\n[Session 1]\nPreGapMode=0\nPreGapSubC=0\n[Session 2]\nPreGapMode=1\n"
    "PreGapSubC=0\n" + "".join(entries) +
    "[TRACK 1]\nMODE=0\nINDEX 1=0\n[TRACK 2]\nMODE=1\nINDEX 0=0\nINDEX 1=150\n")
PY
run info --json hand.ccd
check "hand-made two-session .ccd: session 2's data at LBA 11600 after 150 stored" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tracks"]
assert [(x["number"], x["session"]) for x in t] == [(1, 1), (2, 2)], t
assert (t[1]["start_lba"], t[1]["first_stored_lba"], t[1]["stored_sectors"]) == (11600, 11450, 250), t[1]
' out
run convert -q hand.ccd -o hand2.ccd
check "hand-made two-session .ccd -> CloneCD: the same .img and track table" \
    sh -c 'cmp hand.img hand2.img && "$1" info --json hand.ccd | sed 1,3d >a && "$1" info --json hand2.ccd | sed 1,3d >b && diff a b' sh "$DISCCONV"

# --- subchannel ---------------------------------------------------------------------
mkdir -p sub
cp s.ccd s.img sub/
python3 -c '
import random, sys
random.seed(11)
n = int(sys.argv[1]) // 2352
open("sub/s.sub", "wb").write(bytes(random.getrandbits(8) for _ in range(n * 96)))
' "$(wc -c <s.img)"
run info sub/s.ccd
check "a .sub makes every track 2448 bytes" sh -c '! grep -E "^ +[0-9]+ +1 " out | grep -qv " 2448 "'
run convert -q sub/s.ccd -o sub/t.ccd
check "CloneCD with .sub -> CloneCD: .sub, .img and .ccd byte for byte" \
    sh -c 'cmp sub/s.sub sub/t.sub && cmp sub/s.img sub/t.img && cmp sub/s.ccd sub/t.ccd'
run convert -q sub/s.ccd -o sub/n.nrg
run convert -q sub/n.nrg -o sub/u.ccd
check "CloneCD with .sub -> NRG (2448, interleaved) -> CloneCD keeps the .sub" \
    sh -c 'cmp sub/s.sub sub/u.sub && cmp sub/s.img sub/u.img'
run convert -q sub/s.ccd --track 1 -o sub/t1.iso
run convert -q s.ccd --track 1 -o t1.iso
check "CloneCD with .sub: track 1 as ISO is the same as without" cmp t1.iso sub/t1.iso

finish
