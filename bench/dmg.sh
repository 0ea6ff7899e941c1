#!/bin/sh
# DMG, both ways, on a disc that compresses as real ones do (each 1 MiB
# holds 832 KiB that do not compress and 192 KiB of text):
# - a UDZO DMG of it -> IMG, beside dmg2img and `7zz x -tdmg`; the DMG is
#   made by bench/mkdmg.py (Python's zlib and plistlib), not by discconv;
# - its ISO -> DMG (UDZO), beside `gzip -6` of the same bytes on one core.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { bench_skip "DMG" "python3 missing"; exit 0; }

bench_compressible_iso
if bench_older "$dir/dmg-src.dmg"; then
    echo "making a UDZO DMG of it ..." >&2
    python3 "$bench_here/mkdmg.py" "$iso" "$dir/dmg-src.dmg"
fi
export ISO="$iso" DMG="$dir/dmg-src.dmg"

rows_only=${BENCH_ROWS_ONLY:-}
bench_header
BENCH_ROWS_ONLY=1

if "$DISCCONV" formats | grep -q '^dmg  *yes'; then
    bench_input "$DMG"
    bench_tool cat 'cat "$DMG" > copy'
    bench_peer dmg2img 'dmg2img -s "$DMG" out.img'
    bench_peer 7zz '7zz x -tdmg "$DMG"'
    bench_tool discconv '"$DISCCONV" convert -q "$DMG" -o out.img'
    bench_target dmg2img discconv '>=' 2.5
    bench_target 7zz discconv '>=' 1.0
    bench_rss_target discconv 128
    bench_run "DMG(UDZO)->IMG"
else
    bench_skip "DMG(UDZO)->IMG" "this discconv does not read DMGs"
fi

bench_reset
bench_input "$ISO"
bench_tool cat 'cat "$ISO" > copy'
bench_tool gzip-6 'gzip -6 < "$ISO" > out.gz'
bench_tool discconv '"$DISCCONV" convert -q "$ISO" -o out.dmg'
bench_target gzip-6 discconv '>=' 1.5
bench_run "ISO->DMG(UDZO)"

BENCH_ROWS_ONLY=$rows_only
bench_legend
