#!/bin/sh
# Tags in the sound files extract-audio writes, read back by tools that are
# not ours: metaflac for FLAC's Vorbis comments, ffprobe for WAV LIST/INFO
# and AIFF text chunks; the samples decoded by flac, Python's wave/aifc.
. "$(dirname "$0")/lib.sh"
pcm() { python3 "$top_srcdir/tests/pcm.py" "$@"; }
have metaflac && have flac ||
    { skip "metaflac/flac missing (Debian package flac)"; finish; }

# FLAC's tags, one NAME=value a line, without the ENCODER line (checked
# once below: it carries the version).
flac_tags() { metaflac --export-tags-to=- "$1" | grep -v '^ENCODER='; }
# ffprobe's format tags as key=value lines.
probe_tags() {
    ffprobe -v error -show_entries format_tags -of json "$1" | python3 -c '
import json, sys
for k, v in json.load(sys.stdin)["format"].get("tags", {}).items():
    print(f"{k}={v}")'
}
# same NAME EXPECTED-FILE ACTUAL-FILE: the two list the same lines.
same() {
    if cmp -s "$2" "$3"; then ok "$1"; else
        bad "$1"; diff "$2" "$3" | sed 's/^/    /'; fi
}

make_sample
S=$WORK/sample
run extract-audio -q "$S/sample.cue" --format flac -o "$WORK/flac"
F3="$WORK/flac/sample (Track 03).flac"
F2="$WORK/flac/sample (Track 02).flac"
cat > "$WORK/want3" <<'TAGS'
TITLE=C and G
ARTIST=discconv
ALBUM=discconv sample disc
ALBUMARTIST=discconv
TRACKNUMBER=3
TRACKTOTAL=3
TOTALTRACKS=3
ISRC=ZZDCV2600001
BARCODE=0000000000017
CATALOGNUMBER=0000000000017
TAGS
flac_tags "$F3" > "$WORK/got3"
same "FLAC: track 3 has exactly the disc's and track's tags" "$WORK/want3" "$WORK/got3"
grep -v '^ISRC=' "$WORK/want3" | sed 's/^TITLE=.*/TITLE=A and E/; s/^TRACKNUMBER=3/TRACKNUMBER=2/' \
    > "$WORK/want2"
flac_tags "$F2" > "$WORK/got2"
same "FLAC: track 2, without an ISRC, has none" "$WORK/want2" "$WORK/got2"
version=$("$DISCCONV" --version | head -1 | awk '{print $NF}')
check "FLAC: ENCODER names discconv and its version" \
    test "$(metaflac --show-tag=ENCODER "$F3")" = "ENCODER=discconv $version"

# The samples are the bin's, STREAMINFO is complete, the file is sound.
check "FLAC: track 3 decodes to the bin's samples" \
    test "$(pcm samples "$F3")" = "$(pcm bytes "$S/sample.bin" 1285 375)"
check "FLAC: track 2 decodes to the bin's samples" \
    test "$(pcm samples "$F2")" = "$(pcm bytes "$S/sample.bin" 535 750)"
check "FLAC: STREAMINFO holds the length and the samples' MD5" sh -c "
    [ \$(metaflac --show-total-samples '$F3') -eq $((375 * 588)) ] &&
    [ \$(metaflac --show-md5sum '$F3') = \$(dd if='$S/sample.bin' bs=2352 skip=1285 count=375 2>/dev/null | md5sum | cut -c1-32) ]"
check "FLAC: flac -t finds no error" flac -t -s "$F3"
check "FLAC: padding left for taggers" sh -c "
    metaflac --list --block-type=PADDING '$F3' | grep -q 'length: 8192'"

# WAV and AIFF: what libsndfile can write, read back by ffprobe.
if have ffprobe; then
    run extract-audio "$S/sample.cue" --format wav -o "$WORK/wav"
    printf '%s\n' "title=C and G" "artist=discconv" "album=discconv sample disc" \
        "track=3" "comment=ISRC ZZDCV2600001; MCN 0000000000017" > "$WORK/want-wav"
    probe_tags "$WORK/wav/sample (Track 03).wav" > "$WORK/got-wav"
    grep -v '^encoder=' "$WORK/got-wav" > "$WORK/got-wav2"
    same "WAV: LIST/INFO title, artist, album, track, comment" "$WORK/want-wav" "$WORK/got-wav2"
    check "WAV: ISFT names discconv" grep -q "^encoder=discconv $version" "$WORK/got-wav"
    check "WAV: nothing lost, nothing said (the album artist is the artist)" \
        sh -c "! grep -q 'no place' '$WORK/err'"
    check "WAV: the samples are the bin's" test \
        "$(pcm samples "$WORK/wav/sample (Track 03).wav")" = "$(pcm bytes "$S/sample.bin" 1285 375)"

    run extract-audio "$S/sample.cue" --format aiff -o "$WORK/aiff"
    printf '%s\n' "title=C and G" "author=discconv" \
        "comment=ISRC ZZDCV2600001; MCN 0000000000017" > "$WORK/want-aiff"
    probe_tags "$WORK/aiff/sample (Track 03).aiff" > "$WORK/got-aiff"
    same "AIFF: NAME, AUTH and ANNO" "$WORK/want-aiff" "$WORK/got-aiff"
    check "AIFF: the album it cannot hold is named in one note" sh -c "
        [ \$(grep -c 'no place' '$WORK/err') -eq 1 ] &&
        grep -q 'note: AIFF files have no place for the album: left out' '$WORK/err'"
    check "AIFF: the samples are the bin's" test \
        "$(pcm samples "$WORK/aiff/sample (Track 03).aiff")" = "$(pcm bytes "$S/sample.bin" 1285 375)"
else
    skip "ffprobe missing (Debian package ffmpeg): WAV and AIFF tags"
