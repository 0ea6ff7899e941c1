#!/bin/sh
# Claims against bytes: an image shorter than it says is shown by info with
# a warning naming both sizes, refused by convert and extract-audio (exit 4,
# one line) and converted as far as it goes with --allow-truncated, which
# says how many sectors are missing.  One longer than it says is noted and
# converted whole, byte for byte as before.
. "$(dirname "$0")/lib.sh"

make_sample
S=$WORK/sample
mkdir -p "$WORK/o"

# refused NAME INPUT [OPTIONS...]: convert to BIN/CUE refuses with exit 4,
# one line naming the file, "truncated", both sizes, the flag; no output.
refused() {
    name=$1 input=$2; shift 2
    rm -rf "$WORK/o"; mkdir -p "$WORK/o"
    run convert -q "$input" -o "$WORK/o/x.cue" "$@"
    if [ "$rc" -eq 4 ] && [ "$(wc -l < "$WORK/err")" -eq 1 ] &&
       grep -q "$(basename "$input").*: truncated: .*(use --allow-truncated)$" "$WORK/err" &&
       [ -z "$(ls -A "$WORK/o")" ]; then
        ok "$name: refused (exit 4, one line)"
    else
        bad "$name: exit $rc: $(cat "$WORK/err")"
    fi
}

# says PATTERN NAME: the last run's stderr matches PATTERN.
says() { check "$2" grep -q -- "$1" "$WORK/err"; }

