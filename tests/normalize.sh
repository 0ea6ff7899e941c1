#!/bin/sh
# discconv normalize: a mixed collection (the sample disc as BIN/CUE, NRG,
# CloneCD, TOC, ISO, UIF, DMG and an audio disc, the corpus when present, nested
# folders, names with spaces and worse, a truncated image, files that are
# no image) converts in one run without touching a source; the broken image
# is reported and skipped; a second run skips everything; an interrupted
# run leaves no partial output and the next completes it; a plan run by GNU
# parallel gives the same outputs and, merged, the same report.
. "$(dirname "$0")/lib.sh"
make_sample
S=$WORK/sample/sample.cue
SRC=$WORK/src
mkdir -p "$SRC/a b/deep" "$SRC/music" "$SRC/toc" "$SRC/evil"
cp "$WORK/sample/sample.cue" "$WORK/sample/sample.bin" "$SRC/a b/"
"$DISCCONV" convert -q "$S" --track 1 -o "$SRC/a b/deep/data.iso" 2>/dev/null
"$DISCCONV" convert -q "$S" -o "$SRC/mixed.nrg"
"$DISCCONV" convert -q "$S" -o "$SRC/clone.ccd"
"$DISCCONV" extract-audio -q "$S" -o "$WORK/wav/"
"$DISCCONV" convert -q "$WORK/wav/sample (Track 02).wav" \
    "$WORK/wav/sample (Track 03).wav" -o "$SRC/music/album.cue"
# A cdrdao TOC over the data track's raw sectors.
"$DISCCONV" convert -q "$S" --track 1 --to bincue -o "$WORK/t1.cue"
cp "$WORK/t1.bin" "$SRC/toc/data track.bin"
printf 'CD_ROM\nTRACK MODE1_RAW\nDATAFILE "data track.bin"\n' > "$SRC/toc/disc.toc"
# Eleven tracks over the sample's bin: the split BINs get two digits.
python3 - "$SRC/a b/eleven.cue" <<'EOF'
import sys
def msf(lba): return "%02d:%02d:%02d" % (lba // 4500, lba // 75 % 60, lba % 75)
lines = ['FILE "sample.bin" BINARY', '  TRACK 01 MODE1/2352', '    INDEX 01 00:00:00']
for k in range(10):
    lines += ['  TRACK %02d AUDIO' % (k + 2), '    INDEX 01 ' + msf(535 + 70 * k)]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
EOF
# Hostile names: control characters, leading dots, over-long names, and
# CD-TEXT and FILE lines that point outside.
ctl=$(printf 'ctl\001x\033y')
cp "$SRC/a b/deep/data.iso" "$SRC/evil/$ctl.iso"
cp "$SRC/a b/deep/data.iso" "$SRC/evil/..hidden.iso"
long=$(python3 -c 'print("L" * 250)')
cp "$SRC/a b/deep/data.iso" "$SRC/evil/$long.iso"
cp "$WORK/sample/sample.bin" "$SRC/evil/payload.bin"
printf 'TITLE "../../../../outside"\nPERFORMER "/etc/passwd"\nFILE "../evil/payload.bin" BINARY\n  TRACK 01 MODE1/2352\n    TITLE "../../x"\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    TITLE "/abs/y"\n    INDEX 01 00:07:10\n' > "$SRC/evil/titles.cue"
# Containers made here: a mixed UIF and a DMG of the data track; UIFs whose
# stored cue sheet names its BIN ../../evil.bin and /abs/x.bin.
mkdir -p "$SRC/containers" "$WORK/uifcue"
"$DISCCONV" convert -q "$S" -o "$SRC/containers/mixed disc.uif"
"$DISCCONV" convert -q "$SRC/a b/deep/data.iso" -o "$SRC/containers/data.dmg"
for evil in ../../evil.bin /abs/x.bin; do
    name=$(basename "$evil" .bin)
    sed "s|FILE \"sample.bin\"|FILE \"$evil\"|" "$S" > "$WORK/uifcue/$name.cue"
    python3 "$top_srcdir/tests/mkuif.py" "$WORK/sample/sample.bin" \
        "$SRC/evil/uif-$name.uif" --sector 2352 --version 3 \
        --mixed "cue:$WORK/uifcue/$name.cue" \
        --tracks 1:data:0,2:audio:535,3:audio:1285
done
# Two images of one name in one folder.
cp "$SRC/mixed.nrg" "$SRC/a b/deep/data.nrg"
# Broken and not images.
head -c 300000 "$SRC/a b/deep/data.iso" > "$SRC/truncated.iso"
echo "no image here" > "$SRC/a b/readme.txt"
: > "$SRC/empty.dat"
if have_corpus; then
    mkdir -p "$SRC/corpus"
    cp -R "$CORPUS/nrg" "$CORPUS/dmg" "$CORPUS/iso" "$SRC/corpus/"
    mkdir -p "$SRC/corpus/bincue"
    cp "$CORPUS"/bincue/libcdio/isofs-m1.* "$CORPUS"/bincue/libcdio/cdda.* \
        "$SRC/corpus/bincue/"
    cp -R "$CORPUS/bincue/libcdio-cdtext-2011" "$SRC/corpus/"
fi

tree_sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha1sum
               find . -printf '%p %s %T@\n' | sort); }
