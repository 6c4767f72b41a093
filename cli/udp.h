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
 * A relay address of 0.0.0.0 or :: in s->bound means the proxy's own: puts
 * the last hop's numeric address there instead, with the relay's port, and
 * says so on stderr.  EXIT_OK (nothing to do for any other address), or
 * EXIT_UNREACHABLE with why[] when the last hop's name does not resolve.
 */
int udp_relay_address(struct session *s, char *why, size_t whylen);

/*
 * Relays stdin to the relay in s->bound (udp_relay_address applied first)
 * and datagrams back to stdout until stdin ends (then linger_ms more for
 * answers; 1 s when negative) or the control connection closes.  raw: each
 * read is a datagram, else each line.  On failure, r->error says what.
 */
int udp_run(struct session *s, bool raw, int linger_ms, struct udp_result *r);

#endif
