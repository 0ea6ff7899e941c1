#!/bin/sh
# ISO -> raw MODE1/2352 BIN/CUE, sync, header, EDC and ECC regenerated for
# every sector, beside cat of the ISO.  No packaged tool does this, so
# there is no peer.
. "$(dirname "$0")/lib.sh"
bench_make_iso
export ISO="$dir/in.iso"
bench_input "$ISO"
bench_tool cat 'cat "$ISO" > copy'
bench_tool discconv '"$DISCCONV" convert -q "$ISO" -o out.cue'
bench_target discconv cat '<=' 1.4
bench_run "ISO->BIN/CUE(+EDC/ECC)"
