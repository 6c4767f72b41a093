/* UDP ASSOCIATE's datagram relay, after the grant. */
#ifndef SOCKSCOPE_UDP_H
#define SOCKSCOPE_UDP_H

#include <stdbool.h>
#include <stdint.h>

#include "handshake.h"

struct udp_result {
	uint64_t sent, received, dropped; /* datagrams */
	uint64_t bytes_sent, bytes_received; /* their DATA, headers not counted */
	char error[300];
};

/*
 * Relays stdin to the relay in s->bound and datagrams back to stdout until
 * stdin ends (then linger_ms more for answers; 1 s when negative) or the
 * control connection closes.  raw: each read is a datagram, else each line.
 */
int udp_run(struct session *s, bool raw, int linger_ms, struct udp_result *r);

#endif
