#!/usr/bin/env python3
"""Encrypts a plain DMG as an "encrcdsa" version 2 image, the way hdiutil
lays one out, independently of discconv's reader: Python's hashlib and
hmac for PBKDF2 and the blocks' IVs, `openssl enc` for 3DES and AES.

  mkencdmg.py [--bits 128|256] [--wrap 3des|aes] [--block N]
              [--iterations N] [--break CASE] IN.dmg OUT.dmg PASSWORD

Layout: the header (magic, version 2, AES, key bits, 160-bit HMAC key,
block size, data size and offset, one key-blob pointer), a password blob
(PBKDF2-HMAC-SHA1, 20-byte salt, the AES key + HMAC key + "CKIE" wrapped
with 3DES-EDE or AES in CBC mode, PKCS#7 padding), then the data: block n
AES-CBC encrypted with IV = HMAC-SHA1(hmac key, n as big-endian uint32)
[:16], the last block padded with zeros.  --break spoils one field for
the malformed-input tests.
"""
import argparse
import hashlib
import hmac
import os
import struct
import subprocess
import sys

BREAKS = ("blob-past-end", "iterations-zero", "iterations-huge",
          "key-bits-192", "truncated-header", "data-past-end",
          "block-size-odd", "blob-count-huge", "data-noise")
ALG_AES = 0x80000001
ALG_3DES = 17


def openssl_encrypt(cipher, key, iv, data):
    """CBC without padding: `data` is whole blocks."""
    return subprocess.run(
        ["openssl", "enc", "-" + cipher, "-e", "-nopad", "-K", key.hex(),
         "-iv", iv.hex()], input=data, stdout=subprocess.PIPE,
        check=True).stdout


def pkcs7(data, block):
    n = block - len(data) % block
    return data + bytes([n]) * n


def wrap_keys(args, password, keys):
    salt = os.urandom(20)
    blob_iv = os.urandom(8)
    if args.wrap == "3des":
        algorithm, bits, cipher, block = ALG_3DES, 192, "des-ede3-cbc", 8
        iv = blob_iv
    else:
        algorithm, bits, cipher, block = ALG_AES, 128, "aes-128-cbc", 16
        iv = blob_iv + bytes(8)      # 8 advertised bytes, zero-extended
    kek = hashlib.pbkdf2_hmac("sha1", password, salt, args.iterations,
                              bits // 8)
    wrapped = openssl_encrypt(cipher, kek, iv, pkcs7(keys, block))
    iterations = args.iterations
    if args.breaks == "iterations-zero":
        iterations = 0
    elif args.breaks == "iterations-huge":
        iterations = 0xFFFFFFFF
    blob = struct.pack(">IIII", 103, 0, iterations, 20)
    blob += salt + bytes(12)
    blob += struct.pack(">I", 8) + blob_iv + bytes(24)
    blob += struct.pack(">IIIII", bits, algorithm, 7, 6, len(wrapped))
    return blob + wrapped


def encrypt_data(args, aes_key, hmac_key, plain):
    block = args.block
    plain += bytes(-len(plain) % block)
    cipher = "aes-%d-cbc" % args.bits
    out = bytearray()
    for n in range(len(plain) // block):
        iv = hmac.new(hmac_key, struct.pack(">I", n), hashlib.sha1).digest()
        out += openssl_encrypt(cipher, aes_key, iv[:16],
                               plain[n * block:(n + 1) * block])
    return bytes(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bits", type=int, choices=(128, 256), default=256)
    p.add_argument("--wrap", choices=("3des", "aes"), default="3des")
    p.add_argument("--block", type=int, default=4096)
    p.add_argument("--iterations", type=int, default=1000)
    p.add_argument("--break", dest="breaks", choices=BREAKS)
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("password")
    args = p.parse_args()
    plain = open(args.input, "rb").read()
    if args.breaks == "data-noise":
        plain = os.urandom(len(plain))
    password = args.password.encode()

    aes_key = os.urandom(args.bits // 8)
    hmac_key = os.urandom(20)
    blob = wrap_keys(args, password, aes_key + hmac_key + b"CKIE")
    data = encrypt_data(args, aes_key, hmac_key, plain)

    blob_offset = 0x4C + 20
    data_offset = -(-(blob_offset + len(blob)) // 512) * 512
    key_bits = 192 if args.breaks == "key-bits-192" else args.bits
    block_size = args.block + 1 if args.breaks == "block-size-odd" \
        else args.block
    data_size = len(plain) + (len(data) if args.breaks == "data-past-end"
                              else 0)
    pointer_offset = blob_offset + (1 << 40 if args.breaks == "blob-past-end"
                                    else 0)
    count = 0x7FFFFFFF if args.breaks == "blob-count-huge" else 1
    header = b"encrcdsa" + struct.pack(
        ">IIIIIII", 2, 16, 5, ALG_AES, key_bits, 0x5B, 160)
    header += os.urandom(16)
    header += struct.pack(">IQQI", block_size, data_size, data_offset, count)
    header += struct.pack(">IQQ", 1, pointer_offset, len(blob))
    assert len(header) == blob_offset
    image = header + blob
    image += bytes(data_offset - len(image)) + data
    if args.breaks == "truncated-header":
        image = image[:40]
    with open(args.output, "wb") as f:
        f.write(image)
    return 0


if __name__ == "__main__":
    sys.exit(main())
