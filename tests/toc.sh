#!/bin/sh
# cdrdao TOC files from ../shared/corpus: discconv must agree with libcdio's
# cd-info where libcdio implements the grammar, refuse every bad-*.toc with
# `file:LINE:`, and convert a TOC to the same bytes as its cue twin.
. "$(dirname "$0")/lib.sh"

if ! have_corpus; then skip "corpus folder absent: $CORPUS"; finish; fi
have cd-info || { skip "cd-info missing (apt-get install libcdio-utils)"; finish; }
have python3 || { skip "python3 missing"; finish; }

# Where libcdio 2.1.0 and cdrdao's grammar part, and what we check instead.
#
# Same track numbers, types and flags; not the addresses:
#   cdtext.toc, data1.toc, t1.toc: libcdio does not implement SILENCE ("not
#     fully implimented"): it places the track at LSN -150 and makes it two
#     sectors long.  discconv serves the SILENCE as zero sectors from LBA 0.
#   cdda.toc: `DATAFILE "cdda.bin" #200 00:00:25` is a byte offset of 200
#     and a length of 25 sectors; libcdio reads 00:00:25 as the track's
#     disc address (LSN -125) and runs the track to the end of the file.
addresses_differ=" cdtext.toc data1.toc t1.toc cdda.toc "
#
# Read by libcdio, refused by discconv with exit 4 and a line number:
#   t2.toc .. t10.toc: `FILE "cdda.bin" 1:0:0` (0:59:0, 180:0:0, 0:10:0)
#     starts that far into cdda.bin, which holds 302 sectors (0:4:2): the
#     start lies past the end of the file.  libcdio takes the start for the
#     track's disc address instead and never checks it against the file.
#   data5.toc, data7.toc: the second track starts 00:20:71 (1571 sectors)
#     into isofs-m1.bin, past its end, for the same reason.
refused_by_us=" t2.toc t3.toc t4.toc t5.toc t6.toc t7.toc t8.toc t9.toc t10.toc data5.toc data7.toc "
#
# Read by libcdio, truncated for discconv (info warns with the line, convert
# refuses with exit 4):
#   data2.toc: MODE1 data files hold 2048-byte sectors; isofs-m1.bin's
#     710304 bytes are 346 of them and 1696 bytes of one more (it is a
#     MODE1_RAW file).  libcdio also ignores its ZERO ("unimplimented
#     keyword").
truncated_for_us=" data2.toc "

