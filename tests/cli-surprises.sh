#!/bin/sh
# A command line without surprises: options only where they apply and only
# once, one spelling for tracks, the format names users type, -o DIR/,
# "there is no track 9", file:line only for text files, the disc's length
# as a duration, warnings in info --json, help per command.
. "$(dirname "$0")/lib.sh"

make_sample
S=$WORK/sample
cd "$WORK" || exit 1

# refused NAME PATTERN ARGS...: exit 2, the message matching PATTERN on
# its first line, nothing written into $WORK/o.
refused() {
    name=$1; pattern=$2; shift 2
    rm -rf "$WORK/o"; mkdir "$WORK/o"
    run "$@"
    if [ "$rc" -eq 2 ] && head -1 "$WORK/err" | grep -q -- "$pattern" &&
       [ -z "$(ls -A "$WORK/o")" ]; then
        ok "$name (exit 2)"
    else
        bad "$name: exit $rc: $(cat "$WORK/err")"
    fi
}

# --- 1. an option that does not apply to the command is refused ---------
refused "extract-audio --json" "^discconv: --json does not apply to extract-audio (it is an option of info, convert and verify)$" \
    extract-audio "$S/sample.cue" --json -o "$WORK/o/x"
refused "info --split" "^discconv: --split does not apply to info (it is an option of convert)$" \
    info --split "$S/sample.cue"
refused "info --tracks" "^discconv: --tracks does not apply to info (it is an option of convert and extract-audio)$" \
    info --tracks 1 "$S/sample.cue"
refused "info -o" "^discconv: -o does not apply to info" info -o "$WORK/o/x" "$S/sample.cue"
refused "extract-audio -t" "^discconv: -t does not apply to extract-audio" \
    extract-audio -t iso "$S/sample.cue" -o "$WORK/o"
refused "extract-audio --raw" "^discconv: --raw does not apply to extract-audio" \
    extract-audio --raw "$S/sample.cue" -o "$WORK/o"
refused "formats --json" "^discconv: --json does not apply to formats" formats --json
check "the refusal points at the command's help" \
    grep -qx "Try 'discconv formats --help'." "$WORK/err"

# Every option against every command, as the man page's option list says
# they apply: accepted where it says (whatever else then fails), refused
# with "does not apply" everywhere else.  The list comes from the same
# table the parser uses, so this checks the parser against its own help.
"$DISCCONV" --help-man | sed -n '/^\.SH OPTIONS/,/^\.SH /p' |
    grep -v '^\.' | sed 's/\\f[BIR]//g; s/\\-/-/g' > "$WORK/option-lines"
applies_matrix() {
    [ "$(wc -l < "$WORK/option-lines")" -gt 15 ] || { echo "no options read"; return 1; }
    while read -r line; do
        opt=$(echo "$line" | grep -o -- '--[a-z0-9-]*' | head -1)
        # An option may have a line per group of commands (normalize's -o):
        # it applies where any of its lines says.
        where=$(grep -- "$opt[ ,]\|$opt\$" "$WORK/option-lines" |
                sed 's/.*(\(.*\))$/\1/' | paste -s -d ' ')
        [ "$where" = "every command" ] && continue
        value=
        case $line in *"$opt "[A-Za-z]*) value=x ;; esac
        case $opt in --tracks|--track) value=1 ;; --format) value=wav ;;
                     --pregap) value=append ;; esac
        for cmd in info convert extract-audio formats help; do
            "$DISCCONV" $cmd $opt $value >/dev/null 2>"$WORK/m.err"
            if echo "$where" | grep -qw -- "$cmd"; then
                ! grep -q "does not apply" "$WORK/m.err" ||
                    { echo "$cmd refuses $opt: $(cat "$WORK/m.err")"; return 1; }
            else
                grep -q "^discconv: $opt does not apply to $cmd" "$WORK/m.err" ||
                    { echo "$cmd takes $opt: $(cat "$WORK/m.err")"; return 1; }
            fi
        done
    done < "$WORK/option-lines"
}
check "each option is accepted exactly by the commands its help names" applies_matrix

# --- an option given twice ----------------------------------------------
refused "a second -o" "^discconv: option -o given twice$" \
    convert "$S/sample.cue" -o "$WORK/o/a.iso" -o "$WORK/o/b.iso"
refused "the same -o twice" "^discconv: option -o given twice$" \
    convert "$S/sample.cue" -o "$WORK/o/a.iso" -o "$WORK/o/a.iso"
