#!/bin/sh
# UIFs discconv writes, read back into the very bytes they were made from:
# by tests/uifcheck.py (a reader written from ../shared/FORMATS.md §5 with
# Python's zlib and lzma, which also checks the footer, the tables and the
# block types), and by discconv itself once it reads UIFs.  An ISO becomes
# an ISO-type UIF (8), a data + audio BIN/CUE a mixed one (9) whose stored
# cue sheet names its raw sectors; zlib (version 2) and LZMA (version 3);
# what a UIF cannot hold as asked is refused.
. "$(dirname "$0")/lib.sh"

have genisoimage || { skip "genisoimage missing"; finish; }
have python3 || { skip "python3 missing"; finish; }
uifcheck() { python3 "$top_srcdir/tests/uifcheck.py" "$@"; }
if "$DISCCONV" formats | grep -q '^uif  *yes'; then reads_uif=1; else reads_uif=; fi

# A disc whose sectors make every kind of block: random bytes (stored,
# they do not shrink), text (compressed), 3 MiB of zeros (zero fill), and
# an end inside a 1 MiB block.
mkdir -p "$WORK/tree"
head -c 2500000 /dev/urandom > "$WORK/tree/random.bin"
head -c 3145728 /dev/zero > "$WORK/tree/zeros.bin"
seq 1 400000 > "$WORK/tree/numbers.txt"
genisoimage -quiet -R -V UIFTEST -o "$WORK/disc.iso" "$WORK/tree" 2>/dev/null
sectors=$(($(wc -c < "$WORK/disc.iso") / 2048))
check "the test disc ends inside a 1 MiB block" \
    [ $((sectors % 512)) -ne 0 ]

