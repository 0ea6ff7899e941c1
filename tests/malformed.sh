#!/bin/sh
# Inputs that lie, for every format: truncated files, offsets and lengths
# past the end, counts that overflow when multiplied, chunks that point at
# themselves or never end, zero and huge sector counts, cue sheets with
# every statement out of place, things that are not files.  Each case is
# converted to BIN/CUE and must end with the documented exit code and one
# line on stderr naming the file, within a time and a memory limit,
# leaving no output, no temporary file and its input untouched.
. "$(dirname "$0")/lib.sh"

have python3 || { skip "python3 missing"; finish; }
TIME_LIMIT=${DC_TIME_LIMIT:-30}
MEMORY_KB=262144
# DC_SANITIZED is set by CI's sanitizer build; a gcc ASan build also shows
# in its libraries.
sanitized=${DC_SANITIZED:-}
if [ -z "$sanitized" ] && ldd "$DISCCONV" 2>/dev/null | grep -q 'libasan\|libubsan'; then
    sanitized=1
fi

# run_limited KB COMMAND...: runs COMMAND with at most KB of memory.
# ASan reserves terabytes of address space, so `ulimit -v` cannot bound
# it; its own limits do instead: any single allocation over the limit,
# and a resident size over it plus room for ASan's shadow memory and
# quarantine, abort with a report.
run_limited() (
    kb=$1; shift
    if [ -n "$sanitized" ]; then
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=$((kb / 1024)):hard_rss_limit_mb=$((kb / 1024 + 512))"
        export ASAN_OPTIONS
    else
        ulimit -v "$kb"
    fi
    exec "$@"
)

# Fixtures: a small ISO, its raw MODE1/2352 BIN, and audio.
mkdir -p "$WORK/fix"
head -c $((20 * 2048)) /dev/zero > "$WORK/fix/data.iso"
printf '\001CD001\001' | dd of="$WORK/fix/data.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
"$DISCCONV" convert -q "$WORK/fix/data.iso" -o "$WORK/fix/data.cue"
"$GEN_TONE" 20 440 660 > "$WORK/fix/audio.bin"

# Control: the memory limit reaches the program.  A well-formed conversion
# streams in chunks of a few MiB, so one MiB is too little for it.
# Its expected ASan report goes to its own file, not to CI's report folder.
(
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$WORK/control-asan"
    run_limited 1024 "$DISCCONV" convert -q "$WORK/fix/data.cue" -o "$WORK/control.iso"
) 2>/dev/null
if [ $? -ne 0 ] && [ ! -e "$WORK/control.iso" ]; then
    ok "control: a conversion fails under a memory limit too small for it"
else
    bad "control: the memory limit does not reach $DISCCONV"
fi

# case_dir NAME: a fresh folder for one case's input files.
case_dir() { d=$WORK/case/$1; mkdir -p "$d"; echo "$d"; }

# expect NAME CODE INPUT [OPTIONS...]: converts INPUT to BIN/CUE (or to
# $target) and checks everything above; the message must name INPUT (or
# $mention).  CODE 0 (an input read with a warning, or fine) wants at most
# one line on stderr and the output in place; so does 8 (written, but with
# bad sectors).
target=cue mention=
expect() {
    name=$1 code=$2 input=$3; shift 3
    named=${mention:-$(basename "$input")}
    out=$WORK/out/$name
    mkdir -p "$out"
    dir=$(dirname "$input")
    before=$(ls -A "$dir" | sort | tr '\n' /)
    sum=
    [ ! -f "$input" ] || sum=$(cksum < "$input")
    run_limited "$MEMORY_KB" timeout "$TIME_LIMIT" \
        "$DISCCONV" convert -q "$input" -o "$out/x.$target" "$@" \
        >"$WORK/stdout" 2>"$WORK/stderr"
    rc=$?
    lines=$(wc -l < "$WORK/stderr")
    problem=
    if [ "$rc" -ne "$code" ]; then
        problem="exit $rc, expected $code"
    elif [ "$code" -ne 0 ] && [ "$lines" -ne 1 ]; then
        problem="$lines lines on stderr, expected 1"
    elif [ "$code" -eq 0 ] && [ "$lines" -gt 1 ]; then
        problem="$lines lines on stderr, expected at most 1"
    elif [ "$lines" -eq 1 ] && ! grep -q -F "$named" "$WORK/stderr"; then
        problem="the message does not name $named"
    elif [ -s "$WORK/stdout" ]; then
        problem="output on stdout: $(head -c 200 "$WORK/stdout")"
    elif [ "$code" -ne 0 ] && [ "$code" -ne 8 ] && [ -n "$(ls -A "$out")" ]; then
        problem="left behind: $(ls -A "$out" | tr '\n' ' ')"
    elif { [ "$code" -eq 0 ] || [ "$code" -eq 8 ]; } && [ ! -f "$out/x.$target" ]; then
        problem="no output"
    elif ls -A "$out" | grep -q '^\.'; then
        problem="temporary files left: $(ls -A "$out" | grep '^\.' | tr '\n' ' ')"
    elif [ "$(ls -A "$dir" | sort | tr '\n' /)" != "$before" ]; then
        problem="the input folder changed"
    elif [ -n "$sum" ] && [ "$(cksum < "$input")" != "$sum" ]; then
        problem="the input changed"
    fi
    if [ -z "$problem" ]; then
        ok "$name (exit $rc)"
    else
        bad "$name: $problem"
        sed 's/^/    /' "$WORK/stderr" | head -5
    fi
    target=cue mention=
}

