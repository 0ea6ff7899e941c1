#!/bin/sh
# Benchmarks discconv beside the peer tools and a plain copy, measured in
# the same run on the same files.  Prints the median of RUNS runs of each
# command, throughput in MB/s of input, the ratio to `cat` copying the same
# input, and peak memory.
#
# usage: bench/bench.sh            (RUNS=5 SECTORS=280000 BENCH_DIR=...)
# Needs discconv built (make), bchunk, and GNU time (/usr/bin/time).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
discconv=${DISCCONV:-$here/../discconv}
runs=${RUNS:-5}
sectors=${SECTORS:-280000}   # 573 MB as ISO, 659 MB as BIN
dir=${BENCH_DIR:-/var/tmp/discconv-bench}

[ -x "$discconv" ] || { echo "bench: build discconv first (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$dir"
trap 'rm -rf "$dir/out"' EXIT

# The inputs: an ISO of random sectors (with a volume descriptor so it is
# detected as one), and the raw MODE1/2352 BIN/CUE discconv makes of it.
if [ ! -f "$dir/in.iso" ] || [ "$(wc -c < "$dir/in.iso")" -ne $((sectors * 2048)) ]; then
    echo "making a $((sectors * 2048 / 1000000)) MB ISO in $dir ..." >&2
    rm -f "$dir"/in.*
    head -c $((sectors * 2048)) /dev/urandom > "$dir/in.iso"
    printf '\001CD001\001' | dd of="$dir/in.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
    "$discconv" convert -q "$dir/in.iso" -o "$dir/in.cue"
fi

# measure LABEL COMMAND...: runs it RUNS times in a fresh output folder,
# flushing dirty pages between runs (untimed), and records the median
# wall time and the largest peak RSS.
measure() {
    label=$1; shift
    : > "$dir/times"
    i=0
    while [ "$i" -lt "$runs" ]; do
        rm -rf "$dir/out"; mkdir "$dir/out"; sync
        (cd "$dir/out" && /usr/bin/time -f "%e %M" -o "$dir/one" "$@" >/dev/null 2>&1)
        cat "$dir/one" >> "$dir/times"
        i=$((i + 1))
    done
    median=$(sort -n "$dir/times" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
    rss=$(awk '$2 > m { m = $2 } END { print m }' "$dir/times")
    echo "$label $median $rss" >> "$dir/results"
}

report() { # WORKLOAD INPUT_BYTES: prints the rows measured for it
    awk -v w="$1" -v bytes="$2" '
        NR == 1 { floor = $2 }
        { printf "%-22s %-28s %8.3f %9.1f %8.2fx %8.1f\n", w, $1, $2,
                 bytes / 1e6 / ($2 > 0 ? $2 : 0.001), $2 / (floor > 0 ? floor : 0.001), $3 / 1024 }
    ' "$dir/results"
    : > "$dir/results"
}

: > "$dir/results"
printf '%-22s %-28s %8s %9s %9s %8s\n' workload tool "median s" "MB/s in" "vs cat" "RSS MB"

bin_bytes=$(wc -c < "$dir/in.bin")
measure "cat(copy-floor)" sh -c "cat '$dir/in.bin' > copy.bin"
measure "cat+fsync(durable-floor)" sh -c "cat '$dir/in.bin' > copy.bin && sync copy.bin"
if command -v bchunk >/dev/null; then
    measure "bchunk" bchunk "$dir/in.bin" "$dir/in.cue" out
fi
measure "discconv" "$discconv" convert -q "$dir/in.cue" -o out.iso
report "BIN(MODE1/2352)->ISO" "$bin_bytes"

iso_bytes=$(wc -c < "$dir/in.iso")
measure "cat(copy-floor)" sh -c "cat '$dir/in.iso' > copy.iso"
measure "cat+fsync(durable-floor)" sh -c "cat '$dir/in.iso' > copy.iso && sync copy.iso"
measure "discconv" "$discconv" convert -q "$dir/in.iso" -o out.cue
report "ISO->BIN/CUE(+EDC/ECC)" "$iso_bytes"

echo "($runs runs each, median wall time; ratios against cat in the same run;"
echo " discconv fsyncs its outputs before renaming them into place, cat does not)"
