#!/bin/sh
# discconv verify: per-track hashes as redump lays tracks out, against the
# split bins a script cuts from the BIN with the cue's offsets (binmerge's
# split layout: each track from its first INDEX to the next track's) and
# hashes with Python's zlib and hashlib; AccurateRip CRCs and ids and the
# CTDB TOC id against a Python implementation written here from their
# published definitions (dBpoweramp's AccurateRip CRC code, the CTDB TOC id
# as CUETools computes it); the same disc read from BIN/CUE, NRG,
# CloneCD and UIF, a data disc from DMG; DAT matching; bad sectors; malformed DATs.
. "$(dirname "$0")/lib.sh"

have python3 || { skip "python3 missing"; finish; }
have genisoimage || { skip "genisoimage missing"; finish; }
[ -x "$GEN_TONE" ] || { skip "data/gen-tone not built"; finish; }
make_sample
sample=$WORK/sample/sample.cue

# The script's view of a single-FILE cue + bin: one JSON line per track,
# as verify --json prints them (the fields both have).
cat > "$WORK/split.py" <<'PY'
import hashlib, json, re, sys, zlib, base64, os
cue = sys.argv[1]
text = open(cue).read()
binpath = os.path.join(os.path.dirname(cue),
                       re.search(r'FILE "([^"]+)"', text).group(1))
data = open(binpath, "rb").read()
def frames(msf):
    m, s, f = map(int, msf.split(":"))
    return (m * 60 + s) * 75 + f
tracks = []
for block in re.split(r"\n\s*TRACK ", text)[1:]:
    number, mode = block.split()[:2]
    idx = {int(n): frames(t) for n, t in re.findall(r"INDEX (\d+) (\S+)", block)}
    tracks.append({"number": int(number), "audio": mode == "AUDIO",
                   "first": min(idx.values()), "index1": idx[1]})
total = len(data) // 2352
for i, t in enumerate(tracks):
    t["end"] = tracks[i + 1]["first"] if i + 1 < len(tracks) else total
# AccurateRip: each audio track from INDEX 01 to the next audio track's
# INDEX 01; samples (left | right << 16) times their position from 1;
# the first audio track's first 5 sectors less one sample and the last's
# last 5 sectors left out.  v2 adds the high half of each product too.
audio = [t for t in tracks if t["audio"]]
for k, t in enumerate(audio):
    nxt = tracks[tracks.index(t) + 1] if t is not tracks[-1] else None
    end = nxt["index1"] if nxt is not None and nxt["audio"] else t["end"]
    n = (end - t["index1"]) * 588
    lo = 2940 if k == 0 else 1
    hi = n - 2940 if k == len(audio) - 1 else n
    v1 = v2 = 0
    base = t["index1"] * 2352
    for p in range(lo, hi + 1):
        o = base + (p - 1) * 4
        s = int.from_bytes(data[o:o + 4], "little")
        prod = s * p
        v1 += prod & 0xffffffff
        v2 += (prod & 0xffffffff) + (prod >> 32)
    t["ar"] = ("%08x" % (v1 & 0xffffffff), "%08x" % (v2 & 0xffffffff))
out = {"tracks": []}
for t in tracks:
    b = data[t["first"] * 2352:t["end"] * 2352]
    row = {"number": t["number"], "size": len(b),
           "crc32": "%08x" % zlib.crc32(b), "md5": hashlib.md5(b).hexdigest(),
           "sha1": hashlib.sha1(b).hexdigest()}
    if t["audio"]:
        row["accuraterip_v1"], row["accuraterip_v2"] = t["ar"]
    out["tracks"].append(row)
