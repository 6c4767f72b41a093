/*
 * decode's bytes through the flow (proto/flow.h): one side alone with the
 * other side stood in for (both sides of a dump are the capture front
 * end's).  What the flow reports is shown by decode_show.c.
 */
#ifndef SOCKSCOPE_CLI_DECODE_FLOW_H
#define SOCKSCOPE_CLI_DECODE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "decode_internal.h"
#include "view_opts.h"

/*
 * Where a paste of one side starts: at the first message, or at the request
 * or the username/password sub-negotiation (a paste often starts there).
 */
enum decode_start { START_FIRST, START_REQUEST, START_AUTH };

/*
 * One reading of one side alone.  The flow needs the other side's messages
 * to know what this side's mean; they are not in the bytes, so a stand-in
 * sends what the flow says that side owes (flow_expect): the method or the
 * command below, success otherwise.  The stand-in's messages, anomalies and
 * outcome are never shown.
 */
/* The commands a stand-in client may have sent; BIND's replies are titled
 * by their role. */
#define DECODE_CMD_CONNECT 0x01
#define DECODE_CMD_BIND 0x02

struct decode_reading {
	int version;             /* 4 or 5 */
	enum decode_start start;
	uint8_t method;          /* the client alone: the method the server chose */
	uint8_t cmd;             /* the server alone: the command the client sent */
};

/* How well a reading explains the bytes (decode_cmd.c compares readings). */
enum decode_status { DS_OK, DS_NEED_MORE, DS_MALFORMED };

struct decode_score {
	enum decode_status status;
	bool after_close;   /* the violation is bytes after the session's end */
	unsigned anomalies; /* of the shown side(s) */
	size_t err_at;      /* malformed: where in its side */
	size_t err_in_msg;  /* malformed: where in its message */
	size_t msg_bytes;   /* bytes decoded as messages */
};

/* Runs src through the flow as rd says; out NULL for a dry run that only
 * scores. */
void decode_flow_run(const struct decode_src *src, const struct decode_reading *rd,
		     struct decode_out *out, struct decode_score *sc);

#endif
