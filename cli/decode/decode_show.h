/*
 * How decode shows what the flow reports: messages in the hex view or as
 * JSON, the bytes no message explains, anomalies, the outcome and hints.
 */
#ifndef SOCKSCOPE_CLI_DECODE_SHOW_H
#define SOCKSCOPE_CLI_DECODE_SHOW_H

#include "decode_internal.h"
#include "field.h"
#include "flow.h"

/* A message of side (0 the client, 1 the server) at off in its side. */
void show_message(struct decode_out *out, const struct msg *m, int side, size_t off,
		  enum view_role role);

/* A message that broke or was cut short, at off in its side, over
 * p[0..len) (it and what follows it); say: its problem on stderr too. */
void show_broken(struct decode_out *out, const struct msg *m, int side, size_t off,
		 const uint8_t *p, size_t len, bool say);

/* Tunnel data of side, offsets from base. */
void show_tunnel(struct decode_out *out, int side, const uint8_t *p, size_t len, size_t base);

/* Bytes no message explains; must_close: after the answer that ended the
 * session, where the server must close. */
void show_rest(struct decode_out *out, int side, const uint8_t *p, size_t len, size_t base,
	       bool must_close);

/* An anomaly the flow reported; in_view: the message's view shows it. */
void show_anomaly(struct decode_out *out, int side, size_t off, const char *field,
		  const char *text, bool in_view);

/* How the session ended, as the flow says. */
struct decode_end {
	const struct flow_outcome *outcome;
	const struct flow_outcome *before; /* what a violation replaced */
	enum flow_phase phase;
	int version;     /* 4 or 5; 0 when the flow never knew */
	bool decided;    /* an outcome of a side in the input */
	size_t off;      /* the outcome's offset in its side */
	size_t side_len; /* the bytes of its side */
	bool broken;     /* a message that broke was shown and said */
	const struct hint *const *hints;
	size_t nhints;
	size_t tunnel[2];
};

void show_end(struct decode_out *out, const struct decode_end *e);

#endif
