# Shared by the benchmarks in bench/: sourced after setting nothing.
# Provides measure/report and the files every workload starts from.
#   RUNS (7)          runs of each command; the median is shown
#   SECTORS (280000)  image size: 573 MB as ISO, 659 MB as BIN
#   BENCH_DIR         where the inputs and outputs live (default
#                     /var/tmp/discconv-bench: a real disk, not tmpfs)
#   BENCH_ROWS_ONLY   set by bench/run-all.sh, which prints one header
#                     and footer for all the workloads' rows
set -eu
bench_here=$(cd "$(dirname "$0")" && pwd)
discconv=${DISCCONV:-$bench_here/../discconv}
runs=${RUNS:-7}
sectors=${SECTORS:-280000}
dir=${BENCH_DIR:-/var/tmp/discconv-bench}

[ -x "$discconv" ] || { echo "bench: build discconv first (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$dir"
trap 'rm -rf "$dir/out"' EXIT
: > "$dir/results"

# An ISO of random sectors (with a volume descriptor so it is detected as
# one) and the raw MODE1/2352 BIN/CUE discconv makes of it.
bench_make_iso() {
    if [ ! -f "$dir/in.iso" ] || [ "$(wc -c < "$dir/in.iso")" -ne $((sectors * 2048)) ]; then
        echo "making a $((sectors * 2048 / 1000000)) MB ISO in $dir ..." >&2
        rm -f "$dir"/in.*
        head -c $((sectors * 2048)) /dev/urandom > "$dir/in.iso"
        printf '\001CD001\001' | dd of="$dir/in.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
        "$discconv" convert -q "$dir/in.iso" -o "$dir/in.cue"
    fi
}

# measure LABEL COMMAND...: runs it RUNS times in a fresh output folder,
# flushing dirty pages between runs (untimed); records the median wall
# time and the largest peak RSS.
measure() {
    label=$1; shift
    : > "$dir/times"
    i=0
    while [ "$i" -lt "$runs" ]; do
        rm -rf "$dir/out"; mkdir "$dir/out"; sync
        (cd "$dir/out" && /usr/bin/time -f "%e %M" -o "$dir/one" "$@" >/dev/null 2>&1) ||
            { echo "bench: $label failed" >&2; exit 1; }
        cat "$dir/one" >> "$dir/times"
        i=$((i + 1))
    done
    median=$(sort -n "$dir/times" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
    rss=$(awk '$2 > m { m = $2 } END { print m }' "$dir/times")
    echo "$label $median $rss" >> "$dir/results"
}

# The copy floors every workload is held against: cat of the same input,
# plain and followed by an fsync (discconv makes its outputs durable).
measure_floors() { # INPUT
    measure "cat(copy-floor)" sh -c "cat '$1' > copy"
    measure "cat+fsync(durable-floor)" sh -c "cat '$1' > copy && sync copy"
}

report_header() {
    [ -z "${BENCH_ROWS_ONLY:-}" ] || return 0
    printf '%-24s %-26s %8s %9s %8s %7s\n' workload tool "median s" "MB/s in" "vs cat" "RSS MB"
}

report() { # WORKLOAD INPUT_BYTES: prints the rows measured since the last
    awk -v w="$1" -v bytes="$2" '
        NR == 1 { floor = $2 }
        { printf "%-24s %-26s %8.3f %9.1f %7.2fx %7.1f\n", w, $1, $2,
                 bytes / 1e6 / ($2 > 0 ? $2 : 0.001), $2 / (floor > 0 ? floor : 0.001), $3 / 1024 }
    ' "$dir/results"
    : > "$dir/results"
}

report_footer() {
    [ -z "${BENCH_ROWS_ONLY:-}" ] || return 0
    echo "($runs runs each, median wall time; 'vs cat' is the time over cat's"
    echo " in the same run; discconv fsyncs its outputs, cat does not)"
}