# --- an ISO cut short, and one padded ------------------------------------
if have genisoimage; then
    mkdir -p "$WORK/tree"
    for i in 1 2 3 4 5 6 7 8; do
        head -c 100000 /dev/urandom > "$WORK/tree/f$i"
    done
    genisoimage -quiet -V TRUNC -o "$WORK/t.iso" "$WORK/tree"
    blocks=$(( $(wc -c < "$WORK/t.iso") / 2048 ))
    # isoinfo (genisoimage's) says how large the volume claims to be.
    if have isoinfo; then
        check "the volume fills the ISO (isoinfo)" \
            isoinfo -d -i "$WORK/t.iso" | grep -q "^Volume size is: $blocks\$"
    fi
    run info "$WORK/t.iso"
    check "a whole ISO: no warning" test ! -s "$WORK/err"

    head -c $((300 * 2048)) "$WORK/t.iso" > "$WORK/short.iso"
    run info "$WORK/short.iso"
    check "info on a cut ISO: exit 0" test "$rc" -eq 0
    says "short.iso: truncated: the ISO 9660 volume says $blocks blocks, the file holds 300$" \
        "info warns naming both sizes"
    refused "a cut ISO" "$WORK/short.iso"
    says "says $blocks blocks, the file holds 300" "the refusal names both sizes"
    rm -rf "$WORK/o"; mkdir -p "$WORK/o"
    run convert -q --allow-truncated "$WORK/short.iso" -o "$WORK/o/x.cue"
    check "--allow-truncated converts it" test "$rc" -eq 0 -a -f "$WORK/o/x.bin"
    says "note: .*short.iso: truncated: .*converted what is there; $((blocks - 300)) sectors the image claims are missing$" \
        "and says how many sectors are missing"
    check "what was there is all there: 300 raw sectors" \
        test "$(wc -c < "$WORK/o/x.bin")" -eq $((300 * 2352))
    "$DISCCONV" convert -q --allow-truncated "$WORK/o/x.cue" -o "$WORK/o/back.iso" 2>/dev/null
    check "and reads back as the bytes the ISO held" cmp "$WORK/short.iso" "$WORK/o/back.iso"

    # A download cut inside a sector: the file's size and the volume's.
    head -c $((300 * 2048 + 1000)) "$WORK/t.iso" > "$WORK/mid.iso"
    run info "$WORK/mid.iso"
    says "mid.iso: truncated: $((300 * 2048 + 1000)) bytes are 300 whole 2048-byte sectors and 1000 bytes of one more; the ISO 9660 volume says $blocks blocks$" \
        "an ISO cut inside a sector: info names the file's size and the volume's"
    refused "an ISO cut inside a sector" "$WORK/mid.iso"

    # The UDF partition claims more than the ISO 9660 volume, which fits.
    genisoimage -quiet -udf -V UDF -o "$WORK/u.iso" "$WORK/tree"
    part_end=$(python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
a = b[256 * 2048:257 * 2048]
length, loc = struct.unpack("<II", a[16:24])
for i in range(length // 2048):
    s = b[(loc + i) * 2048:(loc + i + 1) * 2048]
    if struct.unpack("<H", s[:2])[0] == 5:
        print(sum(struct.unpack("<II", s[188:196]))); break
' "$WORK/u.iso")
    # The ISO 9660 volume is set to end just past the partition's start,
    # and the file is cut between the two.
    cut=$((part_end - 10))
    python3 -c '
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read()[:int(sys.argv[3]) * 2048])
n = int(sys.argv[3]) - 5
b[16 * 2048 + 80:16 * 2048 + 88] = struct.pack("<I", n) + struct.pack(">I", n)
open(sys.argv[2], "wb").write(b)' "$WORK/u.iso" "$WORK/u-short.iso" "$cut"
    run info "$WORK/u-short.iso"
    says "u-short.iso: truncated: the UDF partition says $part_end blocks, the file holds $cut$" \
        "a UDF partition past the end: truncated"

    { cat "$WORK/t.iso"; head -c $((50 * 2048)) /dev/zero; } > "$WORK/padded.iso"
    run info "$WORK/padded.iso"
    says "warning: .*padded.iso: the file holds 50 sectors past the end of its ISO 9660 volume ($blocks blocks)" \
        "a padded ISO: info notes the padding"
    rm -rf "$WORK/o"; mkdir -p "$WORK/o"
    run convert -q "$WORK/padded.iso" -o "$WORK/o/p.iso"
    check "a padded ISO converts (exit 0)" test "$rc" -eq 0
    check "keeping every byte" cmp "$WORK/padded.iso" "$WORK/o/p.iso"
    "$DISCCONV" convert -q "$WORK/t.iso" -o "$WORK/o/t.cue" &&
        "$DISCCONV" convert -q "$WORK/padded.iso" -o "$WORK/o/p.cue" 2>/dev/null
    check "its BIN is the whole ISO's and the padding's, unchanged" sh -c "
        head -c $(( blocks * 2352 )) '$WORK/o/p.bin' | cmp - '$WORK/o/t.bin'"

    # Padding, then bytes that do not fill a sector: all of it past a whole
    # volume, so appended data, not a cut.
    { cat "$WORK/padded.iso"; printf 'appended junk'; } > "$WORK/junk.iso"
    run info "$WORK/junk.iso"
    says "warning: .*junk.iso: 13 bytes past the last whole sector, after the end of its ISO 9660 volume ($blocks blocks): appended data, kept" \
        "an ISO with a part sector past its volume: appended data"
    says "warning: .*junk.iso: the file holds 50 sectors past the end" \
        "and the whole sectors of padding before it"
    rm -rf "$WORK/o"; mkdir -p "$WORK/o"
    run convert -q "$WORK/junk.iso" -o "$WORK/o/j.iso"
    check "it converts (exit 0), the part sector padded with zeros" sh -c "
        [ $rc -eq 0 ] && head -c $(wc -c < "$WORK/junk.iso") '$WORK/o/j.iso' |
        cmp - '$WORK/junk.iso' &&
        [ \$(wc -c < '$WORK/o/j.iso') -eq $(( $(wc -c < "$WORK/padded.iso") + 2048 )) ]"
else
    skip "genisoimage missing: ISO cases"
fi

# --- a UDF-only volume cut before its anchor ---------------------------------
if have mkudffs; then
    truncate -s 20M "$WORK/udf.img"
    mkudffs --media-type=cdr -b 2048 "$WORK/udf.img" >/dev/null 2>&1
    head -c $((200 * 2048)) "$WORK/udf.img" > "$WORK/udf-short.iso"
    run info "$WORK/udf-short.iso"
    says "udf-short.iso: truncated: the UDF volume (its anchor is block 256) needs at least 257 blocks, the file holds 200$" \
        "a UDF volume cut before its anchor at block 256: truncated"
    check "info shows the file system as UDF alone" \
        grep -q "^File system on track 1: UDF$" "$WORK/out"
    refused "a UDF volume cut before its anchor" "$WORK/udf-short.iso"
    head -c $((2000 * 2048)) "$WORK/udf.img" > "$WORK/udf-cut.iso"
    run info "$WORK/udf-cut.iso"
    says "udf-cut.iso: truncated: the UDF partition says 10240 blocks, the file holds 2000$" \
        "a UDF volume cut after its anchor: the partition's end (mkudffs: 10240 blocks)"
else
    skip "mkudffs missing: UDF-only cases"
fi

# --- BIN/CUE ----------------------------------------------------------------
# The sample's track 1 holds an ISO 9660 volume as large as the track.
"$DISCCONV" convert -q "$S/sample.cue" --track 1 -o "$WORK/d.cue"
n=$(( $(wc -c < "$WORK/d.bin") / 2352 ))
head -c $(( (n - 1) * 2352 )) "$WORK/d.bin" > "$WORK/short.bin"
sed 's/d\.bin/short.bin/' "$WORK/d.cue" > "$WORK/short.cue"
run info "$WORK/short.cue"
says "short.cue: truncated: the ISO 9660 volume of track 1 says $n blocks, the track holds $((n - 1))$" \
    "a BIN one sector short: info names both sizes"
refused "a BIN one sector short" "$WORK/short.cue"

head -c $(( n * 2352 - 100 )) "$WORK/d.bin" > "$WORK/mid.bin"
sed 's/d\.bin/mid.bin/' "$WORK/d.cue" > "$WORK/mid.cue"
refused "a BIN that ends inside a sector" "$WORK/mid.cue"
says "mid.cue:[0-9]*: truncated: \"mid.bin\" is $(( n * 2352 - 100 )) bytes" "naming the FILE line and its size"

# The sample's track 3 starts at 17:10 (1285 sectors); cut at 1000.
head -c $((1000 * 2352)) "$S/sample.bin" > "$WORK/cut.bin"
sed 's/sample\.bin/cut.bin/' "$S/sample.cue" > "$WORK/cut.cue"
run info "$WORK/cut.cue"
says "cut.cue:16: truncated: INDEX 01 of TRACK 03 says \"cut.bin\" holds 1285 sectors, it holds 1000$" \
    "an INDEX past the end of its file: info names the line and both sizes"
check "and shows the tracks that are there" sh -c "
    grep -q '^  2 ' '$WORK/out' && ! grep -q '^  3 ' '$WORK/out'"
refused "an INDEX past the end of its file" "$WORK/cut.cue"
mkdir -p "$WORK/a"
run extract-audio -q "$WORK/cut.cue" -o "$WORK/a"
check "extract-audio refuses it too (exit 4)" test "$rc" -eq 4 -a -z "$(ls -A "$WORK/a")"
run extract-audio -q --allow-truncated "$WORK/cut.cue" -o "$WORK/a"
check "extract-audio --allow-truncated writes the tracks that are there" \
    test "$rc" -eq 0 -a "$(ls "$WORK/a" | grep -c '\.wav$')" -eq 1
says "285 sectors the image claims are missing" "and says what is missing"

# A two-session disc cut inside its first session: the second is gone
# with its track, and no target is told of two sessions.
"$GEN_TONE" 300 440 660 > "$WORK/two.bin"
cat "$WORK/d.bin" >> "$WORK/two.bin"
printf 'REM SESSION 01\nFILE "two.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\nREM SESSION 02\n  TRACK 02 MODE1/2352\n    INDEX 01 00:04:00\n' > "$WORK/two.cue"
run info --json "$WORK/two.cue"
check "a whole two-session BIN/CUE: 2 sessions" sh -c "
    [ $rc -eq 0 ] && python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))[\"sessions\"] == 2' '$WORK/out'"
head -c $((100 * 2352)) "$WORK/two.bin" > "$WORK/one.bin"
sed 's/two\.bin/one.bin/' "$WORK/two.cue" > "$WORK/one.cue"
run info --json "$WORK/one.cue"
check "cut inside session 1: one track, one session" sh -c "
    [ $rc -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"sessions\"] == 1 and len(d[\"tracks\"]) == 1, d[\"sessions\"]' '$WORK/out'"
rm -rf "$WORK/o"; mkdir -p "$WORK/o"
run convert -q --allow-truncated "$WORK/one.cue" -o "$WORK/o/one.cue"
check "and its sheet, converted, names no session" sh -c "
    [ $rc -eq 0 ] && ! grep -q 'REM SESSION' '$WORK/o/one.cue'"

# --- CloneCD and NRG cut with head -c ---------------------------------------
"$DISCCONV" convert -q "$S/sample.cue" -o "$WORK/c.ccd"
head -c $((800 * 2352)) "$WORK/c.img" > "$WORK/cs.img"
cp "$WORK/c.ccd" "$WORK/cs.ccd"
[ ! -f "$WORK/c.sub" ] || cp "$WORK/c.sub" "$WORK/cs.sub"
run info "$WORK/cs.ccd"
says "cs.ccd: truncated: its TOC says the .img holds 1660 sectors, it holds 800$" \
    "a CloneCD .img cut short: info names both sizes"
refused "a CloneCD .img cut short" "$WORK/cs.ccd"
rm -rf "$WORK/o"; mkdir -p "$WORK/o"
run convert -q --allow-truncated "$WORK/cs.ccd" -o "$WORK/o/x.cue"
check "--allow-truncated converts the CloneCD image's 800 sectors" \
    test "$rc" -eq 0 -a "$(wc -c < "$WORK/o/x.bin")" -eq $((800 * 2352))

"$DISCCONV" convert -q "$S/sample.cue" -o "$WORK/n.nrg"
head -c $((800 * 2352)) "$WORK/n.nrg" > "$WORK/ns.nrg"
rm -rf "$WORK/o"; mkdir -p "$WORK/o"
run convert -q --from nrg "$WORK/ns.nrg" -o "$WORK/o/n.cue"
# Nero keeps its track table at the end: a cut NRG has none to claim
# anything, and is refused as malformed.  (Without --from, whether its
# raw sectors are taken for a raw image is the detection's business.)
check "an NRG cut short is refused (exit 4, one line naming it)" sh -c "
    [ $rc -eq 4 ] && [ \$(wc -l < '$WORK/err') -eq 1 ] &&
    grep -q 'ns.nrg: no NER5 or NERO footer at the end: not an NRG image, or one cut short$' '$WORK/err'"

# --- counts that disagree with their sizes -----------------------------------
if have python3; then
    python3 - "$top_srcdir/tests" "$WORK/range.nrg" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[1])
import mknrg
d, ch = mknrg.dao(mknrg.DATA)
# The DAOX header's first and last track numbers: 1 to 99 over one entry.
at = ch.index(b"DAOX") + 8 + 20
ch = ch[:at] + bytes([1, 99]) + ch[at + 2:]
open(sys.argv[2], "wb").write(mknrg.image(d, ch))
PY
    run info "$WORK/range.nrg"
    check "an NRG DAOX saying tracks 1-99 over one entry: an error (exit 4)" \
        test "$rc" -eq 4
    says "range.nrg: chunk DAOX at offset [0-9]*: says tracks 1 to 99, but holds 1 entry for tracks 1 to 1$" \
        "naming both counts"
else
    skip "python3 missing: NRG counts"
fi

finish