# cue NAME CODE TEXT [BIN]: a sheet (printf format) beside a copy of BIN
# (default: the raw data bin) named data.bin.
cue() {
    d=$(case_dir "$1")
    cp "${4:-$WORK/fix/data.bin}" "$d/data.bin"
    printf "$3" > "$d/sheet.cue"
    expect "cue: $1" "$2" "$d/sheet.cue"
}

# --- not files ------------------------------------------------------------------
d=$(case_dir kinds)
mkdir "$d/folder.iso"
mkfifo "$d/pipe.iso"
ln -s /dev/zero "$d/zero.iso"
: > "$d/empty.iso"
expect "a folder" 3 "$d/folder.iso"
expect "a FIFO (must not wait for a writer)" 3 "$d/pipe.iso"
expect "a FIFO read as NRG" 3 "$d/pipe.iso" --from nrg
expect "a FIFO read as a sound file" 3 "$d/pipe.iso" --from audio
expect "a character device" 3 "$d/zero.iso"
expect "a missing file" 3 "$d/missing.iso"
expect "an empty file" 4 "$d/empty.iso"
expect "an empty file read as ISO" 4 "$d/empty.iso" --from iso
d=$(case_dir junk)
python3 -c 'import random, sys; r = random.Random(4)
open(sys.argv[1], "wb").write(bytes(r.randrange(1, 256) for _ in range(5000)) + b"\0")' "$d/junk.cue"
# Named a cue sheet, and not one: the cue reader says so (format error).
expect "binary junk named .cue" 4 "$d/junk.cue"
expect "binary junk read as a cue sheet" 4 "$d/junk.cue" --from bincue
expect "binary junk read as NRG" 4 "$d/junk.cue" --from nrg
expect "binary junk read as a sound file" 4 "$d/junk.cue" --from audio
expect "binary junk read as a raw IMG" 4 "$d/junk.cue" --from img

# --- ISO ------------------------------------------------------------------------
d=$(case_dir iso)
head -c 32800 "$WORK/fix/data.iso" > "$d/cut.iso"
expect "ISO cut inside its volume descriptor" 4 "$d/cut.iso"
# A primary volume descriptor whose root directory, volume size and
# Joliet descriptor all point past the end.
cp "$WORK/fix/data.iso" "$d/lies.iso"
printf '\001CD001\001' | dd of="$d/lies.iso" bs=1 seek=32768 conv=notrunc 2>/dev/null
printf '\377\377\377\377\377\377\377\377' | dd of="$d/lies.iso" bs=1 seek=$((32768 + 80)) conv=notrunc 2>/dev/null
printf '\377\377\377\377\377\377\377\377' | dd of="$d/lies.iso" bs=1 seek=$((32768 + 156 + 2)) conv=notrunc 2>/dev/null
printf '\002CD001\001' | dd of="$d/lies.iso" bs=1 seek=$((17 * 2048)) conv=notrunc 2>/dev/null
printf '%%/E' | dd of="$d/lies.iso" bs=1 seek=$((17 * 2048 + 88)) conv=notrunc 2>/dev/null
expect "ISO whose descriptors point past the end" 0 "$d/lies.iso"

# --- raw IMG --------------------------------------------------------------------
d=$(case_dir img)
head -c $((10 * 2352 + 100)) "$WORK/fix/data.bin" > "$d/cut.img"
expect "raw IMG cut inside a sector" 4 "$d/cut.img"
head -c $((4 * 2352)) "$WORK/fix/data.bin" > "$d/sub.img"
head -c $((4 * 2448 - 4 * 2352 + 50)) /dev/zero >> "$d/sub.img"
expect "raw IMG neither 2352 nor 2448 bytes a sector" 4 "$d/sub.img" --from img
# Sync patterns with a mode byte of 0xFF: every sector has a bad mode.
python3 - "$WORK/fix/data.bin" "$d/badmode.img" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
for at in range(15, len(data), 2352):
    data[at] = 0xFF
open(sys.argv[2], "wb").write(data)
PY
target=iso
expect "raw IMG whose sectors have mode 0xFF, as ISO" 8 "$d/badmode.img"
python3 - "$WORK/fix/data.bin" "$d/badedc.img" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[16 * 2352 + 100] ^= 0xFF
open(sys.argv[2], "wb").write(data)
PY
expect "raw IMG with a bad EDC, verified" 8 "$d/badedc.img" --verify

