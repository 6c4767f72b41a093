/* The -j summary of a one-shot run. */
#ifndef SOCKSCOPE_ONESHOT_JSON_H
#define SOCKSCOPE_ONESHOT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "handshake.h"
#include "trace.h"
#include "udp.h"

/* What of the session the command line gave, for "hops" and "target": a
 * usage error may come before either is parsed. */
#define ONESHOT_JSON_HOPS 1u
#define ONESHOT_JSON_TARGET 2u

/* known: ONESHOT_JSON_* bits; up, down: bytes relayed each way (for UDP, the
 * datagrams' DATA); udp: the datagram counts and the datagrams kept (each
 * one appended to "messages"), NULL when no datagram relay ran.  "error" is
 * s->error, for any failure; "hints" the flow's hints (s->hints).  signo:
 * the signal that ended the run ("outcome" "interrupted", "signal"), or 0.
 * Returns -1 when fp could not take it all, 0 otherwise. */
int oneshot_json_print(FILE *fp, const struct session *s, const struct trace *t, int status,
			unsigned known, uint64_t up, uint64_t down, const struct udp_result *udp,
			bool show_secrets, int signo);

/* BIND with -j on stderr: {"event": "bind_listen", "bind_listen": "HOST:PORT"}
 * as soon as it is known, for the peer; the summary follows at the end. */
void oneshot_json_bind_listen(FILE *fp, const struct session *s);

#endif
