#!/bin/sh
# CD-TEXT in every language against libcdio's cd-info: the corpus pack
# files decode as cd-info decodes them (where it is right), and the packs
# discconv makes from a two-language TOC read back in cd-info from the NRG
# and the cue sheet it writes.  Also: the genre code, text that no
# character set holds, targets without CD-TEXT, control characters kept
# off the terminal, damaged packs.
#
# Where libcdio 2.1.0 is wrong, the test says so and checks around it:
#  - it files every string that ends in a pack under the pack's first
#    track and drops empty strings, so on cdtext-krosis.cdt (disc
#    songwriter "" and "Krosis" for track 1, then TABs) it gives the
#    songwriter, composer and arranger to the disc: only titles and
#    performers are compared there;
#  - it reads no double-byte text, so MS-JIS is checked by our own
#    reading (tests/test_cdtext.c checks the pack bytes).
. "$(dirname "$0")/lib.sh"

compare=$top_srcdir/tests/compare_cdtext.py
cd "$WORK" || exit 1

# cue_for NAME CDT TRACKS: NAME.cue + NAME.bin (4-second silent tracks) with
# the packs as its CDTEXTFILE.
cue_for() {
    cp "$2" "$1.cdt"
    head -c $(($3 * 300 * 2352)) /dev/zero > "$1.bin"
    { echo "CDTEXTFILE \"$1.cdt\""; echo "FILE \"$1.bin\" BINARY"
      i=1
      while [ "$i" -le "$3" ]; do
          printf '  TRACK %02d AUDIO\n    INDEX 01 %02d:%02d:00\n' "$i" \
              $(((i - 1) * 4 / 60)) $(((i - 1) * 4 % 60))
          i=$((i + 1))
      done; } > "$1.cue"
}

# cdinfo_agrees NAME IMAGE-OPTION IMAGE OURS [--fields ...]: cd-info's
# CD-TEXT of IMAGE is what discconv reads from OURS.
cdinfo_agrees() {
    name=$1 option=$2 image=$3 ours=$4; shift 4
    cd-info --no-device-info --no-header "$option" "$image" > cdinfo.txt 2>&1
    "$DISCCONV" info --json "$ours" > ours.json 2>&1
    check "$name" python3 "$compare" "$@" cdinfo.txt ours.json
}

# --- the corpus packs, as cd-info reads them --------------------------------
if ! have cd-info; then
    skip "cd-info missing (apt-get install libcdio-utils)"
elif ! have_corpus; then
    skip "corpus absent: the cdtext*.cdt packs"
else
    for spec in libcdio-cdtext-2011/cdtext.cdt:3 libcdio/cdtext.cdt:3 \
                libcdio/cdtext-libburnia.cdt:3 libcdio/cdtext-krosis.cdt:10; do
        file=${spec%:*} tracks=${spec##*:}
        name=$(echo "$file" | tr '/.' '__')
        cue_for "$name" "$CORPUS/bincue/$file" "$tracks"
        fields=
        case $file in *krosis*) fields="--fields TITLE,PERFORMER" ;; esac
        # shellcheck disable=SC2086
        cdinfo_agrees "$file decodes as in cd-info" --cue-file "$name.cue" \
            "$name.cue" $fields
    done
fi

# --- the genre pack: code 27, text "Animal Soundz", no ESC byte -----------------
if have_corpus; then
    cue_for genre "$CORPUS/bincue/libcdio-cdtext-2011/cdtext.cdt" 3
    run info genre.cue
    check "info shows the genre text and its code" sh -c '
        grep -q "^  genre      Animal Soundz\$" "$1" &&
        grep -q "^  genre code 27 (World Music)\$" "$1"' sh "$WORK/out"
    check "info prints no control character" sh -c \
        '! LC_ALL=C grep -q "[[:cntrl:]]" "$1"' sh "$WORK/out"
    run info --json genre.cue
    check "info --json gives the genre and code 27" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
b = d["cdtext_blocks"][0]
assert d["cdtext"]["genre"] == "Animal Soundz", d["cdtext"]
assert b["genre_code"] == 27 and b["genre_name"] == "World Music", b
assert b["language_name"] == "English" and b["charset"] == "ASCII", b' \
        "$WORK/out"
else
    skip "corpus absent: the genre pack"
fi

# --- two languages from a TOC, through the encoder ------------------------------
cat > two.toc <<'EOF'
CD_DA
CD_TEXT {
  LANGUAGE_MAP { 0 : EN 1 : 8 }
  LANGUAGE 0 { TITLE "Night Cats" PERFORMER "The Cat Band" DISC_ID "NC-1" }
  LANGUAGE 1 { TITLE "Nachtkatzen" PERFORMER "Die Katzenkapelle" }
}
TRACK AUDIO
CD_TEXT {
  LANGUAGE 0 { TITLE "Song of Joy" PERFORMER "The Cat Band" }
  LANGUAGE 1 { TITLE "Lied der Freude" PERFORMER "Die Katzenkapelle" }
}
SILENCE 0:4:0
TRACK AUDIO
CD_TEXT {
  LANGUAGE 0 { TITLE "Mee Owww" PERFORMER "The Cat Band" }
  LANGUAGE 1 { TITLE "Mi\344u" PERFORMER "Die Katzenkapelle" }
}
SILENCE 0:4:0
EOF
run info --json two.toc
check "a TOC's LANGUAGE_MAP and LANGUAGE blocks read" python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))["cdtext_blocks"]
assert [x["language_name"] for x in b] == ["English", "German"], b
assert b[1]["disc"]["title"] == "Nachtkatzen", b[1]
assert b[1]["tracks"][1]["cdtext"]["title"] == "Mi\u00e4u", b[1]' "$WORK/out"
run convert -q two.toc -o two.nrg
check "TOC -> NRG" test "$rc" -eq 0
run convert -q two.toc -o two.cue
check "TOC -> cue writes a CDTEXTFILE for the second language" sh -c \
    '[ "$1" -eq 0 ] && grep -q "^CDTEXTFILE \"two.cdt\"" two.cue && [ -s two.cdt ]' \
    sh "$rc"
