/*
 * The client engine: reach the first proxy, walk every hop of a chain, and
 * leave a connection whose next byte is the target's.  Blocking, each phase
 * bounded by its own deadline.
 */
#ifndef SOCKSCOPE_HANDSHAKE_H
#define SOCKSCOPE_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"

/*
 * Checks everything that can be checked before a byte is sent: every
 * request encodes, names fit, local resolution works.  EXIT_USAGE (or
 * EXIT_UNREACHABLE for a name that does not resolve) with s->error set.
 */
int session_plan(struct session *s);

/* Connects and handshakes every hop; EXIT_OK leaves s->conn ready. */
int session_run(struct session *s);

/* BIND: waits up to timeout_ms for the second reply; EXIT_OK fills s->peer. */
int session_bind_wait(struct session *s, int timeout_ms);

/* The last hop's numeric address, for its replies that say 0.0.0.0 or ::
 * ("the server's own address"): with one hop, the address really reached
 * (getpeername); in a chain, the last hop as given (the socket's peer is
 * hop 1, not it), a name resolved here (s->family: -4 / -6).  The port is
 * the one given.  -1 with why[] and out as given when the name does not
 * resolve. */
int session_proxy_address(const struct session *s, struct host *out, char *why, size_t whylen);

const char *socks_command_name(enum socks_command c);

#endif
