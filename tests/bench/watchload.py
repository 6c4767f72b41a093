#!/usr/bin/env python3
"""Handshake load for tests/bench/watch: N SOCKS5 CONNECT handshakes to a
loopback target through PROXY, P at a time; prints the median and p90
handshake time (connect to reply) in milliseconds, and failures.

    watchload.py PROXY_PORT TARGET_PORT --sessions 1000 --parallel 100
    watchload.py PROXY_PORT TARGET_PORT --idle 1000 --hold SECS   (open, handshake, hold)
"""
import argparse
import asyncio
import statistics
import struct
import sys
import time


async def one(proxy, target, hold, times, fails):
    t0 = time.perf_counter()
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", proxy), 10)
        w.write(b"\x05\x01\x00")
        if await asyncio.wait_for(r.readexactly(2), 10) != b"\x05\x00":
            raise OSError("method")
        w.write(b"\x05\x01\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", target))
        rep = await asyncio.wait_for(r.readexactly(10), 10)
        if rep[1] != 0:
            raise OSError("REP %d" % rep[1])
        times.append((time.perf_counter() - t0) * 1000.0)
        if hold:
            await asyncio.sleep(hold)
        w.close()
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
        fails.append(str(e))


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("proxy", type=int)
    p.add_argument("target", type=int)
    p.add_argument("--sessions", type=int, default=1000)
    p.add_argument("--parallel", type=int, default=100)
    p.add_argument("--hold", type=float, default=0.0)
    a = p.parse_args()
    times, fails = [], []
    sem = asyncio.Semaphore(a.parallel)

    async def gated():
        async with sem:
            await one(a.proxy, a.target, a.hold, times, fails)

    await asyncio.gather(*(gated() for _ in range(a.sessions)))
    times.sort()
    med = statistics.median(times) if times else float("nan")
    p90 = times[int(len(times) * 0.9)] if times else float("nan")
    print("ok %d failed %d median_ms %.3f p90_ms %.3f" % (len(times), len(fails), med, p90))
    return 1 if fails else 0


sys.exit(asyncio.run(main()))
