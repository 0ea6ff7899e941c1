#!/bin/sh
# The output modes: page-cache writes by default, durable outputs with
# --sync, and one file down standard output with -o -.  Every workload
# writes the same bytes in each mode, --sync really syncs (strace), and a
# stream refuses what it cannot hold before writing a byte.
. "$(dirname "$0")/lib.sh"
make_sample
S=$WORK/sample
mkdir -p "$WORK/in"
# 5000 sectors: several chunks, so several workers take part.
python3 -c 'import sys
open(sys.argv[1], "wb").write(bytes(i * 13 % 253 for i in range(5000 * 2048)))' "$WORK/in/disc.iso"
printf '\001CD001\001' | dd of="$WORK/in/disc.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
"$DISCCONV" convert -q "$WORK/in/disc.iso" -o "$WORK/in/disc.cue"
"$DISCCONV" convert -q "$WORK/in/disc.iso" -o "$WORK/in/disc.nrg"
"$DISCCONV" convert -q "$WORK/in/disc.iso" -o "$WORK/in/disc.img"
"$DISCCONV" convert -q "$WORK/in/disc.iso" --cooked -o "$WORK/in/cooked.cue"

# both NAME INPUT TARGET [OPTIONS...]: converts in each mode into its own
# folder; the folders must hold the same files with the same bytes.
both() {
    name=$1 input=$2 target=$3; shift 3
    for m in buffered sync; do
        rm -rf "$WORK/$m"; mkdir "$WORK/$m"
        opt=; [ "$m" = sync ] && opt=--sync
        "$DISCCONV" convert -q $opt "$input" -o "$WORK/$m/$target" "$@" \
            2>"$WORK/err-$m" || { bad "$name ($m): exit $?"; cat "$WORK/err-$m"; return; }
    done
    check "$name: the same files, byte for byte, with and without --sync" \
        diff -r "$WORK/buffered" "$WORK/sync"
}
both "BIN/CUE to ISO (payloads picked out of raw sectors)" "$WORK/in/disc.cue" x.iso
check "BIN/CUE to ISO gives back the ISO" cmp "$WORK/in/disc.iso" "$WORK/sync/x.iso"
both "BIN/CUE to ISO, verified" "$WORK/in/disc.cue" x.iso --verify
both "ISO to BIN/CUE (EDC/ECC made)" "$WORK/in/disc.iso" x.cue
check "ISO to BIN/CUE gives the reference bin" cmp "$WORK/in/disc.bin" "$WORK/sync/x.bin"
both "ISO to split BIN/CUE" "$WORK/in/disc.iso" x.cue --split
both "NRG to ISO (stored bytes as they are)" "$WORK/in/disc.nrg" x.iso
check "NRG to ISO gives back the ISO" cmp "$WORK/in/disc.iso" "$WORK/sync/x.iso"
both "cooked BIN/CUE to ISO" "$WORK/in/cooked.cue" x.iso
both "raw IMG to BIN/CUE" "$WORK/in/disc.img" x.cue
both "ISO to NRG" "$WORK/in/disc.iso" x.nrg
both "mixed-mode disc to split BIN/CUE" "$S/sample.cue" x.cue --split
both "mixed-mode disc to ISO, audio beside it" "$S/sample.cue" x.iso
both "audio tracks to FLAC" "$S/sample.cue" x --to audio --format flac
both "audio tracks to WAV, pregaps prepended" "$S/sample.cue" x --to audio --pregap prepend

# A file system that takes O_DIRECT but refuses the writes
# (tests/fault_preload.c): --sync falls back to the page cache while the
# workers go on converting; the bytes are the same.  Under ThreadSanitizer
# this also checks that the fallback races with no worker.
PRELOAD=$top_builddir/tests/.libs/fault_preload.so
if [ -f "$PRELOAD" ]; then
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
    export ASAN_OPTIONS
    for t in x.iso x.cue; do
        input=$WORK/in/disc.cue want=$WORK/in/disc.iso
        [ "$t" = x.cue ] && input=$WORK/in/disc.iso want=$WORK/in/disc.bin
        rm -rf "$WORK/refused"; mkdir "$WORK/refused"
        LD_PRELOAD=$PRELOAD DC_FAULT_DIRECT_EINVAL=1 \
            "$DISCCONV" convert -q --sync "$input" -o "$WORK/refused/$t" 2>"$WORK/err"
        rc=$?
        check "--sync where O_DIRECT writes are refused: $t (exit $rc), the same bytes" \
            cmp "$want" "$WORK/refused/${t%.*}.${want##*.}"
    done
