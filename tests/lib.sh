# Shared by the shell tests: where things are, and how to report.
# Sourced; sets DISCCONV, WORK (a temporary folder removed on exit).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
DISCCONV=${DISCCONV:-$top_builddir/discconv}
GEN_TONE=${GEN_TONE:-$top_builddir/data/gen-tone}
CORPUS=${DC_CORPUS:-$top_srcdir/../shared/corpus}
export DISCCONV GEN_TONE
WORK=$(mktemp -d "${TMPDIR:-/tmp}/discconv-sh.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
skipped=0

ok()   { passed=$((passed + 1)); echo "ok - $*"; }
bad()  { failed=$((failed + 1)); echo "FAIL - $*"; }
skip() { skipped=$((skipped + 1)); echo "skip - $*"; }

# check NAME COMMAND...: passes when the command succeeds.
check() {
    name=$1; shift
    if "$@" >"$WORK/check.out" 2>&1; then ok "$name"; else
        bad "$name"; sed 's/^/    /' "$WORK/check.out" | head -20; fi
}

have() { command -v "$1" >/dev/null 2>&1; }
have_corpus() { [ -d "$CORPUS" ]; }

# Runs discconv, keeping stdout, stderr and the exit code.
run() {
    "$DISCCONV" "$@" >"$WORK/out" 2>"$WORK/err"
    rc=$?
}

finish() {
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ] || exit 1
    # Automake's "skipped" when nothing could run here.
    [ "$passed" -gt 0 ] || exit 77
    exit 0
}

make_sample() {
    [ -f "$WORK/sample/sample.cue" ] ||
        "$top_srcdir/data/make-sample.sh" "$WORK/sample" >/dev/null
}
