#!/bin/sh
# Everything CI checks, from a clean checkout: dependencies, a warning-free
# build and the test suite, `make distcheck`, and the suite again, built
# from the distributed tarball, under AddressSanitizer and
# UndefinedBehaviorSanitizer.
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
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
(cd build-sanitize &&
 ./configure -q --enable-sanitizers CFLAGS="-O1 -g -Werror" &&
 make -j"$jobs" >/dev/null &&
 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     make -j"$jobs" check) || show_logs build-sanitize
echo "== tests passed (ASan + UBSan build)"
