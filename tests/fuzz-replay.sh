#!/bin/sh
# Every fuzz target replays its committed seeds and every crash input ever
# found (fuzz/regressions/TARGET/), so a fixed bug stays fixed: under the
# sanitizer build a finding aborts the replay.  Built by any compiler; the
# libFuzzer builds are `make fuzz` (fuzz/run.sh).
. "$(dirname "$0")/lib.sh"

for src in "$top_srcdir"/fuzz/*.c; do
    t=$(basename "$src" .c)
    case $t in fuzz | replay) continue ;; esac
    check "fuzz target $t replays its seeds and regressions" \
        "$top_builddir/fuzz/replay-$t" "$top_srcdir/fuzz/seeds/$t" \
        "$top_srcdir/fuzz/regressions/$t"
done
finish