# --- cue sheets: every statement out of place ------------------------------------
B='FILE "data.bin" BINARY\n'
T='  TRACK 01 MODE1/2352\n'
I='    INDEX 01 00:00:00\n'
cue "TRACK before FILE" 4 "$T$B$I"
cue "INDEX before TRACK" 4 "$B$I$T$I"
cue "FLAGS before TRACK" 4 "${B}FLAGS DCP\n$T$I"
cue "ISRC before TRACK" 4 "${B}ISRC ZZDCV2600001\n$T$I"
cue "PREGAP before TRACK" 4 "${B}PREGAP 00:02:00\n$T$I"
cue "PREGAP after INDEX" 4 "$B$T${I}PREGAP 00:02:00\n"
cue "POSTGAP before INDEX" 4 "$B${T}POSTGAP 00:02:00\n$I"
cue "INDEX after POSTGAP" 4 "$B$T${I}POSTGAP 00:02:00\n    INDEX 02 00:00:05\n"
cue "CATALOG twice" 4 "CATALOG 0000000000017\nCATALOG 0000000000017\n$B$T$I"
cue "REM SESSION 02 first" 4 "REM SESSION 02\n$B$T$I"
cue "TRACK 00" 4 "${B}  TRACK 00 MODE1/2352\n$I"
cue "TRACK 100" 4 "${B}  TRACK 100 MODE1/2352\n$I"
cue "tracks descending" 4 "$B  TRACK 02 MODE1/2352\n$I  TRACK 01 AUDIO\n    INDEX 01 00:00:05\n"
cue "INDEX 02 without INDEX 01" 4 "$B$T    INDEX 02 00:00:00\n"
cue "INDEX times going back" 4 "$B$T    INDEX 00 00:00:05\n    INDEX 01 00:00:02\n"
cue "TRACK without INDEX 01" 4 "$B$T  TRACK 02 AUDIO\n    INDEX 01 00:00:05\n"
cue "INDEX past the end of the bin" 4 "$B$T$I  TRACK 02 AUDIO\n    INDEX 01 99:59:74\n"
cue "INDEX at 999999 minutes" 4 "$B$T$I  TRACK 02 AUDIO\n    INDEX 01 999999:59:74\n"
cue "PREGAP longer than a CD" 4 "$B  TRACK 01 AUDIO\n    PREGAP 200:00:00\n$I"
cue "PREGAPs adding up past a CD" 4 "$B  TRACK 01 AUDIO\n    PREGAP 60:00:00\n$I  TRACK 02 AUDIO\n    PREGAP 60:00:00\n    INDEX 01 00:00:10\n" "$WORK/fix/audio.bin"
cue "a bin not whole sectors for its mode" 4 "$B  TRACK 01 MODE2/2336\n$I"
cue "a FILE no INDEX uses" 4 "FILE \"data.bin\" BINARY\n$B$T$I"
cue "unknown FILE type" 4 'FILE "data.bin" TAPE\n'"$T$I"
cue "unknown TRACK mode" 4 "$B  TRACK 01 MODE3/2352\n$I"
cue "unterminated quote in FILE" 4 'FILE "data.bin BINARY\n'"$T$I"
mention='sheet.cue:4: unterminated quote'
cue "unterminated quote as the command" 4 "$B$T$I\"TITLE\n"
cue "a missing FILE" 3 'FILE "gone.bin" BINARY\n'"$T$I"
cue "a missing CDTEXTFILE" 3 "CDTEXTFILE \"gone.cdt\"\n$B$T$I"
cue "MODE1 track in a sound file" 4 'FILE "data.bin" WAVE\n'"$T$I"
d=$(case_dir "FILE naming a folder, a FIFO, a device")
mkdir "$d/folder.bin"; mkfifo "$d/pipe.bin"; ln -s /dev/zero "$d/zero.bin"
for f in folder.bin pipe.bin zero.bin; do
    printf 'FILE "%s" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' "$f" > "$d/$f.cue"
    mention=$f
    expect "cue: FILE names $f" 3 "$d/$f.cue"
done
printf 'FILE "pipe.bin" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' > "$d/pipe.wave.cue"
mention=pipe.bin
expect "cue: sound FILE names a FIFO" 3 "$d/pipe.wave.cue"
d=$(case_dir long)
{ printf 'REM '; head -c 5000 /dev/zero | tr '\000' x; printf '\n'; } > "$d/long.cue"
expect "cue: a line over 4096 characters" 4 "$d/long.cue" --from bincue
{ printf 'REM x\n'; head -c 1100000 /dev/zero | tr '\000' '\n'; printf '%b' "$B$T$I"; } > "$d/huge.cue"
expect "cue: a sheet over 1 MiB" 4 "$d/huge.cue" --from bincue
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import mknrg
open(sys.argv[2], "wb").write(mknrg.cdtext_packs()[:-54])' "$top_srcdir/tests" "$WORK/nosize.cdt"
d=$(case_dir cdtext)
cp "$WORK/fix/data.bin" "$d/data.bin"
head -c 40 /dev/urandom > "$d/odd.cdt"
cp "$WORK/nosize.cdt" "$d/nosize.cdt"
printf "CDTEXTFILE \"odd.cdt\"\n$B$T$I" > "$d/odd.cue"
printf "CDTEXTFILE \"nosize.cdt\"\n$B$T$I" > "$d/nosize.cue"
# Block 0 says ASCII, a title holds 0xFF: read as ISO-8859-1.
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import mknrg
open(sys.argv[2], "wb").write(mknrg.cdtext_packs((b"DISC", b"\xffONE"), charset=1))' \
    "$top_srcdir/tests" "$d/ascii.cdt"
printf "CDTEXTFILE \"ascii.cdt\"\n$B$T$I" > "$d/ascii.cue"
expect "cue: CD-TEXT in ASCII with a byte over 0x7F" 0 "$d/ascii.cue"
expect "cue: CD-TEXT not whole packs" 4 "$d/odd.cue"
expect "cue: CD-TEXT without its size information packs" 0 "$d/nosize.cue"