for toc in "$CORPUS"/bincue/*/*.toc; do
    item=${toc#"$CORPUS"/}
    name=$(basename "$toc")
    dir=$(dirname "$toc")
    (cd "$dir" && cd-info --no-device-info --no-cddb --toc-file "$name") \
        >"$WORK/cdinfo" 2>&1
    cdinfo_rc=$?
    (cd "$dir" && "$DISCCONV" info --json "$name") >"$WORK/ours.json" 2>"$WORK/err"
    rc=$?
    case $refused_by_us in *" $name "*)
        if [ "$rc" -eq 4 ] && grep -q "^discconv: $name:[0-9]*: " "$WORK/err"; then
            ok "$item: refused with exit 4 and a line number (libcdio reads it wrongly; see above)"
        else
            bad "$item: expected exit 4 with $name:LINE:, got $rc: $(cat "$WORK/err")"
        fi
        continue ;;
    esac
    case $truncated_for_us in *" $name "*)
        if [ "$rc" -eq 0 ] && grep -q "^discconv: warning: $name:[0-9]*: truncated: " "$WORK/err"; then
            ok "$item: info warns it is truncated, with a line number"
        else
            bad "$item: expected a truncation warning with $name:LINE:, got $rc: $(cat "$WORK/err")"
        fi
        (cd "$dir" && "$DISCCONV" convert -q "$name" -o "$WORK/trunc.iso") 2>"$WORK/err"
        rc=$?
        if [ "$rc" -eq 4 ] && [ ! -e "$WORK/trunc.iso" ] &&
           grep -q "^discconv: $name:[0-9]*: truncated: .*(use --allow-truncated)$" "$WORK/err"; then
            ok "$item: convert refuses it with exit 4"
        else
            bad "$item: expected convert to refuse with exit 4, got $rc: $(cat "$WORK/err")"
        fi
        continue ;;
    esac
    if [ "$cdinfo_rc" -eq 0 ]; then
        if [ "$rc" -ne 0 ]; then bad "$item: cd-info reads it, discconv: $(cat "$WORK/err")"; continue; fi
        case $addresses_differ in
        *" $name "*)
            check "$item: same tracks, types and flags as cd-info (addresses: see above)" \
                python3 "$top_srcdir/tests/compare_cdinfo.py" --no-addresses "$WORK/cdinfo" "$WORK/ours.json" ;;
        *)
            check "$item: same track table as cd-info" \
                python3 "$top_srcdir/tests/compare_cdinfo.py" "$WORK/cdinfo" "$WORK/ours.json" ;;
        esac
    else
        # bad-file.toc and vcd_demo.toc name files that do not exist: exit 3.
        want=4
        grep -q 'No such file\|could not retrieve file info' "$WORK/cdinfo" && want=3
        case $name in vcd_demo.toc) want=3 ;; esac
        if [ "$rc" -eq "$want" ] && [ "$(wc -l < "$WORK/err")" -eq 1 ] &&
           grep -q "^discconv: $name:[0-9]*: " "$WORK/err"; then
            ok "$item: refused by both (exit $rc: $(cat "$WORK/err"))"
        else
            bad "$item: expected exit $want with $name:LINE:, got $rc: $(cat "$WORK/err")"
        fi
    fi
done

d=$CORPUS/bincue/libcdio
if [ -f "$d/cdda.toc" ] && [ -f "$d/cdda.cue" ]; then
    # A cue sheet beside a TOC does not change how the TOC is read.
    (cd "$d" && "$DISCCONV" info --json cdda.toc) >"$WORK/ours.json" 2>"$WORK/err"
    check "cdda.toc is read as a TOC, not as the cdda.cue beside it" \
        python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert j["format"] == "toc", j["format"]
assert j["leadout_lba"] == 25, j["leadout_lba"]' "$WORK/ours.json"

    # cdda.toc is bytes 200 .. 200 + 25 * 2352 of cdda.bin, read as
    # cdrdao's big-endian samples; the cue reads the same file as
    # little-endian from byte 0.  So the TOC's bin must be that byte range
    # of the cue's bin with every sample's bytes swapped.
    mkdir -p "$WORK/conv"
    run convert -q "$d/cdda.toc" -o "$WORK/conv/fromtoc.cue"
    [ "$rc" -eq 0 ] || bad "convert cdda.toc: $(cat "$WORK/err")"
    run convert -q "$d/cdda.cue" -o "$WORK/conv/fromcue.cue"
    [ "$rc" -eq 0 ] || bad "convert cdda.cue: $(cat "$WORK/err")"
    check "cdda.toc -> BIN/CUE: cdda.cue's bytes 200.. for 25 sectors, samples swapped" \
        python3 -c 'import sys
toc = open(sys.argv[1], "rb").read()
cue = open(sys.argv[2], "rb").read()[200:200 + 25 * 2352]
swapped = bytearray(len(cue))
swapped[0::2] = cue[1::2]
swapped[1::2] = cue[0::2]
assert len(toc) == 25 * 2352, len(toc)
assert toc == bytes(swapped), "bytes differ"' "$WORK/conv/fromtoc.bin" "$WORK/conv/fromcue.bin"
fi

if [ -f "$d/isofs-m1.toc" ] && [ -f "$d/isofs-m1.cue" ]; then
    run convert -q "$d/isofs-m1.toc" -o "$WORK/conv/fromtoc.iso"
    [ "$rc" -eq 0 ] || bad "convert isofs-m1.toc: $(cat "$WORK/err")"
    run convert -q "$d/isofs-m1.cue" -o "$WORK/conv/fromcue.iso"
    [ "$rc" -eq 0 ] || bad "convert isofs-m1.cue: $(cat "$WORK/err")"
    check "isofs-m1.toc and isofs-m1.cue give the same ISO" \
        cmp "$WORK/conv/fromtoc.iso" "$WORK/conv/fromcue.iso"
fi

finish