fi

# Tracks with no CD-TEXT get what is known and nothing else: the disc's
# text, the numbers.
D=$WORK/plain
mkdir "$D"
"$GEN_TONE" 150 440 550 > "$D/two.bin"
"$GEN_TONE" 150 660 770 >> "$D/two.bin"
cat > "$D/two.cue" <<'CUE'
TITLE "Album"
PERFORMER "Band"
FILE "two.bin" BINARY
  TRACK 01 AUDIO
    TITLE "First"
    INDEX 01 00:00:00
  TRACK 02 AUDIO
    INDEX 01 00:02:00
CUE
grep -v 'TITLE\|PERFORMER' "$D/two.cue" > "$D/bare.cue"
run extract-audio -q "$D/two.cue" --format flac -o "$WORK/two"
printf '%s\n' ARTIST=Band ALBUM=Album ALBUMARTIST=Band TRACKNUMBER=2 TRACKTOTAL=2 \
    TOTALTRACKS=2 > "$WORK/want"
flac_tags "$WORK/two/two (Track 02).flac" > "$WORK/got"
same "FLAC: a track without CD-TEXT takes the disc's, and no title" "$WORK/want" "$WORK/got"
run extract-audio -q "$D/bare.cue" --format flac -o "$WORK/bare"
printf '%s\n' TRACKNUMBER=1 TRACKTOTAL=2 TOTALTRACKS=2 > "$WORK/want"
flac_tags "$WORK/bare/bare (Track 01).flac" > "$WORK/got"
same "FLAC: a disc without text gets the numbers only" "$WORK/want" "$WORK/got"
if have ffprobe; then
    run extract-audio -q "$D/bare.cue" -o "$WORK/barewav"
    probe_tags "$WORK/barewav/bare (Track 01).wav" | grep -v '^encoder=' > "$WORK/got"
    check "WAV: a disc without text gets the track number only" \
        test "$(cat "$WORK/got")" = "track=1"
fi

# Unicode from the model (UTF-8) arrives in every format as it was.
U=$WORK/uni
mkdir "$U"
cp "$D/two.bin" "$U/uni.bin"
title='Café – 日本語 ♪'
cat > "$U/uni.cue" <<CUE
TITLE "Åland"
PERFORMER "Björk"
FILE "uni.bin" BINARY
  TRACK 01 AUDIO
    TITLE "$title"
    COMPOSER "Dvořák"
    INDEX 01 00:00:00
CUE
run extract-audio -q "$U/uni.cue" --format flac --tracks 1 -o "$WORK/uf"
f="$WORK/uf/uni (Track 01).flac"
check "FLAC: UTF-8 title, artist, album, composer arrive intact" sh -c "
    metaflac --export-tags-to=- '$f' > '$WORK/u' &&
    grep -qx 'TITLE=$title' '$WORK/u' && grep -qx 'ARTIST=Björk' '$WORK/u' &&
    grep -qx 'ALBUM=Åland' '$WORK/u' && grep -qx 'COMPOSER=Dvořák' '$WORK/u'"
if have ffprobe; then
    for format in wav aiff; do
        run extract-audio -q "$U/uni.cue" --format $format --tracks 1 -o "$WORK/u$format"
        probe_tags "$WORK/u$format/uni (Track 01).$format" > "$WORK/u"
        check "$format: the UTF-8 title arrives intact" grep -qx "title=$title" "$WORK/u"
    done
fi

# The corpus disc with every CD-TEXT field (libcdio's cdtext.cdt).
if have_corpus; then
    run extract-audio -q "$CORPUS/bincue/libcdio-cdtext-2011/cdtext.cue" --format flac -o "$WORK/gnu"
    cat > "$WORK/want" <<'TAGS'
TITLE=A Forest Full of Gnus
ARTIST=Those Particular Gnus
ALBUM=The Voice of the Gnu
ALBUMARTIST=A Gnu
TRACKNUMBER=2
TRACKTOTAL=3
TOTALTRACKS=3
ISRC=DEGNU1100002
BARCODE=0123456789876
CATALOGNUMBER=0123456789876
CATALOGNUMBER=0815 42
LYRICIST=None in Particular
COMPOSER=The Alpha Gnu
ARRANGER=The Guy With the Microphone
COMMENT=Isn't it beatiful?
TAGS
    flac_tags "$WORK/gnu/cdtext (Track 02).flac" > "$WORK/got"
    # The genre's text is the CD-TEXT decoder's to get right; it is there.
    grep -q '^GENRE=Animal Sou' "$WORK/got" && ok "FLAC: the disc's genre" ||
        bad "FLAC: the disc's genre: $(grep GENRE "$WORK/got")"
    grep -v '^GENRE=' "$WORK/got" > "$WORK/got2"
    same "FLAC: every CD-TEXT field in its Vorbis comment" "$WORK/want" "$WORK/got2"
    run extract-audio "$CORPUS/bincue/libcdio-cdtext-2011/cdtext.cue" -o "$WORK/gnuwav"
    check "WAV: what it cannot hold is named once" sh -c "
        [ \$(grep -c 'no place' '$WORK/err') -eq 1 ] &&
        grep -q 'WAV files have no place for the album artist, disc id, songwriter, composer and arranger: left out' '$WORK/err'"
    if have ffprobe; then
        probe_tags "$WORK/gnuwav/cdtext (Track 02).wav" > "$WORK/got"
        check "WAV: genre and the message with the codes" sh -c "
            grep -q '^genre=Animal Sou' '$WORK/got' &&
            grep -qx \"comment=Isn't it beatiful?; ISRC DEGNU1100002; MCN 0123456789876\" '$WORK/got'"
    fi
else
    skip "corpus missing: every CD-TEXT field (DC_CORPUS)"
fi
finish
