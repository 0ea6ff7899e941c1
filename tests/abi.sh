#!/bin/sh
# The shared library's ABI is the public header: every symbol that
# .libs/libdiscconv.so exports is declared in include/discconv/discconv.h
# (functions as functions, data as extern), and everything declared there
# is exported.  An internal function that leaks out, or a public one
# that is declared but hidden or missing, fails.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
lib=$top_builddir/.libs/libdiscconv.so
header=$top_srcdir/include/discconv/discconv.h

[ -f "$lib" ] || { echo "skip - no shared library ($lib): configured --disable-shared?"; exit 77; }
command -v nm >/dev/null || { echo "skip - nm missing (binutils)"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/discconv-abi.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The header as the compiler sees it: no comments, macros expanded.
${CC:-cc} -E -P -I"$top_srcdir/include" "$header" > "$work/header.i" || exit 1
grep -oE '\bdc_[A-Za-z0-9_]+[[:space:]]*\(' "$work/header.i" |
    sed 's/[[:space:]]*($//' | sort -u > "$work/declared"
grep -E '\bextern\b' "$work/header.i" |
    grep -oE '\bdc_[A-Za-z0-9_]+[[:space:]]*[[;]' | sed 's/[[:space:]]*.$//' |
    sort -u > "$work/declared-data"
[ -s "$work/declared" ] || { echo "FAIL - found no functions in $header"; exit 1; }

# Exported symbols; names starting with _ are the toolchain's (_init,
# sanitizer ODR indicators), never ours.
nm -D --defined-only "$lib" > "$work/nm" || exit 1
awk '$2 ~ /^[TtWi]$/ { sub(/@.*/, "", $3); print $3 }' "$work/nm" |
    grep -v '^_' | sort -u > "$work/functions"
awk '$2 !~ /^[TtWi]$/ { sub(/@.*/, "", $3); print $3 }' "$work/nm" |
    grep -v '^_' | sort -u > "$work/data"

status=0
report() { # report WHAT FILE
    if [ -s "$2" ]; then
        echo "FAIL - $1:"; sed 's/^/    /' "$2"; status=1
    else
        echo "ok - no $1"
    fi
}
comm -23 "$work/functions" "$work/declared" > "$work/leaked"
report "exported function undeclared in discconv.h" "$work/leaked"
comm -23 "$work/data" "$work/declared-data" > "$work/leaked-data"
report "exported data undeclared in discconv.h" "$work/leaked-data"
comm -13 "$work/functions" "$work/declared" > "$work/missing"
report "function declared in discconv.h but not exported" "$work/missing"
comm -13 "$work/data" "$work/declared-data" > "$work/missing-data"
report "data declared in discconv.h but not exported" "$work/missing-data"
echo "# $(wc -l < "$work/functions") functions and $(wc -l < "$work/data") data symbols exported"
exit $status
