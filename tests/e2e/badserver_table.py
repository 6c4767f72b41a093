#!/usr/bin/env python3
"""The scenario table of badserver.py: each scenario is a list of steps
(badserver_steps.py) run in order on one connection.

Scenarios (the table below; the parametrised ones take a hex code or a count):

  ok5                 no auth (or user/pass accepted if 00 not offered), granted
                      reply with an IPv4 BND, then echo
  ok5-glued           granted reply and "HELLO\\n" in one send, then echo
  ok5-bytewise        granted reply one byte at a time, 20 ms apart, then echo
  ok5-glued-reset     granted reply and "HELLO\\n" in one send, 0.2 s, "more\\n",
                      0.2 s, then RST
  trunc5-N-close      the first N bytes of a 10-byte IPv4 reply, then FIN
  trunc5-N-reset      the same, then RST (SO_LINGER 0)
  rep-XX-trunc-N      the first N bytes of a reply with REP=XX (hex), then FIN
  rep-XX-trunc-N-hold the same, then silence
  wrongver            method selection with version 04
  method-ff           method selection 05 FF
  method-not-offered  chooses a method the greeting did not offer (02 if it can)
  auth-fail           chooses 02, reads the RFC 1929 request, STATUS 01
  auth-malformed      chooses 02, reads the RFC 1929 request, answers one byte
  rep-XX              reply with REP=XX (hex); 00 then echoes, others close
  atyp-unknown        reply with ATYP 07 and six more bytes, then close
  domain-0            reply with ATYP 03 and a zero-length name, then echo
  domain-255          reply with ATYP 03 and a 255-byte name, then echo
  domain-nul          reply with ATYP 03 and the name "a\x00b", then echo
  ipv6-reply          reply with ATYP 04 (::1), then echo
  rsv-nonzero         granted reply with RSV 01, then echo
  hostile-name        granted reply with ATYP 03 and a name full of terminal
                      controls and a forged "sockscope:" line, then silence
  silent              accepts, logs what arrives, never answers
  accept-reset        accepts and resets at once (RST), reading nothing
  req-close           reads the greeting and the request, then closes
  rep-XX-trunc-N      the first N bytes of a reply with REP=XX (hex), then FIN
  drip                valid granted reply, one byte per second, then echo
  garbage             answers the greeting with random non-SOCKS bytes, closes
  bigout              granted, sends --size pattern bytes (netsvc.py gen
                      --seed --seed), then closes
  halfclose           granted, reads until the client's EOF, answers the
                      sha256 hex of what it read and a newline, closes
  ok4                 SOCKS4/4a request, reply 00 5A, then echo
  s4-rep-XX           SOCKS4 reply with CD=XX (hex); 5A echoes, others close
  s4-trunc-N          the first N bytes of the 8-byte SOCKS4 reply, then FIN
  s4-vn4              granted SOCKS4 reply with VN 04 instead of 00, then echo

BIND (SOCKS5; the s4- ones are the same over SOCKS4, CD 5A/5B).  The first
reply names a listening socket the scenario opened on 127.0.0.1; a test
connects its peer there.

  bind-ok  s4-bind-ok         first reply; accepts one peer; second reply
                              naming the peer; relays client <-> peer, each
                              EOF passed on as a half-close
  bind-zero  s4-bind-zero     the same, the first reply saying 0.0.0.0
  bind-glued  s4-bind-glued   as bind-ok, the second reply and "HELLO\\n" in
                              one send
  bind-refused  s4-bind-refused  first reply, 0.2 s, second reply REP 05
                              (CD 5B), close
  bind-never  s4-bind-never   first reply, then never the second
  bind-close  s4-bind-close   first reply, 0.3 s, then FIN
  bind-trunc  s4-bind-trunc   first reply, 0.2 s, the first 6 bytes of the
                              second, then FIN
  bind-both  s4-bind-both     both replies and "HELLO\\n" in one send (the
                              peer named is 127.0.0.1 port 4242, made up),
                              then echo
  bind-hostile-peer           both replies in one send, the second naming
                              the peer by a name full of terminal controls,
                              then silence

UDP ASSOCIATE (the relay is a UDP socket on 127.0.0.1 the scenario opened;
each datagram is echoed back with a header naming the host it was addressed
to, as a relay names the remote that answered; the association ends at the
client's EOF on the control connection):

  udp-ok              granted, the relay's address in the reply, echo
  udp-zero            the same, the reply saying 0.0.0.0 (with the real port)
  udp-frag            before each echo, a copy "FRAG1 <data>" with FRAG 01
  udp-stranger        before each echo, "STRANGER <data>" from another socket
                      to the client's source port
  udp-short           before each echo, 6 bytes: too short for the header
  udp-close           echoes the first datagram, then closes the control
                      connection
  udp-junk            sends "junk\n" on the control connection, then as udp-ok
  udp-name            as udp-ok, the reply naming the relay "localhost"
                      (ATYP 03)
  udp-name-bad        the same, named "relay.invalid", which never resolves

Tor's RESOLVE (F0) and RESOLVE_PTR (F1); the reply, then close:

  resolve-v4          ATYP 01 192.0.2.33
  resolve-v6          ATYP 04 2001:db8::5
  resolve-ptr         ATYP 03 "ptr.example.test"
  resolve-rep-XX      REP=XX (hex; 00 with 192.0.2.33, others 0.0.0.0), then
                      close
  resolve-tor-err-XX  REP=XX as Tor sends its RESOLVE errors: `05 XX 00 00` and
                      six zero bytes (ATYP 00), then close
  s4-resolve          SOCKS4a reply 00 5A with DSTIP 192.0.2.44
"""

