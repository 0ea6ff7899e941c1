#!/bin/sh
# Third-party images from ../shared/corpus: discconv must agree with
# libcdio's cd-info and iso-info, reject what is malformed with a line
# number, and round-trip every ISO through BIN/CUE byte for byte.
. "$(dirname "$0")/lib.sh"

if ! have_corpus; then skip "corpus folder absent: $CORPUS"; finish; fi
have cd-info || { skip "cd-info missing (apt-get install libcdio-utils)"; finish; }

for cue in "$CORPUS"/bincue/*/*.cue; do
    item=${cue#"$CORPUS"/}
    dir=$(dirname "$cue")
    (cd "$dir" && cd-info --no-device-info --no-cddb -i "$(basename "$cue")") \
        >"$WORK/cdinfo" 2>&1
    cdinfo_rc=$?
    run info --json "$cue"
    if [ "$cdinfo_rc" -eq 0 ]; then
        if [ "$rc" -ne 0 ]; then bad "$item: cd-info reads it, discconv: $(cat "$WORK/err")"; continue; fi
        cp "$WORK/out" "$WORK/ours.json"
        check "$item: same track table as cd-info" \
            python3 "$top_srcdir/tests/compare_cdinfo.py" "$WORK/cdinfo" "$WORK/ours.json"
    else
        case $(basename "$cue") in
        bad-*)
            if [ "$rc" -eq 4 ] && grep -q "$(basename "$cue"):[0-9]*:" "$WORK/err"; then
                ok "$item: rejected with exit 4 and a line number"
            else
                bad "$item: expected exit 4 with a line number, got $rc: $(cat "$WORK/err")"
            fi ;;
        *)  # cd-info fails for a missing bin too (vcd_demo.bin is absent).
            if [ "$rc" -ne 0 ] && [ "$(wc -l < "$WORK/err")" -eq 1 ]; then
                ok "$item: refused by both (exit $rc: $(cat "$WORK/err"))"
            else
                bad "$item: cd-info refuses it; discconv exit $rc"
            fi ;;
        esac
    fi
done

for iso in "$CORPUS"/iso/*/*.iso; do
    item=${iso#"$CORPUS"/}
    run info --json "$iso"
    if [ "$rc" -ne 0 ]; then bad "$item: info failed: $(cat "$WORK/err")"; continue; fi
    cp "$WORK/out" "$WORK/ours.json"
    if iso-info --no-header -i "$iso" >"$WORK/isoinfo" 2>/dev/null; then
        volume=$(sed -n 's/^Volume *: //p' "$WORK/isoinfo")
        joliet=$(sed -n 's/^Joliet Level: //p' "$WORK/isoinfo")
        check "$item: volume id and Joliet level as iso-info says" python3 -c '
import json, sys
fs = json.load(open(sys.argv[1]))["filesystems"][0]
assert fs["iso9660"], fs
# iso-info shows the Joliet name when there is one.
volume = fs.get("joliet_volume_id", fs["volume_id"])
assert volume == sys.argv[2], (volume, sys.argv[2])
assert fs["joliet_level"] == int(sys.argv[3] or 0), fs
' "$WORK/ours.json" "$volume" "$joliet"
    fi

    # A volume larger than the file (isoinfo's "Volume size" is the
    # PVD's, in 2048-byte blocks), or a file that ends inside a sector, is
    # truncated: refused, then converted on request.
    size=$(wc -c < "$iso")
    claimed=0
    if have isoinfo; then
        claimed=$(isoinfo -d -i "$iso" 2>/dev/null | sed -n 's/^Volume size is: //p')
    fi
    allow=
    if [ $((size % 2048)) -ne 0 ] ||
       { [ "${claimed:-0}" -gt "$((size / 2048))" ] && [ "${claimed:-0}" -lt 62500000 ]; }; then
        rm -f "$WORK"/rt.*
        run convert -q "$iso" -o "$WORK/rt.cue"
        check "$item: truncated (volume ${claimed:-?} blocks, $size bytes): refused with exit 4" \
            sh -c "[ $rc -eq 4 ] && grep -q 'truncated: .*(use --allow-truncated)\$' '$WORK/err' && [ ! -e '$WORK/rt.cue' ]"
        allow=--allow-truncated
    fi

    # ISO -> BIN/CUE -> ISO gives back every byte (a partial last sector
    # comes back zero-padded to a whole one).
    rm -f "$WORK"/rt.*
    if "$DISCCONV" convert -q $allow "$iso" -o "$WORK/rt.cue" 2>"$WORK/err" &&
       "$DISCCONV" convert -q $allow "$WORK/rt.cue" -o "$WORK/rt.iso" 2>>"$WORK/err"; then
        padded=$(( (size + 2047) / 2048 * 2048 ))
        if cmp -s -n "$size" "$iso" "$WORK/rt.iso" &&
           [ "$(wc -c < "$WORK/rt.iso")" -eq "$padded" ] &&
           [ "$(tail -c $((padded - size)) "$WORK/rt.iso" | tr -d '\0' | wc -c)" -eq 0 ]; then
            ok "$item: ISO -> BIN/CUE -> ISO identical"
        else
            bad "$item: round trip differs"
        fi
        (cd "$WORK" && cd-info --no-device-info --no-cddb -i rt.cue) >"$WORK/cdinfo" 2>&1
        "$DISCCONV" info --json "$WORK/rt.cue" >"$WORK/rt.json"
        check "$item: cd-info reads the written cue alike" \
            python3 "$top_srcdir/tests/compare_cdinfo.py" "$WORK/cdinfo" "$WORK/rt.json"
    else
        bad "$item: round trip failed: $(cat "$WORK/err")"
    fi
done
finish
