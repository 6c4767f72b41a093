/*
 * sockscope probe, internal: what a step's flow says.  Each step connection
 * has one struct flow (proto/flow.h): what the step sends is fed as the
 * client's bytes, what it receives as the server's, the server's close as
 * a close.  The flow decides what the step owes next and what the answers
 * mean; its hints (proto/hints.h) name peers that are not SOCKS.  This file
 * turns that into the step's result.  Buffers in, a result out: no I/O.
 */
#ifndef SOCKSCOPE_CLI_PROBE_FLOW_H
#define SOCKSCOPE_CLI_PROBE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "probe_types.h"
#include "view_opts.h"

/* "", "http", "tls", "ssh", "other", "echo": the JSON "peer". */
extern const char *const probe_peer_names[];
/* "an HTTP server", ...: the table's words for a peer. */
extern const char *const probe_peer_words[];

/* How far a step goes when all is well. */
enum step_goal {
	GOAL_METHOD, /* the method selection (s5-noauth, s5-gssapi, ...) */
	GOAL_AUTH,   /* RFC 1929 credentials accepted (s5-auth) */
	GOAL_REPLY,  /* the request's reply (BIND: its first reply) */
};

/* One step connection's flow and what its events said (one per slot,
 * allocated when the slot first connects: about 5 KiB). */
struct step_flow {
	struct flow fl;
	struct step_res *r;      /* the step's result: anomalies go here */
	void (*on_message)(void *ctx, const struct msg *m, enum view_role role);
	void *ctx;               /* for on_message (-v, -X) */
	int version;             /* 4 or 5 */
	enum flow_phase now;     /* the phase the flow is in */
	bool method_chosen;      /* goals reached, as the events said: a method */
	bool authed;             /* RFC 1929 credentials accepted */
	bool granted;            /* the request (BIND: its first reply) */
	int goal_code;           /* the code of the answer that reached one */
	const char *goal_meaning;
	bool bind_request;       /* the request sent was a BIND */
	bool method_seen;        /* a method selection decoded */
	uint8_t method;
	int msg_code;            /* the last server message's code field, or -1 */
	const char *msg_meaning; /* its meaning, or NULL */
	char msg_code_text[96];  /* "REP 0x07 command not supported" */
	uint64_t msg_start;      /* where the server's message in progress starts */
	enum msg_type awaited;   /* its type */
	bool hinted;             /* the server's bytes or close have a hint: */
	enum hint_id hint;
	char hint_text[HINT_TEXT_MAX + 72]; /* its words and evidence, escaped */
	uint8_t sent[HINT_PREFIX]; /* the step's first bytes sent (hint_scan) */
	size_t nsent;
};

/* A new step connection: version 4 or 5; results into r. */
void probe_flow_start(struct step_flow *sf, int version, struct step_res *r);
/* The step sent p[0..n) (a whole message), or received it. */
void probe_flow_sent(struct step_flow *sf, const uint8_t *p, size_t n);
void probe_flow_received(struct step_flow *sf, const uint8_t *p, size_t n);

/*
 * The step's result from its flow, once there is one: true with r's oc,
 * detail, code, meaning, peer and flags filled.  in[0..have) is every byte
 * the step received; final: no more will be read (closed, or too many).
 * note follows the detail of a refusal ("" for none).
 */
bool probe_flow_result(const struct step_flow *sf, enum step_goal goal, const uint8_t *in,
		       size_t have, bool final, const char *note);

/* The step timed out: its result from what arrived (in[0..have)). */
void probe_flow_timeout(const struct step_flow *sf, enum step_goal goal, const uint8_t *in,
			size_t have, double secs);

/*
 * http-sniff: what the answer so far to its HTTP request says, by the hints
 * (no SOCKS flow: nothing of it is SOCKS).  eof: no more bytes come (err:
 * the errno that ended them, or 0).  false while more bytes could decide.
 */
bool probe_sniff_result(struct step_res *r, const uint8_t *sent, size_t nsent,
			const uint8_t *in, size_t have, bool eof, int err);

/* Adds a line to the step's "anomalies" (at most NANOM; the rest are dropped). */
__attribute__((format(printf, 2, 3))) void probe_anomaly(struct step_res *r, const char *fmt, ...);

/* Up to 16 bytes as "05 00 ...", for details. */
void probe_hexprefix(const uint8_t *p, size_t n, char *out, size_t outlen);

#endif
