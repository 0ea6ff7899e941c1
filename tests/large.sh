#!/bin/sh
# Images over 4 GiB through the command line: a sparse ISO of 4 GiB + 80
# KiB converted whole (reads and writes past 2^32 bytes; about 4.3 GB
# written, and removed), and a sparse BIN/CUE whose track 2 starts 4.9 GB
# into the bin, converted alone.  Sectors written past 4 GiB must come out
# byte for byte at their place.  tests/test_large.c reads the same kinds
# of images, and raw IMG and NRG ones, through the library.
. "$(dirname "$0")/lib.sh"

sectors=$(((1 << 21) + 40))   # 2048-byte sectors: 4 GiB + 40
marked="2097151 2097152 2097170 $((sectors - 1))"
free_kb=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')

# mark FILE SECTOR SIZE: writes "sector N" and a counting pattern there.
mark() {
    { printf 'sector %d ' "$2"; head -c $(($3 - 20)) /dev/zero | tr '\000' "$(printf '\\%03o' $(($2 % 200 + 32)))"; } |
        dd of="$1" bs="$3" seek="$2" conv=notrunc 2>/dev/null
}
# same NAME A A_SECTOR B B_SECTOR SIZE: one sector of A equals one of B.
same() {
    dd if="$2" bs="$6" skip="$3" count=1 of="$WORK/a" 2>/dev/null
    dd if="$4" bs="$6" skip="$5" count=1 of="$WORK/b" 2>/dev/null
    check "$1" cmp "$WORK/a" "$WORK/b"
}

# --- an ISO, converted whole -------------------------------------------------------
truncate -s $((sectors * 2048)) "$WORK/big.iso"
printf '\001CD001\001' | dd of="$WORK/big.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
for s in $marked; do mark "$WORK/big.iso" "$s" 2048; done
run info --json "$WORK/big.iso"
check "info counts every sector of a 4 GiB ISO" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tracks"][0]["length"] == int(sys.argv[2]), d["tracks"][0]
' "$WORK/out" "$sectors"
if [ "$free_kb" -gt $((sectors * 2 + 2 * 1024 * 1024)) ]; then
    "$DISCCONV" convert -q "$WORK/big.iso" -o "$WORK/copy.iso" 2>"$WORK/err"
    check "ISO over 4 GiB converts" test "$(wc -c < "$WORK/copy.iso")" -eq $((sectors * 2048))
    for s in $marked; do
        same "ISO over 4 GiB: sector $s in place" "$WORK/big.iso" "$s" "$WORK/copy.iso" "$s" 2048
    done
    rm -f "$WORK/copy.iso"
else
    skip "ISO over 4 GiB: less than $((sectors * 2 / 1024 / 1024 + 2)) GB free in $WORK"
fi

# --- a BIN/CUE whose second track lies past 4 GiB ---------------------------------
# Track 1: 2^21 sectors of 2352 bytes; track 2 (MODE1/2048 from a cooked
# copy) must not be read from a truncated offset.
truncate -s $((sectors * 2352)) "$WORK/big.bin"
head -c $((40 * 2048)) /dev/zero > "$WORK/t2.iso"
for i in 0 1 39; do mark "$WORK/t2.iso" "$i" 2048; done
printf '\001CD001\001' | dd of="$WORK/t2.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
"$DISCCONV" convert -q "$WORK/t2.iso" -o "$WORK/t2.cue"
dd if="$WORK/t2.bin" of="$WORK/big.bin" bs=2352 seek=$((1 << 21)) conv=notrunc 2>/dev/null
cat > "$WORK/big.cue" <<EOF
FILE "big.bin" BINARY
  TRACK 01 MODE1/2352
    INDEX 01 00:00:00
  TRACK 02 MODE1/2352
    INDEX 01 466:02:02
EOF
run info --json "$WORK/big.cue"
check "track 2 starts at LBA 2^21" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tracks"][1]
assert t["start_lba"] == 1 << 21 and t["length"] == 40, t
' "$WORK/out"
rm -f "$WORK/t2-out.iso" "$WORK/t2-out.cue" "$WORK/t2-out.bin"
"$DISCCONV" convert -q "$WORK/big.cue" --track 2 -o "$WORK/t2-out.iso" 2>"$WORK/err"
check "track 2 past 4 GiB to ISO: the same user data" cmp "$WORK/t2.iso" "$WORK/t2-out.iso"
"$DISCCONV" convert -q "$WORK/big.cue" --track 2 -o "$WORK/t2-out.cue" 2>"$WORK/err"
check "track 2 past 4 GiB to BIN: the same raw sectors" cmp "$WORK/t2.bin" "$WORK/t2-out.bin"
finish
