#!/bin/sh
# BIN(MODE1/2352) -> ISO beside bchunk, and ISO -> BIN/CUE with EDC/ECC
# regenerated (no packaged peer does that), both beside the copy floors.
. "$(dirname "$0")/lib.sh"
bench_make_iso
report_header

measure_floors "$dir/in.bin"
if command -v bchunk >/dev/null; then
    measure "bchunk" bchunk "$dir/in.bin" "$dir/in.cue" out
fi
measure "discconv" "$discconv" convert -q "$dir/in.cue" -o out.iso
report "BIN(MODE1/2352)->ISO" "$(wc -c < "$dir/in.bin")"

measure_floors "$dir/in.iso"
measure "discconv" "$discconv" convert -q "$dir/in.iso" -o out.cue
report "ISO->BIN/CUE(+EDC/ECC)" "$(wc -c < "$dir/in.iso")"
report_footer