else
    skip "--sync where O_DIRECT writes are refused: $PRELOAD not built"
fi

# --- -o -: one file down standard output -----------------------------------------
# stream NAME WANT INPUT [OPTIONS...]: through a pipe and into a file given
# as standard output, the bytes equal the file WANT.
stream() {
    what=$1 want=$2 input=$3; shift 3
    "$DISCCONV" convert -q "$input" -o - "$@" 2>"$WORK/err" | cat > "$WORK/piped"
    check "$what: down a pipe, the same bytes as the file" cmp "$want" "$WORK/piped"
    "$DISCCONV" convert -q "$input" -o - "$@" > "$WORK/redirected" 2>"$WORK/err"
    check "$what: into a file as standard output, the same bytes" cmp "$want" "$WORK/redirected"
}
stream "BIN/CUE to ISO" "$WORK/in/disc.iso" "$WORK/in/disc.cue" --to iso
stream "NRG to ISO" "$WORK/in/disc.iso" "$WORK/in/disc.nrg" --to iso
"$DISCCONV" convert -q "$WORK/in/disc.iso" -o "$WORK/x.nrg"
stream "ISO to NRG" "$WORK/x.nrg" "$WORK/in/disc.iso" --to nrg
stream "ISO to raw IMG" "$WORK/in/disc.img" "$WORK/in/disc.iso" --to img
"$DISCCONV" convert -q "$S/sample.cue" --track 2 -o "$WORK/track2.img"
stream "one audio track's raw sectors" "$WORK/track2.img" "$S/sample.cue" --to img --track 2
"$DISCCONV" convert -q "$S/sample.cue" --track 1 -o "$WORK/track1.iso"
stream "the data track of a mixed-mode disc" "$WORK/track1.iso" "$S/sample.cue" --to iso --track 1

# One track as a sound file: the bytes of the file extract-audio writes.
for format in wav aiff; do
    "$DISCCONV" extract-audio -q "$S/sample.cue" --format $format -o "$WORK/tracks-$format"
    "$DISCCONV" extract-audio -q "$S/sample.cue" --tracks 3 --format $format -o - \
        2>"$WORK/err" | cat > "$WORK/piped.$format"
    check "extract-audio of one track as $format down a pipe: the file's bytes" \
        cmp "$WORK/tracks-$format/sample (Track 03).$format" "$WORK/piped.$format"
done
printf 'head' > "$WORK/appended"
"$DISCCONV" convert -q "$WORK/in/disc.nrg" -o - --to iso >> "$WORK/appended" 2>"$WORK/err"
check "appended to a file, the output follows what was there" \
    sh -c "printf head | cat - '$WORK/in/disc.iso' | cmp - '$WORK/appended'"
check "-o - names no file on standard output and leaves no file named -" \
    sh -c "! grep -q wrote '$WORK/err' && [ ! -e ./- ]"

# refused NAME [ARGS...]: exit 2, one line on stderr (and the pointer to
# --help), nothing sent.
refused() {
    name=$1; shift
    "$DISCCONV" "$@" > "$WORK/sent" 2>"$WORK/err"
    rc=$?
    if [ "$rc" -eq 2 ] && [ ! -s "$WORK/sent" ] &&
       [ "$(grep -vc "^Try 'discconv [a-z-]* *--help'" "$WORK/err")" -eq 1 ]; then
        ok "-o - refused: $name"
    else
        bad "-o - refused: $name (exit $rc, $(wc -c < "$WORK/sent") bytes sent)"
        sed 's/^/    /' "$WORK/err"
    fi
}
refused "BIN/CUE is several files" convert "$WORK/in/disc.iso" -o - --to bincue
refused "an ISO whose audio goes beside it" convert "$S/sample.cue" -o - --to iso
refused "two audio tracks make two sound files" extract-audio "$S/sample.cue" -o -
refused "FLAC rewrites its header" extract-audio "$S/sample.cue" --tracks 2 --format flac -o -
refused "no target format" convert "$WORK/in/disc.iso" -o -
cp "$WORK/in/disc.iso" "$WORK/self.iso"
"$DISCCONV" convert "$WORK/self.iso" -o - --to iso >> "$WORK/self.iso" 2>"$WORK/err"
rc=$?
check "-o - refused: standard output is the input (exit $rc)" \
    sh -c "[ $rc -eq 2 ] && cmp '$WORK/self.iso' '$WORK/in/disc.iso'"
