#!/bin/sh
# Apple disk images (DMG).  Every corpus DMG decodes to the sha256 its
# MANIFEST gives (found by a Python decoder and 7-Zip), or is refused as
# encrypted; one partition comes out as 7-Zip extracts it; DMGs made here
# from an ISO (tests/mkdmg.py: XML or resource fork, trailer first or
# last, segmented sets with chunks across files) convert back to the ISO
# byte for byte; what holds no ISO 9660 is refused as an ISO.
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 1
MKDMG="python3 $top_srcdir/tests/mkdmg.py"

sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- the corpus -------------------------------------------------------------
if have_corpus && [ -f "$CORPUS/MANIFEST.md" ]; then
    # "| `dmg/...dmg` | SIZE | `SHA` | ..." rows of the decoded-image table.
    sed -n '/^### DMG: expected decompressed raw image/,/^###* [^D]/p' \
        "$CORPUS/MANIFEST.md" |
        sed -n 's/^| `\(dmg\/[^`]*\.dmg\)` | \([0-9—-]*\) | `*\([0-9a-f]*\)`* .*/\1 \2 \3/p' \
        > expected
    check "the MANIFEST lists the corpus DMGs" test "$(wc -l < expected)" -ge 20
    while read -r file size want; do
        name=$(basename "$file" .dmg)
        run convert -q "$CORPUS/$file" -o "$name.img"
        if [ -z "$want" ]; then
            check "$file: refused as encrypted (exit 5)" \
                sh -c '[ "$1" -eq 5 ] && grep -q encrypted "$2" && [ ! -e "$3" ]' \
                sh "$rc" "$WORK/err" "$name.img"
            continue
        fi
        check "$file: decodes to the MANIFEST's $size bytes" \
            sh -c '[ "$1" -eq 0 ] && [ "$(sha256sum < "$2" | cut -d" " -f1)" = "$3" ] && [ "$(stat -c %s "$2")" = "$4" ]' \
            sh "$rc" "$name.img" "$want" "$size"
        rm -f "$name.img"
    done < expected
    z=$CORPUS/dmg/dmgwiz
    run convert -q "$z/input_zlib.dmg" -o zlib.img
    check "input_zlib.dmg comes out whole (10510336 bytes, not dmg2img's 15872 short)" \
        test "$(stat -c %s zlib.img)" = 10510336
    run convert -q "$z/input_non_null_data_offset.dmg" -o nn.img
    check "input_non_null_data_offset.dmg is dmgwiz's own output_non_null_data_offset.bin" \
        cmp nn.img "$z/output_non_null_data_offset.bin"
    run info "$z/input_non_null_data_offset.dmg"
    check "info lists its partitions and the HFS+ in one, and says no ISO comes out" \
        sh -c 'grep -q "Apple_HFS .*HFS+" "$1" && grep -q "no ISO can come out" "$1"' sh "$WORK/out"
    run convert -q "$z/input_zlib.dmg" -o zlib.iso
    check "an APFS disk to ISO: cannot hold (exit 7), nothing written" \
        sh -c '[ "$1" -eq 7 ] && [ ! -e zlib.iso ]' sh "$rc"
    if have 7zz; then
        for dmg in "$z/input_non_null_data_offset.dmg" \
                   "$CORPUS/dmg/node-udif/compression-zlib.dmg"; do
            rm -rf x && mkdir x && 7zz x -tdmg -ox "$dmg" >/dev/null 2>&1
            for n in 0 1 2 3; do
                part=$(ls x | grep "^$n\." | head -1)
                run convert -q --partition "$n" "$dmg" -o "p$n.img"
                check "$(basename "$dmg") --partition $n is 7-Zip's $part" \
                    cmp "p$n.img" "x/$part"
                rm -f "p$n.img"
            done
        done
        rm -rf x && 7zz x -tdmg -ox "$z/input_non_null_data_offset.dmg" >/dev/null 2>&1
        run convert -q --partition Apple_HFS "$z/input_non_null_data_offset.dmg" -o hfs.img
        check "--partition Apple_HFS (by type) is 7-Zip's partition 2" \
            cmp hfs.img "x/$(ls x | grep '^2\.' | head -1)"
    else
        skip "7zz missing: partitions against 7-Zip's"
    fi
    run convert -q --partition 9 "$z/input_zlib.dmg" -o nine.img
    check "--partition 9 of 8: usage error (exit 2)" test "$rc" -eq 2
