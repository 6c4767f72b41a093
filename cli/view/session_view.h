/*
 * One SOCKS session as a conversation, for front ends that watch other
 * programs talk (a capture, a relay in the middle): both directions in
 * time order, each line as it happens.
 *
 *   session 1: 127.0.0.1:40522 -> 127.0.0.1:1080, 2026-12-06 05:50:01.123456
 *     +0.000000 -> SOCKS5 greeting: METHODS 0x00 NO AUTHENTICATION REQUIRED
 *     +0.000212 <- SOCKS5 method selection: METHOD 0x00 NO AUTHENTICATION REQUIRED
 *     +0.000390 -> SOCKS5 request: CMD 0x01 CONNECT, DST example.com:80
 *     +0.021577 <- SOCKS5 reply: REP 0x00 succeeded, BND 127.0.0.1:40000
 *     outcome: granted
 *     latency: greeting -> method 0.212 ms, request -> reply 21.187 ms
 *     tunnel: 78 bytes from the client, 1256 from the server, 0.311 s, ended by FIN
 *
 * The front end feeds it the flow's events (proto/flow.h) with the time
 * each came, and what the flow cannot know (gaps, notes); each call prints
 * its lines at once, so a live front end shows them as they happen.  The
 * session also gathers what its summary needs: one table row (sv_row) and
 * one JSON object (sv_json) per session.
 */
#ifndef SOCKSCOPE_CLI_SESSION_VIEW_H
#define SOCKSCOPE_CLI_SESSION_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "flow.h"

/* How every session is shown. */
struct sv_opts {
	bool hex;          /* -X: the annotated hex view of each message */
	bool verbose;      /* -v: phases, closes and the tunnel's first bytes too */
	bool absolute;     /* times of day instead of offsets from the start */
	bool show_secrets; /* PASSWD in clear */
	bool color;
	bool json;         /* gather each message and event for sv_json() */
	bool quiet;        /* gather only: print nothing (the table, JSON) */
	bool untimed;      /* the source holds no times (a text dump): no time,
			      latency or duration is shown, JSON has null */
};

/* Memory that what sessions keep may take, all open sessions together: the
 * messages and events gathered for JSON (the buffers that hold their text), and a
 * conversation kept as text until its session ends (twice its length: the
 * memory stream's buffer grows by doubling).  The front end owns it and
 * hands it to each session (sv_session.budget); a session gives back what
 * it took in sv_free.  Past the limit a session counts on but keeps no more
 * lines or objects, and says so at its end. */
struct sv_budget {
	size_t limit;
	size_t used;
};

/* JSON objects kept as text: p[0..len) of a buffer of cap bytes. */
struct sv_json_text {
	char *p;
	size_t len, cap;
};

/* Wipes (--show-secrets may have kept a password) and frees it. */
void sv_json_text_free(struct sv_json_text *kept);

#define SV_HINTS_MAX 4
#define SV_TEXT_MAX 300

/* Times on the wire, microseconds since the epoch; -1 while not seen. */
struct sv_times {
	int64_t greeting, method, auth, auth_status, request, reply, bind_second;
};

struct sv_session {
	const struct sv_opts *o;
	FILE *fp;                 /* where its lines go */
	unsigned number;
	char client[64], server[64]; /* "127.0.0.1:40522", "[::1]:1080" */
	int64_t start, last;      /* microseconds since the epoch */
	bool partial;             /* joined in its middle */
	bool stopped;             /* decoding stopped at a gap */
	bool times_back;          /* a message timed 1 s before an earlier one: no latency */
	/* gathered from the messages */
	int version;              /* 4 or 5, 0 until known */
	bool socks4a;
	uint8_t cmd;
	bool cmd_seen;
	unsigned replies;         /* replies seen: BIND's first and second */
	char command[24];
	char user[SV_TEXT_MAX];
	char target[SV_TEXT_MAX];
	const char *resolved_by;  /* "client" or "proxy", NULL until known */
	char bound[SV_TEXT_MAX];
	char peer[SV_TEXT_MAX];   /* BIND: the peer that came */
	struct sv_times t;
	struct flow_outcome outcome;
	bool decided;
	char hints[SV_HINTS_MAX][HINT_TEXT_MAX + 4 * HINT_PREFIX + 8];
	size_t nhints;
	uint64_t tunnel[2];       /* bytes each side sent in the tunnel */
	bool tunnel_said[2];
	uint64_t gap[2];          /* bytes each side sent that the capture missed */
	unsigned anomalies, datagrams;
	unsigned counted_gaps;     /* gaps that do not stop the decoding */
	unsigned nmessages;        /* of the flow (datagrams not counted) */
	unsigned resends_differ;   /* segments sent again that differ from the first copy */
	/* set by the front end after sv_begin: */
	struct sv_budget *budget;  /* NULL: keep without bound */
	bool text_kept;            /* fp is memory held until the session ends */
	/* what this session took of the budget */
	size_t charged, text_charged;
	unsigned not_kept;         /* lines and objects not kept past the budget */
	char ended[80];           /* how it ended */
	/* o->json: gathered for sv_json() as JSON text, the objects joined by
	 * ", " (a jansson tree takes about eight times its text) */
	struct sv_json_text messages, events;
	bool out_of_memory;
};

