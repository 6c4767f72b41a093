/*
 * What the files of watch share: its options, the relay's sessions, and
 * the summary each session leaves behind for the table.
 *
 * One event loop (watch_loop.c) owns every descriptor.  A session is two
 * sockets, the application's and the upstream's, and two directions, each
 * with at most one bounded buffer of bytes read and not yet written.  Every
 * byte read is fed to the session's flow (proto/flow.h) before it is passed
 * on; watch_show.c prints what the flow reports.
 */
#ifndef SOCKSCOPE_WATCH_INT_H
#define SOCKSCOPE_WATCH_INT_H

#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "flow.h"
#include "handshake.h"
#include "term.h"
#include "url.h"

#define WATCH_BUF (64 * 1024) /* one direction's bytes in flight */
#define WATCH_SLACK 64        /* room for a rewritten reply longer than the original */
#define WATCH_DEFAULT_PORT 1081
#define WATCH_DEFAULT_MAX 1000
#define WATCH_TABLE_MAX 100000 /* sessions the ^C table keeps (about 800 bytes each) */

struct watch_opts {
	struct proxy hops[MAX_HOPS]; /* -x, in order; the last is the upstream */
	int nhops;
	struct sockaddr_storage listen; /* -l */
	socklen_t listenlen;
	bool allow_remote;
	int timeout_ms;   /* -w: each handshake phase */
	int verbose;      /* -v: every message's trace line, phases, closes */
	bool hex;         /* -X: every message's hex view */
	bool json;        /* -j: JSON lines */
	bool show_secrets;
	bool color;
	unsigned max_sessions;
	uint64_t dump_data; /* --dump-data N: hex dump of each direction's first N tunnel bytes */
};

/* What one session leaves for the table; kept after the session ends. */
struct watch_sum {
	unsigned id;
	char app[64];       /* the application's address */
	int version;        /* 4 or 5 once known */
	char command[24];
	char target[300];   /* escaped */
	char outcome[200];  /* escaped, one line */
	uint64_t up, down;  /* bytes application -> upstream, upstream -> application */
	uint64_t tunnel_up, tunnel_down; /* of those, the tunnel's */
	int64_t ms;
	char closed[48];    /* "application FIN", "upstream RST", "timeout", "open" */
	bool done;
};

/* One direction: from the side it is named after to the other one. */
struct watch_dir {
	uint8_t *buf;       /* NULL while nothing waits: idle sessions hold no buffer */
	size_t start, end;  /* bytes [start, end) wait to be written */
	uint64_t in;        /* bytes read from the source: the stream offset of buf[end] */
	uint64_t dumped;    /* tunnel bytes hex-dumped (--dump-data) */
	bool eof;           /* the source sent FIN */
	bool shut;          /* FIN passed on to the destination */
	bool hold;          /* read but keep (a UDP reply being rewritten) */
	int pipe[2];        /* bulk tunnel data: splice(2) through it, or -1 */
	size_t piped;       /* bytes in the pipe, not yet written */
};

/* A direction that has moved this many tunnel bytes splices the rest: small
 * sessions never pay two descriptors for a pipe. */
#define WATCH_SPLICE_AFTER (256 * 1024)
#define WATCH_PIPE (512 * 1024) /* the pipe's size asked for, and one splice's most */

enum watch_state { WS_CHAIN, WS_CONNECTING, WS_RELAY };

struct watch_udp;

struct watch_session {
	unsigned id;
	enum watch_state state;
	int app, up;                /* sockets, -1 once closed */
	int chain_fd;               /* WS_CHAIN: the helper's end of the socketpair */
	pid_t chain_pid;
	int64_t start_ms, phase_ms; /* the session's start, the current phase's */
	int64_t read_ms[2];         /* each side's last byte read in this phase, 0 before one */
	struct flow flow;
	struct watch_dir dir[2];    /* [FLOW_CLIENT] application -> upstream, [FLOW_SERVER] back */
	struct watch_sum *sum;
	struct watch *w;
	struct watch_udp *udp;      /* UDP ASSOCIATE granted: the datagram relay */
	bool udp_asked;             /* the request was UDP ASSOCIATE */
	int first_closer;           /* FLOW_CLIENT / FLOW_SERVER, -1 while none */
	bool sum_unkept;            /* the table is full: its summary goes with it */
};

struct watch {
	struct watch_opts o;
	int listen_fd;
	struct sockaddr_storage bound; /* what -l really bound */
	struct watch_session **sessions;
	size_t nsessions, cap_sessions;
	struct watch_sum **sums;
	size_t nsums, cap_sums;
	uint64_t sums_unkept;       /* sessions past WATCH_TABLE_MAX, counted only */
	unsigned next_id;
	bool full_said;             /* --max-sessions reached: said once per time */
	int64_t accept_after_ms;    /* out of descriptors: the listener rests until then, or
				       until a session ends */
	bool fds_said;              /* out of descriptors: said once */
	bool fds_capped;            /* the open file limit lowered --max-sessions (said once) */
	uint8_t *scratch;
	volatile sig_atomic_t stop;
	bool out_failed;            /* stdout failed: said once; the loop ends, exit 7 */
	bool out_gone;              /* stdout's reader went away (EPIPE): the loop ends, exit 0 */
};

/* watch_options.c */
int watch_options(int argc, char **argv, struct watch_opts *o);

/* watch_loop.c */
int watch_run(struct watch *w);
void watch_session_end(struct watch_session *s, const char *how);

/* watch_relay.c: a session's sockets */
void watch_nodelay(int fd);
bool watch_hop_is_self(const struct watch *w);
int watch_upstream_start(struct watch_session *s);
void watch_upstream_connected(struct watch_session *s);
void watch_dir_read(struct watch_session *s, enum flow_side from);
void watch_dir_flush(struct watch_session *s, enum flow_side from);
void watch_abort(struct watch_session *s, enum flow_side reset_by, const char *why);
short watch_events(const struct watch_session *s, enum flow_side side);
void watch_on_event(void *ctx, const struct flow_event *ev);

/* watch_chain.c: the hops before the last, reached by a helper process */
int watch_chain_start(struct watch_session *s);
void watch_chain_done(struct watch_session *s);
void watch_chain_stop(struct watch_session *s);

/* watch_udp.c */
bool watch_udp_holds(const struct watch_session *s);
bool watch_udp_rewrite(struct watch_session *s, const struct flow_event *ev);
void watch_udp_apply(struct watch_session *s);
void watch_udp_free(struct watch_session *s);
int watch_udp_fds(const struct watch_session *s, int fds[2]);
void watch_udp_ready(struct watch_session *s, int which);

/* watch_show.c: every line watch prints */
void show_listening(struct watch *w);
void show_open(struct watch_session *s);
void show_event(struct watch_session *s, const struct flow_event *ev);
void show_note(struct watch_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void show_datagram(struct watch_session *s, const uint8_t *p, size_t len, bool from_app);
void show_reply_rewritten(struct watch_session *s, const uint8_t *p, size_t len);
void show_summary(struct watch_session *s);
void show_table(struct watch *w);
void show_flush(struct watch *w);
const char *watch_side_name(enum flow_side side);
void watch_outcome_words(int version, const struct flow_outcome *o, char *buf, size_t cap);
void watch_addr_text(const struct sockaddr_storage *ss, char *out, size_t cap);
bool watch_is_loopback(const struct sockaddr_storage *ss);

#endif
