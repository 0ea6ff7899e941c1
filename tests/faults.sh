#!/bin/sh
# Nothing is lost when things go wrong mid-conversion: a full disk (the
# file size limit, and a small tmpfs where we may mount one), a read error
# half-way through the input (tests/fault_preload.c), an interruption.
# Each must exit with the documented code, leave no output and no
# temporary file, and never touch the input.  An existing output stays
# unless --force, and --force replaces it atomically: a forced conversion
# that fails leaves the old file whole.  DC_OUTPUT_MODE=--sync runs it all
# with durable outputs (tests/faults-sync.sh).
. "$(dirname "$0")/lib.sh"
mode=${DC_OUTPUT_MODE:-}

PRELOAD=$top_builddir/tests/.libs/fault_preload.so
mkdir -p "$WORK/in"
# A 4 MB ISO of counting data, its raw BIN/CUE, an NRG and a raw IMG.
python3 -c 'import sys
open(sys.argv[1], "wb").write(bytes(i * 7 % 251 for i in range(2000 * 2048)))' "$WORK/in/disc.iso"
printf '\001CD001\001' | dd of="$WORK/in/disc.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
"$DISCCONV" convert $mode -q "$WORK/in/disc.iso" -o "$WORK/in/disc.cue"
"$DISCCONV" convert $mode -q "$WORK/in/disc.iso" -o "$WORK/in/disc.nrg"
"$DISCCONV" convert $mode -q "$WORK/in/disc.iso" -o "$WORK/in/disc.img"
"$GEN_TONE" 600 440 660 > "$WORK/in/audio.bin"
printf 'FILE "audio.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' > "$WORK/in/audio.cue"
sums() { cksum "$WORK"/in/* ; }
inputs=$(sums)

# after NAME CODE OUTDIR: the exit code, one line on stderr, nothing in
# OUTDIR but what was there before (KEEP: "name cksum" lines), inputs
# untouched.
after() {
    what=$1 want=$2 dir=$3
    problem=
    if [ "$rc" -ne "$want" ]; then
        problem="exit $rc, expected $want"
    elif [ "$(wc -l < "$WORK/err")" -ne 1 ]; then
        problem="$(wc -l < "$WORK/err") lines on stderr"
    elif [ "$(listing "$dir")" != "$KEEP" ]; then
        problem="left in the output folder: $(ls -A "$dir" | tr '\n' ' ')"
    elif [ "$(sums)" != "$inputs" ]; then
        problem="an input changed"
    fi
    what="$what${mode:+ ($mode)}"
    if [ -z "$problem" ]; then ok "$what (exit $rc)"; else
        bad "$what: $problem"; sed 's/^/    /' "$WORK/err" | head -5; fi
    KEEP=
}
KEEP=
# listing DIR: its files with their checksums, for KEEP.
listing() { (cd "$1" && ls -A | while read -r f; do echo "$f $(cksum < "$f")"; done); }

# fresh NAME: an empty output folder.
fresh() { rm -rf "$WORK/out/$1"; mkdir -p "$WORK/out/$1"; echo "$WORK/out/$1"; }

# --- a full disk: the file size limit -------------------------------------------
# Past the limit the kernel sends SIGXFSZ; discconv ignores it, so the write
# fails with EFBIG and is reported like a full disk (exit 6).
fsize() { # NAME INPUT OUTPUT-NAME [OPTIONS...]
    name=$1 input=$2 target=$3; shift 3
    out=$(fresh "fsize-$name")
    (ulimit -f 100; exec "$DISCCONV" convert $mode -q "$input" -o "$out/$target" "$@") \
        >/dev/null 2>"$WORK/err"
    rc=$?
    after "file size limit: $name" 6 "$out"
}
fsize "BIN/CUE to ISO" "$WORK/in/disc.cue" x.iso
fsize "ISO to BIN/CUE" "$WORK/in/disc.iso" x.cue
fsize "ISO to split BIN/CUE" "$WORK/in/disc.iso" x.cue --split
fsize "ISO to NRG" "$WORK/in/disc.iso" x.nrg
fsize "ISO to raw IMG" "$WORK/in/disc.iso" x.img
fsize "NRG to ISO" "$WORK/in/disc.nrg" x.iso
fsize "audio to WAV" "$WORK/in/audio.cue" x --to audio
fsize "audio to FLAC" "$WORK/in/audio.cue" x --to audio --format flac

# --- a full disk: a 1 MiB tmpfs (root, where mounting is allowed) ---------------
full=$WORK/full
mkdir -p "$full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1m discconv-test "$full" 2>/dev/null; then
    trap 'umount "$full" 2>/dev/null; rm -rf "$WORK"' EXIT
    for t in x.iso x.cue x.nrg; do
        "$DISCCONV" convert $mode -q "$WORK/in/disc.iso" -o "$full/$t" >/dev/null 2>"$WORK/err"
        rc=$?
        after "full tmpfs: ISO to $t" 6 "$full"
    done
    umount "$full"
else
    skip "full tmpfs: cannot mount one here (needs root)"
fi

# --- a read error half-way through the input -------------------------------------
if [ -f "$PRELOAD" ]; then
    # The sanitizers' runtime wants to be loaded first; it need not be.
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
    export ASAN_OPTIONS
    eio() { # NAME AT CODE INPUT FILE-READ OUTPUT-NAME [OPTIONS...]
        name=$1 at=$2 code=$3 input=$4 read=$5 target=$6; shift 6
        out=$(fresh "eio-$name")
        LD_PRELOAD=$PRELOAD DC_FAULT_EIO_AT=$at \
            "$DISCCONV" convert $mode -q "$input" -o "$out/$target" "$@" >/dev/null 2>"$WORK/err"
        rc=$?
        after "read error: $name" "$code" "$out"
        [ "$rc" -ne 3 ] ||
            check "read error: $name: the message names $read and the offset" \
                grep -q "$read: read error at offset" "$WORK/err"
    }
    out=$(fresh control)
    LD_PRELOAD=$PRELOAD "$DISCCONV" convert $mode -q "$WORK/in/disc.cue" -o "$out/x.iso" 2>"$WORK/err"
    check "read error: without DC_FAULT_EIO_AT the shim changes nothing" \
        cmp "$WORK/in/disc.iso" "$out/x.iso"
    half=$((1000 * 2352))
    eio "BIN/CUE to ISO" "$half" 3 "$WORK/in/disc.cue" disc.bin x.iso
    eio "BIN/CUE to ISO, verified" "$half" 3 "$WORK/in/disc.cue" disc.bin x.iso --verify
    eio "ISO to BIN/CUE" $((1000 * 2048)) 3 "$WORK/in/disc.iso" disc.iso x.cue
    eio "NRG to ISO" $((1000 * 2048)) 3 "$WORK/in/disc.nrg" disc.nrg x.iso
    eio "raw IMG to BIN/CUE" "$half" 3 "$WORK/in/disc.img" disc.img x.cue
    eio "audio to WAV" $((300 * 2352)) 3 "$WORK/in/audio.cue" audio.bin x --to audio
    eio "while detecting the format" 0 3 "$WORK/in/disc.iso" disc.iso x.cue
    # A forced conversion that fails keeps the outputs it would replace.
    out=$(fresh eio-forced)
    "$DISCCONV" convert $mode -q "$WORK/in/disc.iso" -o "$out/x.cue" 2>/dev/null
    KEEP=$(listing "$out")
    LD_PRELOAD=$PRELOAD DC_FAULT_EIO_AT=$((1000 * 2048)) \
        "$DISCCONV" convert $mode -q -f "$WORK/in/disc.iso" -o "$out/x.cue" >/dev/null 2>"$WORK/err"
    rc=$?
    after "read error: --force keeps the old cue and bin whole" 3 "$out"
else
    skip "read error: $PRELOAD not built"
fi

# --- existing outputs --------------------------------------------------------------
out=$(fresh exists)
printf 'precious\n' > "$out/x.iso"
KEEP="x.iso $(cksum < "$out/x.iso")"
"$DISCCONV" convert $mode -q "$WORK/in/disc.cue" -o "$out/x.iso" >/dev/null 2>"$WORK/err"
rc=$?
after "an existing output is not replaced without --force" 6 "$out"
check "the refusal names --force" grep -q -- --force "$WORK/err"
KEEP="x.iso $(cksum < "$out/x.iso")"
(ulimit -f 100; exec "$DISCCONV" convert $mode -q -f "$WORK/in/disc.cue" -o "$out/x.iso") \
    >/dev/null 2>"$WORK/err"
rc=$?
after "a forced conversion that fails leaves the old output whole" 6 "$out"
# Replaced by a rename: a hard link to the old file keeps the old bytes.
ln "$out/x.iso" "$WORK/old-link"
"$DISCCONV" convert $mode -q -f "$WORK/in/disc.cue" -o "$out/x.iso" 2>"$WORK/err"
check "--force replaces the output" cmp "$WORK/in/disc.iso" "$out/x.iso"
check "--force replaces by renaming a complete file over it" \
    sh -c "[ \"\$(cat '$WORK/old-link')\" = precious ]"
check "--force leaves no temporary file" test -z "$(ls -A "$out" | grep '^\.')"

# --- an interruption ----------------------------------------------------------------
# A slow conversion (EDC/ECC for 400 000 sectors of a sparse ISO),
# interrupted once its temporary output exists; the one line on stderr
# tells discconv's own exit 130 from a death by the signal.
truncate -s $((400000 * 2048)) "$WORK/in/big.iso"
printf '\001CD001\001' | dd of="$WORK/in/big.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
inputs=$(sums)
out=$(fresh interrupted)
"$DISCCONV" convert $mode -q "$WORK/in/big.iso" -o "$out/x.cue" >/dev/null 2>"$WORK/err" &
pid=$!
tries=0
while [ -z "$(ls -A "$out")" ] && [ "$tries" -lt 200 ]; do sleep 0.05; tries=$((tries + 1)); done
kill -INT "$pid"
wait "$pid"
rc=$?
after "an interrupted conversion" 130 "$out"
finish