for codec in zlib:2 lzma:3; do
    cname=${codec%%:*} version=${codec#*:}
    run convert -q "$WORK/disc.iso" --option "uif.codec=$cname" -o "$WORK/$cname.uif"
    check "ISO -> UIF ($cname): exit 0, smaller than the ISO" \
        sh -c "[ $rc -eq 0 ] && [ \$(wc -c < '$WORK/$cname.uif') -lt $(($(wc -c < "$WORK/disc.iso") - 3000000)) ]"
    uifcheck "$WORK/$cname.uif" "$WORK/$cname-check.iso" > "$WORK/$cname.info" 2>&1
    check "uifcheck: version $version, ISO type, $sectors 2048-byte sectors, stored + zero + compressed blocks" \
        [ "$(cat "$WORK/$cname.info")" = "version $version type 8 sectors $sectors size 2048 blocks 1,3,5" ]
    check "ISO -> UIF ($cname) -> uifcheck: the ISO, byte for byte" \
        cmp "$WORK/$cname-check.iso" "$WORK/disc.iso"
    if [ -n "$reads_uif" ]; then
        run convert -q "$WORK/$cname.uif" -o "$WORK/$cname-back.iso"
        check "ISO -> UIF ($cname) -> discconv -> ISO is byte-identical" \
            sh -c "[ $rc -eq 0 ] && cmp '$WORK/$cname-back.iso' '$WORK/disc.iso'"
    fi
done
[ -n "$reads_uif" ] || skip "discconv does not read UIFs yet: read back by uifcheck only"

# A disc of zeros only: every block zero fill, nothing stored before the
# table.
head -c $((600 * 2048)) /dev/zero > "$WORK/zeros.iso"
printf '\001CD001\001' | dd of="$WORK/zeros.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
dd if=/dev/zero of="$WORK/zeros.iso" bs=2048 seek=16 count=1 conv=notrunc 2>/dev/null
run convert -q "$WORK/zeros.iso" -o "$WORK/zeros.uif" --option uif.codec=zlib
uifcheck "$WORK/zeros.uif" "$WORK/zeros-check.iso" > "$WORK/zeros.info" 2>&1
check "an all-zero disc: zero-fill blocks only, read back as its zeros" \
    sh -c "[ $rc -eq 0 ] && grep -q 'sectors 600 size 2048 blocks 3\$' '$WORK/zeros.info' && cmp '$WORK/zeros-check.iso' '$WORK/zeros.iso'"

# A data + audio BIN/CUE: a mixed UIF of its raw sectors.  What a cue it
# stores must say is what discconv's BIN/CUE writer says of the disc, under
# the UIF's name.
make_sample
mkdir -p "$WORK/ref"
"$DISCCONV" convert -q "$WORK/sample/sample.cue" -o "$WORK/ref/mixed.cue"
for codec in zlib:2 lzma:3; do
    cname=${codec%%:*} version=${codec#*:}
    run convert -q "$WORK/sample/sample.cue" --option "uif.codec=$cname" -o "$WORK/mixed-$cname.uif"
    check "BIN/CUE -> UIF ($cname): exit 0" [ "$rc" -eq 0 ]
    uifcheck "$WORK/mixed-$cname.uif" "$WORK/mixed-$cname.bin" "$WORK/mixed-$cname.cue" > "$WORK/mixed-$cname.info" 2>&1
    check "uifcheck: version $version, mixed type, 2352-byte sectors; blms: track 1 data (mode 1), tracks 2 and 3 audio at their INDEX 01" \
        [ "$(cat "$WORK/mixed-$cname.info")" = "version $version type 9 sectors 1660 size 2352 blocks 5
track 1 data mode 1 at 0
track 2 audio mode 0 at 535
track 3 audio mode 0 at 1285" ]
    check "BIN/CUE -> UIF ($cname) -> uifcheck: the raw sectors of the bin, byte for byte" \
        cmp "$WORK/mixed-$cname.bin" "$WORK/sample/sample.bin"
    sed 's/"mixed.bin"/"mixed-'$cname'.bin"/' "$WORK/ref/mixed.cue" > "$WORK/ref/mixed-$cname.cue"
    check "the stored cue sheet is the disc's, naming the UIF's payload" \
        cmp "$WORK/mixed-$cname.cue" "$WORK/ref/mixed-$cname.cue"
    if [ -n "$reads_uif" ]; then
        mkdir -p "$WORK/back-$cname"
        run convert -q "$WORK/mixed-$cname.uif" -o "$WORK/back-$cname/mixed.cue"
        check "BIN/CUE -> UIF ($cname) -> discconv -> BIN/CUE is byte-identical" \
            sh -c "[ $rc -eq 0 ] && cmp '$WORK/back-$cname/mixed.bin' '$WORK/sample/sample.bin' && cmp '$WORK/back-$cname/mixed.cue' '$WORK/ref/mixed.cue'"
    fi
done

# One track chosen: the data track is an ISO-type UIF of its user data,
# the audio track a mixed one; raw framing keeps the data track raw.
"$DISCCONV" convert -q "$WORK/sample/sample.cue" --tracks 1 -o "$WORK/track1.iso"
run convert -q "$WORK/sample/sample.cue" --tracks 1 -o "$WORK/track1.uif"
uifcheck "$WORK/track1.uif" "$WORK/track1-check.iso" > "$WORK/track1.info" 2>&1
check "track 1 chosen: an ISO-type UIF of what its ISO holds, noting the CD-TEXT left out" \
    sh -c "[ $rc -eq 0 ] && grep -q 'type 8 ' '$WORK/track1.info' && cmp '$WORK/track1-check.iso' '$WORK/track1.iso' && grep -q 'ISO-type UIF keeps no CD-TEXT' '$WORK/err'"
run convert -q "$WORK/sample/sample.cue" --tracks 1 --raw -o "$WORK/track1-raw.uif"
uifcheck "$WORK/track1-raw.uif" "$WORK/track1-raw.bin" > "$WORK/track1-raw.info" 2>&1
check "track 1 chosen with --raw: a mixed UIF of its 385 raw sectors" \
    sh -c "[ $rc -eq 0 ] && grep -q 'type 9 sectors 385 size 2352' '$WORK/track1-raw.info' && head -c $((385 * 2352)) '$WORK/sample/sample.bin' | cmp - '$WORK/track1-raw.bin'"
run convert -q "$WORK/sample/sample.cue" --tracks 2 -o "$WORK/track2.uif"
uifcheck "$WORK/track2.uif" "$WORK/track2.bin" > "$WORK/track2.info" 2>&1
check "track 2 chosen: a mixed UIF of the audio track, its pregap stored" \
    sh -c "[ $rc -eq 0 ] && grep -q '^track 2 audio mode 0 at 150\$' '$WORK/track2.info' && dd if='$WORK/sample/sample.bin' bs=2352 skip=385 count=900 2>/dev/null | cmp - '$WORK/track2.bin'"

# A Mode 1 track whose sectors its user data does not all make (a Mode 2
# header, a broken sync, user bytes that disagree with their EDC) keeps its
# raw sectors: a mixed UIF, not an ISO-type one that would regenerate them.
"$DISCCONV" convert -q "$WORK/sample/sample.cue" --tracks 1 --raw -o "$WORK/damaged/track1.cue"
python3 - "$WORK/damaged/track1.bin" <<'EOF'
import sys
path = sys.argv[1]
raw = bytearray(open(path, 'rb').read())
raw[10 * 2352 + 15] = 2        # mode byte of LBA 10
raw[20 * 2352] = 0x55          # sync of LBA 20
raw[30 * 2352 + 100] ^= 0xFF   # user data of LBA 30: EDC and ECC disagree
open(path, 'wb').write(raw)
EOF
run convert "$WORK/damaged/track1.cue" -o "$WORK/damaged.uif"
uifcheck "$WORK/damaged.uif" "$WORK/damaged-check.bin" > "$WORK/damaged.info" 2>&1
check "a damaged MODE1/2352 track: a mixed UIF of its raw sectors, noted" \
    sh -c "[ $rc -eq 0 ] && grep -q 'type 9 sectors 385 size 2352' '$WORK/damaged.info' && cmp '$WORK/damaged-check.bin' '$WORK/damaged/track1.bin' && grep -q 'kept raw in a mixed UIF' '$WORK/err'"
if [ -n "$reads_uif" ]; then
    mkdir -p "$WORK/damaged-back"
    run convert -q "$WORK/damaged.uif" -o "$WORK/damaged-back/track1.cue"
    check "a damaged MODE1/2352 track -> UIF -> BIN is byte-identical" \
        sh -c "[ $rc -eq 0 ] && cmp '$WORK/damaged-back/track1.bin' '$WORK/damaged/track1.bin'"
fi

# Refusals: one line, exit status, no file.
run convert -q "$WORK/sample/sample.cue" --cooked -o "$WORK/cooked.uif"
check "user data asked of a data + audio disc: usage error (2) in one line, no file" \
    sh -c "[ $rc -eq 2 ] && grep -q 'a UIF holds user data only for one data track of 2048-byte sectors' '$WORK/err' && [ \$(wc -l < '$WORK/err') -eq 1 ] && [ ! -e '$WORK/cooked.uif' ]"
run convert -q "$WORK/disc.iso" --option uif.codec=bzip2 -o "$WORK/bzip2.uif"
check "uif.codec=bzip2: usage error naming the codecs, no file" \
    sh -c "[ $rc -eq 2 ] && grep -q 'uif.codec is one of zlib,lzma' '$WORK/err' && [ ! -e '$WORK/bzip2.uif' ]"
run formats
check "'discconv formats' lists uif.codec and its words" \
    grep -q '^uif.codec  *zlib|lzma ' "$WORK/out"

finish