# --- sound files ----------------------------------------------------------------
d=$(case_dir sound)
python3 - "$d" <<'PY'
import struct, sys
d = sys.argv[1]
def wav(rate=44100, channels=2, bits=16, data=b"\0" * 2352 * 3, size=None, fmt=1):
    size = len(data) if size is None else size
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " +
            struct.pack("<IHHIIHH", 16, fmt, channels, rate,
                        rate * channels * bits // 8, channels * bits // 8, bits) +
            b"data" + struct.pack("<I", size) + data)
def aiff(channels):
    comm = struct.pack(">hIh", channels, 588, 16) + b"\x40\x0e\xac\x44" + b"\0" * 6
    ssnd = struct.pack(">II", 0, 0) + b"\0" * 588 * 2 * channels
    body = b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm + b"SSND" + struct.pack(">I", len(ssnd)) + ssnd
    return b"FORM" + struct.pack(">I", len(body)) + body
files = {
    "48k.wav": wav(rate=48000),
    "mono.wav": wav(channels=1),
    "8bit.wav": wav(bits=8),
    "header-only.wav": wav()[:36],
    "no-samples.wav": wav(data=b""),
    "huge-data.wav": wav(size=0xFFFFFFF0),
    "float-tag.wav": wav(fmt=3, bits=32),
    "mono.aiff": aiff(1),
    "cut.flac": b"fLaC\x00\x00\x00\x22" + b"\x10" * 10,
}
for name, data in files.items():
    open(f"{d}/{name}", "wb").write(data)
PY
expect "WAV at 48 kHz" 5 "$d/48k.wav"
expect "WAV in mono" 5 "$d/mono.wav"
expect "WAV of 8-bit samples" 5 "$d/8bit.wav"
expect "WAV cut inside its header" 4 "$d/header-only.wav"
expect "WAV without samples" 4 "$d/no-samples.wav"
expect "WAV whose data chunk claims 4 GiB" 0 "$d/huge-data.wav"
expect "WAV of 32-bit floats" 5 "$d/float-tag.wav"
expect "AIFF in mono" 5 "$d/mono.aiff"
expect "FLAC cut inside STREAMINFO" 4 "$d/cut.flac"
mkfifo "$d/pipe.wav"
expect "sound files: a FIFO among them" 3 "$d/pipe.wav" "$d/48k.wav"

# --- cdrdao TOC files -------------------------------------------------------------
# toc NAME CODE TEXT: a TOC (printf format) beside data.bin (raw Mode 1)
# and audio.bin (10 sectors of samples).
toc() {
    d=$(case_dir "toc-$1")
    cp "$WORK/fix/data.bin" "$d/data.bin"
    head -c $((10 * 2352)) /dev/zero > "$d/audio.bin"
    printf "$3" > "$d/disc.toc"
    mention="disc.toc:"
    expect "toc: $1" "$2" "$d/disc.toc"
}
toc "control: a valid TOC" 0 'CD_ROM\nTRACK MODE1_RAW\nFILE "data.bin" 0\n'
toc "truncated inside FILE" 4 'CD_DA\nTRACK AUDIO\nFILE "audio.bin"'
toc "truncated inside a string" 4 'CD_DA\nTRACK AUDIO\nFILE "audio.b'
toc "byte offset past the end" 4 'TRACK AUDIO\nDATAFILE "audio.bin" #99999999\n'
toc "byte offset of 20 digits" 4 'TRACK AUDIO\nDATAFILE "audio.bin" #99999999999999999999\n'
toc "start past the end" 4 'TRACK AUDIO\nFILE "audio.bin" 1:0:0\n'
toc "huge length" 4 'TRACK AUDIO\nFILE "audio.bin" 0 999999:0:0\n'
toc "huge sample count" 4 'TRACK AUDIO\nFILE "audio.bin" 0 999999999999\n'
toc "huge ZERO" 4 'TRACK MODE1\nZERO 999999:0:0\n'
toc "ZERO tracks longer than a CD" 4 'TRACK AUDIO\nZERO 60:0:0\nTRACK AUDIO\nZERO 60:0:0\n'
toc "bad MSF seconds" 4 'TRACK AUDIO\nFILE "audio.bin" 0:60:0\n'
toc "bad MSF text" 4 'TRACK AUDIO\nFILE "audio.bin" 0:x:0\n'
toc "unterminated string" 4 'TRACK AUDIO\nFILE "audio.bin 0\n'
toc "CD_TEXT braces never closed" 4 'CD_TEXT {\n LANGUAGE 0 {\n  TITLE "x"\n'
toc "binary CD-TEXT never closed" 4 'CD_TEXT { LANGUAGE 0 { GENRE { 0, 1,\n'
toc "a closing brace alone" 4 '}\nTRACK AUDIO\nSILENCE 1\n'
toc "data not whole sectors" 4 'TRACK MODE1\nFILE "audio.bin" 0\n'
toc "INDEX past the end" 4 'TRACK AUDIO\nSILENCE 0:0:5\nINDEX 0:0:9\n'
toc "START past the end" 4 'TRACK AUDIO\nSILENCE 0:0:5\nSTART 0:0:9\n'
toc "no TRACK" 4 'CD_DA\nCATALOG "0000000000000"\n'
toc "unknown mode" 4 'TRACK MODE3\nSILENCE 1\n'
toc "missing data file" 3 'TRACK AUDIO\nFILE "gone.bin" 0\n'
d=$(case_dir toc-fifo)
mkfifo "$d/pipe.bin"
printf 'TRACK AUDIO\nFILE "pipe.bin" 0\n' > "$d/disc.toc"
mention="disc.toc:"
expect "toc: a FIFO as data file (must not wait)" 3 "$d/disc.toc"
d=$(case_dir toc-many)
python3 -c 'import sys; sys.stdout.write("TRACK AUDIO\nSILENCE 0:0:1\n" * 100)' > "$d/disc.toc"
mention="disc.toc:"
expect "toc: 100 tracks" 4 "$d/disc.toc"