refused "-o and --output" "^discconv: -o and --output are one option, given twice$" \
    convert "$S/sample.cue" -o "$WORK/o/a.iso" --output "$WORK/o/b.iso"
refused "--track and --tracks" "^discconv: --track and --tracks are one option, given twice$" \
    convert "$S/sample.cue" --track 1 --tracks 1 -o "$WORK/o/a.iso"
refused "a second --to" "^discconv: option --to given twice$" \
    convert "$S/sample.cue" --to iso --to nrg -o "$WORK/o/a"
refused "a second --format" "option --format given twice" \
    extract-audio "$S/sample.cue" --format wav --format flac -o "$WORK/o"
refused "an abbreviated option" "^discconv: unknown option '--verif' (did you mean '--verify'?)$" \
    convert "$S/sample.cue" --verif -o "$WORK/o/a.iso"
run convert -q "$S/sample.cue" --option bincue.split=yes --option bincue.split=yes -o "$WORK/rep.cue"
check "--option may be repeated" test "$rc" -eq 0 -a -f "$WORK/rep (Track 1).bin"

# --- 2. one spelling for tracks: --tracks everywhere, --track its alias --
run convert -q "$S/sample.cue" --tracks 1 -o "$WORK/t1.iso"
run convert -q "$S/sample.cue" --track 1 -o "$WORK/t1b.iso"
check "convert --tracks 1 and --track 1 write the same ISO" cmp "$WORK/t1.iso" "$WORK/t1b.iso"
check "that ISO is the data track (iso-info reads its volume)" sh -c "
    ! command -v iso-info >/dev/null ||
    iso-info -i '$WORK/t1.iso' 2>/dev/null | grep -q DISCCONV_SAMPLE"
run extract-audio -q "$S/sample.cue" --track 3 -o "$WORK/x3"
check "extract-audio takes --track N as a list of one" \
    test "$(ls "$WORK/x3" | grep -c '\.wav$')" -eq 1 -a -f "$WORK/x3/sample (Track 03).wav"
run extract-audio -q "$S/sample.cue" --tracks 2-3 -o "$WORK/x23"
check "extract-audio --tracks 2-3 writes two files" \
    test "$(ls "$WORK/x23" | grep -c '\.wav$')" -eq 2
refused "a list of two for a one-track target" "the iso format takes the whole disc or one track, and 2 tracks were chosen" \
    convert "$S/sample.cue" --tracks 1,2 -o "$WORK/o/x.iso"
refused "a malformed list" "^discconv: --tracks 1,,2: a track list takes" \
    extract-audio "$S/sample.cue" --tracks 1,,2 -o "$WORK/o"

# --- 3. the target names users type --------------------------------------
# A target named by -t against what the output's name says: written as
# asked, with a note; none when the name fits.
run convert "$S/sample.cue" --tracks 1 -t iso -o "$WORK/o/named.cue"
check "-t iso -o x.cue: an ISO, and a note that the name says bincue" sh -c "
    [ $rc -eq 0 ] && [ \$(head -c 32774 '$WORK/o/named.cue' | tail -c 6 | tr -d '\\001') = CD001 ] &&
    grep -q 'named.cue is written as iso .*its name says bincue' '$WORK/err'"
run convert "$S/sample.cue" -t bincue -o "$WORK/o/fits.bin"
check "-t bincue -o x.bin: no such note" sh -c "
    [ $rc -eq 0 ] && ! grep -q 'its name says' '$WORK/err'"
