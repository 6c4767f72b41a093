/*
 * Hints: naming what answered when it was not a SOCKS server (or not the
 * SOCKS the client spoke).  A table of recognisers turns the first bytes of
 * a side into one line with its evidence; two more recognisers explain a
 * close that came instead of an answer.  The flow (flow.c) asks them; every
 * front end shows what the flow reports.
 *
 * Recognisers are pure functions of a prefix: given more bytes they never
 * change their mind, so a hint does not depend on how the bytes arrived.
 */
#ifndef SOCKSCOPE_PROTO_HINTS_H
#define SOCKSCOPE_PROTO_HINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HINT_PREFIX 64    /* first bytes of a side a recogniser may look at */
#define HINT_TEXT_MAX 96

enum hint_id {
	HINT_HTTP_REQUEST,  /* the client sent an HTTP request */
	HINT_TLS,           /* a TLS record, from either side */
	HINT_HTTP_RESPONSE, /* the server sent an HTTP response */
	HINT_SSH,           /* an SSH banner */
	HINT_BANNER_220,    /* an SMTP or FTP greeting */
	HINT_ECHO,          /* the server sent the client's bytes back */
	HINT_SOCKS5_FOR_4,  /* a SOCKS5 answer to a SOCKS4 request */
	HINT_SOCKS4_FOR_5,  /* a SOCKS4 answer to a SOCKS5 greeting */
	HINT_CMD_UNSUPPORTED, /* closed, no reply, after an uncommon command */
	HINT_ACCESS_RULE,   /* closed right after the connection was accepted */
};

enum hint_verdict { HINT_NO, HINT_MAYBE, HINT_YES };

struct hint {
	enum hint_id id;
	bool from_server;          /* whose bytes are the evidence */
	char text[HINT_TEXT_MAX];  /* one line, lower case, no trailing period */
	const uint8_t *evidence;   /* the banner or first line; escape it to show it */
	size_t evidence_len;
};

/* What a byte recogniser sees. */
struct hint_bytes {
	bool from_server;
	const uint8_t *p;      /* the side's first bytes */
	size_t n;
	bool final;            /* the side closed: no more bytes will come */
	const uint8_t *client; /* the client's first bytes (for the echo) */
	size_t nclient;
	int version;           /* the SOCKS version the client spoke, or 0 */
};

/*
 * Runs every byte recogniser over in.  HINT_YES fills out (its evidence
 * points into in->p); HINT_MAYBE means a longer prefix may match; HINT_NO
 * means none can.
 */
enum hint_verdict hint_scan(const struct hint_bytes *in, struct hint *out);

/* What a close recogniser sees: the server closed with no answer. */
struct hint_close {
	int version;        /* 4 or 5 */
	bool after_request; /* the request was sent (else only the first message) */
	uint8_t cmd;        /* the request's command */
	bool answer_started; /* some bytes of the awaited answer came */
	uint64_t server_bytes; /* bytes the server sent in all */
};

/* true and out filled when the close has an explanation. */
bool hint_on_close(const struct hint_close *in, struct hint *out);

#endif
