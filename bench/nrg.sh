#!/bin/sh
# NRG -> ISO: a ~570 MB disc-at-once Mode 1 image as Nero writes data CDs
# (150 empty 2048-byte sectors, the ISO, the chunks) beside nrg2iso and the
# copy floors, in one run.
. "$(dirname "$0")/lib.sh"
bench_make_iso
if [ ! -f "$dir/in.nrg" ] || [ "$dir/in.nrg" -ot "$dir/in.iso" ]; then
    rm -f "$dir/in.nrg"
    "$discconv" convert -q "$dir/in.iso" -o "$dir/in.nrg"
fi
report_header
measure_floors "$dir/in.nrg"
if command -v nrg2iso >/dev/null; then
    measure "nrg2iso" nrg2iso "$dir/in.nrg" out.iso
fi
measure "discconv" "$discconv" convert -q "$dir/in.nrg" -o out.iso
report "NRG(DAO,2048)->ISO" "$(wc -c < "$dir/in.nrg")"
report_footer