tree_sums "$SRC" > "$WORK/src.before"
ls -A "$WORK" > "$WORK/work.before"

D=$WORK/dest
run normalize -j 2 "$SRC" -o "$D"
check "a run with a broken image exits 10 (some failed)" test "$rc" -eq 10
tree_sums "$SRC" > "$WORK/src.after"
check "no source was touched (sums, sizes, dates)" \
    cmp "$WORK/src.before" "$WORK/src.after"
ls -A "$WORK" | grep -v -x -e dest -e out -e err -e check.out -e src.after -e work.after \
    > "$WORK/work.after"
check "nothing is written outside DEST (CD-TEXT titles name ../ and /)" \
    cmp "$WORK/work.before" "$WORK/work.after"
check "no /abs/y from a CD-TEXT title" test ! -e /abs/y
check "the summary counts the files that are no image (readme, empty...)" \
    grep -q "[2-9] files are no image" "$WORK/out"
check "the truncated image is reported on stderr" \
    grep -q "failed: .*truncated.iso: truncated" "$WORK/err"

R=$D/discconv-report.jsonl
# report_field IMAGE EXPR: a Python expression over the image's record r
report() { python3 - "$R" "$1" "$2" <<'EOF'
import json, sys
records = {}
for line in open(sys.argv[1]):
    r = json.loads(line); records[r["image"]] = r
r = records.get(sys.argv[2])
print(eval(sys.argv[3], {"r": r, "records": records}))
EOF
}
check "files that are no image are not in the report" \
    test "$(report x 'sum(1 for k in records if "readme" in k or "empty" in k)')" = 0
check "the truncated image is in the report, failed, with its error" \
    test "$(report truncated 'r["result"] + " " + r["error"]["status"]')" = "failed malformed input"
check "a data disc of one track is written as ISO, byte for byte" \
    cmp "$SRC/a b/deep/data.iso" "$D/a b/deep/data.iso"
check "the other image of that name gets its extension" \
    test -f "$D/a b/deep/data (nrg).cue"
check "the cue and its bin are one image, from the cue" \
    test "$(report 'a b/sample' 'r["source"].endswith("sample.cue") and len(r["files"]) == 2')" = True
check "no image is made of the bin alone" \
    test "$(report 'a b/sample' 'sum(1 for k in records if "sample" in k and "a b" in k)')" = 1
for f in "sample (Track 1).bin" "sample (Track 2).bin" "sample (Track 3).bin" sample.cue; do
    check "mixed BIN/CUE: $f" test -f "$D/a b/$f"
done
check "the split cue sheet has CRLF lines" \
    sh -c "test \"\$(grep -c \"\$(printf '\\r')\$\" '$D/a b/sample.cue')\" = \"\$(wc -l < '$D/a b/sample.cue')\""
check "eleven tracks: two digits" \
    test -f "$D/a b/eleven (Track 01).bin" -a -f "$D/a b/eleven (Track 11).bin"
check "the cue names the two-digit bins" \
    grep -q 'FILE "eleven (Track 11).bin" BINARY' "$D/a b/eleven.cue"
check "NRG, CloneCD and TOC images are converted" \
    test -f "$D/mixed.cue" -a -f "$D/clone.cue" -a -f "$D/toc/disc.iso"
check "a DMG of a data disc is written as the ISO it holds, byte for byte" \
    cmp "$SRC/a b/deep/data.iso" "$D/containers/data.iso"
