#!/bin/sh
# Encrypted DMGs (encrcdsa v2) opened with --password.  The corpus's
# dmgwiz sample decrypts, with dmgwiz's password, to the image its six
# unencrypted siblings hold (dmgwiz's own test says so; MANIFEST gives that
# image's sha256); without a password it is refused (exit 5), with a wrong
# one it is a usage error (exit 2), both naming --password.  DMGs that
# discconv writes, encrypted by tests/mkencdmg.py (Python's hashlib and
# hmac, `openssl enc`: an encryptor independent of the reader), with
# AES-128 and AES-256 keys wrapped by 3DES or AES, convert back to the ISO
# they were made from.
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 1
sha() { sha256sum "$1" | cut -d' ' -f1; }
one_line_naming() { [ "$(wc -l < "$2")" -eq 1 ] && grep -q -F "$1" "$2"; }

# --- the corpus -------------------------------------------------------------
z=$CORPUS/dmg/dmgwiz
if have_corpus && [ -f "$z/input_aes256.dmg" ] && [ -f "$CORPUS/MANIFEST.md" ]; then
    want=$(sed -n 's/^| `dmg\/dmgwiz\/input_zlib\.dmg` | 10510336 | `\([0-9a-f]*\)`.*/\1/p' \
        "$CORPUS/MANIFEST.md")
    run convert -q "$z/input_aes256.dmg" --password test123 -o aes.img
    check "input_aes256.dmg with its password decodes to its siblings' image" \
        sh -c '[ "$1" -eq 0 ] && [ -n "$3" ] && [ "$(sha256sum < "$2" | cut -d" " -f1)" = "$3" ]' \
        sh "$rc" aes.img "$want"
    run info "$z/input_aes256.dmg" --password test123
    check "info says how it is encrypted and finds the APFS inside" \
        sh -c 'grep -q "^Container: encryption AES-256, encrcdsa v2$" "$1" && grep -q "Apple_APFS .*APFS" "$1"' \
        sh "$WORK/out"
    run info --json "$z/input_aes256.dmg" --password test123
    check "info --json says it too" \
        grep -q '"container": {"encryption": "AES-256, encrcdsa v2"}' "$WORK/out"
    run info "$z/input_zlib.dmg"
    check "an unencrypted DMG says nothing of encryption" \
        sh -c '! grep -q "encryption" "$1"' sh "$WORK/out"

    run convert -q "$z/input_aes256.dmg" -o none.img
    check "no password: exit 5, one line naming the file and --password" \
        sh -c '[ "$1" -eq 5 ] && [ ! -e none.img ] && grep -q "use --password" "$2"' \
        sh "$rc" "$WORK/err"
    check "... the line names the file" one_line_naming input_aes256.dmg "$WORK/err"
    run convert -q "$z/input_aes256.dmg" --password test124 -o wrong.img
    check "a wrong password: exit 2, naming --password, nothing written" \
        sh -c '[ "$1" -eq 2 ] && [ ! -e wrong.img ] && grep -q "does not unlock" "$2" && grep -q "use --password" "$2"' \
        sh "$rc" "$WORK/err"
    check "... the line names the file" one_line_naming input_aes256.dmg "$WORK/err"
    run info "$CORPUS/dmg/format-ripper/test-encrypted-aes128.dmg"
    check "the AES-128 sample (password unknown) is refused as AES-128, exit 5" \
        sh -c '[ "$1" -eq 5 ] && grep -q "AES-128, encrcdsa v2" "$2"' sh "$rc" "$WORK/err"
else
    skip "corpus: dmg/dmgwiz/input_aes256.dmg not found"
fi

# --- made here --------------------------------------------------------------
if have genisoimage && have openssl && have python3; then
    mkdir src && head -c 150000 /dev/urandom > src/noise && seq 1 30000 > src/text &&
        genisoimage -quiet -o in.iso src
    run convert -q in.iso -o in.dmg
    # bits wrap block password
    for spec in 128:3des:4096:secret 256:3des:4096:secret \
                128:aes:512:pässwörd 256:aes:65536:x; do
        IFS=: read -r bits wrap block password <<EOF
$spec
EOF
        name=e-$bits-$wrap-$block.dmg
        python3 "$top_srcdir/tests/mkencdmg.py" --bits "$bits" --wrap "$wrap" \
            --block "$block" in.dmg "$name" "$password"
        run convert -q "$name" --password "$password" -o out.iso
        check "AES-$bits, key wrapped with $wrap, $block-byte blocks: back to the ISO" \
            sh -c '[ "$1" -eq 0 ] && cmp in.iso out.iso' sh "$rc"
        rm -f out.iso
    done
    run convert -q e-256-3des-4096.dmg --password secret -o out.iso --partition 0
    check "--partition works through the decryption" \
        sh -c '[ "$1" -eq 0 ] && cmp in.iso out.iso' sh "$rc"
    run convert -q e-128-3des-4096.dmg --password Secret -o wrong.iso
    check "made: a wrong password is exit 2" \
        sh -c '[ "$1" -eq 2 ] && [ ! -e wrong.iso ]' sh "$rc"
else
    skip "genisoimage, openssl or python3 missing: no DMGs encrypted here"
fi
finish
