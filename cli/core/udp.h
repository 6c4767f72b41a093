/* UDP ASSOCIATE's datagram relay, after the grant. */
#ifndef SOCKSCOPE_UDP_H
#define SOCKSCOPE_UDP_H

#include <stdbool.h>
#include <stdint.h>

#include "handshake.h"

/* A datagram as it crossed the wire, header included, kept for -j. */
struct udp_kept {
	uint8_t *bytes;
	size_t len;
	bool received; /* from the relay; else sent to it */
};

struct udp_result {
	uint64_t sent, received, dropped; /* datagrams */
	uint64_t bytes_sent, bytes_received; /* their DATA, headers not counted */
	struct udp_kept *kept; /* with -j (s->trace->json): the datagrams, in order */
	size_t nkept, kept_bytes;
	uint64_t kept_omitted; /* datagrams past the bound, not kept */
	bool interrupted;      /* *net_stop ended it */
	bool stdout_gone;      /* stdout's reader went away (EPIPE): an orderly end */
	char error[400];
};

/*
 * A relay address of 0.0.0.0 or :: in s->bound means the proxy's own: puts
 * the last hop's numeric address there instead, with the relay's port, and
 * says so on stderr.  A relay given by name (ATYP 03, which RFC 1928
 * allows) is resolved here (s->family).  EXIT_OK (nothing to do for any
 * other address), or EXIT_UNREACHABLE with why[] when the name to use
 * does not resolve.
 */
int udp_relay_address(struct session *s, char *why, size_t whylen);

/*
 * Relays stdin to the relay in s->bound (udp_relay_address applied first)
 * and datagrams back to stdout until stdin ends (then linger_ms more for
 * answers; 1 s when negative) or the control connection closes.  raw: each
 * read is a datagram, else each line.  On failure, r->error says what.
 * Also ends, with EXIT_OK, when *net_stop is set (r->interrupted) or
 * stdout's reader goes away (r->stdout_gone).  udp_result_free() after.
 */
int udp_run(struct session *s, bool raw, int linger_ms, struct udp_result *r);

/* Frees the datagrams kept for -j. */
void udp_result_free(struct udp_result *r);

#endif
