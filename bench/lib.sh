# Shared by the benchmarks in bench/.  A workload script sources this,
# names its input (bench_input), its tools (bench_tool, bench_peer) and
# targets (bench_target), then calls bench_run.
#
# The machine is a shared VM whose disk and page-cache speed swing from
# run to run, so a ratio is only meaningful between runs made side by side:
# every tool of a workload is timed in the same session, round by round.
# Round i runs each tool once, starting one tool later than round i-1 so no
# tool always goes first; ratios are taken within a round, then medianed.
#
#   RUNS (7)          rounds
#   SECTORS (130000)  image size: a 306 MB MODE1/2352 BIN, a 266 MB ISO
#   BENCH_DIR         inputs and outputs (default /var/tmp/discconv-bench:
#                     a real disk, not tmpfs, so writeback is real)
#   DISCCONV          the binary (default: ../discconv beside bench/)
#   BENCH_ROWS_ONLY   set by bench/run-all.sh, which prints one header and
#                     legend for all the workloads' rows
set -eu
bench_here=$(cd "$(dirname "$0")" && pwd)
DISCCONV=${DISCCONV:-$bench_here/../discconv}
case $DISCCONV in /*) ;; *) DISCCONV=$(pwd)/$DISCCONV ;; esac
export DISCCONV  # tool commands run in their own folder and shell
runs=${RUNS:-7}
sectors=${SECTORS:-130000}
dir=${BENCH_DIR:-/var/tmp/discconv-bench}
case $dir in /*) ;; *) dir=$(pwd)/$dir ;; esac

[ -x "$DISCCONV" ] || { echo "bench: build discconv first (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$dir"
trap 'rm -rf "$dir/out"' EXIT

# An ISO of random sectors (with a volume descriptor so it is detected as
# one) and the raw MODE1/2352 BIN/CUE discconv makes of it.  Kept between
# runs: only remade when SECTORS changes.
bench_make_iso() {
    if [ ! -f "$dir/in.iso" ] || [ "$(wc -c < "$dir/in.iso")" -ne $((sectors * 2048)) ]; then
        echo "making a $((sectors * 2048 / 1000000)) MB ISO in $dir ..." >&2
        rm -f "$dir"/in.*
        head -c $((sectors * 2048)) /dev/urandom > "$dir/in.iso"
        printf '\001CD001\001' | dd of="$dir/in.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
        "$DISCCONV" convert -q "$dir/in.iso" -o "$dir/in.cue"
    fi
}

# bench_compressible_iso: sets iso to $dir/compressible.iso, an ISO of
# `sectors` sectors that compresses as real discs do (each 1 MiB holds 832
# KiB that do not compress and 192 KiB of text), made once for the
# container workloads (DMG, UIF).  A container made from it is remade when
# it is older than the ISO (bench_older).
bench_compressible_iso() {
    iso=$dir/compressible.iso
    [ -f "$iso" ] && [ "$(wc -c < "$iso")" -eq $((sectors * 2048)) ] && return 0
    echo "making a $((sectors * 2048 / 1000000)) MB ISO in $dir ..." >&2
    python3 - "$iso" $((sectors * 2048)) <<'PY'
import random, sys
path, size = sys.argv[1], int(sys.argv[2])
rng = random.Random(13)
with open(path, "wb") as f:
    for mib in range(0, size, 1 << 20):
        text = b"".join(b"%d:%d the quick brown fox %d\n" % (mib >> 20, i, rng.randrange(1000))
                        for i in range(8000))[:192 << 10]
        f.write((rng.randbytes(832 << 10) + text)[:size - mib])
    f.seek(32768)
    f.write(b"\x01CD001\x01")  # read as an ISO
PY
}

# bench_older FILE: whether FILE is missing or older than $iso.
bench_older() { [ ! -f "$1" ] || [ "$iso" -nt "$1" ]; }

# bench_input FILE: what cat copies in this workload and MB/s is counted in;
# a folder counts all its files.
bench_input() {
    input=$1
    if [ -d "$1" ]; then
        input_bytes=$(du -sb --apparent-size "$1" | cut -f1)
    else
        input_bytes=$(wc -c < "$1")
    fi
}

# bench_tool NAME COMMAND: COMMAND is run by sh -c in a fresh, empty folder
# (so every output name is new: replacing a 300 MB file would time the old
# one's writeback); exported variables such as $DISCCONV are expanded there.
ntools=0
tools=
bench_tool() {
    ntools=$((ntools + 1))
    eval "tool_name_$ntools=\$1 tool_cmd_$ntools=\$2"
    tools="$tools $1"
}

# bench_peer NAME COMMAND: a bench_tool that is skipped, with a note, when
# the program NAME is not installed.
skipped=
bench_peer() {
    if command -v "$1" >/dev/null; then bench_tool "$@"; else skipped="$skipped $1"; fi
}

# bench_reads_only: the workload's tools read and write nothing (hashers),
# so no output size is checked.
bench_reads_only() { reads_only=1; }

# bench_target A B OP VALUE: the median over rounds of A's time over B's
# must be OP (<= or >=) VALUE.
: > "$dir/targets"
bench_target() { echo "$1 $2 $3 $4" >> "$dir/targets"; }

# bench_rss_target A MB: A's largest peak RSS must be at most MB MiB.
bench_rss_target() { echo "$1 RSS <= $2" >> "$dir/targets"; }

# bench_reset: forgets the tools and targets, for a script that times
# another workload after bench_run.
bench_reset() { ntools=0; tools=; skipped=; : > "$dir/targets"; }

# bench_skip WORKLOAD WHY: the workload's row when it cannot run at all.
bench_skip() {
    bench_header
    printf '%-22s (skipped: %s)\n' "$1" "$2"
    bench_legend
}

# One timed run of tool number $1 in round $2.  Untimed before it: a fresh
# folder and a sync, so the previous run's writeback is not billed to this
# one.  Wall time from date(1) in ns (GNU time's %e has 10 ms steps, a few
# percent of a run); peak RSS from GNU time.
bench_once() {
    eval "name=\$tool_name_$1 cmd=\$tool_cmd_$1"
    run_dir="$dir/out/$2-$name"
    mkdir -p "$run_dir"
    sync
    cd "$run_dir"
    t0=$(date +%s%N)
    if ! /usr/bin/time -f %M -o "$dir/rss" sh -c "$cmd" >/dev/null 2>"$dir/err"; then
        echo "bench: $name failed: $cmd" >&2
        cat "$dir/err" >&2
        exit 1
    fi
    t1=$(date +%s%N)
    cd "$dir"
    # Every workload writes about its input's size or more (but those that
    # only read, bench_reads_only): a tool that exits 0 having written
    # little would otherwise look fast.
    if [ -z "${reads_only:-}" ] &&
        [ "$(du -sb "$run_dir" | cut -f1)" -lt $((input_bytes * 4 / 5)) ]; then
        echo "bench: $name wrote under 80% of its input's size: $cmd" >&2
        exit 1
    fi
    echo "$2 $name $((t1 - t0)) $(tail -n 1 "$dir/rss")" >> "$dir/runs"
}

# RUNS rounds of every tool, rotating the order, then the rows.  Outputs
# are deleted (untimed) after each round; inputs are read once first so
# they are hot in the page cache for every run, the first included.
bench_run() { # WORKLOAD
    find "$input" -type f -exec cat {} + > /dev/null
    : > "$dir/runs"
    round=1
    while [ "$round" -le "$runs" ]; do
        k=0
        while [ "$k" -lt "$ntools" ]; do
            bench_once $(((round - 1 + k) % ntools + 1)) "$round"
            k=$((k + 1))
        done
        rm -rf "$dir/out"
        sync
        round=$((round + 1))
    done
    bench_header
    bench_report "$1"
    bench_legend
}

bench_header() {
    [ -z "${BENCH_ROWS_ONLY:-}" ] || return 0
    printf '%-22s %-20s %8s %8s %8s %8s %7s  %s\n' \
        workload "tool / ratio" median min max "MB/s" "RSS MB" target
}

# Per tool: median, min and max seconds, MB/s of input at the median, the
# largest peak RSS.  Per target: A's time over B's in each round, medianed,
# with its min and max, and whether the median meets the target.
bench_report() { # WORKLOAD
    awk -v w="$1" -v bytes="$input_bytes" -v tools="$tools" \
        -v skipped="$skipped" -v runs="$dir/runs" '
    function sort(a, n,   i, j, x) {
        for (i = 2; i <= n; i++)
            for (x = a[i]; i > 1 && a[i - 1] > x; i--) { a[i] = a[i - 1]; a[i - 1] = x }
    }
    function stats(a, n) {  # sets med, lo, hi
        sort(a, n)
        med = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        lo = a[1]; hi = a[n]
    }
    # The workload names the first row, its input size the second.
    function row(label) {
        printf "%-22s %-20s", nrow == 0 ? w : nrow == 1 ? sprintf("  (%d MB in)", bytes / 1e6) : "", label
        nrow++
    }
    FILENAME == runs { s[$2, $1] = $3 / 1e9; if ($4 > rss[$2]) rss[$2] = $4
                       if ($1 > nr) nr = $1; next }
    { tgt[++nt] = $0 }
    END {
        nn = split(tools, name, " ")
        for (t = 1; t <= nn; t++) {
            for (r = 1; r <= nr; r++) a[r] = s[name[t], r]
            stats(a, nr)
            row(name[t])
            printf " %7.3fs %7.3fs %7.3fs %8.1f %7.1f\n", med, lo, hi,
                   bytes / 1e6 / (med > 0 ? med : 1e-9), rss[name[t]] / 1024
        }
        for (i = 1; i <= nt; i++) {
            split(tgt[i], f, " ")
            if (f[2] == "RSS") {
                row(f[1] " RSS MB")
                if (!(f[1] in rss)) { printf " %-43s  <=%d skipped\n", "(not run)", f[4]; continue }
                printf " %7.1f %8s %8s %16s  <=%d %s\n", rss[f[1]] / 1024, "", "", "",
                       f[4], rss[f[1]] / 1024 <= f[4] + 0 ? "met" : "MISSED"
                continue
            }
            row(f[1] "/" f[2])
            if (!((f[1], 1) in s) || !((f[2], 1) in s)) {
                printf " %-43s  %s%.2fx skipped\n", "(" (skipped ? substr(skipped, 2) : "tool") \
                       " not installed)", f[3], f[4]
                continue
            }
            for (r = 1; r <= nr; r++) a[r] = s[f[1], r] / (s[f[2], r] > 0 ? s[f[2], r] : 1e-9)
            stats(a, nr)
            ok = f[3] == "<=" ? med <= f[4] + 0 : med >= f[4] + 0
            printf " %7.2fx %7.2fx %7.2fx %16s  %s%.2fx %s\n", med, lo, hi, "",
                   f[3], f[4], ok ? "met" : "MISSED"
        }
    }' "$dir/runs" "$dir/targets"
}

bench_legend() {
    [ -z "${BENCH_ROWS_ONLY:-}" ] || return 0
    cat <<EOF
$runs rounds; each runs every tool once, in an order rotated per round,
writing fresh file names, with an untimed sync before each run; inputs
are hot in the page cache.  median/min/max: wall seconds over the rounds;
MB/s: input MB over the median; RSS: the largest peak over the rounds.
A/B rows: A's time over B's within each round, median (min, max) over
rounds: discconv/cat is the cost over copying the input, peer/discconv
is discconv's throughput over the peer's.  target: checked on the median.
EOF
}