/* Starts a session (prints its header): number, its two ends, the time of
 * its first packet, and whether it was joined in its middle. */
void sv_begin(struct sv_session *s, const struct sv_opts *o, FILE *fp, unsigned number,
	      const char *client, const char *server, int64_t start, bool partial);

/* A flow event at time t. */
void sv_event(struct sv_session *s, int64_t t, const struct flow_event *ev);

/* What a gap does to the decoding. */
enum sv_gap_effect {
	SV_GAP_STOPS,     /* the decoding cannot go on past it */
	SV_GAP_TUNNEL,    /* bytes lost from the tunnel: the counting goes on */
	SV_GAP_UNDECODED, /* in bytes already not decoded (stopped, or never synced) */
};

/* side's stream lost len bytes at off (why: in words). */
void sv_gap(struct sv_session *s, int64_t t, enum flow_side side, uint64_t off, uint64_t len,
	    const char *why, enum sv_gap_effect effect);

/* Datagrams of one association, and gaps in one tunnel, shown one by one;
 * the rest are counted, so that what a session keeps does not grow with a
 * long association or a long download cut by the snap length. */
#define SV_DATAGRAMS_SHOWN 100u
#define SV_GAPS_SHOWN 100u
#define SV_MESSAGES_SHOWN 200u /* and anomalies: a GSSAPI negotiation may not end */
#define SV_RESENDS_SHOWN 20u

/* A UDP datagram of the association, decoded (m), from the client to the
 * relay (to_relay) or back; m NULL when it is no SOCKS datagram (n bytes). */
void sv_datagram(struct sv_session *s, int64_t t, bool to_relay, const struct msg *m,
		 size_t n);

/* Resent bytes differ from the first copy: side's stream at off, len bytes
 * from the first differing byte to the last (the first copy was decoded):
 * an anomaly line, counted in the row and the JSON. */
void sv_resend_differs(struct sv_session *s, int64_t t, enum flow_side side, uint64_t off,
		       uint64_t len);

/* A line of its own about the session ("the client's first bytes are no
 * SOCKS"), as a note. */
void sv_note(struct sv_session *s, int64_t t, const char *text);

/* The same, kept even past the budget when always (a session's few last
 * notes: what was counted, what was not kept). */
void sv_note_kept(struct sv_session *s, int64_t t, const char *text, bool always);

/* The session is over at time t, `ended` saying how ("FIN both ways",
 * "reset by the server", "capture end"): prints the outcome, the hints,
 * the latencies and the tunnel. */
void sv_end(struct sv_session *s, int64_t t, const char *ended);

/* The outcome in words: "refused: 0x5b request rejected or failed". */
void sv_outcome_words(const struct sv_session *s, char *buf, size_t cap);

/* One word for --outcome: granted, refused, no-method, auth-failed,
 * opaque, violation, closed, undecided. */
const char *sv_outcome_word(const struct sv_session *s);

/* The summary table: its header and one row per session. */
void sv_table_header(FILE *fp);
void sv_row(FILE *fp, const struct sv_session *s);

/* The session as one JSON object (a new reference, NULL when memory ran
 * out): its summary, its messages and events when o->json gathered them. */
json_t *sv_json(const struct sv_session *s);

/* The same object written to fp on one line (no newline), as jansson
 * writes it with SOCKSCOPE_JSON_FLAGS; -1 when memory ran out or fp
 * failed. */
int sv_json_write(FILE *fp, const struct sv_session *s);

/* Frees what the session gathered. */
void sv_free(struct sv_session *s);

#endif
