#!/usr/bin/env python3
"""Loopback endpoints and a timing driver for tests/bench/run.

Python 3 standard library only.  Every server listens on 127.0.0.1, prints
`PORT <n>` as its first stdout line once it listens, serves one connection
at a time (the benchmark never runs two clients at once), and exits by itself
after --lifetime seconds at the latest.  The data paths move 1 MiB per
system call from one preallocated buffer, so the per-byte cost is the
kernel's copy, as with a C program.

    benchsvc.py source --size N [--lifetime S]
        each connection: send N zero bytes, half-close, read to EOF, close
    benchsvc.py sink --report FILE [--lifetime S]
        each connection: read to EOF counting bytes, append "<bytes>" to FILE,
        close
    benchsvc.py accept [--lifetime S]
        accept and close at once (the target of the handshake probe)
    benchsvc.py pull PORT            connect, read to EOF, print "<bytes> <secs>"
    benchsvc.py push PORT --size N   connect, send N zero bytes, half-close,
                                     wait for the close, print "<bytes> <secs>"
    benchsvc.py probe --runs N --timeout S A_JSON B_JSON
        run command A and command B (JSON argv lists) alternately N times
        each, stdin/stdout/stderr on /dev/null, timing each run with
        time.perf_counter_ns around subprocess.run; print one line per
        command: "<median_ms> <min_ms> <p90_ms> <failures>"
    benchsvc.py ddpipe --size N --pipe-size B
        `dd if=/dev/zero bs=1M | dd of=/dev/null bs=1M` through a pipe of B
        bytes (F_SETPIPE_SZ; sockscope grows its stdin or stdout pipe so),
        print "<bytes> <secs>"
    benchsvc.py freeport             a TCP port free on 127.0.0.1

Sizes accept the suffixes K, M, G (powers of 1024).
"""

import argparse
import fcntl
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

CHUNK = 1 << 20


def parse_size(text):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip().upper()
    for suffix in ("IB", "B"):
        if t.endswith(suffix) and t[:-len(suffix)][-1:] in mult:
            t = t[:-len(suffix)]
    if t and t[-1] in mult:
        return int(t[:-1]) * mult[t[-1]]
    return int(t)


def watchdog(seconds):
    def bye():
        sys.stderr.write("benchsvc: lifetime of %gs over, exiting\n" % seconds)
        sys.stderr.flush()
        os._exit(3)
    t = threading.Timer(seconds, bye)
    t.daemon = True
    t.start()


def listen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(512)
    print("PORT %d" % s.getsockname()[1], flush=True)
    return s


def send_n(c, size):
    buf = memoryview(bytes(CHUNK))
    left = size
    while left > 0:
        n = min(CHUNK, left)
        c.sendall(buf[:n])
        left -= n


def read_all(c):
    buf = bytearray(CHUNK)
    total = 0
    while True:
        n = c.recv_into(buf)
        if n == 0:
            return total
        total += n


def cmd_source(args):
    watchdog(args.lifetime)
    s = listen()
    size = parse_size(args.size)
    while True:
        c, _ = s.accept()
        try:
            send_n(c, size)
            c.shutdown(socket.SHUT_WR)
            c.settimeout(30)
            read_all(c)  # the client's half-close, if it sends one
        except OSError as e:
            sys.stderr.write("benchsvc source: %s\n" % e)
        finally:
            c.close()


def cmd_sink(args):
    watchdog(args.lifetime)
    s = listen()
    while True:
        c, _ = s.accept()
        try:
            total = read_all(c)
        except OSError as e:
            sys.stderr.write("benchsvc sink: %s\n" % e)
            total = -1
        with open(args.report, "a") as f:
            f.write("%d\n" % total)
        c.close()


def cmd_accept(args):
    watchdog(args.lifetime)
    s = listen()
    while True:
        c, _ = s.accept()
        c.close()


def cmd_pull(args):
    t0 = time.perf_counter()
    c = socket.create_connection(("127.0.0.1", args.port))
    total = read_all(c)
    c.close()
    print("%d %.6f" % (total, time.perf_counter() - t0))


def cmd_push(args):
    t0 = time.perf_counter()
    c = socket.create_connection(("127.0.0.1", args.port))
    size = parse_size(args.size)
    send_n(c, size)
    c.shutdown(socket.SHUT_WR)
    read_all(c)
    c.close()
    print("%d %.6f" % (size, time.perf_counter() - t0))


def cmd_probe(args):
    cmds = [json.loads(args.a), json.loads(args.b)]
    times = [[], []]
    fails = [0, 0]
    for _ in range(args.runs):
        for k in (0, 1):
            t0 = time.perf_counter_ns()
            try:
                rc = subprocess.run(cmds[k], stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL,
                                    timeout=args.timeout).returncode
            except subprocess.TimeoutExpired:
                rc = -1
            t1 = time.perf_counter_ns()
            if rc != 0:
                fails[k] += 1
            times[k].append((t1 - t0) / 1e6)
        if max(fails) > args.max_failures:
            break
    for k in (0, 1):
        ts = sorted(times[k])
        p90 = ts[min(len(ts) - 1, int(len(ts) * 0.9))]
        print("%.3f %.3f %.3f %d %d" % (statistics.median(ts), ts[0], p90,
                                        fails[k], len(ts)))


def cmd_ddpipe(args):
    size = parse_size(args.size)
    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, parse_size(args.pipe_size))
    t0 = time.perf_counter()
    writer = subprocess.Popen(["dd", "if=/dev/zero", "bs=1M", "count=%d" % size,
                               "iflag=count_bytes", "status=none"], stdout=w)
    reader = subprocess.Popen(["dd", "of=/dev/null", "bs=1M"], stdin=r,
                              stderr=subprocess.PIPE)
    os.close(r)
    os.close(w)
    err = reader.communicate()[1].decode(errors="replace")
    writer.wait()
    secs = time.perf_counter() - t0
    got = next((int(line.split()[0]) for line in err.splitlines()
                if "bytes" in line), 0)
    print("%d %.6f" % (got, secs))


def cmd_freeport(args):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("source")
    sp.add_argument("--size", required=True)
    sp.add_argument("--lifetime", type=float, default=3600)
    sp = sub.add_parser("sink")
    sp.add_argument("--report", required=True)
    sp.add_argument("--lifetime", type=float, default=3600)
    sp = sub.add_parser("accept")
    sp.add_argument("--lifetime", type=float, default=3600)
    sp = sub.add_parser("pull")
    sp.add_argument("port", type=int)
    sp = sub.add_parser("push")
    sp.add_argument("port", type=int)
    sp.add_argument("--size", required=True)
    sp = sub.add_parser("probe")
    sp.add_argument("--runs", type=int, required=True)
    sp.add_argument("--timeout", type=float, default=5)
    sp.add_argument("--max-failures", type=int, default=10)
    sp.add_argument("a")
    sp.add_argument("b")
    sp = sub.add_parser("ddpipe")
    sp.add_argument("--size", required=True)
    sp.add_argument("--pipe-size", required=True)
    sub.add_parser("freeport")
    args = p.parse_args()
    {"source": cmd_source, "sink": cmd_sink, "accept": cmd_accept,
     "pull": cmd_pull, "push": cmd_push, "probe": cmd_probe,
     "ddpipe": cmd_ddpipe, "freeport": cmd_freeport}[args.cmd](args)


if __name__ == "__main__":
    main()
