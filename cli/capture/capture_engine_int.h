/*
 * What capture_engine.c, capture_flow.c and capture_udp.c share: one
 * tracked TCP connection and the engine that holds them.  Not for other
 * files.
 */
#ifndef SOCKSCOPE_CLI_CAPTURE_ENGINE_INT_H
#define SOCKSCOPE_CLI_CAPTURE_ENGINE_INT_H

#include <stdio.h>

#include "capture_engine.h"
#include "flow.h"
#include "reasm.h"
#include "session_view.h"

enum conn_state {
	CONN_PENDING, /* not yet known to be SOCKS: --sniff, or joined in its middle */
	CONN_SOCKS,   /* a session: shown */
	CONN_IGNORED, /* no SOCKS (--sniff): followed only to know its packets */
};

struct conn;

/* The reassembler's sink context: one side of one connection. */
struct conn_side {
	struct conn *c;
	enum flow_side side;
};

struct conn {
	struct conn *hnext;          /* hash chain */
	struct conn *prev, *next;    /* open connections, least recent packet first */
	struct cap_engine *e;
	struct tcp_end end[2];       /* [FLOW_CLIENT], [FLOW_SERVER] */
	struct reasm rs[2];
	struct conn_side sides[2];
	struct flow fl;
	struct sv_session sv;
	enum conn_state state;
	bool on_port;                /* on a SOCKS port: a session even if never SOCKS */
	bool begun;                  /* sv_begin done */
	bool partial;                /* no SYN seen */
	bool stopped;                /* a gap stopped the decoding */
	bool unsynced;               /* joined in its middle where the flow cannot follow */
	bool fin_done[2];
	bool syn_held;               /* a SYN with another ISN came, unanswered yet */
	uint32_t syn_held_seq;
	bool sync_decided;           /* joined in its middle: where to start is known */
	bool at_request;             /* ... at the client's SOCKS5 request */
	bool muted;                  /* the stand-in messages before it: not shown */
	uint64_t bias[2];            /* bytes of stand-in on each side, in the flow's offsets */
	uint64_t fed[2];             /* bytes fed to the flow */
	uint64_t undecoded[2];       /* bytes after decoding stopped */
	int64_t first, now;          /* first packet's time, the last packet's */
	int64_t seen;                /* the engine's clock at its last packet */
	FILE *text;                  /* the conversation, when kept (text_open) */
	char *textp;                 /* NUL-terminated */
	size_t textlen, textcap;
	/* UDP ASSOCIATE: where the client said it would send from */
	struct tcp_end udp_client;
	bool udp_asked;
	struct udp_assoc *assoc;     /* its granted association, or NULL */
};

#define CAP_HASH_SIZE 65536u
#define CAP_IDLE_US (15 * 60 * 1000000LL)
/* Connections open at once, at most (about 9 KiB each): past it the least
 * recent ends, as if idle, so a SYN flood in a capture has a bound. */
#define CAP_OPEN_MAX 65536u
#define CAP_HOLD_BUDGET ((size_t)64 << 20) /* bytes held behind holes, all connections */
#define CAP_HOLD_MIN ((size_t)16 << 10)    /* one direction holds at least this */

struct udp_assoc;
#define CAP_UDP_HASH_SIZE 4096u
struct tomb;

#define CAP_TOMB_US (120 * 1000000LL) /* a closed connection's late copies: 2 MSL */
#define CAP_TOMBS_MAX 65536u          /* at most this many remembered: memory bounded */

struct cap_engine {
	struct cap_config cfg;
	bool keep_text;
	uint32_t hash_key;           /* drawn for each run: see end_hash() */
	struct conn *hash[CAP_HASH_SIZE];
	struct conn *oldest, *newest;
	size_t nopen;
	unsigned nsessions;
	int64_t clock;               /* the latest packet time yet: it never goes back */
	char too_many[96];           /* how a connection ended past cfg.open_max */
	struct udp_assoc *assocs[CAP_UDP_HASH_SIZE]; /* by relay address */
	struct tomb *tombs[CAP_HASH_SIZE]; /* connections closed in the last CAP_TOMB_US */
	struct tomb *tomb_oldest, *tomb_newest;
	size_t ntombs;
	struct sv_budget keep;       /* what the open sessions keep (session_view.h) */
};

/* capture_engine.c: c had a packet at t (it moves to the newest end of the
 * list of open connections). */
void conn_touch(struct cap_engine *e, struct conn *c, int64_t t);

/* capture_flow.c: the flow's events for c, and the start of its session. */
void conn_flow_event(void *ctx, const struct flow_event *ev);
void conn_begin(struct conn *c);
/* A reset from side that carried n bytes: said (they are no part of the
 * stream, as the receiver drops them). */
void conn_reset_data(struct conn *c, enum flow_side side, size_t n, int64_t t);
/* The notes a session ends with, kept past the budget: bytes counted, not
 * decoded; bytes the flow still holds; bytes past a FIN; bytes sent again
 * that could not be compared. */
void conn_last_notes(struct conn *c, int64_t t);

/* A packet of c from side that starts a new connection on its ports: a
 * SYN with another sequence number (c's own ports used again) while c is
 * not established or closing; on an established, open c, once the server
 * answers it (or the client acknowledges the server's answer). */
bool conn_new_syn(struct conn *c, const struct tcp_frame *f, enum flow_side side);

/* c->text, a stream into c->textp (NULL when memory ran out). */
FILE *text_open(struct conn *c);

/* A connection joined in its middle (no SYN), its first bytes p[0..n)
 * from side: whether to feed them to the flow (else they are counted). */
bool conn_sync(struct conn *c, enum flow_side side, const uint8_t *p, size_t n);

/* capture_udp.c */
void udp_granted(struct conn *c, const struct msg *reply);
void udp_conn_gone(struct cap_engine *e, struct conn *c);
void udp_packet(struct cap_engine *e, int64_t t, const struct tcp_frame *f,
		const uint8_t *payload);
void udp_free(struct cap_engine *e);

/* capture_engine.c: a keyed hash of an address and port. */
uint32_t cap_end_hash(const struct cap_engine *e, const struct tcp_end *end);

/* "127.0.0.1:1080", "[::1]:1080" */
void end_text(const struct tcp_end *end, char *buf, size_t cap);

#endif
