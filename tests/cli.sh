#!/bin/sh
# The command line as a user meets it: help, exit codes, one-line errors,
# no output left behind by a failure.
. "$(dirname "$0")/lib.sh"

expect_exit() { # NAME CODE ARGS...: exit code and a one-line error
    name=$1; code=$2; shift 2
    run "$@"
    if [ "$rc" -eq "$code" ]; then ok "$name (exit $code)"; else
        bad "$name: exit $rc, expected $code: $(cat "$WORK/err")"; fi
}

run --help
cp "$WORK/out" "$WORK/help"
check "--help lists every exit code" sh -c "for c in 0 1 2 3 4 5 6 7 8 9 130; do grep -q \"^  \$c \" '$WORK/out' || exit 1; done"
sed 's/\\-/-/g' "$top_srcdir/doc/discconv.1" > "$WORK/man.txt"
check "man page documents every long option of --help" sh -c "
    for o in \$(grep -o -- '--[a-z0-9-]*' '$WORK/out' | sort -u); do
        grep -q -- \"\$o\" '$WORK/man.txt' || { echo \"missing \$o\"; exit 1; }
    done"

# The man page's lists -- the synopsis, and the tag line of every command,
# option (with the commands it applies to), format and exit code -- are
# what `discconv --help-man` prints from the tables --help and the parser
# use: the same lines in the same order.  Prose between them is free.
man_lists() {
    awk '
    /^\.SH / {
        keep = $0 ~ /^\.SH "?(SYNOPSIS|COMMANDS|OPTIONS|FORMATS|EXIT STATUS)"?$/
        synopsis = $0 == ".SH SYNOPSIS"; tag = 0
        if (keep) print
        next
    }
    !keep { next }
    synopsis { print; next }
    tag { print; tag = 0; next }
    /^\.TP$/ { print; tag = 1 }' "$1"
}
run --help-man
cp "$WORK/out" "$WORK/man-lists"
check "the --help-man lists are not empty" \
    test "$(grep -c '^\.TP$' "$WORK/man-lists")" -gt 30
man_lists "$top_srcdir/doc/discconv.1" > "$WORK/man-page-lists"
check "doc/discconv.1's lists are what 'discconv --help-man' prints" \
    diff "$WORK/man-lists" "$WORK/man-page-lists"
printf '.SH OPTIONS\n.TP\n\\fB\\-\\-bogus\\fR (info)\nProse.\n.SH SEE ALSO\n' > "$WORK/planted.1"
check "the list check reads tag lines and stops at other sections" \
    test "$(man_lists "$WORK/planted.1" | tr '\n' '|')" = '.SH OPTIONS|.TP|\fB\-\-bogus\fR (info)|'
check "--help-man is not listed in --help" sh -c "! grep -q -- --help-man '$WORK/help'"

# Each format's options are named in the man page's FORMATS prose.
sed -n '/^\.SH FORMATS/,/^\.SH [^F]/p' "$WORK/man.txt" > "$WORK/man-formats"
run formats
man_covers_options() {
    opts=$(sed -n '/^$/,$p' "$WORK/out" | sed '1,2d' | awk '{print $1}')
    [ -n "$opts" ] || { echo "no options listed"; return 1; }
    for o in $opts; do
        grep -q -- "$o" "$WORK/man-formats" || { echo "missing $o"; return 1; }
    done
}
check "the man page names every format option 'discconv formats' lists" man_covers_options
run --version
check "--version" grep -q "^discconv [0-9]" "$WORK/out"
expect_exit "no command" 2
expect_exit "unknown command" 2 frobnicate x
expect_exit "unknown option" 2 info --bogus x
expect_exit "missing input file" 3 info "$WORK/nope.iso"
expect_exit "bad --track" 2 convert x -o y --track 0
printf 'not a disc image at all' > "$WORK/junk.dat"
expect_exit "unknown format" 5 info "$WORK/junk.dat"
check "error names the file" grep -q "junk.dat" "$WORK/err"