# --- NRG ------------------------------------------------------------------------
d=$(case_dir nrg)
for name in $(python3 "$top_srcdir/tests/mknrg.py" --list | grep '^bad-'); do
    python3 "$top_srcdir/tests/mknrg.py" "$name" "$d/$name.nrg"
    case $name in
        bad-mode-code) code=5 ;;
        *) code=4 ;;
    esac
    expect "NRG: ${name#bad-}" "$code" "$d/$name.nrg"
done
# --- CloneCD --------------------------------------------------------------------
# good_ccd: a valid one-track .ccd for the 20-sector raw Mode 1 fixture.
good_ccd() {
    cat <<'CCD'
[CloneCD]
Version=3
[Disc]
TocEntries=4
Sessions=1
DataTracksScrambled=0
CDTextLength=0
[Session 1]
PreGapMode=1
[Entry 0]
Session=1
Point=0xa0
ADR=0x01
Control=0x04
PMin=1
PSec=0
PFrame=0
[Entry 1]
Session=1
Point=0xa1
ADR=0x01
Control=0x04
PMin=1
[Entry 2]
Session=1
Point=0xa2
ADR=0x01
Control=0x04
PLBA=20
[Entry 3]
Session=1
Point=0x01
ADR=0x01
Control=0x04
PLBA=0
[TRACK 1]
MODE=1
INDEX 1=0
CCD
}
# ccd NAME CODE SED-SCRIPT: the good .ccd edited by SED-SCRIPT, beside the
# fixture as sheet.img.
ccd() {
    d=$(case_dir "ccd-$1")
    cp "$WORK/fix/data.bin" "$d/sheet.img"
    good_ccd | sed "$3" > "$d/sheet.ccd"
    name=$1 code=$2; shift 3
    expect "CloneCD: $name" "$code" "$d/sheet.ccd" "$@"
}
ccd "the good one" 0 ''
ccd "no [CloneCD], read as CloneCD" 4 '/^\[CloneCD\]/d' --from ccd
ccd "no [Disc]" 4 '/^\[Disc\]/,/^CDTextLength/d'
ccd "no TocEntries" 4 '/^TocEntries/d'
ccd "TocEntries huge" 4 's/^TocEntries=.*/TocEntries=4000000000/'
ccd "TocEntries more than the entries" 4 's/^TocEntries=.*/TocEntries=5/'
ccd "TocEntries fewer than the entries" 4 's/^TocEntries=.*/TocEntries=3/'
ccd "Sessions more than the entries" 4 's/^Sessions=.*/Sessions=2/'
ccd "non-numeric PLBA" 4 's/^PLBA=0$/PLBA=zero/'
ccd "hex junk in Point" 4 's/^Point=0x01$/Point=0xZZ/'
ccd "PLBA past the img" 4 's/^PLBA=20$/PLBA=21/'
ccd "PLBA huge" 4 's/^PLBA=20$/PLBA=99999999999999999999/'
ccd "lead-out before the track" 4 's/^PLBA=20$/PLBA=0/'
ccd "no lead-out entry" 4 's/^Point=0xa2$/Point=0xa3/'
ccd "no track entry" 4 's/^Point=0x01$/Point=0xb0/'
ccd "entries out of order" 4 's/^\[Entry 1\]$/[Entry 2]/;t;s/^\[Entry 2\]$/[Entry 1]/'
ccd "an entry past TocEntries" 4 's/^\[Entry 1\]$/[Entry 5]/'
ccd "an entry twice" 4 's/^\[Entry 1\]$/[Entry 0]/'
ccd "a session numbered 0" 4 's/^Session=1$/Session=0/'
ccd "a key twice" 4 's/^MODE=1$/MODE=1\nMODE=0/'
ccd "INDEX 0 after INDEX 1" 4 's/^INDEX 1=0$/INDEX 0=5\nINDEX 1=0/'
ccd "INDEX 2 past the track" 4 's/^INDEX 1=0$/INDEX 1=0\nINDEX 2=40/'
ccd "INDEX 100" 4 's/^INDEX 1=0$/INDEX 1=0\nINDEX 100=4/'
ccd "a line that is no KEY=VALUE" 4 's/^MODE=1$/MODE 1/'
ccd "a section without its ]" 4 's/^\[TRACK 1\]$/[TRACK 1/'
ccd "[TRACK 100]" 4 's/^\[TRACK 1\]$/[TRACK 100]/'
ccd "CATALOG not 13 digits" 4 's/^CDTextLength=0$/CATALOG=12345/'
ccd "CD-TEXT entry not hex" 4 '$a\
[CDText]\
Entries=1\
Entry 0=80 00 00 00 zz'
ccd "CD-TEXT entries missing" 4 '$a\
[CDText]\
Entries=2\
Entry 0=80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00'
ccd "scrambled data" 5 's/^DataTracksScrambled=0$/DataTracksScrambled=1/'
d=$(case_dir ccd-no-img)
good_ccd > "$d/sheet.ccd"
expect "CloneCD: no .img" 3 "$d/sheet.ccd"
d=$(case_dir ccd-odd-img)
good_ccd > "$d/sheet.ccd"
{ cat "$WORK/fix/data.bin"; printf x; } > "$d/sheet.img"
mention=sheet.img expect "CloneCD: an .img of no whole sectors" 4 "$d/sheet.ccd"
d=$(case_dir ccd-bad-sub)
good_ccd > "$d/sheet.ccd"
cp "$WORK/fix/data.bin" "$d/sheet.img"
head -c $((20 * 96 - 1)) /dev/zero > "$d/sheet.sub"
mention=sheet.sub expect "CloneCD: a .sub of the wrong size" 4 "$d/sheet.ccd"
printf '[CloneCD]\n\000\n' > "$d/nul.ccd"
cp "$WORK/fix/data.bin" "$d/nul.img"
expect "CloneCD: a NUL byte" 4 "$d/nul.ccd"
# --- claims against bytes: images shorter than they say ---
# An ISO whose volume says 30 blocks over the fixture's 20 (both-endian
# size at byte 80 of the PVD), and its raw BIN one sector short.
d=$(case_dir truncated)
cp "$WORK/fix/data.iso" "$d/short.iso"
python3 -c 'import struct, sys
f = open(sys.argv[1], "r+b"); f.seek(16 * 2048 + 80)
f.write(struct.pack("<I", 30) + struct.pack(">I", 30))' "$d/short.iso"
expect "ISO whose volume says 30 blocks over 20" 4 "$d/short.iso"
mkdir -p "$d/bin"
"$DISCCONV" convert -q --allow-truncated "$d/short.iso" -o "$d/bin/short.cue" 2>/dev/null
expect "BIN/CUE whose ISO volume says more than the BIN holds" 4 "$d/bin/short.cue"
mention=sheet.ccd ccd "an .img short of the lead-out" 4 's/^PLBA=20$/PLBA=21/'
toc "a length past the end of the file" 4 'TRACK MODE1_RAW\nFILE "data.bin" 0 0:0:21\n'
python3 - "$top_srcdir/tests" "$d" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[1])
import mknrg
d, ch = mknrg.dao(mknrg.DATA)
at = ch.index(b"DAOX") + 8 + 20
open(sys.argv[2] + "/range.nrg", "wb").write(mknrg.image(d, ch[:at] + bytes([1, 99]) + ch[at + 2:]))
open(sys.argv[2] + "/sinf.nrg", "wb").write(mknrg.image(d, ch + mknrg.chunk(b"SINF", b"\0\0\0\1\0")))
PY
expect "NRG DAOX saying tracks 1-99 over one entry" 4 "$d/range.nrg"
expect "NRG SINF chunk of 5 bytes" 4 "$d/sinf.nrg"


