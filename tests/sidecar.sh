#!/bin/sh
# The one rule for files that belong together: a descriptor beside an image
# (same stem: .cue, .toc, .ccd) is used for it only when it describes that
# file; one that names another file never changes how the image is read.
. "$(dirname "$0")/lib.sh"
D=$WORK/d
mkdir -p "$D"
# disc.img: a raw Mode 1 dump (the ISO below as MODE1/2352 sectors).
python3 -c 'import sys
open(sys.argv[1], "wb").write(bytes(i * 7 % 251 for i in range(40 * 2048)))' "$WORK/disc.iso"
printf '\001CD001\001' | dd of="$WORK/disc.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
"$DISCCONV" convert -q "$WORK/disc.iso" -o "$WORK/raw.cue"
cp "$WORK/raw.bin" "$D/disc.img"
head -c $((4 * 2352)) /dev/zero > "$D/other.bin"

# format_of FILE: the format info reports for it
format_of() { "$DISCCONV" info --json "$1" 2>/dev/null |
    python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["format"], len(d["tracks"]), d["tracks"][0]["type"])'; }

check "alone, disc.img is a raw IMG with one Mode 1 track" \
    test "$(format_of "$D/disc.img")" = "img 1 mode1"

# A cue sheet of the same name that names another file.
printf 'FILE "other.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' > "$D/disc.cue"
check "a .cue naming other.bin leaves disc.img as it is" \
    test "$(format_of "$D/disc.img")" = "img 1 mode1"
printf 'FILE "DISC.IMG" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n' > "$D/disc.cue"
check "a .cue naming disc.img (any case) describes it" \
    test "$(format_of "$D/disc.img")" = "bincue 1 mode1"
rm "$D/disc.cue"

# A cdrdao TOC of the same name.
printf 'CD_DA\nTRACK AUDIO\nFILE "other.bin" 0\n' > "$D/disc.toc"
check "a .toc naming other.bin leaves disc.img as it is" \
    test "$(format_of "$D/disc.img")" = "img 1 mode1"
printf 'CD_ROM\nTRACK MODE1_RAW\nDATAFILE "disc.img"\n' > "$D/disc.toc"
check "a .toc naming disc.img describes it" \
    test "$(format_of "$D/disc.img")" = "toc 1 mode1"
"$DISCCONV" info "$D/other.bin" > /dev/null 2>&1
check "the .toc is no descriptor for a file it does not name" \
    sh -c "[ \"\$('$DISCCONV' info --json '$D/other.bin' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"format\"])')\" != toc ]"
rm "$D/disc.toc"

# A CloneCD control file names nothing: the .img of its name is described
# only when the lead-out agrees with the .img's size.
"$DISCCONV" convert -q "$WORK/raw.cue" -o "$WORK/clone.ccd"
sed 's/^PLBA=40\r\{0,1\}$/PLBA=41/' "$WORK/clone.ccd" > "$D/disc.ccd"
check "the lead-out was moved" sh -c "! cmp -s '$WORK/clone.ccd' '$D/disc.ccd'"
check "a .ccd whose lead-out disagrees leaves disc.img as it is" \
    test "$(format_of "$D/disc.img")" = "img 1 mode1"
cp "$WORK/clone.ccd" "$D/disc.ccd"
check "a .ccd whose lead-out agrees describes disc.img" \
    test "$(format_of "$D/disc.img")" = "ccd 1 mode1"
check "and converting the .img through it gives back the ISO" \
    sh -c "'$DISCCONV' convert -q '$D/disc.img' -o '$WORK/back.iso' && cmp '$WORK/disc.iso' '$WORK/back.iso'"
finish
