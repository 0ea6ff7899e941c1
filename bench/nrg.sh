#!/bin/sh
# NRG -> ISO: a disc-at-once Mode 1 image as Nero writes data CDs (150
# empty 2048-byte sectors, the ISO, the chunks), beside cat of the NRG and
# nrg2iso.
. "$(dirname "$0")/lib.sh"
bench_make_iso
if [ ! -f "$dir/in.nrg" ] || [ "$dir/in.nrg" -ot "$dir/in.iso" ]; then
    rm -f "$dir/in.nrg"
    "$DISCCONV" convert -q "$dir/in.iso" -o "$dir/in.nrg"
fi
export NRG="$dir/in.nrg"
bench_input "$NRG"
bench_tool cat 'cat "$NRG" > copy'
bench_peer nrg2iso 'nrg2iso "$NRG" out.iso'
bench_tool discconv '"$DISCCONV" convert -q "$NRG" -o out.iso'
bench_target discconv cat '<=' 1.0
bench_target nrg2iso discconv '>=' 1.2
bench_run "NRG(DAO,2048)->ISO"
