#!/usr/bin/env python3
"""badserver.py: a scripted, misbehaving SOCKS server for the end-to-end tests.

    badserver.py --scenario NAME [--port 0] [--count 1] [--lifetime 30]
                 [--size N] [--seed K] [--log FILE]

Listens on 127.0.0.1 (port 0: the kernel picks one), prints `PORT <n>` as its
first stdout line once listening, serves --count connections (each in its own
thread), then exits.  Whatever happens, it exits after --lifetime seconds.
Python 3 standard library only.

Every scenario reads what the client sends properly (the greeting, the
RFC 1929 request, the SOCKS5 or SOCKS4/4a request, by their lengths) before it
answers, so each lie lands in the phase and the field it is meant for.  The
log (--log FILE, default stderr) has one line per event:

    ACCEPT <n> | RECV <hex> | SENT <hex> | GREETING methods=00,02
    AUTH user=<hex> pass=<hex> | REQUEST5 cmd=.. atyp=.. addr=.. port=..
    REQUEST4 cd=.. port=.. ip=.. userid=<hex> host=<hex> | EOF | CLOSE | RESET
    ERROR <why> | DONE <n>

and for BIND and UDP ASSOCIATE:

    LISTEN 127.0.0.1 port <p> | PEER <addr> port <p> | PEER-RECV <hex>
    PEER-EOF | RELAY 127.0.0.1 port <p>
    DGRAM from=<addr>:<port> frag=.. atyp=.. dst=<addr>:<port> data=<hex>
    DGRAM-SENT <why> <hex>

A test that wants "nothing was sent" looks for the absence of ACCEPT/RECV.

Scenarios: badserver_table.py holds them and says what each does; --list
prints their names.  A scenario is a list of steps (badserver_steps.py);
badserver_conn.py reads the client and builds the replies.
"""

import argparse
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from badserver_conn import Abort, Conn, log, set_log_file  # noqa: E402  (same directory)
from badserver_table import PATTERNS, SCENARIOS, scenario_steps  # noqa: E402


# ---------------------------------------------------------------- serving

def handle(sock, conn_id, steps, args):
    c = Conn(sock, conn_id, args)
    c.offered = []
    c.closers = []  # more sockets a scenario opened (BIND's, UDP's)
    sock.settimeout(args.lifetime)
    try:
        for step in steps:
            step(c)
    except Abort as e:
        c.log("ERROR " + str(e))
    except OSError as e:
        c.log("ERROR %s" % e)
    finally:
        for x in [sock] + c.closers:
            try:
                x.close()
            except OSError:
                pass
        c.log("DONE %d" % conn_id)


def main():
    p = argparse.ArgumentParser(
        description="A scripted misbehaving SOCKS server (see the module docstring).")
    p.add_argument("--scenario")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--count", type=int, default=1, help="connections to serve (0: any number)")
    p.add_argument("--lifetime", type=float, default=30.0, help="exit after this many seconds")
    p.add_argument("--size", type=int, default=1 << 20, help="bigout: bytes to send")
    p.add_argument("--seed", type=int, default=3, help="bigout: pattern seed")
    p.add_argument("--log", help="event log file (default stderr)")
    p.add_argument("--list", action="store_true", help="print the scenario names and exit")
    args = p.parse_args()

    if args.list:
        print("\n".join(sorted(SCENARIOS)))
        print("\n".join(pat for pat, _ in PATTERNS))
        return 0
    if not args.scenario:
        p.error("--scenario NAME is required (try --list)")
    steps = scenario_steps(args.scenario)
    if steps is None:
        p.error("unknown scenario %r (try --list)" % args.scenario)
    if args.log:
        set_log_file(open(args.log, "a", buffering=1))

    def bye():
        log(0, "ERROR lifetime of %gs over" % args.lifetime)
        os._exit(3)
    t = threading.Timer(args.lifetime, bye)
    t.daemon = True
    t.start()

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", args.port))
    s.listen(16)
    print("PORT %d" % s.getsockname()[1], flush=True)

    threads = []
    served = 0
    while args.count == 0 or served < args.count:
        sock, _ = s.accept()
        served += 1
        log(served, "ACCEPT %d" % served)
        th = threading.Thread(target=handle, args=(sock, served, steps, args), daemon=True)
        th.start()
        threads.append(th)
    s.close()
    for th in threads:
        th.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
