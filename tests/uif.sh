#!/bin/sh
# MagicISO UIF images.  UIFs made here from an ISO or a mixed-mode BIN
# (tests/mkuif.py, written from FORMATS.md section 5, not from discconv's
# writer) for every version, codec, block type, lastdiff, table layout and
# DES variant convert back to the bytes they were made from; a mixed UIF's
# stored cue sheet, CloneCD control file (with its .sub) or whole NRG gives
# the disc back, audio tracks included; the cipher cascade and a missing or
# wrong password are refused with their exit codes.  Corpus UIFs, if the
# MANIFEST lists any, decode to their sha256.
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 1
MKUIF="python3 $top_srcdir/tests/mkuif.py"

# --- the corpus -------------------------------------------------------------
if have_corpus && [ -f "$CORPUS/MANIFEST.md" ] &&
    grep -q '^| `uif/[^`]*\.uif` | [0-9]* | `[0-9a-f]*`' "$CORPUS/MANIFEST.md"; then
    sed -n 's/^| `\(uif\/[^`]*\.uif\)` | \([0-9]*\) | `\([0-9a-f]*\)`.*/\1 \2 \3/p' \
        "$CORPUS/MANIFEST.md" > expected
    while read -r file size want; do
        run convert -q "$CORPUS/$file" -o c.img
        check "$file: decodes to the MANIFEST's sha256" \
            sh -c '[ "$1" -eq 0 ] && [ "$(sha256sum < c.img | cut -d" " -f1)" = "$2" ]' \
            sh "$rc" "$want"
        rm -f c.img
    done < expected
else
    skip "no UIF in the corpus (DC_CORPUS): corpus sha256s"
fi

# --- UIFs made from an ISO ---------------------------------------------------
have genisoimage || { skip "genisoimage missing"; finish; }
mkdir -p src && head -c 1500000 /dev/urandom > src/noise.bin &&
    head -c 300000 /dev/zero > src/zeros.bin && echo "a file" > src/a.txt
genisoimage -quiet -V UIFTEST -o d.iso src