make_sample
S=$WORK/sample
run info "$S/sample.cue"
check "info shows three tracks" grep -q "^  3 " "$WORK/out"
check "info shows the ISO 9660 volume" grep -q 'DISCCONV_SAMPLE' "$WORK/out"
check "info shows the MCN" grep -q "0000000000017" "$WORK/out"
run info --json "$S/sample.cue"
check "info --json is JSON with 3 tracks" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["tracks"]) == 3 and d["tracks"][1]["type"] == "audio", d
assert d["filesystems"][0]["rock_ridge"] and d["filesystems"][0]["joliet_level"] == 3
' "$WORK/out"

mkdir "$WORK/o"
# Real audio: the sample's bin labelled AUDIO throughout would be refused
# for its data sectors first.
"$GEN_TONE" 75 440 660 > "$S/tone.bin"
printf 'FILE "tone.bin" BINARY\nTRACK 01 AUDIO\n  INDEX 01 00:00:00\n' > "$S/audio.cue"
expect_exit "audio-only disc to ISO" 7 convert "$S/audio.cue" -o "$WORK/o/x.iso"
check "the refusal says what to do" grep -q "extract-audio" "$WORK/err"
check "the refusal is one line" test "$(wc -l < "$WORK/err")" -eq 1
check "a refused conversion leaves nothing" test -z "$(ls -A "$WORK/o")"
expect_exit "data track to ISO" 0 convert -q "$S/sample.cue" --track 1 -o "$WORK/o/x.iso"
expect_exit "existing output" 6 convert -q "$S/sample.cue" --track 1 -o "$WORK/o/x.iso"
check "without --force the message says so" grep -q -- "--force" "$WORK/err"
expect_exit "existing output with --force" 0 convert -q "$S/sample.cue" --track 1 -o "$WORK/o/x.iso" --force
expect_exit "no extension and no --to" 2 convert "$S/sample.cue" -o "$WORK/o/noext"
check "the command line names the flag for the library's advice" \
    grep -q "name the format (use --to FORMAT)$" "$WORK/err"
run convert -q "$S/sample.cue" --track 1 -o "$WORK/o/x.iso"
check "the library says what would help, the command line which flag does it" \
    grep -q "already exists; allow replacing it (use --force)$" "$WORK/err"
run convert "$S/audio.cue" -o "$WORK/o/x.iso"
check "advice to write sound files names extract-audio" \
    grep -q "as sound files, or write BIN/CUE (use extract-audio)$" "$WORK/err"

# The library speaks no command line: no string literal in it names a flag
# (the CLI adds them from dc_error.advice).  The check runs on a planted
# sample first, so that a broken check cannot pass by finding nothing.
cat > "$WORK/flags.py" <<'PY'
import re, sys
# String literals, adjacent ones joined; comments and char constants skipped.
token = re.compile(r'//[^\n]*|/\*.*?\*/|\'(?:\\.|[^\\\'])*\'|"(?:\\.|[^\\"\n])*"|\S',
                   re.S)
flag = re.compile(r'(?<![\w-])(--[a-z]|-[a-zA-Z](?![\w-]))')
found = 0
for path in sys.argv[1:]:
    text = open(path, encoding='utf-8', errors='replace').read()
    literal = None
    for m in token.finditer(text):
        if m.group().startswith('"'):
            literal = (literal or '') + m.group()[1:-1]
            continue
        if literal is not None and flag.search(literal):
            line = text.count('\n', 0, m.start()) + 1
            print('%s:%d: "%s"' % (path, line, literal))
            found += 1
        literal = None
sys.exit(1 if found else 0)
PY
cat > "$WORK/planted.c" <<'C'
f(n--, "a 2048-byte read-only x", --i, '"'); /* "--force" */ // "-o x"
g("already exists (use --" "force)"); h("-o NAME");
C
check "the flag check finds flags, and only in string literals" sh -c "
    python3 '$WORK/flags.py' '$WORK/planted.c' > '$WORK/planted.out'
    [ \$? -eq 1 ] && [ \$(wc -l < '$WORK/planted.out') -eq 2 ]"
check "no string in src/core or src/formats names a command-line flag" \
    python3 "$WORK/flags.py" "$top_srcdir"/src/core/*.[ch] \
        "$top_srcdir"/src/formats/*.[ch] "$top_srcdir"/src/formats/*/*.[ch]