# Each -t name writes the format it names, as discconv info reads it back
# (and cd-info / file / the sound file's magic where a peer can tell).
target_is() { # NAME FORMAT FILE-WRITTEN
    rm -rf "$WORK/t"
    run convert -q "$S/sample.cue" -t "$1" -o "$WORK/t/"
    [ "$rc" -eq 0 ] || { bad "-t $1: exit $rc: $(cat "$WORK/err")"; return; }
    run info --json "$WORK/t/$3"
    if [ "$rc" -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == sys.argv[2] and len(d["tracks"]) >= 1, d["format"]
' "$WORK/out" "$2"; then ok "-t $1 writes $2 ($3)"; else bad "-t $1: $(cat "$WORK/err")"; fi
}
target_is bincue bincue sample.cue
target_is cue bincue sample.cue
target_is bin bincue sample.cue
target_is nrg nrg sample.nrg
target_is ccd ccd sample.ccd
target_is img img sample.img
target_is raw img sample.img
target_is iso iso sample.iso
target_is CUE bincue sample.cue
if have cd-info; then
    run convert -q "$S/sample.cue" -t bin -o "$WORK/peer/"
    check "cd-info reads the -t bin output's three tracks" sh -c "
        cd-info --no-device-info --no-disc-mode -q -i '$WORK/peer/sample.cue' 2>/dev/null |
            grep -Eq '^ +3: .*audio'"
else
    skip "cd-info missing"
fi
sound_target() { # NAME MAGIC-AT-0 MAGIC-AT-8
    rm -rf "$WORK/t"
    run convert -q "$S/sample.cue" -t "$1" -o "$WORK/t/"
    f=$(ls "$WORK/t"/*"(Track 02)".* 2>/dev/null | head -1)
    if [ "$rc" -eq 0 ] && [ -n "$f" ] &&
       [ "$(head -c 4 "$f")" = "$2" ] &&
       { [ -z "$3" ] || [ "$(head -c 12 "$f" | tail -c 4)" = "$3" ]; } &&
       [ -f "$WORK/t/sample.cue" ]; then
        ok "-t $1 writes $1 sound files and their cue sheet"
    else
        bad "-t $1: exit $rc, file '$f': $(cat "$WORK/err")"
    fi
}
sound_target wav RIFF WAVE
sound_target aiff FORM AIFF
sound_target aif FORM AIFF
sound_target flac fLaC ""
if have ffprobe; then
    check "ffprobe reads the -t flac file as FLAC" sh -c "
        ffprobe -v error -show_entries stream=codec_name -of csv=p=0 \
            '$WORK/t/sample (Track 02).flac' | grep -qx flac"
else
    skip "ffprobe missing"
fi
refused "-t flac with --format wav" "^discconv: --to flac and --format wav ask for different sound formats$" \
    convert "$S/sample.cue" -t flac --format wav -o "$WORK/o/"
refused "-t toc: read only, and says so" "toc (cdrdao TOC) is read only: discconv converts from it, not to it; it writes bincue, " \
    convert "$S/sample.cue" -t toc -o "$WORK/o/x.toc"
refused "-t with an unknown name lists the writable formats" "'mdf' is not a format discconv writes; it writes bincue, nrg, ccd, audio, dmg, uif, iso, img" \
    convert "$S/sample.cue" -t mdf -o "$WORK/o/x.mdf"
refused "--from with an unknown name lists the readable formats" "'mds' is not a format discconv reads; it reads bincue, toc, nrg, ccd, audio, dmg, uif, iso, img" \
    info --from mds "$S/sample.cue"
run info --from cue "$S/sample.cue"
check "--from takes an extension too (cue)" grep -q "(bincue)" "$WORK/out"
refused "a sound option for a target that writes no sound files" "the bincue format keeps audio tracks itself and writes no sound files" \
    convert "$S/sample.cue" --format flac -o "$WORK/o/x.cue"

# --- 4. -o DIR/ names outputs after the input; missing folders are made --
mkdir "$WORK/d"
run convert -q "$S/sample.cue" -t bincue -o "$WORK/d/"
check "-o DIR/ -t bincue writes DIR/sample.cue and DIR/sample.bin, nothing hidden" \
    test "$(ls -A "$WORK/d" | tr '\n' ' ')" = "sample.bin sample.cue "
mkdir "$WORK/e"
run convert -q "$S/sample.cue" -t nrg -o "$WORK/e"
check "-o an existing folder, without the slash, writes into it" test -f "$WORK/e/sample.nrg"
run convert -q "$S/sample.cue" --tracks 1 -o "$WORK/new/a/b/"  -t iso
check "-o new/a/b/ makes the nested folders" test -f "$WORK/new/a/b/sample.iso"
run convert -q "$S/sample.cue" --tracks 1 -o "$WORK/deep/er/x.iso"
check "-o into missing folders with a file name makes them" test -f "$WORK/deep/er/x.iso"
run extract-audio -q "$S/sample.cue" -o "$WORK/music/2024/album"
check "extract-audio makes nested folders too" test -f "$WORK/music/2024/album/sample.cue"
"$GEN_TONE" 75 440 660 > "$S/tone.bin"
printf 'FILE "tone.bin" BINARY\nTRACK 01 AUDIO\n  INDEX 01 00:00:00\n' > "$S/audio.cue"
run convert "$S/audio.cue" -o "$WORK/gone/sub/x.iso"
check "a refused conversion leaves no folder behind" test "$rc" -eq 7 -a ! -e "$WORK/gone"
refused "no folder name and no --to" "cannot tell the target format" \
    convert "$S/sample.cue" -o "$WORK/o/"
refused "-o '' (no name at all)" "'' names no file" \
    convert "$S/sample.cue" -t bin -o ""
check "... and writes no hidden .bin" test ! -e "$WORK/.bin" -a ! -e "$WORK/.cue"

# --- 5. there is no track 9 ---------------------------------------------
refused "convert --tracks 9" "^discconv: .*sample.cue: there is no track 9 (the disc has tracks 1-3)$" \
    convert "$S/sample.cue" --tracks 9 -o "$WORK/o/x.iso"
refused "convert --track 9" "there is no track 9 (the disc has tracks 1-3)$" \
    convert "$S/sample.cue" --track 9 -o "$WORK/o/x.cue"
refused "extract-audio --tracks 2-9" "there is no track 4 (the disc has tracks 1-3)$" \
    extract-audio "$S/sample.cue" --tracks 2-9 -o "$WORK/o"
refused "extract-audio --tracks 1 (a data track)" "track 1 is a data track, not audio (the disc's audio: tracks 2-3)$" \
    extract-audio "$S/sample.cue" --tracks 1 -o "$WORK/o"
run convert -q "$S/sample.cue" --tracks 1 -o "$WORK/only-data.iso"
refused "extract-audio of a disc without audio" "no audio tracks to write as sound files: the disc's track 1 is data$" \
    extract-audio "$WORK/only-data.iso" -o "$WORK/o"

# --- 6. file:line for text files only -------------------------------------
printf 'FILE "sample.bin" BINARY\nCDTEXTFILE "bad.cdt"\nTRACK 01 MODE1/2352\n  INDEX 01 00:00:00\n' > "$S/cdt.cue"
head -c 36 /dev/zero > "$S/bad.cdt"
run info "$S/cdt.cue"
check "a fault in a .cdt is at an offset in the .cdt, which the cue names at a line" \
    sh -c "[ $rc -eq 4 ] && grep -q 'bad.cdt (CDTEXTFILE at .*cdt.cue:2): CD-TEXT pack at offset 0 ' '$WORK/err'"
run convert -q "$S/sample.cue" -o "$WORK/n.nrg"
python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.rfind(b"DAOX")
b[i + 4:i + 8] = (0xFFFFFF).to_bytes(4, "big")
open(sys.argv[2], "wb").write(b)' "$WORK/n.nrg" "$WORK/bad.nrg"
run info "$WORK/bad.nrg"
check "a binary NRG's fault is at an offset, not a line" sh -c "
    [ $rc -eq 4 ] && grep -q 'bad.nrg: chunk DAOX at offset [0-9]' '$WORK/err' &&
    ! grep -Eq 'bad.nrg:[0-9]+' '$WORK/err'"
printf 'FILE "sample.bin" BINARY\nTRACK 01 MODE1/2352\n  INDEX 01 00:99:00\n' > "$S/bad.cue"
run info "$S/bad.cue"
check "a cue sheet's fault keeps its file:line" grep -q "bad.cue:3: " "$WORK/err"

# --- 7. the disc's length as a duration ----------------------------------
run info "$S/sample.cue"
check "info: the disc's length in seconds and sectors" \
    grep -q "^Disc: *3 tracks, 1 session, 22.13 s (1660 sectors)$" "$WORK/out"
check "info: the track table keeps MSF" grep -Eq "^  2 .* 00:09:10 " "$WORK/out"
"$GEN_TONE" 4700 440 660 > "$WORK/long.bin"
printf 'FILE "long.bin" BINARY\nTRACK 01 AUDIO\n  INDEX 01 00:00:00\n' > "$WORK/long.cue"
run info "$WORK/long.cue"
check "info: over a minute, minutes and seconds" \
    grep -q "^Disc: *1 track, 1 session, 1 min 2.67 s (4700 sectors)$" "$WORK/out"
run info --json "$WORK/long.cue"
cp "$WORK/out" "$WORK/long.json"
if have cd-info; then
    cd-info --no-device-info --no-disc-mode -q -i "$WORK/long.cue" 2>/dev/null |
        awk '/leadout/ { print $3 + 0 }' > "$WORK/cdinfo-leadout"
    check "info --json duration_seconds is cd-info's lead-out LBA / 75" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
leadout = int(open(sys.argv[2]).read())
assert leadout == 4700 and d["leadout_lba"] == leadout, (d["leadout_lba"], leadout)
assert abs(d["duration_seconds"] - leadout / 75) < 0.001, d["duration_seconds"]
' "$WORK/long.json" "$WORK/cdinfo-leadout"
else
    skip "cd-info missing"
fi

# --- 8. warnings in info --json; control bytes escaped --------------------
# A refusal under --json is JSON too: the exit code, status, message and
# the option that would help, besides the line on stderr.
head -c $((200 * 2048)) "$WORK/only-data.iso" > "$WORK/cut.iso"
run convert --json "$WORK/cut.iso" -o "$WORK/o/cut.cue"
check "convert --json of a refused image: the error as JSON, exit 4" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = d["error"]
assert d["image"].endswith("cut.iso") and e["exit_code"] == 4 == int(sys.argv[3]), d
assert e["advice"] == "use --allow-truncated" and "truncated" in e["message"], e
assert e["message"] in open(sys.argv[2]).read()' "$WORK/out" "$WORK/err" "$rc"
run info --json "$WORK/no-such.iso"
check "info --json of a missing file: the error as JSON, exit 3" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["exit_code"] == 3 == int(sys.argv[2]) and e["advice"] is None, e' "$WORK/out" "$rc"
cp "$WORK/only-data.iso" "$WORK/pad.iso"
printf 'junk' >> "$WORK/pad.iso"
run info --json "$WORK/pad.iso"
check "info --json lists the warnings info prints" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read()
assert d["warnings"] and all("pad.iso" in w for w in d["warnings"]), d["warnings"]
for w in d["warnings"]:
    assert "discconv: warning: " + w in err, (w, err)
' "$WORK/out" "$WORK/err"
run info --json "$S/sample.cue"
check "info --json of a clean image: an empty warnings list" python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["warnings"] == []' "$WORK/out"
printf 'TITLE "a\033[31mb\177c\302\233d"\nFILE "sample.bin" BINARY\nTRACK 01 MODE1/2352\n  INDEX 01 00:00:00\n' > "$S/esc.cue"
run info --json "$S/esc.cue"
check "info --json escapes control characters (ESC, DEL, C1)" sh -c "
    grep -q 'a\\\\u001b\\[31mb\\\\u007fc\\\\u009bd' '$WORK/out' &&
    ! LC_ALL=C grep -q \"\$(printf '[\\033\\177]')\" '$WORK/out' &&
    python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))[\"cdtext\"][\"title\"] == \"a\\x1b[31mb\\x7fc\\x9bd\"' '$WORK/out'"

# --- 9. help per command, from the same tables ----------------------------
run convert --help
cp "$WORK/out" "$WORK/convert-help"
check "convert --help: its usage and options, not extract-audio's" sh -c "
    [ $rc -eq 0 ] && head -1 '$WORK/convert-help' | grep -qx 'discconv convert INPUT... -o OUTPUT' &&
    grep -q -- '--tracks LIST' '$WORK/convert-help' && grep -q -- '--raw' '$WORK/convert-help'"
run extract-audio --help
check "extract-audio --help: not convert's own options" sh -c "
    [ $rc -eq 0 ] && grep -q -- '--tracks LIST' '$WORK/out' && ! grep -q -- '--raw' '$WORK/out' &&
    ! grep -q -- '^ *--json' '$WORK/out'"
run help convert
check "'discconv help convert' is 'discconv convert --help'" cmp "$WORK/out" "$WORK/convert-help"
run info --help
info_options() { grep -Eo -- '^ +(-., )?--[a-z-]+' "$WORK/out" | grep -Eo -- '--[a-z-]+$' | sort | tr '\n' ' '; }
check "info --help lists --from, --partition, --no-verify, --password and --json, no other option" \
    test "$(info_options)" = "--from --json --no-verify --partition --password "
run --help
check "--help is grouped by command" sh -c "
    for c in 'info IMAGE' 'convert INPUT... -o OUTPUT' 'extract-audio IMAGE -o DIR' formats 'help \\[COMMAND\\]'; do
        grep -q \"^discconv \$c\$\" '$WORK/out' || { echo \"no \$c\"; exit 1; }
    done"

# --- 10. clear usage errors -----------------------------------------------
refused "convert without an input" "^discconv: convert needs an input: discconv convert INPUT... -o OUTPUT$" convert -o x.iso
refused "convert without -o" "^discconv: convert needs an output: -o OUTPUT$" convert "$S/sample.cue"
refused "extract-audio without -o" "^discconv: extract-audio needs an output: -o DIR$" extract-audio "$S/sample.cue"
refused "a misspelt command" "^discconv: unknown command 'conver' (did you mean 'convert'?); the commands are info, convert, extract-audio, verify, normalize, formats, help$" conver "$S/sample.cue"
refused "an image where the command goes" "is a file, not a command: put a command first" "$S/sample.cue"
refused "no command" "^discconv: no command given; the commands are info" 
refused "formats with an argument" "^discconv: formats takes no arguments, not 'x'$" formats x
refused "info with two images" "^discconv: info takes one IMAGE, not also" info "$S/sample.cue" "$S/sample.cue"
refused "a flag given a value" "^discconv: option '--json' takes no value$" info --json=yes "$S/sample.cue"

# --- 11. acceptance: what a new user types -------------------------------
# The Formats list shows extensions with their dot; typed so, they name
# the format.
rm -rf "$WORK/t"
run convert -q "$S/sample.cue" -t .cue -o "$WORK/t/"
check "-t .cue writes BIN/CUE" test "$rc" -eq 0 -a -f "$WORK/t/sample.cue" -a -f "$WORK/t/sample.bin"
run info --from .cue "$S/sample.cue"
check "--from .cue reads a cue sheet" grep -q "(bincue)" "$WORK/out"
# -o DIR/ names DIR/NAME, not DIR//NAME.
rm -rf "$WORK/t"
run extract-audio "$S/sample.cue" -o "$WORK/t/"
check "extract-audio -o DIR/ says what it wrote without a doubled /" sh -c "
    [ $rc -eq 0 ] && grep -q '^wrote .*/t/sample.cue$' '$WORK/out' && ! grep -q '//' '$WORK/out'"
# A sound file that is not one is named once, with libsndfile's reason.
head -c 4096 /dev/zero > "$WORK/noise.wav"
run info noise.wav
check "a .wav that is no sound file: exit 4, named once" sh -c "
    [ $rc -eq 4 ] && [ \$(grep -o 'noise.wav' '$WORK/err' | wc -l) -eq 1 ] &&
    grep -q '^discconv: noise.wav: cannot be decoded as audio: ' '$WORK/err'"
python3 -c 'import wave
w = wave.open("fast.wav", "wb")
w.setnchannels(2); w.setsampwidth(2); w.setframerate(48000)
w.writeframes(bytes(4 * 4800)); w.close()'
run info fast.wav
check "a 48 kHz WAV: exit 5, named once" sh -c "
    [ $rc -eq 5 ] && grep -qx 'discconv: fast.wav: is 48000 Hz, 2 channel(s): CD audio must be 44100 Hz 16-bit stereo' '$WORK/err'"
# Terminal output carries no control bytes, whether from the image (a
# volume label) or a file name.
if have genisoimage; then
    mkdir -p "$WORK/ctl"; echo x > "$WORK/ctl/f"
    genisoimage -quiet -V LABEL -o "$WORK/ctl.iso" "$WORK/ctl"
    python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(16 * 2048 + 40); f.write(b"AB\x1b[31mCD\x07")' "$WORK/ctl.iso"
    esc=$(printf 'e\033[31mvil.iso')
    cp "$WORK/ctl.iso" "$esc"
    run info "$esc"
    check "info: control bytes of a volume label and a file name shown as \\xNN" sh -c "
        [ $rc -eq 0 ] && ! tr -d '\\n' < '$WORK/out' | LC_ALL=C grep -q '[[:cntrl:]]' &&
        grep -qF 'volume \"AB\\x1B[31mCD\\x07\"' '$WORK/out' &&
        grep -qF 'Image:     e\\x1B[31mvil.iso (iso)' '$WORK/out'"
    run convert "$esc" -t iso -o "$esc.out/"
    check "convert's 'wrote' lines too" sh -c "
        [ $rc -eq 0 ] && ! tr -d '\\n' < '$WORK/out' | LC_ALL=C grep -q '[[:cntrl:]]' &&
        grep -qF 'wrote e\\x1B[31mvil.iso.out/' '$WORK/out'"
else
    skip "genisoimage missing: control bytes"
fi
finish
