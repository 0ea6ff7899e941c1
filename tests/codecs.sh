#!/bin/sh
# The ADC and LZFSE decoders on the corpus' real DMG chunks (made by
# hdiutil): each chunk must decode to the same bytes as the zlib sibling
# DMG of the same image, and the whole image to the sha256 that 7-Zip and
# an independent decoder gave (../shared/corpus/MANIFEST.md).  The LZFSE
# chunks hold LZFSE (bvx2) and LZVN (bvxn) blocks; rewritten with their
# tables stored (bvx1) they must decode the same.  Damaged chunks are
# refused with one line naming the chunk and the place.
. "$(dirname "$0")/lib.sh"

TOOL=$top_builddir/tests/codec_tool
CHUNKS=$top_srcdir/tests/dmgchunks.py
if ! have_corpus; then skip "corpus folder absent: $CORPUS"; finish; fi
have python3 || { skip "python3 missing"; finish; }

dmgwiz=1407509ff44696aab011815d84951ad2c53cb7345a71d9803b73817c2d2d83cf
udif=0786ad1fdcba31a3f03ee80eb1d6e8c7ee2f4647a2b4b6f1855c9fe0719784de
for set in "dmgwiz/input_lzfse dmgwiz/input_zlib $dmgwiz" \
    "node-udif/compression-lzfse node-udif/compression-zlib $udif" \
    "dmgwiz/input_adc dmgwiz/input_zlib $dmgwiz" \
    "node-udif/compression-adc node-udif/compression-zlib $udif"; do
    # shellcheck disable=SC2086
    set -- $set
    dmg=$CORPUS/dmg/$1.dmg
    [ -f "$dmg" ] || { skip "$1.dmg absent"; continue; }
    check "$1.dmg: every chunk as its zlib sibling's, the image's sha256" \
        python3 "$CHUNKS" check "$TOOL" "$dmg" "$CORPUS/dmg/$2.dmg" "$3"
    cp "$WORK/check.out" "$WORK/blocks"
    case $1 in
    *lzfse)
        check "$1.dmg: LZFSE and LZVN blocks both met" \
            grep -q "'bvx2'.*'bvxn'\|'bvxn'.*'bvx2'" "$WORK/blocks"
        check "$1.dmg: the bvx2 blocks rewritten as bvx1 decode the same" \
            python3 "$CHUNKS" check "$TOOL" "$dmg" "$CORPUS/dmg/$2.dmg" "$3" --as-v1 ;;
    esac
done

# refused NAME EXPECTED_PATTERN CODEC OUT_LEN FILE: exit 4, one line.
refused() {
    "$TOOL" "$3" "$4" "$5" >"$WORK/out" 2>"$WORK/err"
    rc=$?
    if [ "$rc" -eq 4 ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] &&
        grep -q "$2" "$WORK/err"; then
        ok "$1: $(cat "$WORK/err")"
    else
        bad "$1: exit $rc: $(cat "$WORK/err")"
    fi
}

mkdir "$WORK/chunks"
if python3 "$CHUNKS" extract "$CORPUS/dmg/dmgwiz/input_lzfse.dmg" "$WORK/chunks" &&
    python3 "$CHUNKS" extract "$CORPUS/dmg/dmgwiz/input_adc.dmg" "$WORK/chunks"; then
    # The biggest chunk of each: 417792 bytes of output.
    for codec in lzfse adc; do
        chunk=$(ls "$WORK/chunks/"*-417792.$codec)
        size=$(wc -c <"$chunk")
        head -c $((size - 5)) "$chunk" >"$WORK/cut"
        refused "$codec chunk cut short" "^$WORK/cut: .* at input offset [0-9]*: " \
            "$codec" 417792 "$WORK/cut"
        refused "$codec chunk asked for one byte more" "after 417792 of 417793 bytes" \
            "$codec" 417793 "$chunk"
        refused "$codec chunk asked for one byte less" "417791" \
            "$codec" 417791 "$chunk"
        # A byte in the middle changed: refused, or decoded to other bytes;
        # never a crash (the fuzz targets try many more).
        python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0x5A
open(sys.argv[2], "wb").write(b)' "$chunk" "$WORK/flipped"
        "$TOOL" "$codec" 417792 "$WORK/flipped" "$WORK/out" 2>"$WORK/err"
        rc=$?
        if [ "$rc" -eq 0 ] || { [ "$rc" -eq 4 ] && [ "$(wc -l <"$WORK/err")" -eq 1 ]; }; then
            ok "$codec chunk with a changed byte: exit $rc $(cat "$WORK/err")"
        else
            bad "$codec chunk with a changed byte: exit $rc $(cat "$WORK/err")"
        fi
    done
else
    bad "chunks not extracted"
fi
finish
