#!/bin/sh
# Content against labels: a track whose sectors contradict its label (data
# under AUDIO, samples under MODE1) is reported by `info` and refused by the
# conversions that would make garbage of it; a raw dump without a track
# table is typed by its sectors; --verify lists every bad sector.
. "$(dirname "$0")/lib.sh"
pcm() { python3 "$top_srcdir/tests/pcm.py" "$@"; }

have genisoimage || { skip "genisoimage missing"; finish; }
have python3 || { skip "python3 missing"; finish; }
make_sample
S=$WORK/sample
DATA=385            # sectors of the sample's data track (LBA 0..384)
SECTORS=1660        # of the whole sample.bin

# relabel DIR SED: the sample's bin beside its cue edited by SED.
relabel() {
    mkdir -p "$1"
    ln -s "$S/sample.bin" "$1/sample.bin"
    sed "$2" "$S/sample.cue" > "$1/sample.cue"
}

# --- AUDIO over Mode 1 data -------------------------------------------------
A=$WORK/audio-over-data
relabel "$A" 's|TRACK 01 MODE1/2352|TRACK 01 AUDIO|'
found="track 1 is labelled audio but its sectors are Mode 1 data (sync and headers at LBA 0..$((DATA - 1)))"
run info "$A/sample.cue"
check "info reads a cue that calls Mode 1 sectors audio" test "$rc" -eq 0
check "info warns: $found" grep -qF "warning: $A/sample.cue: $found" "$WORK/err"
run extract-audio -q "$A/sample.cue" -o "$A/out"
check "extract-audio refuses a WAV of data: exit 4" test "$rc" -eq 4
check "the refusal is one line naming the file and the track" sh -c "
    test \$(wc -l < '$WORK/err') -eq 1 && grep -qF '$A/sample.cue: $found' '$WORK/err'"
check "extract-audio left nothing" test ! -e "$A/out"
run extract-audio -q "$A/sample.cue" --tracks 2-3 -o "$A/out"
check "extract-audio of the other tracks goes on" test "$rc" -eq 0
# Track 2 starts inside the data: its "audio" would go beside an ISO.
# Track 1 is then shorter than its ISO volume: allowed, so that the label
# check is what refuses.
printf 'FILE "sample.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 00:02:00\n  TRACK 03 AUDIO\n    INDEX 01 00:05:10\n' > "$A/split.cue"
run convert -q --allow-truncated "$A/split.cue" -o "$A/x.iso"
check "an ISO whose audio would be routed out as noise is refused: exit 4" sh -c "
    test $rc -eq 4 && grep -q 'track 2 is labelled audio but its sectors are Mode 1 data' '$WORK/err'"
check "nothing left by the ISO" sh -c "! ls '$A' | grep -q '^x'"
# The advice follows the sectors, not the label: no "write it as sound
# files" for a track that would be noise as sound.
run convert -q "$A/sample.cue" --track 1 -o "$A/one.iso"
check "an ISO of the data labelled audio: exit 4, the label named, no sound advice" sh -c "
    test $rc -eq 4 && test \$(wc -l < '$WORK/err') -eq 1 &&
    grep -qF '$A/sample.cue: $found: correct the label to write it as an ISO' '$WORK/err' &&
    ! grep -q 'sound file' '$WORK/err' && test ! -e '$A/one.iso'"
run convert "$A/sample.cue" -o "$A/copy.cue"
check "BIN/CUE keeps the sectors as stored: exit 0" test "$rc" -eq 0
check "... and says so" grep -q "note: track 1 was copied sector for sector as stored" "$WORK/err"
check "... byte for byte" cmp "$A/copy.bin" "$S/sample.bin"

# --- MODE1 over audio ------------------------------------------------------
B=$WORK/data-over-audio
mkdir -p "$B"
{ "$GEN_TONE" 150 0 0; "$GEN_TONE" 300 440 660; } > "$B/tone.bin"  # starts silent
printf 'FILE "tone.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n' > "$B/tone.cue"
found="track 1 is labelled mode1 but its sectors are audio (no sync pattern at LBA"
run info "$B/tone.cue"
check "info warns: $found ..." grep -qF "$found" "$WORK/err"
run convert -q "$B/tone.cue" -o "$B/x.iso"
check "an ISO of audio is refused: exit 4" test "$rc" -eq 4
check "the refusal is one line naming the file and the track" sh -c "
    test \$(wc -l < '$WORK/err') -eq 1 && grep -qF '$B/tone.cue: $found' '$WORK/err'"
