#!/bin/sh
# Audio tracks out to WAV/AIFF/FLAC: checked with decoders that are not
# ours (Python's wave/aifc, the flac tool) against the bin's own bytes,
# against bchunk -w, and rebuilt back into the same bin.
. "$(dirname "$0")/lib.sh"
pcm() { python3 "$top_srcdir/tests/pcm.py" "$@"; }

# A disc made for the pregap policies, one bin, every range known:
#   track 1: INDEX 00 at 0 (100 sectors of tone: hidden track one audio),
#            INDEX 01 at 100
#   track 2: INDEX 00 at 400 (75 sectors of tone), INDEX 01 at 475,
#            INDEX 02 at 600
#   track 3: INDEX 00 at 700 (150 sectors of silence), INDEX 01 at 850
#   end at 1000
G=$WORK/gaps
mkdir "$G"
{ "$GEN_TONE" 400 330 440; "$GEN_TONE" 300 550 660; "$GEN_TONE" 150 0 0
  "$GEN_TONE" 150 770 880; } > "$G/gaps.bin"
cat > "$G/gaps.cue" <<'CUE'
CATALOG 1234567890128
TITLE "Gaps"
PERFORMER "Tester"
FILE "gaps.bin" BINARY
  TRACK 01 AUDIO
    TITLE "One"
    INDEX 00 00:00:00
    INDEX 01 00:01:25
  TRACK 02 AUDIO
    TITLE "Two"
    ISRC ZZDCV2600002
    INDEX 00 00:05:25
    INDEX 01 00:06:25
    INDEX 02 00:08:00
  TRACK 03 AUDIO
    INDEX 00 00:09:25
    INDEX 01 00:11:25
CUE