for t in 1 2 3; do
    check "a mixed UIF: track $t's BIN is the BIN/CUE source's" \
        cmp "$D/containers/mixed disc (Track $t).bin" "$D/a b/sample (Track $t).bin"
done
check "a UIF whose stored cue names ../../evil.bin writes only its own names" \
    test "$(report evil/uif-evil '" ".join(r["outputs"])')" = "evil/uif-evil (Track 1).bin evil/uif-evil (Track 2).bin evil/uif-evil (Track 3).bin evil/uif-evil.cue"
check "... and one whose cue names /abs/x.bin" \
    test "$(report evil/uif-x '" ".join(r["outputs"])')" = "evil/uif-x (Track 1).bin evil/uif-x (Track 2).bin evil/uif-x (Track 3).bin evil/uif-x.cue"
check "no /abs/x.bin and no evil.bin above DEST" \
    test ! -e /abs/x.bin -a ! -e "$WORK/evil.bin" -a ! -e "$(dirname "$WORK")/evil.bin"
check "an audio disc: a sound file per track and a cue sheet" \
    test -f "$D/music/album (Track 01).wav" -a -f "$D/music/album (Track 02).wav" -a -f "$D/music/album.cue"
# Per-track hashes in the report are those of the split bins.
python3 - "$R" "$D" > "$WORK/hashes" <<'EOF'
import hashlib, json, sys, zlib
bad = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["written_as"] != "BIN/CUE, one BIN per track":
        continue
    bins = sorted(o for o in r["outputs"] if o.endswith(".bin"))
    for t, b in zip(r["tracks"], bins):
        data = open(sys.argv[2] + "/" + b, "rb").read()
        if (t["sha1"], t["md5"], t["crc32"], t["size"]) != (
                hashlib.sha1(data).hexdigest(), hashlib.md5(data).hexdigest(),
                "%08x" % zlib.crc32(data), len(data)):
            bad += 1; print("differs:", b)
print("bad", bad)
EOF
check "the report's per-track CRC-32/MD5/SHA-1 are the split bins'" \
    grep -qx "bad 0" "$WORK/hashes"
check "a control character in a source name becomes _" \
    test -f "$D/evil/ctl_x_y.iso"
check "a leading dot becomes _" test -f "$D/evil/_.hidden.iso"
check "an over-long name is cut to 200 bytes" \
    test -f "$D/evil/$(python3 -c 'print("L" * 200)').iso"
check "CD-TEXT titles and FILE lines name no output" \
    test "$(report evil/titles '" ".join(r["outputs"])')" = "evil/titles (Track 1).bin evil/titles (Track 2).bin evil/titles.cue"
check "every output lies under DEST, as the report lists them" \
    test "$(report truncated 'all(not o.startswith("/") and ".." not in o.split("/") for x in records.values() for o in x["outputs"])')" = True
check "no temporary file is left" \
    test -z "$(find "$D" -name '.*.??????' ! -path '*/.discconv*')"

# A second run skips everything and writes nothing.
find "$D" -type f ! -path '*/.discconv/*' -printf '%p %T@\n' | sort > "$WORK/d.before"
run normalize -j 2 "$SRC" -o "$D"
check "the second run converts nothing" grep -q " 0 converted" "$WORK/out"
check "the second run says each image is up to date" \
    sh -c "! grep -q '^converted' '$WORK/out' && grep -q '^skipped *a b/sample: up to date' '$WORK/out'"
find "$D" -type f ! -path '*/.discconv/*' ! -name discconv-report.jsonl -printf '%p %T@\n' | sort > "$WORK/d.after"
grep -v discconv-report.jsonl "$WORK/d.before" > "$WORK/d.before2"
check "the second run rewrote no output" cmp "$WORK/d.before2" "$WORK/d.after"
# A changed output is converted again.
printf 'x' >> "$D/clone.cue"
run normalize -j 2 "$SRC" -o "$D"
check "an output that no longer matches its hash is converted again" \
    grep -q "^converted *clone:" "$WORK/out"
run normalize --dry-run "$SRC" -o "$D"
check "--dry-run shows what is up to date" grep -q "^up-to-date .*mixed.nrg" "$WORK/out"