check "no ISO left" test ! -e "$B/x.iso"
run convert -q "$B/tone.cue" --cooked -o "$B/x.cue"
check "cooked BIN/CUE (user data) of audio is refused: exit 4" test "$rc" -eq 4
run extract-audio -q "$B/tone.cue" -o "$B/snd"
check "extract-audio of the audio labelled mode1: exit 4, not \"no audio tracks\"" sh -c "
    test $rc -eq 4 && test \$(wc -l < '$WORK/err') -eq 1 &&
    grep -qF '$B/tone.cue: no track labelled audio; $found' '$WORK/err' &&
    grep -q 'correct the label to write it as a sound file\$' '$WORK/err' &&
    test ! -e '$B/snd'"
run convert -q "$B/tone.cue" -o "$B/x.img"
check "a raw IMG keeps the sectors: exit 0" test "$rc" -eq 0
check "... byte for byte" cmp "$B/x.img" "$B/tone.bin"
relabel "$B/t2" 's|TRACK 02 AUDIO|TRACK 02 MODE1/2352|'
run convert -q "$B/t2/sample.cue" --track 2 -o "$B/t2/x.iso"
check "--track 2, audio labelled MODE1, to ISO: exit 4 naming track 2" sh -c "
    test $rc -eq 4 && grep -q 'track 2 is labelled mode1 but its sectors are audio' '$WORK/err'"
run convert -q "$B/t2/sample.cue" --track 1 -o "$B/t2/x.iso"
check "--track 1 of that disc, the real data, still converts" test "$rc" -eq 0

# --- what says nothing either way -------------------------------------------
Z=$WORK/zeros
mkdir -p "$Z"
"$GEN_TONE" 40 0 0 > "$Z/tone.zero"
for label in AUDIO MODE1/2352; do
    printf 'FILE "tone.zero" BINARY\n  TRACK 01 %s\n    INDEX 01 00:00:00\n' "$label" > "$Z/z.cue"
    run info "$Z/z.cue"
    check "all-zero sectors labelled $label: no warning" test ! -s "$WORK/err"
done
run info "$S/sample.cue"
check "the sample itself (audio that starts with 2 s of silence): no warning" test ! -s "$WORK/err"

