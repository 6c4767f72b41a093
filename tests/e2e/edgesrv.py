#!/usr/bin/env python3
"""edgesrv.py SCENARIO [SECS]: a one-connection SOCKS5 server on 127.0.0.1 for
t-tunnel-edges.sh; prints `PORT n`, then serves one client and exits.  It
never lives longer than 60 s.

  reset      grant; 0.3 s later send 22 bytes and reset at once, reading
             nothing the client uploads
  send       grant and send 256 KiB, then hold SECS (default 5), reading nothing
  cut        grant, read 64 KiB of the upload, then reset, sending nothing
  hold       grant, then hold SECS (default 20) without reading or sending
"""
import os
import socket
import struct
import sys
import threading
import time

RESPONSE = b"RESPONSE-BEFORE-RESET\n"


def rx(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise SystemExit("client closed during the handshake")
        b += d
    return b


def handshake(c):
    _, n = rx(c, 2)
    methods = rx(c, n)
    if 2 in methods and 0 not in methods:  # username/password, any accepted
        c.sendall(b"\x05\x02")
        _, ulen = rx(c, 2)
        rx(c, ulen)
        rx(c, rx(c, 1)[0])
        c.sendall(b"\x01\x00")
    else:
        c.sendall(b"\x05\x00")
    _, _, _, atyp = rx(c, 4)
    if atyp == 1:
        rx(c, 4)
    elif atyp == 4:
        rx(c, 16)
    else:
        rx(c, rx(c, 1)[0])
    rx(c, 2)
    c.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01" + struct.pack("!H", 1080))


def main():
    scenario = sys.argv[1]
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else None
    threading.Timer(60, lambda: os._exit(3)).start()
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    print("PORT %d" % ls.getsockname()[1], flush=True)
    c, _ = ls.accept()
    try:
        serve(c, scenario, secs)
    finally:
        os._exit(0)


def serve(c, scenario, secs):
    handshake(c)
    if scenario == "reset":
        time.sleep(0.3)
        c.sendall(RESPONSE)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    elif scenario == "cut":
        got = 0
        while got < 65536:
            d = c.recv(65536 - got)
            if not d:
                break
            got += len(d)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    elif scenario == "send":
        c.sendall(b"d" * 262144)
        time.sleep(secs if secs is not None else 5)
    elif scenario == "hold":
        time.sleep(secs if secs is not None else 20)
    else:
        sys.stderr.write("unknown scenario %s\n" % scenario)


main()