# Malformed cue sheets: exit 4, one line with file:line, and no output.
cp "$S/sample.bin" "$WORK/m.bin"
bad_cue() { # NAME LINE CUE-TEXT
    printf '%b' "$3" > "$WORK/m.cue"
    run convert "$WORK/m.cue" -o "$WORK/o/m.img"
    if [ "$rc" -eq 4 ] && grep -q "m.cue:$2:" "$WORK/err" &&
       [ "$(wc -l < "$WORK/err")" -eq 1 ] && [ ! -e "$WORK/o/m.img" ]; then
        ok "malformed cue, $1: exit 4 at line $2"
    else
        bad "malformed cue, $1: exit $rc: $(cat "$WORK/err")"
    fi
}
bad_cue "TRACK before FILE" 1 'TRACK 01 MODE1/2352\n  INDEX 01 00:00:00\n'
bad_cue "bad MSF" 3 'FILE "m.bin" BINARY\nTRACK 01 MODE1/2352\n  INDEX 01 00:99:00\n'
bad_cue "tracks out of order" 4 'FILE "m.bin" BINARY\nTRACK 02 MODE1/2352\n  INDEX 01 00:00:00\nTRACK 01 AUDIO\n  INDEX 01 00:10:00\n'
# Cut inside a sector, well inside the track's ISO 9660 volume (a part
# sector past the end of a whole volume is appended data, not a cut).
head -c $((100 * 2352 + 1)) "$S/sample.bin" > "$WORK/m.bin"
bad_cue "length not whole sectors" 1 'FILE "m.bin" BINARY\nTRACK 01 MODE1/2352\n  INDEX 01 00:00:00\n'
printf 'FILE "gone.bin" BINARY\nTRACK 01 MODE1/2352\n  INDEX 01 00:00:00\n' > "$WORK/lone.cue"
run convert "$WORK/lone.cue" -o "$WORK/o/m.img"
if [ "$rc" -eq 3 ] && grep -q "lone.cue:1:.*gone.bin" "$WORK/err"; then
    ok "missing bin: exit 3 naming the cue line and the file"
else
    bad "missing bin: exit $rc: $(cat "$WORK/err")"
fi

bad_cue "a PREGAP longer than a CD" 3 'FILE "m.bin" BINARY\nTRACK 01 AUDIO\n  PREGAP 200:00:00\n  INDEX 01 00:00:00\n'

# A track's stored INDEX 00 keeps its place when the sheet is rewritten.
printf 'FILE "sample.bin" BINARY\nTRACK 01 MODE1/2352\n  INDEX 00 00:00:00\n  INDEX 01 00:01:00\nTRACK 02 AUDIO\n  INDEX 00 00:05:00\n  INDEX 01 00:07:10\n' > "$S/idx.cue"
run convert -q "$S/idx.cue" -o "$WORK/o/idx.cue"
check "rewritten sheet keeps INDEX 00 and INDEX 01 where they were" sh -c "
    tr -d '\\r' < '$WORK/o/idx.cue' | grep -A2 'TRACK 01' | grep -q 'INDEX 01 00:01:00' &&
    tr -d '\\r' < '$WORK/o/idx.cue' | grep -q 'INDEX 00 00:05:00'"

# Inputs are never modified, not even with --force.
cp "$S/sample.bin" "$WORK/g.bin"; cp "$S/sample.cue" "$WORK/g.cue"
sed -i 's/sample.bin/g.bin/' "$WORK/g.cue"
before=$(cksum < "$WORK/g.bin")
expect_exit "--force onto the input bin" 2 convert "$WORK/g.cue" --cooked -f -o "$WORK/g.bin"
check "the input bin is untouched" test "$(cksum < "$WORK/g.bin")" = "$before"
expect_exit "--raw with an ISO target" 2 convert "$S/sample.cue" --raw -o "$WORK/o/r.iso"
expect_exit "--raw with --cooked" 2 convert "$S/sample.cue" --raw --cooked -o "$WORK/o/r.cue"

before=$(cksum < "$S/sample.bin")
"$DISCCONV" convert -q "$S/sample.cue" -o "$WORK/o/copy.cue" >/dev/null 2>&1
check "the input is untouched" test "$(cksum < "$S/sample.bin")" = "$before"
check "no temporary files left" test -z "$(ls -A "$WORK/o" | grep '^\.')"
finish
