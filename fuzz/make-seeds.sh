#!/bin/sh
# Fills OUTDIR/<target>/ with seed inputs for every fuzz target: the small
# seeds committed in fuzz/seeds/, images made here from the project's own
# fixtures (data/make-sample.sh, tests/mknrg.py), and the third-party corpus
# (DC_CORPUS, default ../shared/corpus; skipped when absent).  Nothing is
# copied into the source tree.  Big files are cut to what a target reads.
#
# usage: fuzz/make-seeds.sh OUTDIR
# DISCCONV and GEN_TONE may point at the binaries (for out-of-tree builds).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=$1
discconv=${DISCCONV:-$top/discconv}
gen_tone=${GEN_TONE:-$top/data/gen-tone}
corpus=${DC_CORPUS:-$top/../shared/corpus}
targets="cue toc bincue probe iso img nrg audio sector cdtext ccd codec adc lzfse dmg uif"

for t in $targets; do mkdir -p "$out/$t"; done
work=$(mktemp -d "${TMPDIR:-/tmp}/discconv-seeds.XXXXXX")
trap 'rm -rf "$work"' EXIT

for t in $targets; do
    if [ -d "$here/seeds/$t" ]; then cp "$here/seeds/$t"/* "$out/$t/"; fi
done
# The cue seeds name the fixture files, which the bincue target has too.
cp "$here/seeds/cue"/* "$out/bincue/"

# seed TARGET NAME FILE [BYTES]: a seed from FILE, cut to BYTES.
seed() {
    if [ $# -gt 3 ]; then head -c "$4" "$3" > "$out/$1/$2"; else cp "$3" "$out/$1/$2"; fi
}

# bincue_seed NAME CUE BIN SECTOR_SIZE: the sheet with its FILE lines
# pointing at in.bin, a NUL, then the first 20 sectors of BIN.
bincue_seed() {
    sed 's/^\([[:space:]]*FILE[[:space:]]*\)\("[^"]*"\|[^[:space:]]*\)/\1"in.bin"/I' "$2" \
        > "$out/bincue/$1"
    printf '\0' >> "$out/bincue/$1"
    head -c $((20 * $4)) "$3" >> "$out/bincue/$1"
}

# --- the project's own fixtures ----------------------------------------------
if [ -x "$discconv" ] && [ -x "$gen_tone" ] &&
   DISCCONV=$discconv GEN_TONE=$gen_tone "$top/data/make-sample.sh" "$work/sample" \
       >/dev/null 2>&1; then
    s=$work/sample
    "$discconv" convert -q "$s/sample.cue" --track 1 -o "$work/data.iso"
    "$discconv" convert -q "$work/data.iso" -o "$work/data.img"
    "$gen_tone" 10 440 660 > "$work/tone.bin"
    printf 'FILE "tone.bin" BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n' > "$work/tone.cue"
    for f in wav aiff flac; do
        "$discconv" extract-audio -q "$work/tone.cue" --format "$f" -o "$work/$f"
        seed audio "tone.$f" "$work/$f/tone (Track 01).$f"
        seed probe "tone.$f" "$work/$f/tone (Track 01).$f"
    done
    seed iso sample.iso "$work/data.iso" 65536
    seed img sample.img "$work/data.img" $((40 * 2352))
    seed img tone.img "$work/tone.bin"
    seed probe sample.iso "$work/data.iso" 65536
    seed probe sample.img "$work/data.img" $((40 * 2352))
    seed probe sample.cue "$s/sample.cue"
    seed cue sample.cue "$s/sample.cue"
    for n in 0 16 17; do
        dd if="$work/data.img" of="$out/sector/sample-$n" bs=2352 skip="$n" count=1 2>/dev/null
    done
    seed sector tone "$work/tone.bin" 2352
    # A data track and an audio track with a stored pregap, in one bin.
    head -c $((20 * 2352)) "$work/data.img" > "$work/mixed.bin"
    cat "$work/tone.bin" >> "$work/mixed.bin"
    printf 'FILE "in.bin" BINARY\nTRACK 01 MODE1/2352\nINDEX 01 00:00:00\nTRACK 02 AUDIO\nINDEX 00 00:00:20\nINDEX 01 00:00:22\n' \
        > "$work/mixed.cue"
    bincue_seed mixed "$work/mixed.cue" "$work/mixed.bin" 2352
    printf 'FILE "in.bin" BINARY\nTRACK 01 MODE1/2048\nINDEX 01 00:00:00\n' > "$work/cooked.cue"
    bincue_seed cooked "$work/cooked.cue" "$work/data.iso" 2048
    # CloneCD: the .ccd, a NUL, the .img; then the same with a .sub.
    cp "$work/mixed.bin" "$work/in.bin"
    # Its data track is cut short of the volume it holds, as seeds are.
    "$discconv" convert -q --allow-truncated "$work/mixed.cue" -o "$work/mixed.ccd"
    { cat "$work/mixed.ccd"; printf '\0'; cat "$work/mixed.img"; } > "$out/ccd/mixed"
    { cat "$out/ccd/mixed"; printf '\0'
      head -c $(( $(wc -c < "$work/mixed.img") / 2352 * 96 )) /dev/urandom; } > "$out/ccd/mixed-sub"
    seed probe mixed.ccd "$work/mixed.ccd"
    # A headerless dump of a mixed-mode disc: data sectors, then audio.
    { head -c $((20 * 2352)) "$work/data.img"; head -c $((30 * 2352)) "$work/tone.bin"; } \
        > "$out/img/mixed.img"
    cp "$out/img/mixed.img" "$out/probe/mixed.img"
    # CD-TEXT in three blocks (English, German, Japanese in MS-JIS double-
    # byte text) as the encoder writes them: the CDTX chunk of an NRG.
    printf '%s\n' 'CD_DA' 'CD_TEXT {' '  LANGUAGE_MAP { 0 : EN 1 : 8 2 : 105 }' \
        '  LANGUAGE 0 { TITLE "Night Cats" PERFORMER "The Cat Band" DISC_ID "NC-1" }' \
        '  LANGUAGE 1 { TITLE "Nachtkatzen" PERFORMER "Die Katzenkapelle" }' \
        '  LANGUAGE 2 { TITLE "日本語のアルバム" PERFORMER "猫" }' '}' \
        'TRACK AUDIO' 'CD_TEXT {' '  LANGUAGE 0 { TITLE "Song of Joy" MESSAGE "Same" }' \
        '  LANGUAGE 1 { TITLE "Lied der Freude" }' '  LANGUAGE 2 { TITLE "最初の曲" }' '}' \
        'SILENCE 0:4:0' \
        'TRACK AUDIO' 'CD_TEXT {' '  LANGUAGE 0 { TITLE "Mee Owww" MESSAGE "Same" }' \
        '  LANGUAGE 1 { TITLE "Mi\344u" }' '  LANGUAGE 2 { TITLE "二" PERFORMER "猫" }' '}' \
        'SILENCE 0:4:0' > "$work/blocks.toc"
    "$discconv" convert -q "$work/blocks.toc" -o "$work/blocks.nrg"
    python3 -c 'import struct, sys
nrg = open(sys.argv[1], "rb").read()
at = struct.unpack(">Q", nrg[-8:])[0]
while nrg[at:at + 4] != b"END!":
    size = struct.unpack(">I", nrg[at + 4:at + 8])[0]
    if nrg[at:at + 4] == b"CDTX":
        open(sys.argv[2], "wb").write(nrg[at + 8:at + 8 + size])
    at += 8 + size' "$work/blocks.nrg" "$out/cdtext/blocks.cdt"
fi

for name in $(python3 "$top/tests/mknrg.py" --list); do
    python3 "$top/tests/mknrg.py" "$name" "$out/nrg/$name"
    case $name in bad-*) ;; *) cp "$out/nrg/$name" "$out/probe/$name.nrg" ;; esac
done
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import mknrg
open(sys.argv[2], "wb").write(mknrg.cdtext_packs((b"A", b"ONE", b"TWO")))' \
    "$top/tests" "$out/cdtext/titles.cdt"

# --- the third-party corpus ----------------------------------------------------
if [ -d "$corpus" ]; then
    for f in "$corpus"/iso/*/*.iso; do
        [ -f "$f" ] || continue
        seed iso "$(basename "$f")" "$f" 65536
        seed probe "$(basename "$f")" "$f" 65536
    done
    # UDF: its anchor at block 256 and the descriptors it points to.
    for f in "$corpus"/iso/*/*udf*.iso; do
        [ -f "$f" ] || continue
        seed iso "$(basename "$f" .iso)-anchor.iso" "$f" $((264 * 2048))
    done
    for f in "$corpus"/*/*/*; do
        [ -f "$f" ] || continue
        case $f in
            *.cue) seed cue "$(basename "$f")" "$f"; seed probe "$(basename "$f")" "$f" ;;
            *.toc) seed toc "$(basename "$f")" "$f"; seed probe "$(basename "$f")" "$f" ;;
            *.cdt) seed cdtext "$(basename "$f")" "$f" ;;
            *.nrg | *.dmg)
                # Footers sit at the end: only whole small files are seeds.
                if [ "$(wc -c < "$f")" -le 131072 ]; then
                    seed probe "$(basename "$f")" "$f"
                fi ;;
        esac
    done
    for cue in "$corpus"/bincue/*/*.cue; do
        [ -f "$cue" ] || continue
        bin=$(sed -n 's/^[[:space:]]*FILE[[:space:]]*"\([^"]*\)".*/\1/Ip' "$cue" | head -1)
        dir=$(dirname "$cue")
        found=$(find "$dir" -maxdepth 1 -iname "$bin" | head -1)
        [ -n "$found" ] || found=$(find "$dir" -maxdepth 1 -iname "$(basename "$cue" .cue).bin" | head -1)
        if [ -n "$found" ]; then
            bincue_seed "$(basename "$cue")" "$cue" "$found" 2352
            seed img "$(basename "$found")" "$found" $((40 * 2352))
        fi
    done
    for f in "$corpus"/nrg/*/*.nrg; do
        if [ -f "$f" ] && [ "$(wc -c < "$f")" -le 131072 ]; then
            seed nrg "$(basename "$f")" "$f"
        fi
    done
fi
# The corpus' ADC and LZFSE DMG chunks, each after its output length
# (fuzz/codec.h), pulled out by the test-only DMG walker.
if [ -d "$corpus/dmg" ] && command -v python3 >/dev/null 2>&1; then
    for dmg in "$corpus"/dmg/*/*adc*.dmg "$corpus"/dmg/*/*lzfse*.dmg; do
        [ -f "$dmg" ] || continue
        name=$(basename "$dmg" .dmg)
        python3 "$top/tests/dmgchunks.py" extract "$dmg" "$work/$name" || continue
        for chunk in "$work/$name"/*; do
            base=$(basename "$chunk")  # NN-OUTLEN.CODEC
            length=${base#*-}
            python3 -c 'import struct, sys
sys.stdout.buffer.write(struct.pack("<I", int(sys.argv[1])))' "${length%.*}" \
                > "$out/${base##*.}/$name-$base"
            cat "$chunk" >> "$out/${base##*.}/$name-$base"
        done
    done
fi
for t in $targets; do
    echo "$t: $(ls "$out/$t" | wc -l) seeds"
done
