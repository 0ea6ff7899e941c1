#!/bin/sh
# BIN -> ISO made durable (--sync: the output is fsynced before its
# rename), beside cat of the BIN followed by coreutils' sync FILE, which
# fsyncs the copy: the durable floor.
. "$(dirname "$0")/lib.sh"
if ! "$DISCCONV" --help | grep -q -- --sync; then
    bench_skip "BIN->ISO --sync" "this discconv has no --sync"
    exit 0
fi
bench_make_iso
export BIN="$dir/in.bin" CUE="$dir/in.cue"
bench_input "$BIN"
bench_tool cat+sync 'cat "$BIN" > copy && sync copy'
bench_tool discconv '"$DISCCONV" convert --sync -q "$CUE" -o out.iso'
bench_target discconv cat+sync '<=' 1.0
bench_run "BIN->ISO --sync"
