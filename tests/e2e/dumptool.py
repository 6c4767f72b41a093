#!/usr/bin/env python3
"""Helpers of t-capture-text.sh.

  dumptool.py mangle IN OUT   a `tshark -x` dump with every data frame of
                              Ethernet/IPv4/TCP split in two, the second half
                              first, the first half sent twice, and every
                              frame without data sent twice: a dump in which
                              each stream is out of order and retransmitted
  dumptool.py norm FILE       the JSON sessions of FILE (one per line), times
                              and numbers dropped, as one canonical line each
                              (--no-ended: also how each ended and its close
                              events, which follow output does not hold;
                              --no-notes: also the note events)
"""
import json
import re
import struct
import sys

LINE = re.compile(r"^([0-9a-fA-F]{4,8})  ((?:[0-9a-fA-F]{2} ?){1,16})")


def blocks(text):
    """The frames of a tshark -x dump: each block of offset lines."""
    out, cur = [], bytearray()
    for line in text.splitlines():
        m = LINE.match(line)
        if m is None:
            if cur:
                out.append(bytes(cur))
                cur = bytearray()
            continue
        if int(m.group(1), 16) == 0 and cur:
            out.append(bytes(cur))
            cur = bytearray()
        cur += bytes.fromhex(m.group(2).replace(" ", "")[:32])
    if cur:
        out.append(bytes(cur))
    return out


def ip_checksum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def split(frame):
    """An Ethernet/IPv4/TCP frame with data as two frames, or None."""
    if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 0x0F) * 4
    total = struct.unpack("!H", frame[16:18])[0]
    tcp = 14 + ihl
    doff = (frame[tcp + 12] >> 4) * 4
    head, data = frame[: tcp + doff], frame[tcp + doff : 14 + total]
    if len(data) < 2:
        return None
    seq = struct.unpack("!I", frame[tcp + 4 : tcp + 8])[0]
    parts = []
    for off, piece in ((0, data[: len(data) // 2]), (len(data) // 2, data[len(data) // 2 :])):
        f = bytearray(head + piece)
        f[16:18] = struct.pack("!H", ihl + doff + len(piece))
        f[24:26] = b"\0\0"
        f[24:26] = struct.pack("!H", ip_checksum(bytes(f[14 : 14 + ihl])))
        f[tcp + 4 : tcp + 8] = struct.pack("!I", (seq + off) & 0xFFFFFFFF)
        parts.append(bytes(f))
    return parts


def write(frames, fp):
    for i, f in enumerate(frames):
        if i:
            fp.write("\n")
        for off in range(0, len(f), 16):
            fp.write("%04x  %s\n" % (off, " ".join("%02x" % b for b in f[off : off + 16])))


def mangle(src, dst):
    out = []
    for f in blocks(open(src).read()):
        parts = split(f)
        if parts is None:
            out += [f, f]
        else:
            out += [parts[1], parts[0], parts[0]]
    with open(dst, "w") as fp:
        write(out, fp)


def strip(v, drop):
    if isinstance(v, dict):
        return {k: strip(x, drop) for k, x in v.items() if k not in drop}
    if isinstance(v, list):
        return [strip(x, drop) for x in v]
    return v


def norm(path, flags):
    drop = {"time", "start", "duration", "latency", "session"}
    if "--no-ended" in flags:
        drop.add("ended")
    for line in open(path):
        s = json.loads(line)
        gone = set()
        if "--no-notes" in flags:
            gone.add("note")
        if "--no-ended" in flags:
            gone.add("close")
        s["events"] = [e for e in s.get("events", []) if e.get("event") not in gone]
        print(json.dumps(strip(s, drop), sort_keys=True))


if __name__ == "__main__":
    if sys.argv[1] == "mangle":
        mangle(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "norm":
        norm(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
