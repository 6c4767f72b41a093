#!/usr/bin/env python3
"""Loopback helper services and stream tools for the end-to-end tests.

Python 3 standard library only.  Every server listens on 127.0.0.1 (::1
with --host ::1), prints `PORT <n>` as its first stdout line once it is
listening, and exits by itself after --lifetime seconds at the latest.

    netsvc.py echo   [--host H] [--port P] [--count N] [--lifetime S]
        echo every byte back; half-closes toward the client when the client
        half-closes
    netsvc.py sha    [--port P] [--count N] [--lifetime S]
        read until the client's EOF, answer "<sha256 hex>\\n", close
    netsvc.py duplex --size N [--seed K] --report FILE [--port P] [--lifetime S]
        one connection: send N pattern bytes (seed K) while reading everything
        the client sends; after both directions finish, write a report line
        "RECV <bytes> <sha256> SENT <bytes> <sha256>" to FILE
    netsvc.py gen  --size N [--seed K]   write N pattern bytes to stdout
    netsvc.py hash                       read stdin, print "<bytes> <sha256>"
    netsvc.py freeport                   print a TCP port free on 127.0.0.1
    netsvc.py waitport PORT SECS         exit 0 once PORT accepts, 1 after SECS

Sizes accept the suffixes K, M, G (powers of 1024).

The pattern is a fixed pseudo-random block of a prime length repeated, so a
lost, duplicated or reordered chunk changes the checksum.
"""

import argparse
import hashlib
import os
import random
import socket
import sys
import threading
import time

BLOCK_LEN = 1000003  # prime: no tunnel buffer size divides it


def parse_size(text):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip().upper()
    for suffix in ("IB", "B"):  # 256MiB, 256MB, 256M all mean 256 * 2**20
        if t.endswith(suffix) and t[:-len(suffix)][-1:] in mult:
            t = t[:-len(suffix)]
    if t and t[-1] in mult:
        return int(t[:-1]) * mult[t[-1]]
    return int(t)


_blocks = {}


def pattern_block(seed):
    if seed not in _blocks:
        _blocks[seed] = random.Random(seed).randbytes(BLOCK_LEN)
    return _blocks[seed]


def pattern_chunks(size, seed=1, chunk=1 << 16):
    """Yield the first `size` pattern bytes (seed) as memoryviews."""
    block = memoryview(pattern_block(seed))
    pos = 0  # offset in the block
    left = size
    while left > 0:
        n = min(chunk, left, BLOCK_LEN - pos)
        yield block[pos:pos + n]
        pos = (pos + n) % BLOCK_LEN
        left -= n


def pattern_bytes(size, seed=1):
    return b"".join(bytes(c) for c in pattern_chunks(size, seed))


def watchdog(seconds):
    """Exit the whole process after `seconds`, whatever it is doing."""
    def bye():
        sys.stderr.write("netsvc: lifetime of %gs over, exiting\n" % seconds)
        sys.stderr.flush()
        os._exit(3)
    t = threading.Timer(seconds, bye)
    t.daemon = True
    t.start()


def listen(port, host="127.0.0.1"):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(64)
    print("PORT %d" % s.getsockname()[1], flush=True)
    return s


def serve(args, handler):
    """Accept up to --count connections (0: no limit), one thread each."""
    watchdog(args.lifetime)
    s = listen(args.port, args.host)
    threads = []
    served = 0
    while args.count == 0 or served < args.count:
        c, _ = s.accept()
        served += 1
        t = threading.Thread(target=run_handler, args=(handler, c, args), daemon=True)
        t.start()
        threads.append(t)
    s.close()
    for t in threads:
        t.join()


def run_handler(handler, c, args):
    try:
        handler(c, args)
    except OSError as e:
        sys.stderr.write("netsvc: %s\n" % e)
    finally:
        c.close()