# --as must stay inside DEST.
run normalize --one "$SRC/mixed.nrg" --as ../x -o "$D"
check "--as with .. is refused (exit 2)" test "$rc" -eq 2
run normalize --one "$SRC/mixed.nrg" --as /tmp/x -o "$D"
check "--as absolute is refused (exit 2)" test "$rc" -eq 2

# --audio-format
run normalize -q --audio-format flac "$SRC/music" -o "$WORK/flac"
check "--audio-format flac writes FLAC" \
    test "$rc" -eq 0 -a -f "$WORK/flac/album (Track 01).flac"

# A failure is not remembered: a locked image that failed converts once
# the password is given.
if have openssl; then
    L=$WORK/locked
    mkdir -p "$L"
    "$DISCCONV" convert -q "$SRC/a b/deep/data.iso" -o "$WORK/plain.dmg"
    python3 "$top_srcdir/tests/mkencdmg.py" "$WORK/plain.dmg" "$L/locked.dmg" secret
    run normalize -q "$L" -o "$WORK/unlocked"
    check "a locked DMG without --password fails (exit 10)" test "$rc" -eq 10
    run normalize "$L" -o "$WORK/unlocked"
    check "a re-run tries the failed image again" \
        sh -c "[ $rc -eq 10 ] && grep -q '^failed *locked: ' '$WORK/out'"
    run normalize -q --password secret "$L" -o "$WORK/unlocked"
    check "with --password the image that failed converts" \
        sh -c "[ $rc -eq 0 ] && cmp '$SRC/a b/deep/data.iso' '$WORK/unlocked/locked.iso'"
    run normalize --password secret "$L" -o "$WORK/unlocked"
    check "and the next run skips it as up to date" \
        sh -c "[ $rc -eq 0 ] && grep -q '^skipped *locked: up to date' '$WORK/out'"
else
    skip "openssl missing: no encrypted DMG"
fi

# GNU parallel runs a plan: the same outputs and, merged, the same report.
if have parallel; then
    P=$WORK/dest-plan
    # Made with relative paths, run from another folder.
    (cd "$WORK" && "$DISCCONV" normalize --plan src -o dest-plan) > "$WORK/plan"
    check "the plan's lines name SRC and DEST by absolute paths" \
        python3 -c "import shlex, sys
for line in open('$WORK/plan'):
    w = shlex.split(line)
    src = w[w.index('--one') + 1] if '--one' in w else bytes.fromhex(w[w.index('--one-hex') + 1]).decode()
    if not (src.startswith('/') and w[w.index('-o') + 1] == '$P'): sys.exit(line)"
    check "the plan has one line per image" \
        test "$(wc -l < "$WORK/plan")" = "$(wc -l < "$R")"
    check "a path with control characters goes in hex" grep -q -- '--one-hex ' "$WORK/plan"
    bindir=$(cd "$(dirname "$DISCCONV")" && pwd)
    (cd / && PATH=$bindir:$PATH parallel -j 2 < "$WORK/plan" > "$WORK/parallel.out" 2>&1)
    run normalize --merge "$P"
    check "--merge exits 10 too: an image failed" test "$rc" -eq 10
    check "a plan run by GNU parallel writes the same outputs" \
        diff -r -x .discconv -x discconv-report.jsonl "$D" "$P"
    sed 's/"seconds": [0-9.]*//' "$R" > "$WORK/r1"
    sed 's/"seconds": [0-9.]*//' "$P/discconv-report.jsonl" > "$WORK/r2"
    check "and, merged, the same report (but for the timings)" cmp "$WORK/r1" "$WORK/r2"
else
    skip "GNU parallel is not installed"
fi

# --merge leaves out the image whose source has gone since the plan ran.
G=$WORK/gone
mkdir -p "$G"
cp "$SRC/a b/deep/data.iso" "$G/kept.iso"
cp "$SRC/a b/deep/data.iso" "$G/removed.iso"
"$DISCCONV" normalize --plan "$G" -o "$WORK/gone-dest" > "$WORK/gone.plan"
bindir=$(cd "$(dirname "$DISCCONV")" && pwd)
PATH=$bindir:$PATH sh "$WORK/gone.plan" > /dev/null 2>&1
rm "$G/removed.iso"
run normalize --merge "$WORK/gone-dest"
check "--merge leaves out an image whose source is gone, and says so" \
    sh -c "[ $rc -eq 0 ] && grep -q '^left out: 1 image whose source is gone' '$WORK/out' && grep -q '\"image\": \"kept\"' '$WORK/gone-dest/discconv-report.jsonl' && ! grep -q removed '$WORK/gone-dest/discconv-report.jsonl'"

