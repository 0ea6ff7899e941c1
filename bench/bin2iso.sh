#!/bin/sh
# BIN (MODE1/2352) -> ISO beside cat of the BIN and bchunk, which writes
# out01.iso from the same BIN/CUE.
. "$(dirname "$0")/lib.sh"
bench_make_iso
export BIN="$dir/in.bin" CUE="$dir/in.cue"
bench_input "$BIN"
bench_tool cat 'cat "$BIN" > copy'
bench_peer bchunk 'bchunk "$BIN" "$CUE" out'
bench_tool discconv '"$DISCCONV" convert -q "$CUE" -o out.iso'
bench_target discconv cat '<=' 1.0
bench_target bchunk discconv '>=' 2.0
bench_run "BIN(MODE1/2352)->ISO"
