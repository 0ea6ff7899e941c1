#!/bin/sh
# verify of a BIN (MODE1/2352: EDC/ECC checked, CRC-32, MD5 and SHA-1 of
# the track) beside sha1sum and md5sum of the same BIN.  Target: all three
# digests at 0.8x sha1sum's speed or better.
. "$(dirname "$0")/lib.sh"
bench_make_iso
export BIN="$dir/in.bin" CUE="$dir/in.cue"
bench_input "$BIN"
bench_reads_only
bench_tool sha1sum 'sha1sum "$BIN"'
bench_tool md5sum 'md5sum "$BIN"'
bench_tool discconv '"$DISCCONV" verify -q "$CUE"'
bench_target sha1sum discconv '>=' 0.8
bench_rss_target discconv 64
bench_run "verify BIN(MODE1/2352)"