run convert -q two.toc -o two.ccd
check "TOC -> CloneCD keeps both languages" sh -c '
    "$1" info --json two.toc | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)[\"cdtext_blocks\"]))" > a &&
    "$1" info --json two.ccd | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)[\"cdtext_blocks\"]))" > b &&
    cmp a b' sh "$DISCCONV"
if have cd-info; then
    cdinfo_agrees "cd-info reads both languages of the NRG we wrote" \
        --nrg-file two.nrg two.toc
    cdinfo_agrees "cd-info reads both languages of the cue we wrote" \
        --cue-file two.cue two.toc
else
    skip "cd-info missing: our packs not checked by a peer"
fi

# --- Japanese: kept in MS-JIS, or said to be lost -------------------------------
head -c $((2 * 300 * 2352)) /dev/zero > jp.bin
printf '%s\n' 'TITLE "日本語のアルバム"' 'FILE "jp.bin" BINARY' \
    '  TRACK 01 AUDIO' '    TITLE "最初の曲"' '    INDEX 01 00:00:00' \
    '  TRACK 02 AUDIO' '    TITLE "☕ 二"' '    INDEX 01 00:04:00' > jp.cue
run convert jp.cue -o jp.nrg
check "a Japanese title goes into an NRG with exit 0" test "$rc" -eq 0
check "the character no set holds is named in a note" grep -q \
    "the title of track 2 has characters MS-JIS cannot hold" "$WORK/err"
run info --json jp.nrg
check "the NRG keeps the Japanese titles (MS-JIS)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["cdtext"]["title"] == "日本語のアルバム", d["cdtext"]
assert d["tracks"][0]["cdtext"]["title"] == "最初の曲", d["tracks"][0]
assert d["cdtext_blocks"][0]["charset"] == "MS-JIS"' "$WORK/out"

# --- targets without CD-TEXT ---------------------------------------------------
run convert jp.cue -o jp.img
check "an IMG says the CD-TEXT is left out" sh -c \
    '[ "$1" -eq 0 ] && grep -q "img keeps no CD-TEXT" "$2"' sh "$rc" "$WORK/err"

# --- control characters and damaged packs ---------------------------------------
# packs.py OUT TITLE [SPOIL]: block 0 with the disc's TITLE, size
# information, good CRCs; SPOIL "crc" spoils the first pack's CRC.
cat > packs.py <<'PY'
import sys
def crc(p):
    c = 0
    for b in p[:16]:
        c ^= b << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021 if c & 0x8000 else c << 1) & 0xFFFF
    return ~c & 0xFFFF
title = sys.argv[2].encode("latin-1") + b"\0"
text = [title[i:i + 12].ljust(12, b"\0") for i in range(0, len(title), 12)]
info = bytearray(36)
info[1] = info[2] = 1
info[4], info[19], info[20], info[28] = len(text), 3, len(text) + 2, 9
packs = [bytes([0x80, 0, i, min(i * 12, 15)]) + t for i, t in enumerate(text)]
packs += [bytes([0x8F, n, len(text) + n, 0]) + bytes(info[12 * n:12 * n + 12])
          for n in range(3)]
out = b""
for p in packs:
    c = crc(p)
    out += p + bytes([c >> 8, c & 0xFF])
if len(sys.argv) > 3:
    out = bytes([out[0]]) + out[1:16] + bytes([out[16] ^ 0xFF]) + out[17:]
open(sys.argv[1], "wb").write(out)
PY
head -c $((300 * 2352)) /dev/zero > esc.bin
python3 packs.py esc.cdt "$(printf 'Evil\033[2J title\177')"
printf 'CDTEXTFILE "esc.cdt"\nFILE "esc.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' > esc.cue
run info esc.cue
check "a title's ESC and DEL reach the terminal as \\xNN" sh -c '
    grep -q "^  title      Evil\\\\x1B\\[2J title\\\\x7F\$" "$1" &&
    ! LC_ALL=C grep -q "[[:cntrl:]]" "$1"' sh "$WORK/out"
run info --json esc.cue
check "and JSON escapes them" python3 -c '
import json, sys
raw = open(sys.argv[1], "rb").read()
assert b"\x1b" not in raw and b"\x7f" not in raw
assert json.loads(raw)["cdtext"]["title"] == "Evil\x1b[2J title\x7f"' "$WORK/out"
python3 packs.py esc.cdt "Fine title" crc
run info esc.cue
check "a bad CRC is a warning; the text is read" sh -c '
    [ "$1" -eq 0 ] && grep -q "1 of 4 CD-TEXT packs fail their CRC" "$2" &&
    grep -q "^  title      Fine title\$" "$3"' sh "$rc" "$WORK/err" "$WORK/out"

finish
