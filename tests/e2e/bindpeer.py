#!/usr/bin/env python3
"""The peer of a BIND test: waits (at most 10 s) for sockscope's
"bind: the server listens on ADDR port P" line in ERRFILE, connects there,
sends LINE and a newline, then reads until the client's end.

    bindpeer.py ERRFILE LINE
"""
import re
import socket
import sys
import time

errfile, line = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 10
m = None
while m is None and time.monotonic() < deadline:
    try:
        m = re.search(r"bind: the server listens on (\S+) port (\d+)", open(errfile).read())
    except FileNotFoundError:
        pass
    time.sleep(0.05)
if m is None:
    sys.exit("peer: no 'listens on' line")
s = socket.create_connection((m.group(1).strip("[]"), int(m.group(2))), 5)
s.settimeout(10)
s.sendall(line.encode() + b"\n")
while s.recv(65536):
    pass
