#!/usr/bin/env python3
"""Compares libcdio cd-info's track table with `discconv info --json`.

usage: compare_cdinfo.py [--no-leadout | --no-addresses] CDINFO_OUTPUT
                         DISCCONV_JSON
Exits 0 when they agree, 1 with the differences listed otherwise.
--no-leadout skips the leadout, for bins whose tracks have different sector
sizes: libcdio 2.1.0 divides the whole bin by one sector size there.
--no-addresses also skips every track's start, for TOC files whose
addresses libcdio gets wrong (tests/toc.sh says which and why).
"""
import json
import re
import sys

TRACK = re.compile(r"^\s*(\d+): (\d\d:\d\d:\d\d)\s+(\d+) (\w+)"
                   r"(?:\s+(\w+)\s+(\w+)(?:\s+(\d)\s+(\w+))?)?")


def read_cdinfo(text):
    tracks, leadout, mcn = {}, None, None
    for line in text.splitlines():
        m = TRACK.match(line)
        if m:
            number, msf, lsn, kind = int(m[1]), m[2], int(m[3]), m[4]
            if number == 170:
                leadout = lsn
                continue
            tracks[number] = {"msf": msf, "lsn": lsn, "kind": kind,
                              "copy": m[6] == "yes",
                              "channels": int(m[7]) if m[7] else None,
                              "pre": m[8] == "yes" if m[8] else None}
        m = re.match(r"Media Catalog Number \(MCN\): (\d{13})", line)
        if m:
            mcn = m[1]
    return tracks, leadout, mcn


def kind_of(track):
    if track["type"] == "audio":
        return "audio"
    return "data" if track["type"] == "mode1" else "XA"


def main():
    args = sys.argv[1:]
    check_addresses = args[0] != "--no-addresses"
    check_leadout = args[0] not in ("--no-leadout", "--no-addresses")
    if not check_leadout:
        args = args[1:]
    cdinfo = open(args[0], encoding="utf-8", errors="replace").read()
    ours = json.load(open(args[1], encoding="utf-8"))
    tracks, leadout, mcn = read_cdinfo(cdinfo)
    problems = []
    if not tracks:
        problems.append("cd-info printed no track table")
    mine = {t["number"]: t for t in ours["tracks"]}
    if sorted(mine) != sorted(tracks):
        problems.append(f"track numbers: cd-info {sorted(tracks)}, "
                        f"discconv {sorted(mine)}")
    for number, ref in tracks.items():
        t = mine.get(number)
        if t is None:
            continue
        checks = [("type", ref["kind"], kind_of(t)),
                  ("copy permitted", ref["copy"], t["copy_permitted"])]
        if check_addresses:
            checks += [("start LSN", ref["lsn"], t["start_lba"]),
                       ("start MSF", ref["msf"], t["start_msf"])]
        if ref["channels"] is not None:
            checks.append(("channels", ref["channels"], t["channels"]))
            checks.append(("pre-emphasis", ref["pre"], t["pre_emphasis"]))
        for what, theirs, mine_value in checks:
            if theirs != mine_value:
                problems.append(f"track {number} {what}: cd-info {theirs}, "
                                f"discconv {mine_value}")
    if check_leadout and leadout != ours["leadout_lba"]:
        problems.append(f"leadout: cd-info {leadout}, discconv "
                        f"{ours['leadout_lba']}")
    if mcn is not None and mcn != ours["mcn"]:
        problems.append(f"MCN: cd-info {mcn}, discconv {ours['mcn']}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
