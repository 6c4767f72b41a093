/* The -j summary of a one-shot run. */
#ifndef SOCKSCOPE_ONESHOT_JSON_H
#define SOCKSCOPE_ONESHOT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "handshake.h"
#include "trace.h"
#include "udp.h"

/* up, down: bytes relayed each way (for UDP, the datagrams' DATA); udp: the
 * datagram counts, NULL when no datagram relay ran. */
void oneshot_json_print(FILE *fp, const struct session *s, const struct trace *t, int status,
			uint64_t up, uint64_t down, const struct udp_result *udp,
			bool show_secrets);

#endif
