#!/bin/sh
# Audio extraction: a ~660 MB audio BIN (one track) to WAV, beside
# bchunk -w and the copy floors, in one run.
. "$(dirname "$0")/lib.sh"
if [ ! -f "$dir/audio.bin" ] || [ "$(wc -c < "$dir/audio.bin")" -ne $((sectors * 2352)) ]; then
    echo "making a $((sectors * 2352 / 1000000)) MB audio bin in $dir ..." >&2
    head -c $((sectors * 2352)) /dev/urandom > "$dir/audio.bin"
    printf 'FILE "audio.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' > "$dir/audio.cue"
fi
report_header
measure_floors "$dir/audio.bin"
if command -v bchunk >/dev/null; then
    measure "bchunk-w" bchunk -w "$dir/audio.bin" "$dir/audio.cue" t
fi
measure "discconv" "$discconv" extract-audio -q "$dir/audio.cue" -o wav
report "audio BIN->WAV" "$(wc -c < "$dir/audio.bin")"
report_footer
