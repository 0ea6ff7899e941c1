#!/usr/bin/env python3
"""Decodes sound files with decoders that are not ours, for the audio tests.

  pcm.py samples FILE            sha256 of the 16-bit little-endian PCM in a
                                 WAV, AIFF (Python's wave/aifc) or FLAC
                                 (the flac tool) file
  pcm.py bytes BIN FROM COUNT    sha256 of COUNT 2352-byte sectors of a bin
                                 from sector FROM
  pcm.py info FILE               rate, channels and bits, as "44100 2 16"
  pcm.py tags FILE               the RIFF INFO or Vorbis tags, one per line
"""
import hashlib
import subprocess
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import aifc  # noqa: E402  (deprecated, still the standard AIFF reader)
import wave  # noqa: E402


def kind(path):
    head = open(path, "rb").read(12)
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"FORM":
        return "aiff"
    return "wav"


def samples(path):
    k = kind(path)
    if k == "flac":
        return subprocess.run(["flac", "-d", "-s", "-c", "--force-raw-format",
                               "--endian=little", "--sign=signed", path],
                              check=True, capture_output=True).stdout
    if k == "aiff":
        with aifc.open(path, "rb") as f:
            big = f.readframes(f.getnframes())
        swapped = bytearray(big)
        swapped[0::2], swapped[1::2] = big[1::2], big[0::2]
        return bytes(swapped)
    with wave.open(path, "rb") as f:
        return f.readframes(f.getnframes())


def info(path):
    k = kind(path)
    if k == "flac":
        out = subprocess.run(["metaflac", "--show-sample-rate", "--show-channels",
                              "--show-bps", path], check=True,
                             capture_output=True, text=True).stdout.split()
        return " ".join(out)
    opener = aifc.open if k == "aiff" else wave.open
    with opener(path, "rb") as f:
        return f"{f.getframerate()} {f.getnchannels()} {8 * f.getsampwidth()}"


def tags(path):
    if kind(path) == "flac":
        out = subprocess.run(["metaflac", "--export-tags-to=-", path],
                             check=True, capture_output=True, text=True).stdout
        return out.splitlines()
    data = open(path, "rb").read()
    found, at = [], 12
    while at + 8 <= len(data):
        cid, size = data[at:at + 4], int.from_bytes(data[at + 4:at + 8], "little")
        if cid == b"LIST" and data[at + 8:at + 12] == b"INFO":
            sub = at + 12
            while sub + 8 <= at + 8 + size:
                sid = data[sub:sub + 4].decode("latin-1")
                ssize = int.from_bytes(data[sub + 4:sub + 8], "little")
                value = data[sub + 8:sub + 8 + ssize].rstrip(b"\0")
                found.append(f"{sid}={value.decode('utf-8', 'replace')}")
                sub += 8 + ssize + (ssize & 1)
        at += 8 + size + (size & 1)
    return found


def main():
    command = sys.argv[1]
    if command == "samples":
        print(hashlib.sha256(samples(sys.argv[2])).hexdigest())
    elif command == "bytes":
        first, count = int(sys.argv[3]), int(sys.argv[4])
        with open(sys.argv[2], "rb") as f:
            f.seek(first * 2352)
            print(hashlib.sha256(f.read(count * 2352)).hexdigest())
    elif command == "info":
        print(info(sys.argv[2]))
    elif command == "tags":
        print("\n".join(tags(sys.argv[2])))


if __name__ == "__main__":
    main()
