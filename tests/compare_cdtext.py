#!/usr/bin/env python3
"""Compares libcdio cd-info's CD-TEXT report with `discconv info --json`.

usage: compare_cdtext.py [--fields TITLE,PERFORMER,...] CDINFO_OUTPUT
                         DISCCONV_JSON
Every language block cd-info prints must be ours, in order and with its
language, and every field it prints (disc and tracks, GENRE_CODE too) must
be ours; every field of ours among the compared ones must be in cd-info's.
--fields limits the comparison, where cd-info is wrong about the rest.
Exits 0 when they agree, 1 with the differences listed otherwise.
"""
import json
import re
import sys

# cd-info's names -> ours (UPC_EAN and ISRC share the 0x8E pack type)
NAMES = {"TITLE": "title", "PERFORMER": "performer",
         "SONGWRITER": "songwriter", "COMPOSER": "composer",
         "ARRANGER": "arranger", "MESSAGE": "message", "DISC_ID": "disc_id",
         "GENRE": "genre", "UPC_EAN": "upc_isrc", "ISRC": "upc_isrc"}


def read_cdinfo(text):
    """[(language name, {track or 0: {field: value}}, genre code)]"""
    blocks, where = [], None
    for line in text.splitlines():
        m = re.match(r"^Language (\d+) '(.*)':$", line)
        if m:
            blocks.append([m[2], {}, 0])
            continue
        m = re.match(r"^CD-TEXT for (Disc|Track\s+(\d+)):$", line)
        if m and blocks:
            where = 0 if m[1] == "Disc" else int(m[2])
            blocks[-1][1].setdefault(where, {})
            continue
        m = re.match(r"^\t(\w+): (.*)$", line)
        if m and blocks and where is not None:
            if m[1] == "GENRE_CODE":
                blocks[-1][2] = int(m[2].split()[0])
            elif m[1] in NAMES:
                blocks[-1][1][where][m[1]] = m[2]
    return blocks


def main():
    args = sys.argv[1:]
    fields = None
    if args[0] == "--fields":
        fields = set(args[1].split(","))
        args = args[2:]
    cdinfo = read_cdinfo(open(args[0], encoding="utf-8",
                              errors="replace").read())
    ours = json.load(open(args[1], encoding="utf-8"))["cdtext_blocks"]
    problems = []
    if not cdinfo:
        problems.append("cd-info printed no CD-TEXT")
    if len(cdinfo) != len(ours):
        problems.append(f"blocks: cd-info {len(cdinfo)}, discconv {len(ours)}")
    wanted = {NAMES[f] for f in (fields or NAMES)}
    for k, (language, texts, genre_code) in enumerate(cdinfo[:len(ours)]):
        block = ours[k]
        if language != block["language_name"]:
            problems.append(f"block {k} language: cd-info {language}, "
                            f"discconv {block['language_name']}")
        if fields is None and genre_code != block["genre_code"]:
            problems.append(f"block {k} genre code: cd-info {genre_code}, "
                            f"discconv {block['genre_code']}")
        mine = {0: block["disc"]}
        mine.update({t["number"]: t["cdtext"] for t in block["tracks"]})
        for where in sorted(set(texts) | set(mine)):
            theirs = {NAMES[f]: v for f, v in texts.get(where, {}).items()
                      if fields is None or f in fields}
            have = {f: v for f, v in mine.get(where, {}).items()
                    if f in wanted}
            if theirs != have:
                problems.append(f"block {k} {'disc' if where == 0 else f'track {where}'}:"
                                f" cd-info {theirs}, discconv {have}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