# des: whether openssl can do DES (mkuif.py exits 77 when not).
des=yes
$MKUIF d.iso probe.uif --version 2 --fixed-key 1 || des=no
for variant in "--version 1" "--version 2 --plain-table" \
    "--version 1 --stored-every 3" "--version 2 --no-zero --block 7" \
    "--version 3" "--version 3 --bcj 0 --plain-table" \
    "--version 4 --stored-every 2 --shuffle" "--version 4 --block 64" \
    "--version 2 --fixed-key 1" "--version 2 --fixed-key 9 --plain-table" \
    "--version 3 --fixed-key 16 --stored-every 2" \
    "--version 1 --password s3cret" \
    "--version 4 --password 'a long password over 31 characters' --shuffle"; do
    case $variant in *fixed-key*|*password*)
        [ $des = yes ] || { skip "openssl without DES: $variant"; continue; }
    esac
    rm -f m.uif out.iso
    eval "$MKUIF d.iso m.uif $variant"
    password=$(eval "set -- $variant"; while [ $# -gt 0 ]; do
        [ "$1" = --password ] && { echo "$2"; break; }; shift; done)
    run convert -q ${password:+--password "$password"} m.uif -o out.iso
    check "UIF $variant of an ISO -> ISO: byte for byte" \
        sh -c '[ "$1" -eq 0 ] && cmp d.iso out.iso' sh "$rc"
done

if [ $des = yes ]; then
    $MKUIF d.iso p.uif --version 2 --password right
    run convert -q p.uif -o p.iso
    check "a password UIF without a password: exit 5, names --password" \
        sh -c '[ "$1" -eq 5 ] && grep -q "protected by a password.*--password" "$2" && [ ! -e p.iso ]' \
        sh "$rc" "$WORK/err"
    run convert -q --password wrong p.uif -o p.iso
    check "... with a wrong one: exit 2, one line" \
        sh -c '[ "$1" -eq 2 ] && grep -q "wrong password" "$2" && [ "$(wc -l < "$2")" -eq 1 ] && [ ! -e p.iso ]' \
        sh "$rc" "$WORK/err"
    run info --password right p.uif
    check "info: version, compression, encryption, original image" \
        grep -q "^Container: UIF version 2, compression zlib, encryption DES (password), original image ISO" "$WORK/out"
fi
$MKUIF d.iso k.uif --version 4 --cascade
run convert -q k.uif -o k.iso
check "the key2 = 2 cipher cascade: refused by name, exit 5" \
    sh -c '[ "$1" -eq 5 ] && grep -q "cipher cascade (key2 = 2" "$2"' sh "$rc" "$WORK/err"

# lastdiff: an image that ends inside its last sector.
(cat d.iso; head -c 1000 /dev/urandom) > cut.iso
for version in 2 4; do
    $MKUIF cut.iso l.uif --version "$version" --stored-every 2
    rm -f l.img
    run convert -q l.uif -o l.img
    check "lastdiff (version $version): the plain image ends 1000 bytes into its last sector" \
        sh -c '[ "$1" -eq 0 ] && cmp cut.iso l.img' sh "$rc"
done
run info --json l.uif
check "info --json: the container's facts" \
    grep -q '"container": {"UIF version": "4", "compression": "LZMA (x86 BCJ)", "encryption": "none", "original image": "ISO"}' "$WORK/out"

# --- mixed images ------------------------------------------------------------
make_sample || { skip "no sample disc (genisoimage, gen-tone)"; finish; }
s=$WORK/sample
$MKUIF "$s/sample.bin" mixed.uif --sector 2352 --version 3 \
    --mixed "cue:$s/sample.cue" --tracks 1:data:0,2:audio:535,3:audio:1285
run convert -q mixed.uif -o mixed.cue
check "mixed UIF with its stored cue -> BIN/CUE: the BIN byte for byte" \
    sh -c '[ "$1" -eq 0 ] && cmp mixed.bin "$2/sample.bin" && grep -q "TRACK 03 AUDIO" mixed.cue' \
    sh "$rc" "$s"
run info mixed.uif
check "info: 3 tracks, original image BIN/CUE" \
    sh -c 'grep -q "3 tracks" "$1" && grep -q "original image BIN/CUE" "$1"' sh "$WORK/out"
"$DISCCONV" extract-audio -q "$s/sample.cue" -o wav-cue >/dev/null 2>&1
run extract-audio -q mixed.uif -o wav-uif
check "its audio tracks come out as the same WAVs as the BIN/CUE's" \
    sh -c '[ "$1" -eq 0 ] && for t in 02 03; do cmp "wav-cue/sample (Track $t).wav" "wav-uif/mixed (Track $t).wav" || exit 1; done' sh "$rc"
"$DISCCONV" convert -q "$s/sample.cue" -o ref.iso >/dev/null 2>&1
run convert -q mixed.uif -o data.iso
check "... and its data track as the same ISO as the BIN/CUE's" \
    sh -c '[ "$1" -eq 0 ] && [ -s ref.iso ] && cmp data.iso ref.iso' sh "$rc"

# No descriptor discconv reads (an MDS, or no blss at all): the disc comes
# from the blms track records, binary MSF of each INDEX 01.  The source is
# the sample's BIN with a cue of INDEX 01s only, as blms records them.
printf 'FILE "sample.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 00:05:10\n  TRACK 03 AUDIO\n    INDEX 01 00:17:10\n' > "$s/plain.cue"
mkdir -p ref-plain
"$DISCCONV" convert -q "$s/plain.cue" -o ref-plain/disc.cue
"$DISCCONV" extract-audio -q "$s/plain.cue" -o wav-plain >/dev/null 2>&1
echo "an Alcohol 120% descriptor discconv does not read" > alcohol.mds
for original in mds:alcohol.mds none:; do
    kind=${original%%:*}
    $MKUIF "$s/sample.bin" "blms-$kind.uif" --sector 2352 --version 2 \
        --mixed "$original" --tracks 1:data:0,2:audio:385,3:audio:1285
    mkdir -p "blms-$kind"
    run convert -q "blms-$kind.uif" -o "blms-$kind/disc.cue"
    check "mixed UIF, original $kind: the blms tracks -> BIN/CUE, the source disc's tracks and bytes" \
        sh -c '[ "$1" -eq 0 ] && cmp "$2/disc.bin" ref-plain/disc.bin && cmp "$2/disc.cue" ref-plain/disc.cue' \
        sh "$rc" "blms-$kind"
    run extract-audio -q "blms-$kind.uif" -o "wav-$kind"
    check "... and extract-audio gives the source's WAVs" \
        sh -c '[ "$1" -eq 0 ] && for t in 02 03; do cmp "wav-plain/plain (Track $t).wav" "$2/blms-$3 (Track $t).wav" || exit 1; done' \
        sh "$rc" "wav-$kind" "$kind"
done
run info blms-mds.uif
check "info: 3 tracks, original image MDS/MDF" \
    sh -c 'grep -q "3 tracks" "$1" && grep -q "original image MDS/MDF" "$1"' sh "$WORK/out"
$MKUIF "$s/sample.bin" blms-lies.uif --sector 2352 --version 2 \
    --mixed mds:alcohol.mds --tracks 1:data:0,2:audio:385,2:audio:1285
run convert -q blms-lies.uif -o lies.cue
check "a blms record that repeats a track number: one line naming the record, exit 4" \
    sh -c '[ "$1" -eq 4 ] && [ "$(wc -l < "$2")" -eq 1 ] && grep -q "blms track record 3: track 2, not 1 to 99 after track 2" "$2" && [ ! -e lies.cue ]' \
    sh "$rc" "$WORK/err"

# A stored cue of several files: the UIF keeps one payload and no sizes of
# its parts, so the second FILE is refused, not read as the whole payload.
"$DISCCONV" convert -q "$s/sample.cue" --split -o split.cue
$MKUIF "$s/sample.bin" split.uif --sector 2352 --version 2 --mixed cue:split.cue
run convert -q split.uif -o split-back.cue
check "a stored cue of 3 files: exit 5, one line at its second FILE line, nothing written" \
    sh -c '[ "$1" -eq 5 ] && [ "$(wc -l < "$2")" -eq 1 ] && grep -q "split.uif (its stored cue sheet):8: a second file (FILE \"split (Track 2).bin\" BINARY)" "$2" && [ ! -e split-back.cue ]' \
    sh "$rc" "$WORK/err"
sed 's/^FILE .*/FILE "split.bin" BINARY/' split.cue > same.cue
$MKUIF "$s/sample.bin" same.uif --sector 2352 --version 2 --mixed cue:same.cue
run convert -q same.uif -o same-back.cue
check "... one file named on several FILE lines is the payload each time" \
    sh -c '[ "$1" -eq 0 ] && grep -q "TRACK 03 AUDIO" same-back.cue' sh "$rc"

if [ $des = yes ]; then
    $MKUIF "$s/sample.bin" mixed-des.uif --sector 2352 --version 2 \
        --fixed-key 3 --mixed "cue:$s/sample.cue"
    run convert -q mixed-des.uif -o mixed-des.cue
    check "a fixed-key DES mixed UIF (table, blms, blss encrypted)" \
        sh -c '[ "$1" -eq 0 ] && cmp mixed-des.bin "$2/sample.bin"' sh "$rc" "$s"
fi

# CloneCD: the .ccd and .sub stored in blss, the .img as the blocks.
"$DISCCONV" convert -q "$s/sample.cue" -o clone.ccd
awk 'BEGIN { for (i = 0; i < 1660 * 96; i++) printf "%c", 65 + i % 26 }' > clone.sub
$MKUIF clone.img ccd.uif --sector 2352 --version 1 --plain-table \
    --mixed "ccd:clone.ccd:clone.sub"
run convert -q ccd.uif -o back.ccd
check "mixed UIF with a stored CCD and .sub -> CCD: .img and .sub byte for byte" \
    sh -c '[ "$1" -eq 0 ] && cmp back.img clone.img && cmp back.sub clone.sub' sh "$rc"

# NRG: the blocks are the whole NRG file, footer included (lastdiff too).
"$DISCCONV" convert -q "$s/sample.cue" -o whole.nrg
$MKUIF whole.nrg nrg.uif --sector 2352 --version 4 --mixed nrg:
run convert -q nrg.uif -o fromnrg.cue
check "mixed UIF holding a whole NRG -> BIN/CUE: the sample's BIN" \
    sh -c '[ "$1" -eq 0 ] && cmp fromnrg.bin "$2/sample.bin"' sh "$rc" "$s"
finish