# --- content against labels ---
d=$(case_dir audio-over-data)
cp "$WORK/fix/data.bin" "$d/data.bin"
printf 'FILE "data.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' > "$d/sheet.cue"
expect "AUDIO over Mode 1 sectors, to sound files" 4 "$d/sheet.cue" --to audio
d=$(case_dir routed-data)
cp "$WORK/fix/data.bin" "$d/data.bin"
cp "$WORK/fix/data.bin" "$d/more.bin"
printf 'FILE "data.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\nFILE "more.bin" BINARY\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n' > "$d/sheet.cue"
target=iso expect "AUDIO over Mode 1 sectors, routed out of an ISO" 4 "$d/sheet.cue"
target=iso cue "MODE1 over audio, to ISO" 4 \
    'FILE "data.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n' "$WORK/fix/audio.bin"
d=$(case_dir mode2-over-audio)
cp "$WORK/fix/audio.bin" "$d/data.bin"
printf 'FILE "data.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n' > "$d/sheet.cue"
expect "MODE2 over audio, cooked" 4 "$d/sheet.cue" --cooked
d=$(case_dir img-mixed)
cat "$WORK/fix/data.bin" "$WORK/fix/audio.bin" "$WORK/fix/data.bin" > "$d/dump.img"
target=iso expect "IMG of data, audio, data, to ISO" 4 "$d/dump.img"

# --- CD-TEXT ---
# cdtext NAME SPOIL: a cue whose CDTEXTFILE holds a title pack and its size
# information (good CRCs), spoiled as SPOIL says, must be refused.
cdtext() {
    d=$(case_dir "cdtext-$1")
    cp "$WORK/fix/audio.bin" "$d/data.bin"
    python3 - "$d/sheet.cdt" "$2" <<'PY'
import sys
def crc(p):
    c = 0
    for b in p[:16]:
        c ^= b << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021 if c & 0x8000 else c << 1) & 0xFFFF
    return ~c & 0xFFFF
