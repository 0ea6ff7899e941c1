#!/bin/sh
# A zlib UIF -> ISO, on a disc that compresses as real ones do (each 1 MiB
# holds 832 KiB that do not compress and 192 KiB of text), beside `cat`
# copying the resulting ISO and beside zlib's own inflate of the same
# blocks on one thread (bench/uifinflate).  The UIF is made by
# bench/mkuif.py (Python's zlib), not by discconv.  Target: discconv takes
# at most 1.5x cat's time, both cores decoding.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { bench_skip "UIF->ISO" "python3 missing"; exit 0; }
"$DISCCONV" formats | grep -q '^uif  *yes' ||
    { bench_skip "UIF(zlib)->ISO" "this discconv does not read UIFs"; exit 0; }
UIFINFLATE=$bench_here/uifinflate
[ -x "$UIFINFLATE" ] || { echo "bench: build bench/uifinflate first (make)" >&2; exit 1; }

bench_compressible_iso
if bench_older "$dir/uif-src.uif"; then
    echo "making a zlib UIF of it ..." >&2
    python3 "$bench_here/mkuif.py" "$iso" "$dir/uif-src.uif"
fi
export UIF="$dir/uif-src.uif" UIFINFLATE ISO="$iso"

bench_input "$ISO"
bench_tool cat 'cat "$ISO" > copy'
bench_tool zlib-1core '"$UIFINFLATE" "$UIF" out.iso'
bench_tool discconv '"$DISCCONV" convert -q "$UIF" -o out.iso'
bench_target discconv cat '<=' 1.5
bench_target zlib-1core discconv '>=' 1.0
bench_rss_target discconv 128
bench_run "UIF(zlib)->ISO"