# expect POLICY "TRACK:FROM:COUNT ...": each file holds exactly those sectors
expect() {
    policy=$1; shift
    out=$WORK/x-$policy
    run extract-audio -q "$G/gaps.cue" --pregap "$policy" -o "$out"
    [ "$rc" -eq 0 ] || { bad "--pregap=$policy: exit $rc: $(cat "$WORK/err")"; return; }
    files=0
    for spec in "$@"; do
        n=${spec%%:*}; rest=${spec#*:}; from=${rest%%:*}; count=${rest#*:}
        f="$out/gaps (Track $n).wav"
        if [ "$(pcm samples "$f")" = "$(pcm bytes "$G/gaps.bin" "$from" "$count")" ]; then
            files=$((files + 1))
        else
            bad "--pregap=$policy: track $n is not sectors $from+$count"
        fi
    done
    [ "$files" -eq $# ] && ok "--pregap=$policy: $files files hold the right samples"
    check "--pregap=$policy: no other files" test "$(ls "$out" | wc -l)" -eq $(($# + 1))
}
expect append 00:0:100 01:100:375 02:475:375 03:850:150
expect prepend 01:0:400 02:400:300 03:700:300
expect drop 00:0:100 01:100:300 02:475:225 03:850:150
check "drop says what it dropped" grep -q "track 2: 1.0 seconds of pregap audio dropped" "$WORK/err"

# Audio files plus the written cue rebuild the bin (gaps written back as
# silence); drop loses the tone before track 2 and only that.
for policy in append prepend; do
    run convert -q "$WORK/x-$policy/gaps.cue" --write-gaps -o "$WORK/re-$policy.cue"
    check "--pregap=$policy: the sheet rebuilds the bin" cmp "$G/gaps.bin" "$WORK/re-$policy.bin"
done
run convert -q "$WORK/x-drop/gaps.cue" --write-gaps -o "$WORK/re-drop.cue"
check "--pregap=drop: the rebuilt bin differs only where audio was dropped" sh -c "
    cmp -n \$((400 * 2352)) '$G/gaps.bin' '$WORK/re-drop.bin' &&
    cmp -i \$((475 * 2352)) '$G/gaps.bin' '$WORK/re-drop.bin' &&
    [ \$(dd if='$WORK/re-drop.bin' bs=2352 skip=400 count=75 2>/dev/null | tr -d '\\0' | wc -c) -eq 0 ]"
check "the sheet keeps index 02, ISRC and the catalog" sh -c "
    grep -q 'INDEX 02 00:01:50' '$WORK/x-append/gaps.cue' &&
    grep -q 'ISRC ZZDCV2600002' '$WORK/x-append/gaps.cue' &&
    grep -q 'CATALOG 1234567890128' '$WORK/x-append/gaps.cue'"

# Tags: CD-TEXT, ISRC and MCN in the files.
pcm tags "$WORK/x-append/gaps (Track 02).wav" > "$WORK/tags"
check "WAV tags: title, performer, album, ISRC and MCN" sh -c "
    grep -qx 'INAM=Two' '$WORK/tags' && grep -qx 'IART=Tester' '$WORK/tags' &&
    grep -qx 'IPRD=Gaps' '$WORK/tags' &&
    grep -qx 'ICMT=ISRC ZZDCV2600002; MCN 1234567890128' '$WORK/tags'"

# AIFF and FLAC carry the same samples (decoded by aifc and flac).
for format in aiff flac; do
    run extract-audio -q "$G/gaps.cue" --format $format --pregap prepend -o "$WORK/$format"
    check "$format: track 2 holds its samples" test \
        "$(pcm samples "$WORK/$format/gaps (Track 02).$format")" = "$(pcm bytes "$G/gaps.bin" 400 300)"
    check "$format: 44.1 kHz, 2 channels, 16 bits" test \
        "$(pcm info "$WORK/$format/gaps (Track 03).$format")" = "44100 2 16"
done
pcm tags "$WORK/flac/gaps (Track 01).flac" > "$WORK/tags"
check "FLAC: Vorbis comments hold title and album" sh -c "
    grep -qix 'TITLE=One' '$WORK/tags' && grep -qix 'ALBUM=Gaps' '$WORK/tags'"

# bchunk -w drops INDEX 00 audio: discconv --pregap=drop matches it track
# for track, on our disc and on every audio cue of the corpus.  (bchunk
# starts a track at its *last* INDEX line, so for the comparison our disc
# loses its INDEX 02: with it bchunk cuts track 2 short.)
if have bchunk; then
    bchunk_matches() { # CUE BIN NAME
        rm -rf "$WORK/bc" "$WORK/dc"; mkdir "$WORK/bc"
        (cd "$WORK/bc" && bchunk -w "$2" "$1" t) >/dev/null 2>&1
        "$DISCCONV" extract-audio -q "$1" --pregap drop --name "{track}" -o "$WORK/dc" 2>/dev/null
        matched=0
        for w in "$WORK"/bc/t*.wav; do
            n=$(basename "$w" .wav); n=${n#t}
            if [ "$(pcm samples "$w")" = "$(pcm samples "$WORK/dc/$n.wav")" ]; then
                matched=$((matched + 1))
            else
                bad "$3: track $n differs from bchunk -w"; return
            fi
        done
        [ "$matched" -gt 0 ] && ok "$3: $matched tracks equal bchunk -w's" ||
            bad "$3: bchunk wrote nothing"
    }
    grep -v "INDEX 02" "$G/gaps.cue" > "$G/noidx2.cue"
    bchunk_matches "$G/noidx2.cue" "$G/gaps.bin" "policy disc"
    if have_corpus; then
        for cue in libcdio/cdda.cue libcdio/p1.cue libcdio/cdda_4_5.cue \
                   libcdio-cdtext-2011/cdtext.cue; do
            bin=$(ls "$CORPUS/bincue/$(dirname $cue)/"*.bin | grep -i "/$(basename $cue .cue).bin")
            bchunk_matches "$CORPUS/bincue/$cue" "$bin" "corpus $cue"
        done
    fi
else
    skip "bchunk missing: comparison with bchunk -w"
fi

# Mixed mode: to ISO, the data track is the ISO and the audio goes beside.
make_sample
S=$WORK/sample
run convert "$S/sample.cue" -o "$WORK/mixed.iso"
check "mixed mode to ISO: exit 0 and says where the audio went" sh -c "
    [ $rc -eq 0 ] && grep -q 'note: 2 audio tracks' '$WORK/err'"
check "mixed mode: the audio beside the ISO holds the bin's samples" test \
    "$(pcm samples "$WORK/mixed (Track 02).wav")" = "$(pcm bytes "$S/sample.bin" 535 750)"
check "mixed mode: --track 1 writes the ISO alone" sh -c "
    '$DISCCONV' convert -q '$S/sample.cue' --track 1 -o '$WORK/alone.iso' &&
    [ ! -e '$WORK/alone (Track 02).wav' ]"

# Multi-FILE (redump-style) sets extract the same as one bin.
run convert -q "$S/sample.cue" --split -o "$WORK/red.cue"
run extract-audio -q "$WORK/red.cue" -o "$WORK/red"
check "redump set: same samples as from the single bin" test \
    "$(pcm samples "$WORK/red/red (Track 03).wav")" = "$(pcm bytes "$S/sample.bin" 1285 375)"

# Sound files in, BIN/CUE out.
run convert -q "$WORK/x-prepend/gaps (Track 01).wav" "$WORK/x-prepend/gaps (Track 02).wav" -o "$WORK/fromwav.cue"
check "WAV files -> BIN/CUE: the bin is their samples in order" \
    cmp -n $((700 * 2352)) "$G/gaps.bin" "$WORK/fromwav.bin"
check "WAV files -> BIN/CUE: their tags become CD-TEXT" sh -c "
    grep -q 'TITLE \"Two\"' '$WORK/fromwav.cue' && grep -q 'TITLE \"Gaps\"' '$WORK/fromwav.cue'"

# Byte order: a bin ripped big-endian is flagged, and --swap-audio fixes it.
python3 -c '
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[0::2], d[1::2] = d[1::2], d[0::2]
open(sys.argv[2], "wb").write(d)' "$G/gaps.bin" "$G/swapped.bin"
sed 's/gaps.bin/swapped.bin/' "$G/gaps.cue" > "$G/swapped.cue"
run extract-audio "$G/swapped.cue" --pregap prepend -o "$WORK/sw1"
check "byte-swapped audio is flagged" grep -q "swap-audio" "$WORK/err"
run extract-audio -q "$G/swapped.cue" --pregap prepend --swap-audio -o "$WORK/sw2"
check "--swap-audio restores the samples" test \
    "$(pcm samples "$WORK/sw2/swapped (Track 02).wav")" = "$(pcm bytes "$G/gaps.bin" 400 300)"
run extract-audio "$G/gaps.cue" -o "$WORK/nosw"
check "audio in the right order is not flagged" sh -c "! grep -q swap-audio '$WORK/err'"

# Bad sound sources: a clear error, exit code, and no output.
mkdir "$WORK/bad"
printf 'FILE "gone.wav" WAVE\nTRACK 01 AUDIO\n  INDEX 01 00:00:00\n' > "$WORK/bad/m.cue"
run extract-audio "$WORK/bad/m.cue" -o "$WORK/bad/out"
check "cue naming a missing WAV: exit 3, no output" sh -c "
    [ $rc -eq 3 ] && grep -q 'm.cue:1:' '$WORK/err' && [ ! -e '$WORK/bad/out' ]"
python3 -c '
import sys, wave
for name, rate, ch in (("48k.wav", 48000, 2), ("mono.wav", 44100, 1)):
    with wave.open(sys.argv[1] + "/" + name, "wb") as w:
        w.setnchannels(ch); w.setsampwidth(2); w.setframerate(rate)
        w.writeframes(bytes(4 * 48000))' "$WORK/bad"
for name in 48k mono; do
    printf 'FILE "%s.wav" WAVE\nTRACK 01 AUDIO\n  INDEX 01 00:00:00\n' $name > "$WORK/bad/$name.cue"
    run convert "$WORK/bad/$name.cue" -o "$WORK/bad/$name-out.cue"
    check "$name WAV: refused (exit 5) with no output" sh -c "
        [ $rc -eq 5 ] && grep -q '$name.wav' '$WORK/err' && [ ! -e '$WORK/bad/$name-out.cue' ] &&
        [ ! -e '$WORK/bad/$name-out.bin' ]"
done
run extract-audio "$G/gaps.cue" --tracks 9 -o "$WORK/none"
check "--tracks with no audio track: exit 2, no folder left" sh -c "[ $rc -eq 2 ] && [ ! -e '$WORK/none' ]"
finish