# The ids: AccurateRip's from the audio tracks' INDEX 01 (LBA) and the
# lead-out; freedb's from every track in seconds of MSF; CTDB's from the
# audio tracks relative to the first, hex, padded to 100 entries, SHA-1,
# base64 with + / = as . _ -.
if audio:
    leadout = total
    offs = [t["index1"] for t in audio]
    id1 = sum(offs) + leadout
    id2 = sum(max(o, 1) * (i + 1) for i, o in enumerate(offs)) + \
        max(leadout, 1) * (len(offs) + 1)
    digits = sum(sum(map(int, str((t["index1"] + 150) // 75))) for t in tracks)
    secs = (leadout + 150) // 75 - (tracks[0]["index1"] + 150) // 75
    cddb = (digits % 255) << 24 | secs << 8 | len(tracks)
    out["accuraterip_id"] = "%03d-%08x-%08x-%08x" % (
        len(audio), id1 & 0xffffffff, id2 & 0xffffffff, cddb)
    toc = "".join("%08X" % (o - offs[0]) for o in offs[1:])
    toc += "%08X" % (leadout - offs[0])
    sha = hashlib.sha1(toc.ljust(800, "0").encode()).digest()
    out["ctdb_toc_id"] = base64.b64encode(sha).decode().translate(
        str.maketrans("+/=", "._-"))
print(json.dumps(out, sort_keys=True))
PY

# verify --json reduced to what split.py prints.
cat > "$WORK/reduce.py" <<'PY'
import json, sys
v = json.loads(sys.stdin.readline())
keep = ("number", "size", "crc32", "md5", "sha1", "accuraterip_v1",
        "accuraterip_v2")
out = {"tracks": [{k: t[k] for k in keep if k in t} for t in v["tracks"]]}
for k in ("accuraterip_id", "ctdb_toc_id"):
    if k in v:
        out[k] = v[k]
print(json.dumps(out, sort_keys=True))
PY

# same_as_split NAME IMAGE CUE: verify of IMAGE equals the script's split
# of CUE's bin.
same_as_split() {
    python3 "$WORK/split.py" "$3" > "$WORK/want.json"
    "$DISCCONV" verify --json "$2" 2>"$WORK/err" |
        python3 "$WORK/reduce.py" > "$WORK/got.json"
    if cmp -s "$WORK/want.json" "$WORK/got.json" && [ -s "$WORK/got.json" ]; then
        ok "$1"
    else
        bad "$1"; diff "$WORK/want.json" "$WORK/got.json" | head -5 | sed 's/^/    /'
        sed 's/^/    /' "$WORK/err" | head -3
    fi
}

# --- the three kinds of disc ------------------------------------------------
same_as_split "mixed disc: hashes, AccurateRip and CTDB are the split bins'" \
    "$sample" "$sample"

mkdir -p "$WORK/data/root"
head -c 600000 /dev/urandom > "$WORK/data/root/noise.bin"
genisoimage -quiet -V VERIFY -o "$WORK/data/data.iso" "$WORK/data/root"
"$DISCCONV" convert -q "$WORK/data/data.iso" -o "$WORK/data/data.cue"
same_as_split "data disc (BIN/CUE): hashes are the split bin's" \
    "$WORK/data/data.cue" "$WORK/data/data.cue"
same_as_split "data disc (ISO): framing regenerated gives the raw bin's hashes" \
    "$WORK/data/data.iso" "$WORK/data/data.cue"
"$DISCCONV" convert -q "$WORK/data/data.iso" -o "$WORK/data/data.dmg"
same_as_split "data disc (DMG): read through the container, the raw bin's hashes" \
    "$WORK/data/data.dmg" "$WORK/data/data.cue"

# An audio disc: stored INDEX 00 pregaps on tracks 2 and 3.
a=$WORK/audio
mkdir -p "$a"
{ "$GEN_TONE" 900 440 550; "$GEN_TONE" 100 0 0; "$GEN_TONE" 600 330 660
  "$GEN_TONE" 75 0 0; "$GEN_TONE" 450 220 880; } > "$a/audio.bin"
printf 'FILE "audio.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 00 00:12:00\n    INDEX 01 00:13:25\n  TRACK 03 AUDIO\n    INDEX 00 00:21:25\n    INDEX 01 00:22:25\n' > "$a/audio.cue"
same_as_split "audio disc: hashes, AccurateRip CRCs and ids, CTDB id" \
    "$a/audio.cue" "$a/audio.cue"

# --- the same disc from other formats ------------------------------------
"$DISCCONV" verify --json "$sample" | python3 "$WORK/reduce.py" > "$WORK/cue.json"
for target in nrg ccd uif; do
    "$DISCCONV" convert -q "$sample" -o "$WORK/other/sample.$target" 2>/dev/null
    "$DISCCONV" verify --json "$WORK/other/sample.$target" 2>"$WORK/err" |
        python3 "$WORK/reduce.py" > "$WORK/$target.json"
    check "the disc read from $target hashes as from BIN/CUE" \
        cmp "$WORK/cue.json" "$WORK/$target.json"
done

# --- DATs ----------------------------------------------------------------
# dat.py VERIFY_JSON OUT [TRACK_TO_SPOIL] [CUE]: a redump-style DAT with a
# decoy game first, the disc's game second, named by track file names.
cat > "$WORK/dat.py" <<'PY'
import hashlib, json, sys, zlib
v = json.loads(open(sys.argv[1]).readline())
spoil = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else 0
def rom(name, size, crc, md5, sha1):
    return '    <rom name="%s" size="%d" crc="%s" md5="%s" sha1="%s"/>\n' % (
        name, size, crc, md5, sha1)
out = ['<?xml version="1.0"?>\n<!DOCTYPE datafile PUBLIC "-//Logiqx//DTD ROM '
       'Management Datafile//EN" "http://www.logiqx.com/Dats/datafile.dtd">\n'
       '<datafile>\n  <header><name>test</name></header>\n'
       '  <game name="Decoy (USA)">\n    <description>x</description>\n',
       rom("Decoy.bin", 2352, "00000000", "0" * 32, "0" * 40), '  </game>\n'
       '  <game name="Sample &amp; Disc (Europe)">\n']
if len(sys.argv) > 4:
    c = open(sys.argv[4], "rb").read()
    out.append(rom("Sample.cue", len(c), "%08x" % zlib.crc32(c),
                   hashlib.md5(c).hexdigest(), hashlib.sha1(c).hexdigest()))
for t in v["tracks"]:
    sha1 = t["sha1"]
    if t["number"] == spoil:
        sha1 = "%040x" % (int(sha1, 16) ^ 1)
    out.append(rom("Sample (Track %d).bin" % t["number"], t["size"],
                   t["crc32"], t["md5"], sha1))
out.append('  </game>\n</datafile>\n')
open(sys.argv[2], "w").write("".join(out))
PY
"$DISCCONV" verify --json "$sample" > "$WORK/sample.json"
python3 "$WORK/dat.py" "$WORK/sample.json" "$WORK/good.dat" "" "$sample"
for image in "$sample" "$WORK/other/sample.nrg" "$WORK/other/sample.ccd" \
    "$WORK/other/sample.uif"; do
    run verify --dat "$WORK/good.dat" "$image"
    check "a DAT built from the hashes matches the disc read from ${image##*.}" \
        sh -c "[ $rc -eq 0 ] && grep -q 'DAT: matches \"Sample & Disc (Europe)\"' '$WORK/out'"
done
run verify --json --dat "$WORK/good.dat" "$sample"
check "the cue sheet entry is compared for an image with its own cue" \
    grep -q '"cue": "match"' "$WORK/out"
run verify --json --dat "$WORK/good.dat" "$WORK/other/sample.nrg"
check "an NRG has no cue: the DAT's is not compared, and not required" \
    sh -c "[ $rc -eq 0 ] && grep -q '\"match\": \"whole\".*\"cue\": null' '$WORK/out'"

python3 "$WORK/dat.py" "$WORK/sample.json" "$WORK/spoiled.dat" 2
run verify --dat "$WORK/spoiled.dat" "$sample"
check "one track changed in the DAT: exit 9, that track named" \
    sh -c "[ $rc -eq 9 ] && grep -q 'closest \"Sample & Disc (Europe)\" (2 of 3 tracks); differ: track 2 \"Sample (Track 2).bin\"' '$WORK/out'"
run verify --json --dat "$WORK/spoiled.dat" "$sample"
check "--json: partial match, differing track 2, result no match" \
    python3 -c "import json,sys; v=json.load(open('$WORK/out')); d=v['dat']
sys.exit(not (d['match']=='partial' and d['differing_tracks']==[2] and v['result']=='no match'))"

# --- bad sectors -----------------------------------------------------------
cp "$WORK/sample/sample.bin" "$WORK/sample/broken.bin"
sed 's/sample.bin/broken.bin/' "$sample" > "$WORK/sample/broken.cue"
printf 'X' | dd of="$WORK/sample/broken.bin" bs=1 seek=$((20 * 2352 + 100)) \
    conv=notrunc 2>/dev/null
run verify --json "$WORK/sample/broken.cue"
check "a corrupted raw data sector is counted, at its LBA: exit 8" \
    python3 -c "import json,sys; v=json.load(open('$WORK/out'))
sys.exit(not ($rc == 8 and v['bad_sectors'] == 1 and v['bad_ranges'] == [{'first_lba': 20, 'count': 1, 'kind': 'edc'}] and v['tracks'][0]['bad_sectors'] == 1))"

# Sectors whose form contradicts the MODE1 track: no sync at LBA 30, a
# Mode 2 header at LBA 40 (convert refuses both, exit 8).
cp "$WORK/sample/sample.bin" "$WORK/sample/forms.bin"
sed 's/sample.bin/forms.bin/' "$sample" > "$WORK/sample/forms.cue"
dd if=/dev/zero of="$WORK/sample/forms.bin" bs=1 seek=$((30 * 2352)) count=12 \
    conv=notrunc 2>/dev/null
printf '\002' | dd of="$WORK/sample/forms.bin" bs=1 seek=$((40 * 2352 + 15)) \
    conv=notrunc 2>/dev/null
run verify --json "$WORK/sample/forms.cue"
check "sectors without sync or of another mode are bad sectors: exit 8, listed" \
    python3 -c "import json,sys; v=json.load(open('$WORK/out'))
sys.exit(not ($rc == 8 and v['bad_sectors'] == 2 and v['mode_mismatch'] == 2 and v['bad_ranges'] == [{'first_lba': 30, 'count': 1, 'kind': 'mode'}, {'first_lba': 40, 'count': 1, 'kind': 'mode'}] and v['tracks'][0]['bad_sectors'] == 2 and v['result'] == 'bad sectors'))"
run verify "$WORK/sample/forms.cue"
check "the text lists them as it lists bad EDC" \
    grep -q "^bad sectors: 0 fail EDC/ECC, 2 have a mode that does not fit their track; at LBA 30 (mode), 40 (mode)$" "$WORK/out"

# --- several images --------------------------------------------------------
run verify --json "$sample" "$a/audio.cue"
check "several images: one JSON line each" test "$(wc -l < "$WORK/out")" -eq 2

# --- malformed DATs: one line, the line number, exit 4 ------------------------
dat_refused() { # NAME CODE CONTENT
    printf '%b' "$3" > "$WORK/bad.dat"
    run verify --dat "$WORK/bad.dat" "$sample"
    if [ "$rc" -eq "$2" ] && [ "$(wc -l < "$WORK/err")" -eq 1 ] &&
        grep -q "bad.dat: " "$WORK/err" && [ ! -s "$WORK/out" ]; then
        ok "$1 (exit $2)"
    else
        bad "$1: exit $rc: $(cat "$WORK/err")"
    fi
}
dat_refused "a DAT that is not XML" 4 'not xml at all\n'
dat_refused "a DAT cut in the middle" 4 '<datafile>\n<game name="x">\n'
dat_refused "an XML file that is no datafile" 4 '<html><body/></html>\n'
dat_refused "a datafile without games" 4 '<datafile><header/></datafile>\n'
dat_refused "a rom without a size" 4 '<datafile>\n<game name="g">\n<rom name="a.bin" crc="00000000"/>\n</game></datafile>\n'
dat_refused "a rom without any hash" 4 '<datafile><game name="g"><rom name="a.bin" size="1"/></game></datafile>\n'
dat_refused "a rom whose sha1 is not hex" 4 '<datafile><game name="g"><rom name="a.bin" size="1" sha1="xyz"/></game></datafile>\n'
dat_refused "a size that is not a number" 4 '<datafile><game name="g"><rom name="a.bin" size="-5" crc="00000000"/></game></datafile>\n'
printf '<datafile>\n<game name="g">\n<rom name="a.bin" crc="00000000"/>\n' > "$WORK/bad.dat"
printf '</game></datafile>\n' >> "$WORK/bad.dat"
run verify --dat "$WORK/bad.dat" "$sample"
check "the refusal names the rom's line" grep -q "bad.dat: line 3: rom \"a.bin\" has no size" "$WORK/err"
run verify --dat "$WORK/missing.dat" "$sample"
check "a missing DAT: exit 3" test "$rc" -eq 3
printf '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><datafile><game name="&e;"><rom name="a" size="1" crc="00000000"/></game></datafile>' > "$WORK/xxe.dat"
run verify --dat "$WORK/xxe.dat" "$sample"
check "a DAT's external entity is never read" sh -c "! grep -q root: '$WORK/out'"
# "Billion laughs": 1 KB of nested entities that expand to gigabytes.
{
    printf '<?xml version="1.0"?>\n<!DOCTYPE datafile [\n'
    printf ' <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
    prev=a
    for e in b c d e f g h i j k l m; do
        printf ' <!ENTITY %s "' $e
        for n in 1 2 3 4 5 6 7 8 9 10; do printf '&%s;' $prev; done
        printf '">\n'
        prev=$e
    done
    printf ']>\n<datafile><game name="&m;"><rom name="x" size="2352" crc="00000000"/></game></datafile>\n'
} > "$WORK/laughs.dat"
timeout 10 "$DISCCONV" verify --dat "$WORK/laughs.dat" "$sample" >"$WORK/out" 2>"$WORK/err"
rc=$?
check "a DAT declaring entities (billion laughs) is refused at once: one line, exit 4" \
    sh -c "[ $rc -eq 4 ] && [ \$(wc -l < '$WORK/err') -eq 1 ] && grep -q 'laughs.dat: line 3: declares an entity' '$WORK/err'"

finish
