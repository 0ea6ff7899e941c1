#!/bin/sh
# Installs the Debian packages discconv needs to build, test and benchmark,
# skipping those already present.  Run as root (or with sudo available).
set -eu
packages="build-essential autoconf automake libtool pkg-config
  libcdio-dev libiso9660-dev libsndfile1-dev libcmocka-dev
  genisoimage python3 bchunk libcdio-utils mame-tools time flac nrg2iso
  clang libclang-rt-14-dev strace"

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
