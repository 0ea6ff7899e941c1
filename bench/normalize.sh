#!/bin/sh
# normalize of a folder of IMAGES (20) ISOs of MB (100) MB each, made from
# one random ISO with a few bytes changed per copy: -j 2 beside -j 1.  Each
# image is copied to an ISO and its track hashed (CRC-32, MD5, SHA-1), so
# the work is reading, hashing and writing; on a machine of two cores the
# digests already run on two threads, which bounds what -j 2 can add.
. "$(dirname "$0")/lib.sh"
images=${IMAGES:-20}
mb=${MB:-100}
col=$dir/collection
if [ "$(ls "$col" 2>/dev/null | wc -l)" -ne "$images" ] ||
    [ "$(wc -c < "$col/disc 01.iso")" -ne $((mb << 20)) ]; then
    echo "making $images ISOs of $mb MB in $col ..." >&2
    rm -rf "$col"
    mkdir -p "$col"
    head -c $((mb << 20)) /dev/urandom > "$dir/base.iso"
    printf '\001CD001\001' | dd of="$dir/base.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
    i=1
    while [ "$i" -le "$images" ]; do
        name=$(printf 'disc %02d.iso' "$i")
        cp "$dir/base.iso" "$col/$name"
        # A different sector per copy, so no two images are alike.
        printf '%08d' "$i" | dd of="$col/$name" bs=1 seek=$((65536 + i * 2048)) conv=notrunc 2>/dev/null
        i=$((i + 1))
    done
    rm -f "$dir/base.iso"
fi
export COL="$col"
bench_input "$col"
bench_tool j1 '"$DISCCONV" normalize -q -j 1 "$COL" -o dest'
bench_tool j2 '"$DISCCONV" normalize -q -j 2 "$COL" -o dest'
bench_target j2 j1 '<=' 0.9
bench_run "normalize $images ISOs"