import random
import re
import socket

from badserver_conn import rep4, rep5
from badserver_steps import (ANY4, AUTH, BIGOUT, CLOSE, ECHO, GREET, HALFCLOSE, HOLD, LOOPBACK,
                             RELAY, REQ4, REQ5, RESET, SELECT, SELECT_UNOFFERED, bind_accept,
                             bind_listen, bind_reply, pause, send, udp_echo, udp_relay)

NAME_255 = b".".join([b"x" * 63] * 4)  # 4*63 + 3 dots = 255 bytes
assert len(NAME_255) == 255

# Terminal controls and a forged line, as a hostile server might name a host.
HOSTILE_NAME = b"\x1b]0;pwned\x07\x1b[2J\x1b[31mEVIL\rFAKE\nsockscope: forged"

GARBAGE = bytearray(random.Random(7).randbytes(64))
GARBAGE[0] = 0xA7  # neither 00, 04 nor 05: no version a client could accept
GARBAGE = bytes(GARBAGE)


def bind_scenarios(prefix, v, request):
    """The BIND scenarios for SOCKS version v, after the `request` steps."""
    return {
        prefix + "bind-ok":      request + [bind_listen(v), bind_accept(v), RELAY],
        prefix + "bind-zero":    request + [bind_listen(v, zero=True), bind_accept(v), RELAY],
        prefix + "bind-glued":   request + [bind_listen(v), bind_accept(v, glued=b"HELLO\n"),
                                            RELAY],
        prefix + "bind-refused": request + [bind_listen(v), pause(0.2),
                                            send(bind_reply(v, False, ANY4, 0)), CLOSE],
        prefix + "bind-never":   request + [bind_listen(v), HOLD],
        prefix + "bind-close":   request + [bind_listen(v), pause(0.3), CLOSE],
        prefix + "bind-trunc":   request + [bind_listen(v), pause(0.2),
                                            send(bind_reply(v, True, LOOPBACK, 4242)[:6]), CLOSE],
        prefix + "bind-both":    request + [send(bind_reply(v, True, LOOPBACK, 4243)
                                                 + bind_reply(v, True, LOOPBACK, 4242)
                                                 + b"HELLO\n"), ECHO],
    }


# ---------------------------------------------------------------- RESOLVE

RESOLVED4 = socket.inet_aton("192.0.2.33")
RESOLVED6 = socket.inet_pton(socket.AF_INET6, "2001:db8::5")
RESOLVED4A = socket.inet_aton("192.0.2.44")
PTR_NAME = b"ptr.example.test"


# ---------------------------------------------------------------- the table

HANDSHAKE5 = [GREET, SELECT, REQ5]