def h_echo(c, args):
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        time.sleep(args.delay)  # an answer that takes time (half-close tests)
        c.sendall(d)
    try:
        c.shutdown(socket.SHUT_WR)
    except OSError:  # the peer is gone already (microsocks closes both ways)
        return
    # Wait for the client to close its side too, briefly.
    c.settimeout(5)
    try:
        while c.recv(1 << 16):
            pass
    except OSError:
        pass


def h_sha(c, args):
    h = hashlib.sha256()
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        h.update(d)
    c.sendall((h.hexdigest() + "\n").encode())
    c.shutdown(socket.SHUT_WR)


def h_duplex(c, args):
    sent = {"n": 0, "h": hashlib.sha256(), "err": None}

    def sender():
        try:
            for chunk in pattern_chunks(args.size, args.seed, 1 << 18):
                c.sendall(chunk)
                sent["h"].update(chunk)
                sent["n"] += len(chunk)
            c.shutdown(socket.SHUT_WR)
        except OSError as e:
            sent["err"] = str(e)

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    h = hashlib.sha256()
    n = 0
    err = None
    try:
        buf = bytearray(1 << 18)
        while True:
            k = c.recv_into(buf)
            if not k:
                break
            h.update(memoryview(buf)[:k])
            n += k
    except OSError as e:
        err = str(e)
    t.join()
    line = "RECV %d %s SENT %d %s" % (n, h.hexdigest(), sent["n"], sent["h"].hexdigest())
    if err or sent["err"]:
        line += " ERROR %s" % (err or sent["err"])
    tmp = args.report + ".tmp"
    with open(tmp, "w") as f:
        f.write(line + "\n")
    os.replace(tmp, args.report)


def cmd_gen(args):
    out = sys.stdout.buffer
    try:
        for chunk in pattern_chunks(args.size, args.seed, 1 << 18):
            out.write(chunk)
        out.flush()
    except BrokenPipeError:
        os._exit(1)


def cmd_hash(args):
    h = hashlib.sha256()
    n = 0
    inp = sys.stdin.buffer
    while True:
        d = inp.read1(1 << 18)
        if not d:
            break
        h.update(d)
        n += len(d)
    print("%d %s" % (n, h.hexdigest()))


def cmd_freeport(args):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def cmd_waitport(args):
    deadline = time.monotonic() + args.secs
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", args.waitport), timeout=1):
                return 0
        except OSError:
            time.sleep(0.05)
    return 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("echo", "sha", "duplex"):
        sp = sub.add_parser(name)
        sp.add_argument("--port", type=int, default=0)
        sp.add_argument("--host", choices=("127.0.0.1", "::1"), default="127.0.0.1")
        sp.add_argument("--count", type=int, default=1 if name == "duplex" else 0)
        sp.add_argument("--lifetime", type=float, default=60)
        sp.add_argument("--delay", type=float, default=0)  # echo: seconds before each answer
        if name == "duplex":
            sp.add_argument("--size", type=parse_size, required=True)
            sp.add_argument("--seed", type=int, default=2)
            sp.add_argument("--report", required=True)
    sp = sub.add_parser("gen")
    sp.add_argument("--size", type=parse_size, required=True)
    sp.add_argument("--seed", type=int, default=1)
    sub.add_parser("hash")
    sub.add_parser("freeport")
    sp = sub.add_parser("waitport")
    sp.add_argument("waitport", type=int)
    sp.add_argument("secs", type=float)
    args = p.parse_args()

    if args.cmd == "echo":
        serve(args, h_echo)
    elif args.cmd == "sha":
        serve(args, h_sha)
    elif args.cmd == "duplex":
        serve(args, h_duplex)
    elif args.cmd == "gen":
        cmd_gen(args)
    elif args.cmd == "hash":
        cmd_hash(args)
    elif args.cmd == "freeport":
        cmd_freeport(args)
    elif args.cmd == "waitport":
        return cmd_waitport(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
