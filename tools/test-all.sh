#!/bin/sh
# Everything CI checks, from a clean checkout: dependencies, a warning-free
# build and the test suite, `make distcheck`, the suite again, built from
# the distributed tarball, under AddressSanitizer and
# UndefinedBehaviorSanitizer, and a short run of every libFuzzer target.
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh --test
jobs=$(nproc 2>/dev/null || echo 2)
# The third-party corpus sits beside the checkout; tests skip without it.
if [ -z "${DC_CORPUS:-}" ] && [ -d ../shared/corpus ]; then
    DC_CORPUS=$(cd ../shared/corpus && pwd)
    export DC_CORPUS
fi

show_logs() { for log in "$1"/tests/*.log; do echo "== $log"; cat "$log"; done; exit 1; }

autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
./configure -q CFLAGS="-O2 -g -Werror"
make -j"$jobs" >/dev/null
make -j"$jobs" check || show_logs .
echo "== tests passed (normal build)"

make -j"$jobs" distcheck >/dev/null
echo "== make distcheck passed"

rm -rf build-sanitize
mkdir build-sanitize
tar -xzf discconv-*.tar.gz -C build-sanitize --strip-components=1
# A finding aborts the program (-fno-sanitize-recover=all, abort_on_error)
# and its report goes to a file as well: one in a program whose exit code
# a test does not check still fails CI.  DC_SANITIZED tells the tests to
# swap their address-space limits for ASan's own, as it cannot live with them.
reports=$(pwd)/build-sanitize/sanitizer-reports
mkdir -p "$reports"
show_reports() { cat "$reports"/* 2>/dev/null; }
(cd build-sanitize &&
 ./configure -q --enable-sanitizers CFLAGS="-O1 -g -Werror" &&
 make -j"$jobs" >/dev/null &&
 DC_SANITIZED=1 \
 ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=1:log_path="$reports/asan" \
 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path="$reports/ubsan" \
     make -j"$jobs" check) || { show_reports; show_logs build-sanitize; }
[ -z "$(ls -A "$reports")" ] || { show_reports; exit 1; }
echo "== tests passed (ASan + UBSan build)"

# Every fuzz target for FUZZ_SECONDS from its seeds, which replays every
# crash input kept in fuzz/regressions/ on the way (fuzz/run.sh).
rm -rf build-fuzz
mkdir build-fuzz
tar -xzf discconv-*.tar.gz -C build-fuzz --strip-components=1
(cd build-fuzz &&
 ./configure -q --enable-fuzzing CC=clang CFLAGS="-O1 -g" &&
 make -j"$jobs" >/dev/null &&
 make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-30}")
echo "== fuzz targets passed (libFuzzer, ASan + UBSan)"
