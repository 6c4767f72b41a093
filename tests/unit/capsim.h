/*
 * A capture's packets made by hand for the capture engine
 * (capture_engine.h), for test_capture.c and test_capture_keep.c: one TCP
 * connection from 127.0.0.1:port[0] to 127.0.0.1:port[1], packets given by
 * stream offsets, and what each session that ended left (struct got).
 */
#ifndef SOCKSCOPE_TESTS_UNIT_CAPSIM_H
#define SOCKSCOPE_TESTS_UNIT_CAPSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture_engine.h"

/* What the sessions that ended left: their texts one after the other, and
 * the last one's summary. */
struct got {
	char text[8192];
	size_t text_max;          /* the longest session's text */
	char outcome[32];
	unsigned sessions;
	uint64_t tunnel[2], gap[2];
	bool partial, stopped;
	unsigned datagrams;
	char target[64], peer[64];
	unsigned nmessages, resends_differ, not_kept;
	size_t json_messages;     /* messages in its JSON, when gathered */
	char row[1024];           /* its row of the summary table */
};

struct sim {
	struct cap_engine *e;
	struct got got;
	uint32_t isn[2];
	uint16_t port[2];
	int64_t t;
};

/* The conversation view the tests use: lines, no -v. */
extern const struct sv_opts capsim_view;

/* Starts an engine on port 1080 (and sniff) keeping each session's text. */
void sim_start(struct sim *s, bool sniff, uint16_t server_port);

/* The same with cfg (its on_done and ctx are set here). */
void sim_start_with(struct sim *s, struct cap_config *cfg, uint16_t server_port);

/* A packet from side (0 the client) with flags, payload at stream offset
 * off of that side; ack: the other side's offset acknowledged. */
void pkt(struct sim *s, int side, uint8_t flags, uint64_t off, const char *data, size_t n,
	 uint64_t ack);

/* SYN, SYN-ACK, ACK. */
void handshake(struct sim *s);

/* SYN, SYN-ACK, ACK, then a SOCKS5 greeting and its method selection (the
 * client's stream at 3, the server's at 2). */
void greeted(struct sim *s);

/* A UDP datagram on 127.0.0.1 from port from to port to. */
void datagram(struct sim *s, uint16_t from, uint16_t to, const char *data, size_t n);

/* The capture ends; the engine is freed. */
void sim_end(struct sim *s);

/* needle is in the sessions' texts. */
void expect_text(const struct sim *s, const char *needle);

#define GREETING "\x05\x01\x00"
#define METHOD "\x05\x00"
#define REQUEST "\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x50"
#define REPLY "\x05\x00\x00\x01\x7f\x00\x00\x01\x9c\x41"

#endif
