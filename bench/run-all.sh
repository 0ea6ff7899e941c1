#!/bin/sh
# Runs every workload in bench/ (each *.sh but lib.sh and this runner) and
# prints all their rows as one table with one legend.  RUNS, SECTORS,
# BENCH_DIR and DISCCONV pass through to the workloads (see bench/lib.sh).
# A missed target is reported in the table, not by the exit status; a
# workload that fails is named at the end, and the runner exits 1.
. "$(dirname "$0")/lib.sh"
bench_header
failed=
for script in "$bench_here"/*.sh; do
    case $(basename "$script") in lib.sh | run-all.sh) continue ;; esac
    BENCH_ROWS_ONLY=1 sh "$script" || failed="$failed $(basename "$script")"
done
bench_legend
[ -z "$failed" ] || { echo "bench: failed:$failed" >&2; exit 1; }
