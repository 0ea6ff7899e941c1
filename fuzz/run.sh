#!/bin/sh
# Runs the libFuzzer targets (built by ./configure --enable-fuzzing CC=clang
# and make): each for SECONDS, FUZZ_JOBS (default: the number of CPUs) at
# a time, niced, starting from the seeds fuzz/make-seeds.sh makes, the
# corpus earlier runs grew and every crash input kept in fuzz/regressions/
# (so a run also replays them).  Prints executions, coverage and CPU time
# per target.  Exits 1 if a target failed: its input is then in
# FUZZ_WORK/crashes/TARGET/; once the bug is fixed, keep it as
# fuzz/regressions/TARGET/NAME so that `make check` replays it for good.
#
# usage: fuzz/run.sh SECONDS [TARGET...]   (make fuzz FUZZ_SECONDS=N)
#   FUZZ_WORK   corpora, crashes and logs (default: fuzz/work in the build tree)
#   FUZZ_JOBS   targets run at once
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
[ $# -ge 1 ] || { echo "usage: fuzz/run.sh SECONDS [TARGET...]" >&2; exit 2; }
seconds=$1; shift
targets=${*:-cue toc bincue probe iso img nrg audio sector cdtext ccd codec adc lzfse dmg uif}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
work=${FUZZ_WORK:-$top_builddir/fuzz/work}

for t in $targets; do
    [ -x "$top_builddir/fuzz/fuzz-$t" ] || {
        echo "fuzz/run.sh: $top_builddir/fuzz/fuzz-$t not built (./configure --enable-fuzzing CC=clang && make)" >&2
        exit 2
    }
done

# Inputs each target reads: a cue sheet is small, an image needs its
# volume descriptors (sector 16 on) or its chunks.
max_len() {
    case $1 in
        cue | toc) echo 16384 ;;
        sector | cdtext) echo 8192 ;;
        probe | audio) echo 65536 ;;
        iso) echo $((264 * 2048)) ;; # past the UDF anchor at block 256
        *) echo 131072 ;;
    esac
}
dict() {
    case $1 in
        cue | bincue | toc) echo "$here/cue.dict" ;;
        iso | img) echo "$here/iso.dict" ;;
        nrg) echo "$here/nrg.dict" ;;
        lzfse) echo "$here/lzfse.dict" ;;
        audio) echo "$here/audio.dict" ;;
        probe) cat "$here"/*.dict > "$work/probe.dict"; echo "$work/probe.dict" ;;
    esac
}

mkdir -p "$work/logs"
rm -rf "$work/seeds"
DISCCONV=${DISCCONV:-$top_builddir/discconv} GEN_TONE=${GEN_TONE:-$top_builddir/data/gen-tone} \
    "$here/make-seeds.sh" "$work/seeds" >/dev/null
# The targets' scratch files: on tmpfs where there is one.
scratch_base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && scratch_base=/dev/shm
scratch=$(mktemp -d "$scratch_base/discconv-fuzz-run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM HUP

run_target() {
    t=$1
    mkdir -p "$work/corpus/$t" "$work/crashes/$t" "$scratch/$t"
    set -- -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/crashes/$t/"
    d=$(dict "$t")
    [ -z "$d" ] || set -- "$@" -dict="$d"
    set -- "$@" "$work/corpus/$t" "$work/seeds/$t"
    [ ! -d "$top_srcdir/fuzz/regressions/$t" ] || set -- "$@" "$top_srcdir/fuzz/regressions/$t"
    set -- "$top_builddir/fuzz/fuzz-$t" "$@"
    # GNU time (a benchmark dependency too) measures the CPU time spent.
    [ ! -x /usr/bin/time ] || set -- /usr/bin/time -f '%U %S' -o "$work/logs/$t.cpu" "$@"
    rc=0
    TMPDIR=$scratch/$t nice -n 10 "$@" >"$work/logs/$t.log" 2>&1 || rc=$?
    echo "$rc" > "$work/logs/$t.rc"
}

# FUZZ_JOBS lanes, each running its share of the targets in turn.
lane=0
while [ "$lane" -lt "$jobs" ]; do
    (
        i=0
        for t in $targets; do
            [ $((i % jobs)) -eq "$lane" ] && run_target "$t"
            i=$((i + 1))
        done
    ) &
    lane=$((lane + 1))
done
wait

failed=0
printf '%-8s %-7s %12s %7s %8s %8s %8s\n' target result executions cov ft corpus "cpu s"
for t in $targets; do
    log=$work/logs/$t.log
    rc=$(cat "$work/logs/$t.rc" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    cpu=$(tail -1 "$work/logs/$t.cpu" 2>/dev/null | awk '{ printf "%.0f", $1 + $2 }')
    result=ok
    if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$work/crashes/$t")" ]; then
        result=FAILED
        failed=1
    fi
    printf '%-8s %-7s %12s %7s %8s %8s %8s\n' "$t" "$result" "${execs:--}" "${cov:--}" \
        "${ft:--}" "$(ls "$work/corpus/$t" | wc -l)" "${cpu:--}"
done
if [ "$failed" -ne 0 ]; then
    for t in $targets; do
        [ -z "$(ls -A "$work/crashes/$t")" ] && [ "$(cat "$work/logs/$t.rc")" -eq 0 ] && continue
        echo "== $t: $work/logs/$t.log"
        grep -E -A25 '^==[0-9]+==ERROR|^SUMMARY|^bad |^sector codec|^codec |^INFO: Running with|deadly signal|Test unit written' \
            "$work/logs/$t.log" | head -60
        echo "crash inputs: $(ls "$work/crashes/$t")"
    done
fi
exit "$failed"
