#!/bin/sh
# Audio extraction: one BIN holding 10 audio tracks of equal length (no
# pregaps) to 10 WAVs, beside cat of the BIN and bchunk -w.
. "$(dirname "$0")/lib.sh"
per=$((sectors / 10))  # sectors a track
if [ ! -f "$dir/audio10.bin" ] || [ "$(wc -c < "$dir/audio10.bin")" -ne $((per * 10 * 2352)) ]; then
    echo "making a $((per * 10 * 2352 / 1000000)) MB 10-track audio bin in $dir ..." >&2
    head -c $((per * 10 * 2352)) /dev/urandom > "$dir/audio10.bin"
    # INDEX 01 at MM:SS:FF, 75 frames (sectors) a second.
    { echo 'FILE "audio10.bin" BINARY'
      t=0
      while [ "$t" -lt 10 ]; do
          lba=$((t * per))
          printf '  TRACK %02d AUDIO\n    INDEX 01 %02d:%02d:%02d\n' $((t + 1)) \
              $((lba / 4500)) $((lba / 75 % 60)) $((lba % 75))
          t=$((t + 1))
      done
    } > "$dir/audio10.cue"
fi
export ABIN="$dir/audio10.bin" ACUE="$dir/audio10.cue"
bench_input "$ABIN"
bench_tool cat 'cat "$ABIN" > copy'
bench_peer bchunk 'bchunk -w "$ABIN" "$ACUE" t'
bench_tool discconv '"$DISCCONV" extract-audio -q "$ACUE" -o wav'
bench_target discconv cat '<=' 1.15
bench_target bchunk discconv '>=' 1.9
bench_run "audio BIN->10 WAVs"