else
    skip "no corpus (DC_CORPUS): the corpus DMGs"
fi

# --- DMGs made from an ISO --------------------------------------------------
have genisoimage || { skip "genisoimage missing"; finish; }
mkdir -p src && head -c 3000000 /dev/urandom > src/noise.bin &&
    echo "a file" > src/a.txt
genisoimage -quiet -V DMGTEST -o d.iso src
for variant in "" "--koly-first" "--rsrc" "--chunk 7" "--segments 3"; do
    rm -f m.dmg m.*.dmgpart out.iso out.bin out.cue
    $MKDMG d.iso m.dmg $variant
    run convert -q m.dmg -o out.iso
    check "DMG ${variant:-(XML, trailer last)} of an ISO -> ISO: byte for byte" \
        sh -c '[ "$1" -eq 0 ] && cmp d.iso out.iso' sh "$rc"
done
run convert -q m.dmg -o out.cue
check "... and to BIN/CUE (an ISO inside converts like any data disc)" \
    sh -c '[ "$1" -eq 0 ] && [ -s out.bin ] && [ "$(stat -c %s out.bin)" -eq $(( $(stat -c %s d.iso) / 2048 * 2352 )) ]' sh "$rc"
run info m.dmg
check "info says an ISO can come out" grep -q "an ISO (or BIN/CUE) can come out" "$WORK/out"
run convert -q --partition 1 m.dmg -o p1.img
check "--partition 1 of a made DMG is the ISO's bytes after sector 64" \
    sh -c 'tail -c +32769 d.iso | cmp - p1.img'
rm m.003.dmgpart
run info m.dmg
check "a segment missing: named, exit 3" \
    sh -c '[ "$1" -eq 3 ] && grep -q "m.003.dmgpart" "$2"' sh "$rc" "$WORK/err"
$MKDMG d.iso c.dmg --break crc-partition
run convert -q c.dmg -o c.iso
check "a partition checksum mismatch: exit 4, no output" \
    sh -c '[ "$1" -eq 4 ] && [ ! -e c.iso ] && grep -q "partition 1 .*checksum mismatch" "$2"' \
    sh "$rc" "$WORK/err"
run convert -q --no-verify c.dmg -o c.iso
check "... converts with --no-verify" sh -c '[ "$1" -eq 0 ] && cmp d.iso c.iso' sh "$rc"
# The data fork's CRC-32 is put together from the chunks' own reads
# (and a read of the bytes no chunk covers), at the end of the conversion.
$MKDMG d.iso g.dmg --chunk 7 --gaps
run convert -q g.dmg -o g.iso
check "a data fork with bytes between its chunks verifies" \
    sh -c '[ "$1" -eq 0 ] && cmp d.iso g.iso' sh "$rc"
run convert -q --partition 1 g.dmg -o g1.img
check "... and when one partition is read (the other's bytes are read too)" \
    sh -c '[ "$1" -eq 0 ] && tail -c +32769 d.iso | cmp - g1.img' sh "$rc"
$MKDMG d.iso gb.dmg --chunk 7 --break gap-byte
run convert -q gb.dmg -o gb.iso
check "a changed byte that no chunk reads: data fork mismatch, exit 4, no output" \
    sh -c '[ "$1" -eq 4 ] && [ ! -e gb.iso ] && grep -q "the data fork .*checksum mismatch" "$2"' \
    sh "$rc" "$WORK/err"
$MKDMG d.iso cf.dmg --break crc-data-fork
run convert -q --partition 1 cf.dmg -o cf1.img
check "a data fork mismatch fails a partition's conversion too" \
    sh -c '[ "$1" -eq 4 ] && [ ! -e cf1.img ] && grep -q "the data fork .*checksum mismatch" "$2"' \
    sh "$rc" "$WORK/err"
run info --partition 0 d.iso
check "--partition of an image without partitions: exit 2" test "$rc" -eq 2
finish
