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
 * datagrams' DATA); udp: the datagram counts, NULL when no datagram relay
 * ran.  "error" is s->error, as stderr said it, for any failure. */
void oneshot_json_print(FILE *fp, const struct session *s, const struct trace *t, int status,
			unsigned known, uint64_t up, uint64_t down, const struct udp_result *udp,
			bool show_secrets);

#endif
