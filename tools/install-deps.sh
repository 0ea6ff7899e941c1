#!/bin/sh
# Installs the Debian packages discconv needs, skipping those already
# present.  Run as root (or with sudo available).
#
#   sh tools/install-deps.sh          to build, install and run it, and make
#                                     the sample disc (data/make-sample.sh)
#   sh tools/install-deps.sh --test   that, plus the test suite's and the
#                                     benchmarks' tools (tools/test-all.sh)
set -eu
build="build-essential autoconf automake libtool pkg-config
  libcdio-dev libiso9660-dev libsndfile1-dev libflac-dev genisoimage
  zlib1g-dev libbz2-dev liblzma-dev libdeflate-dev libisal-dev libxml2-dev nettle-dev"
# cmocka for the unit tests, the peer tools the tests and benchmarks compare
# against (ffmpeg for ffprobe, which reads tags back), clang + libFuzzer,
# and what the shell tests run (openssl: the encrypted DMG and UIF makers).
test="libcmocka-dev bchunk libcdio-utils mame-tools 7zip time flac nrg2iso ccd2iso
  clang libclang-rt-14-dev strace python3 ffmpeg dmg2img parallel openssl"

case ${1:-} in
"") packages=$build ;;
--test) packages="$build $test" ;;
*) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