info = bytearray(36)
info[1] = info[2] = 1
info[4], info[19], info[20], info[28] = 1, 3, 3, 9
packs = [bytearray([0x80, 0, 0, 0]) + b"Title".ljust(12, b"\0")]
packs += [bytearray([0x8F, n, 1 + n, 0]) + info[12 * n:12 * n + 12]
          for n in range(3)]
spoil = sys.argv[2]
if spoil == "sequence":
    packs[2][2] = 9
elif spoil == "count":
    packs[1][4 + 4] = 2
elif spoil == "order":
    packs[0][3] = packs[1][3] = 0x10
out = b""
for p in packs:
    c = crc(p)
    out += bytes(p) + bytes([c >> 8, c & 0xFF])
open(sys.argv[1], "wb").write(out)
PY
    printf 'CDTEXTFILE "sheet.cdt"\nFILE "data.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' > "$d/sheet.cue"
    expect "CD-TEXT: $3" 4 "$d/sheet.cue"
}
cdtext sequence sequence "a gap in a block's sequence numbers"
cdtext count count "size information that miscounts its packs"
cdtext order order "a block after a later one"

# --- raw means evidence; formats recognised but not read ---
d=$(case_dir evidence)
python3 -c 'import random, sys
sys.stdout.buffer.write(random.Random(12).randbytes(4096))' > "$d/noise.toc"
expect "random bytes named .toc: not a TOC file" 4 "$d/noise.toc"
cp "$d/noise.toc" "$d/noise.dat"
expect "random bytes named .dat: no evidence of a raw image" 5 "$d/noise.dat"
cp "$WORK/fix/audio.bin" "$d/tones.dat"
expect "raw audio named .dat: no evidence of a raw image" 5 "$d/tones.dat"
# foreign NAME HEXBYTES [AT]: 4 KiB of zeros (two sectors by size) with a
# format's signature at AT (negative: from the end).
foreign() {
    python3 -c 'import sys
data = bytearray(4096)
magic, at = bytes.fromhex(sys.argv[1]), int(sys.argv[2])
at = at if at >= 0 else len(data) + at
data[at:at + len(magic)] = magic
open(sys.argv[3], "wb").write(data)' "$2" "${3:-0}" "$d/$1"
    expect "recognised, not read: $1" 5 "$d/$1"
}
foreign mds.bin 4d454449412044455343524950544f52
foreign chd.bin 4d436f6d70724844
foreign cdi.bin 0600008000010000 -8
foreign ecm.bin 45434d00
foreign isz.bin 49735a21
foreign daa.bin 44414120564f4c00
foreign gbi.bin 47424900
foreign cso.bin 4349534f
foreign b6t.bin 425754352053545245414d205349474e
foreign dmg.bin 656e637263647361
foreign gz.bin 1f8b08
foreign xz.bin fd377a585a00
foreign zip.bin 504b0304
foreign 7z.bin 377abcaf271c
foreign bz2.bin 425a6839
foreign zst.bin 28b52ffd
cp "$WORK/fix/data.bin" "$d/disc.mdf"
expect "an Alcohol 120% data file by its name" 5 "$d/disc.mdf"
mkdir -p "$d/alcohol"
cp "$WORK/fix/data.bin" "$d/alcohol/disc.bin"
printf 'MEDIA DESCRIPTOR' > "$d/alcohol/disc.mds"
expect "an Alcohol 120% data file by the .mds beside it" 5 "$d/alcohol/disc.bin"

# --- acceptance: claims a file cannot hold ---
d=$(case_dir acceptance)
# A UDF volume recognition sequence (BEA01, NSR02, TEA01 from block 16) in
# a file of 200 blocks: UDF's anchor at block 256 is missing.
python3 -c 'import sys
data = bytearray(200 * 2048)
for i, ident in enumerate((b"BEA01", b"NSR02", b"TEA01")):
    data[(16 + i) * 2048:(16 + i) * 2048 + 7] = b"\0" + ident + b"\1"
open(sys.argv[1], "wb").write(data)' "$d/udf-short.iso"
expect "a UDF volume cut before its anchor" 4 "$d/udf-short.iso"
# Labels the sectors contradict, to the targets that would follow them.
target=iso
cue "audio label over data, to an ISO" 4 'FILE "data.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n'
d=$(case_dir mode1-over-audio)
cp "$WORK/fix/audio.bin" "$d/data.bin"
printf 'FILE "data.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n' > "$d/sheet.cue"
target=wav
expect "mode1 label over audio, to sound files" 4 "$d/sheet.cue" -t wav
# --- DMG ---
# Each made by tests/mkdmg.py from a small ISO with one thing wrong: one
# line naming the partition and chunk where there is one, nothing written.
if have genisoimage; then
    d=$(case_dir dmg)
    mkdir -p "$d/src" && head -c 300000 /dev/urandom > "$d/src/noise" &&
        genisoimage -quiet -o "$d/in.iso" "$d/src"
    target=img
    for spec in koly-xml-past-end:4 koly-data-past-end:4 plist-not-xml:4 \
                plist-not-plist:4 base64-garbage:4 mish-count-overflow:4 \
                chunk-overlap:4 chunk-past-end:4 stream-short:4 \
                crc-partition:4 crc-data-fork:4 unknown-chunk:4; do
        python3 "$top_srcdir/tests/mkdmg.py" --chunk 64 --break "${spec%:*}" \
            "$d/in.iso" "$d/${spec%:*}.dmg"
        expect "DMG: ${spec%:*}" "${spec#*:}" "$d/${spec%:*}.dmg"
    done
    for spec in chunk-overlap chunk-past-end stream-short unknown-chunk; do
        "$DISCCONV" convert -q "$d/$spec.dmg" -o "$d/x.img" 2>"$WORK/dmg-err"
        check "DMG: $spec names the partition and chunk" \
            grep -q "partition 1 (.*) chunk [0-9]" "$WORK/dmg-err"
    done
    target=iso
    head -c 100 /dev/zero > "$d/sprs.dmg" && printf sprs | dd of="$d/sprs.dmg" conv=notrunc 2>/dev/null
    expect "DMG: a sparse image, named" 5 "$d/sprs.dmg"
