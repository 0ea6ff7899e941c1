#!/bin/sh
# Everything CI checks, from a clean checkout: dependencies, a warning-free
# build, the test suite, the same suite under AddressSanitizer and
# UndefinedBehaviorSanitizer, and `make distcheck`.
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
./configure -q CFLAGS="-O2 -g -Werror"
make -j"$jobs" >/dev/null
make -j"$jobs" check || { cat tests/*.log; exit 1; }
echo "== tests passed (normal build)"

# A second build in its own folder, under the sanitizers.
rm -rf build-sanitize
mkdir build-sanitize
(cd build-sanitize &&
 ../configure -q --enable-sanitizers CFLAGS="-O1 -g -Werror" &&
 make -j"$jobs" >/dev/null &&
 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     make -j"$jobs" check) || { cat build-sanitize/tests/*.log; exit 1; }
echo "== tests passed (ASan + UBSan build)"

make -j"$jobs" distcheck >/dev/null
echo "== make distcheck passed"