SCENARIOS = {
    "ok5":                HANDSHAKE5 + [send(rep5()), ECHO],
    "ok5-glued":          HANDSHAKE5 + [send(rep5() + b"HELLO\n"), ECHO],
    "ok5-bytewise":       HANDSHAKE5 + [send(rep5(), pace=0.02), ECHO],
    "ok5-glued-reset":    HANDSHAKE5 + [send(rep5() + b"HELLO\n"), pause(0.2), send(b"more\n"),
                                        pause(0.2), RESET],
    "wrongver":           [GREET, send(b"\x04\x00"), CLOSE],
    "method-ff":          [GREET, send(b"\x05\xff"), CLOSE],
    "method-not-offered": [GREET, SELECT_UNOFFERED, CLOSE],
    "auth-fail":          [GREET, send(b"\x05\x02"), AUTH, send(b"\x01\x01"), CLOSE],
    "auth-malformed":     [GREET, send(b"\x05\x02"), AUTH, send(b"\x01"), CLOSE],
    "atyp-unknown":       HANDSHAKE5 + [send(b"\x05\x00\x00\x07" + bytes(6)), CLOSE],
    "domain-0":           HANDSHAKE5 + [send(rep5(atyp=3, addr=b"")), ECHO],
    "domain-255":         HANDSHAKE5 + [send(rep5(atyp=3, addr=NAME_255)), ECHO],
    "domain-nul":         HANDSHAKE5 + [send(rep5(atyp=3, addr=b"a\x00b")), ECHO],
    "ipv6-reply":         HANDSHAKE5 + [send(rep5(atyp=4, addr=bytes(15) + b"\x01")), ECHO],
    "rsv-nonzero":        HANDSHAKE5 + [send(rep5(rsv=1)), ECHO],
    "silent":             [HOLD],
    "accept-reset":       [RESET],
    "req-close":          HANDSHAKE5 + [CLOSE],
    "drip":               HANDSHAKE5 + [send(rep5(), pace=1.0), ECHO],
    "garbage":            [GREET, send(GARBAGE), CLOSE],
    "bigout":             HANDSHAKE5 + [send(rep5()), BIGOUT],
    "halfclose":          HANDSHAKE5 + [send(rep5()), HALFCLOSE],
    "ok4":                [REQ4, send(rep4()), ECHO],
    "s4-vn4":             [REQ4, send(rep4(vn=4)), ECHO],
    "udp-ok":             HANDSHAKE5 + [udp_relay(), udp_echo()],
    "udp-zero":           HANDSHAKE5 + [udp_relay(zero=True), udp_echo()],
    "udp-frag":           HANDSHAKE5 + [udp_relay(), udp_echo("frag")],
    "udp-stranger":       HANDSHAKE5 + [udp_relay(), udp_echo("stranger")],
    "udp-short":          HANDSHAKE5 + [udp_relay(), udp_echo("short")],
    "udp-close":          HANDSHAKE5 + [udp_relay(), udp_echo(count=1), CLOSE],
    "udp-junk":           HANDSHAKE5 + [udp_relay(), send(b"junk\n"), udp_echo()],
    "udp-name":           HANDSHAKE5 + [udp_relay(name=b"localhost"), udp_echo()],
    "udp-name-bad":       HANDSHAKE5 + [udp_relay(name=b"relay.invalid"), udp_echo()],
    "resolve-v4":         HANDSHAKE5 + [send(rep5(addr=RESOLVED4, port=0)), CLOSE],
    "resolve-v6":         HANDSHAKE5 + [send(rep5(atyp=4, addr=RESOLVED6, port=0)), CLOSE],
    "resolve-ptr":        HANDSHAKE5 + [send(rep5(atyp=3, addr=PTR_NAME, port=0)), CLOSE],
    "s4-resolve":         [REQ4, send(rep4(ip=RESOLVED4A)), CLOSE],
    "hostile-name":       HANDSHAKE5 + [send(rep5(atyp=3, addr=HOSTILE_NAME)), HOLD],
    "bind-hostile-peer":  HANDSHAKE5 + [send(rep5(port=4243)
                                             + rep5(atyp=3, addr=HOSTILE_NAME, port=4242)),
                                        HOLD],
}
SCENARIOS.update(bind_scenarios("", 5, HANDSHAKE5))
SCENARIOS.update(bind_scenarios("s4-", 4, [REQ4]))

# Parametrised scenarios: a pattern and a function that builds the steps.
PATTERNS = [
    (r"rep-([0-9a-f]{2})",
     lambda x: HANDSHAKE5 + [send(rep5(rep=int(x, 16))), ECHO if x == "00" else CLOSE]),
    (r"trunc5-([0-9])-close",
     lambda n: HANDSHAKE5 + [send(rep5()[:int(n)]), CLOSE]),
    (r"rep-([0-9a-f]{2})-trunc-([0-9])",
     lambda x, n: HANDSHAKE5 + [send(rep5(rep=int(x, 16))[:int(n)]), CLOSE]),
    (r"trunc5-([0-9])-reset",
     lambda n: HANDSHAKE5 + [send(rep5()[:int(n)]), RESET]),
    (r"rep-([0-9a-f]{2}-trunc-[0-9](?:-hold)?)",
     lambda spec: HANDSHAKE5 + [send(rep5(rep=int(spec[:2], 16))[:int(spec[9])]),
                                HOLD if spec.endswith("-hold") else CLOSE]),
    (r"s4-rep-([0-9a-f]{2})",
     lambda x: [REQ4, send(rep4(cd=int(x, 16))), ECHO if x == "5a" else CLOSE]),
    (r"s4-trunc-([0-7])",
     lambda n: [REQ4, send(rep4()[:int(n)]), CLOSE]),
    (r"resolve-rep-([0-9a-f]{2})",
     lambda x: HANDSHAKE5 + [send(rep5(rep=int(x, 16), addr=RESOLVED4 if x == "00" else ANY4,
                                       port=0)), CLOSE]),
    (r"resolve-tor-err-([0-9a-f]{2})",
     lambda x: HANDSHAKE5 + [send(bytes([5, int(x, 16), 0, 0]) + bytes(6)), CLOSE]),
]


def scenario_steps(name):
    name = name.lower()
    if name in SCENARIOS:
        return SCENARIOS[name]
    for pattern, build in PATTERNS:
        m = re.fullmatch(pattern, name)
        if m:
            return build(*m.groups())
    return None