fi
# --- encrypted DMG (encrcdsa v2) ---
# Each made by tests/mkencdmg.py from a DMG of a small ISO with one header
# or key-blob field wrong, opened with the right password.
if have genisoimage && have openssl; then
    d=$(case_dir dmgcrypt)
    mkdir -p "$d/src" && seq 1 20000 > "$d/src/text" &&
        genisoimage -quiet -o "$d/in.iso" "$d/src" &&
        "$DISCCONV" convert -q "$d/in.iso" -o "$d/in.dmg"
    for spec in truncated-header:4 blob-past-end:4 blob-count-huge:4 \
                iterations-zero:4 iterations-huge:4 key-bits-192:5 \
                block-size-odd:4 data-past-end:4 data-noise:2; do
        python3 "$top_srcdir/tests/mkencdmg.py" --break "${spec%:*}" \
            "$d/in.dmg" "$d/${spec%:*}.dmg" pw
        target=iso
        expect "encrypted DMG: ${spec%:*}" "${spec#*:}" "$d/${spec%:*}.dmg" \
            --password pw
    done
fi
d=$(case_dir dmgcrypt1)
{ head -c 4096 /dev/zero; printf cdsaencr; head -c 1024 /dev/zero; } > "$d/v1.dmg"
target=iso
expect "encrypted DMG: cdsaencr v1, refused" 5 "$d/v1.dmg" --password pw
check "encrypted DMG: the v1 refusal says only v2 is read" \
    grep -q "cdsaencr v1.*only version 2" "$WORK/stderr"
# --- UIF ---
# Each made by tests/mkuif.py from a small ISO with one thing wrong: one
# line ("file: block N at offset X: why" where a block is to blame),
# nothing written.
if have genisoimage; then
    d=$(case_dir uif)
    mkdir -p "$d/src" && head -c 300000 /dev/urandom > "$d/src/noise" &&
        genisoimage -quiet -o "$d/in.iso" "$d/src"
    target=iso
    for spec in footer-offset:4 table-count:4 block-past:4 block-overlap:4 \
                sector-overflow:4 lastdiff:4 block-type:4 block-offset:4 \
                stream-short:4; do
        python3 "$top_srcdir/tests/mkuif.py" --block 8 --break "${spec%:*}" \
            "$d/in.iso" "$d/${spec%:*}.uif"
        expect "UIF: ${spec%:*}" "${spec#*:}" "$d/${spec%:*}.uif"
    done
    for spec in block-past block-overlap sector-overflow block-type \
                block-offset stream-short; do
        "$DISCCONV" convert -q "$d/$spec.uif" -o "$d/x.iso" 2>"$WORK/uif-err"
        check "UIF: $spec names the block and its offset" \
            grep -q "$spec.uif: block [0-9]* at offset [0-9]*: " "$WORK/uif-err"
    done
    # A mixed UIF without a descriptor discconv reads: its blms records
    # make the disc, and one starting past the image's sectors is refused.
    echo "not read" > "$d/fake.mds"
    python3 "$top_srcdir/tests/mkuif.py" --sector 2352 --mixed "mds:$d/fake.mds" \
        --tracks 1:data:0,2:audio:100000 "$d/in.iso" "$d/blms-past.uif"
    expect "UIF: a blms record past the sector count" 4 "$d/blms-past.uif"
    check "UIF: blms-past names the record" \
        grep -q "blms track record 2: track 2 starts at 22:15:25 (sector 100000), not after" "$WORK/stderr"
    # A stored cue naming two files: the payload is one, its parts unknown.
    printf 'FILE "a.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\nFILE "b.bin" BINARY\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n' > "$d/two.cue"
    python3 "$top_srcdir/tests/mkuif.py" --sector 2352 --mixed "cue:$d/two.cue" \
        "$d/in.iso" "$d/two-files.uif"
    expect "UIF: a stored cue of two files" 5 "$d/two-files.uif"
    if python3 "$top_srcdir/tests/mkuif.py" --version 2 --password right \
        "$d/in.iso" "$d/password.uif"; then
        expect "UIF: a wrong password" 2 "$d/password.uif" --password wrong
        expect "UIF: no password" 5 "$d/password.uif"
    fi
fi
finish