run normalize --plan --password secret "$SRC" -o "$WORK/dest-plan"
check "--plan with --password is refused (exit 2), no password printed" \
    sh -c "[ $rc -eq 2 ] && grep -q 'the plan would hold the password' '$WORK/err' && [ ! -s '$WORK/out' ]"
(cd "$WORK" && "$DISCCONV" normalize "$SRC/music" -o - >"$WORK/out" 2>"$WORK/err")
rc=$?
check "-o - is refused (exit 2), no folder named -" \
    sh -c "[ $rc -eq 2 ] && [ ! -e '$WORK/-' ] && grep -q 'not to standard output' '$WORK/err'"
"$DISCCONV" normalize --help > "$WORK/help"
check "normalize's help: -o is a folder, not standard output" \
    sh -c "grep -q -- '-o, --output DEST' '$WORK/help' && ! grep -q 'standard output' '$WORK/help'"

# Interrupting: SIGTERM to the run, then SIGKILL to a worker.
B=$WORK/big
mkdir -p "$B"
python3 -c '
import os, sys
for i in range(6):
    b = bytearray(os.urandom(24 << 20)); b[32768:32775] = b"\x01CD001\x01"
    open(sys.argv[1] + "/img%d.iso" % i, "wb").write(b)' "$B"
# no_partial DEST: every output there is one a finished image recorded
no_partial() {
    find "$1" -type f ! -path '*/.discconv/*' ! -name discconv-report.jsonl |
        sed "s|^$1/||" | sort > "$WORK/present"
    cat "$1"/.discconv/state/* 2>/dev/null | awk '$1 == "output" {print $4}' |
        python3 -c 'import sys, urllib.parse; [print(urllib.parse.unquote(l.strip())) for l in sys.stdin]' |
        sort > "$WORK/recorded"
    ! grep -l '^status pending' "$1"/.discconv/state/* >/dev/null 2>&1 &&
        cmp -s "$WORK/present" "$WORK/recorded" &&
        test -z "$(find "$1" -name '.*.??????')"
}
I=$WORK/int
"$DISCCONV" normalize -q -j 1 --keep-bincue "$B" -o "$I" 2>/dev/null &
pid=$!
sleep 0.8
kill -TERM $pid
wait $pid
rc=$?
if [ "$rc" -eq 0 ]; then
    skip "the run ended before SIGTERM reached it"
else
    check "SIGTERM: the run exits 130" test "$rc" -eq 130
    check "SIGTERM: no partial output or temporary file" no_partial "$I"
fi
run normalize -q -j 2 --keep-bincue "$B" -o "$I"
check "the next run completes the rest" \
    test "$rc" -eq 0 -a "$(ls "$I"/*.cue | wc -l)" -eq 6
K=$WORK/killed
"$DISCCONV" normalize -q -j 1 --keep-bincue "$B" -o "$K" 2>"$WORK/kill.err" &
pid=$!
# Caught in the act: the worker is stopped, and killed only while its
# image's state says "pending" (it is writing); otherwise it goes on and
# the poll tries again (bounded: 60 s).
child=
for i in $(seq 1 1200); do
    sleep 0.05
    c=$(pgrep -P $pid | head -1)
    [ -n "$c" ] || continue
    kill -STOP "$c" 2>/dev/null || continue
    if grep -q '^status pending' "$K"/.discconv/state/* 2>/dev/null; then
        kill -KILL "$c"
        child=$c
        break
    fi
    kill -CONT "$c"
done
wait $pid
rc=$?
check "a worker was caught writing and killed" \
    sh -c "[ -n '$child' ] && grep -q 'its worker was killed (signal 9)' '$WORK/kill.err'"
check "a killed worker: its image fails (exit 10), the run goes on" \
    test "$rc" -eq 10
check "a killed worker leaves no partial output" no_partial "$K"
run normalize -q -j 2 --keep-bincue "$B" -o "$K"
check "after a killed worker the next run completes" \
    test "$rc" -eq 0 -a "$(ls "$K"/*.cue | wc -l)" -eq 6
finish