if have script; then
    script -qec "'$DISCCONV' convert '$WORK/in/disc.iso' -o - --to iso; echo rc=\$?" \
        /dev/null > "$WORK/tty" 2>&1
    check "-o - refused: standard output is a terminal" grep -q "rc=2" "$WORK/tty"
else
    skip "-o - to a terminal: no script(1)"
fi

# Ctrl-C while the output is stuck in a full pipe: once the reader takes
# it, discconv stops with exit 130 and one line.
truncate -s $((100000 * 2048)) "$WORK/big.iso"
printf '\001CD001\001' | dd of="$WORK/big.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
(
    "$DISCCONV" convert -q "$WORK/big.iso" -t img -o - 2>"$WORK/err" &
    echo $! > "$WORK/pid"
    wait $!
    echo $? > "$WORK/rc"
) | { sleep 1; kill -INT "$(cat "$WORK/pid")"; sleep 0.5; cat > /dev/null; }
check "-o -: interrupted while the pipe is full, exit 130 with one line" \
    sh -c "[ \"\$(cat '$WORK/rc')\" = 130 ] && [ \"\$(wc -l < '$WORK/err')\" -eq 1 ]"

# --- --sync really syncs ------------------------------------------------------------
if have strace && strace -f -o /dev/null true 2>/dev/null; then
    # LeakSanitizer cannot work under ptrace; the rest of ASan can.
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    export ASAN_OPTIONS
    trace() { # OUTDIR ARGS...: the sync calls and renames, one per line
        dir=$1; shift
        rm -rf "$dir"; mkdir "$dir"
        strace -f -qq -e trace=fsync,fdatasync,renameat2,rename,link -o "$WORK/trace" \
            "$DISCCONV" "$@" >/dev/null 2>&1
        sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' "$WORK/trace" | tr '\n' ' '
    }
    calls=$(trace "$WORK/t" convert -q "$WORK/in/disc.cue" -o "$WORK/t/x.iso")
    check "without --sync nothing is fsynced (calls: $calls)" \
        sh -c "[ '$calls' = 'renameat2 ' ]"
    calls=$(trace "$WORK/t" convert -q --sync "$WORK/in/disc.cue" -o "$WORK/t/x.iso")
    check "with --sync the file is fsynced, renamed, then its folder fsynced (calls: $calls)" \
        sh -c "[ '$calls' = 'fsync renameat2 fsync ' ]"
    calls=$(trace "$WORK/t" convert -q --sync "$WORK/in/disc.iso" -o "$WORK/t/x.cue")
    check "with --sync every file of a set is fsynced before any rename (calls: $calls)" \
        sh -c "[ '$calls' = 'fsync fsync renameat2 renameat2 fsync ' ]"
    calls=$(trace "$WORK/t" extract-audio -q --sync "$S/sample.cue" -o "$WORK/t/new")
    check "with --sync a folder made for the outputs is recorded in its parent (calls: $calls)" \
        sh -c "[ '$calls' = 'fsync fsync fsync renameat2 renameat2 renameat2 fsync fsync ' ]"
    rm -f "$WORK/t/s.iso"
    strace -f -qq -e trace=fsync -o "$WORK/trace" \
        "$DISCCONV" convert -q --sync "$WORK/in/disc.nrg" -o - --to iso > "$WORK/t/s.iso" 2>/dev/null
    check "with --sync a file given as standard output is fsynced" grep -q '^[0-9]* *fsync(1)' "$WORK/trace"
else
    skip "--sync calls: strace cannot trace here"
fi
finish