# Mode 2 XA Form 2 sectors (zero EDC: "not computed"), as a CD-i or Video
# CD track holds them, under CDI/2352 and under AUDIO.
X=$WORK/xa
mkdir -p "$X"
python3 - "$X/xa.bin" <<'EOF'
import sys
def bcd(n): return (n // 10) << 4 | n % 10
out = open(sys.argv[1], "wb")
for lba in range(60):
    f = lba + 150
    header = bytes([0] + [0xFF] * 10 + [0, bcd(f // 4500), bcd(f // 75 % 60), bcd(f % 75), 2])
    sub = bytes([1, 1, 0x64, 0x0F])   # file 1, channel 1, Form 2 real-time video
    payload = bytes((lba * 7 + i) % 251 for i in range(2324))
    out.write(header + sub + sub + payload + bytes(4))
EOF
printf 'FILE "xa.bin" BINARY\n  TRACK 01 CDI/2352\n    INDEX 01 00:00:00\n' > "$X/cdi.cue"
run info "$X/cdi.cue"
check "XA Form 2 sectors under CDI/2352: no warning" sh -c "test $rc -eq 0 && test ! -s '$WORK/err'"
printf 'FILE "xa.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' > "$X/audio.cue"
run info "$X/audio.cue"
check "XA Form 2 sectors under AUDIO: 'Mode 2 XA data'" \
    grep -q "track 1 is labelled audio but its sectors are Mode 2 XA data (sync and headers at LBA 0..59)" "$WORK/err"

# --- a raw dump without a track table ----------------------------------------
R=$WORK/raw
mkdir -p "$R"
cp "$S/sample.bin" "$R/disc.img"
run info --json "$R/disc.img"
check "a mixed dump as .img is two tracks: Mode 1 then audio from LBA $DATA" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["tracks"]
assert [x["type"] for x in t] == ["mode1", "audio"], t
assert t[0]["stored_sectors"] == int(sys.argv[2]), t[0]
assert t[1]["start_lba"] == int(sys.argv[2]), t[1]
assert t[1]["stored_sectors"] == int(sys.argv[3]) - int(sys.argv[2]), t[1]
' "$WORK/out" "$DATA" "$SECTORS"
"$DISCCONV" convert -q "$S/sample.cue" -o "$R/from-cue.iso" 2>/dev/null
run convert -q "$R/disc.img" -o "$R/from-img.iso"
check "its ISO converts: exit 0" test "$rc" -eq 0
check "the ISO equals the one from the cue sheet" cmp "$R/from-img.iso" "$R/from-cue.iso"
check "its audio went beside it as one WAV of every audio sector" test \
    "$(pcm samples "$R/from-img (Track 02).wav")" = "$(pcm bytes "$S/sample.bin" "$DATA" $((SECTORS - DATA)))"
run convert -q "$R/disc.img" -o "$R/disc.cue"
check "to BIN/CUE: the same bytes" cmp "$R/disc.bin" "$S/sample.bin"
check "... with the audio track from 00:05:10" grep -q "TRACK 02 AUDIO" "$R/disc.cue"
# Data, audio, then data again: not a layout a dump without a table can tell.
head -c $((DATA * 2352)) "$S/sample.bin" > "$R/data.part"
{ cat "$S/sample.bin" "$R/data.part"; } > "$R/mixed.img"
run info "$R/mixed.img"
check "data, audio, data: one track, with a warning" sh -c "
    test $rc -eq 0 && grep -q 'track 1 is labelled mode1 but its sectors are Mode 1 data and audio' '$WORK/err'"
run convert -q "$R/mixed.img" -o "$R/mixed.iso"
check "... whose ISO is refused: exit 4" sh -c "test $rc -eq 4 && test ! -e '$R/mixed.iso'"
# All audio stays one audio track.
tail -c $(((SECTORS - DATA) * 2352)) "$S/sample.bin" > "$R/audio.img"
run info --json "$R/audio.img"
check "an audio dump: one audio track" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tracks"]
assert [x["type"] for x in t] == ["audio"], t
' "$WORK/out"

# --- --verify lists every bad sector ----------------------------------------
V=$WORK/verify
mkdir -p "$V"
cp "$S/sample.bin" "$V/sample.bin"
cp "$S/sample.cue" "$V/sample.cue"
# User bytes changed: EDC fails at 100-104 and 200.  Sync broken: the
# sector has no mode, at 300-302.
python3 - "$V/sample.bin" <<'EOF'
import sys
f = open(sys.argv[1], "r+b")
for lba in [100, 101, 102, 103, 104, 200]:
    f.seek(lba * 2352 + 500)
    f.write(b"\xAA")
for lba in [300, 301, 302]:
    f.seek(lba * 2352 + 5)
    f.write(b"\x00")
EOF
run convert --verify -q "$V/sample.cue" -o "$V/x.iso"
check "--verify: exit 8" test "$rc" -eq 8
check "--verify: the ranges on the terminal" \
    grep -qF "bad sectors: LBA 100-104, 200 (EDC), 300-302 (mode)" "$WORK/err"
rm -f "$V"/x*
run convert --verify --json -q "$V/sample.cue" -o "$V/x.iso"
check "--verify --json: exit 8, and every LBA" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["bad_sectors"] == {"edc": [100, 101, 102, 103, 104, 200], "mode": [300, 301, 302]}, r
assert r["bad_edc"] == 6 and r["mode_mismatch"] == 3, r
assert r["outputs"][0].endswith("x.iso"), r
' "$WORK/out"
run convert --verify --json -q "$S/sample.cue" -o "$V/good.cue"
check "a good image: exit 0, no bad sector" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["bad_sectors"] == {"edc": [], "mode": []} and r["bad_edc"] == 0, r
' "$WORK/out"
run convert --json -q --to iso "$S/sample.cue" -o -
check "--json with -o -: a usage error" test "$rc" -eq 2

# --- the corpus: real mixed-mode and XA images say nothing ------------------
if have_corpus; then
    for image in "$CORPUS"/nrg/*/*.nrg "$CORPUS"/bincue/*/*.cue; do
        case $(basename "$image") in bad-*|vcd_demo.cue) continue ;; esac
        run info "$image"
        [ "$rc" -eq 0 ] || continue
        check "${image#"$CORPUS"/}: no label warning" sh -c "! grep -q 'is labelled' '$WORK/err'"
    done
    for toc in "$CORPUS"/bincue/*/data*.toc "$CORPUS"/bincue/*/isofs-m1.toc; do
        run info "$toc"
        [ "$rc" -eq 0 ] || continue
        check "${toc#"$CORPUS"/}: no label warning" sh -c "! grep -q 'is labelled' '$WORK/err'"
    done
    # A real Video CD's XA Form 1 and Form 2 sectors, framed raw.
    C=$WORK/vcd
    mkdir -p "$C"
    "$DISCCONV" convert -q "$CORPUS/nrg/libcdio/videocd.nrg" -o "$C/vcd.cue" 2>/dev/null
    run info "$C/vcd.cue"
    check "videocd.nrg as raw BIN/CUE: no label warning" sh -c "test $rc -eq 0 && test ! -s '$WORK/err'"
    sed 's/TRACK 02 MODE2\/2352/TRACK 02 AUDIO/' "$C/vcd.cue" > "$C/audio.cue"
    run info "$C/audio.cue"
    check "... its MPEG track called audio: 'Mode 2 XA data'" \
        grep -q "track 2 is labelled audio but its sectors are Mode 2 XA data" "$WORK/err"
else
    skip "corpus folder absent: $CORPUS"
fi
finish
