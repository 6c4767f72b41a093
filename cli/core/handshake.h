/*
 * The client engine: reach the first proxy, walk every hop of a chain, and
 * leave a connection whose next byte is the target's.  Blocking, each phase
 * bounded by its own deadline.
 */
#ifndef SOCKSCOPE_HANDSHAKE_H
#define SOCKSCOPE_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "trace.h"
#include "url.h"

#define MAX_HOPS 8

/* Exit statuses, as the man page (EXIT STATUS) gives them. */
enum exit_status {
	EXIT_OK = 0,
	EXIT_REFUSED = 1,
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
	EXIT_PROTOCOL = 4,
	EXIT_TIMEOUT = 5,
	EXIT_AUTH = 6,
	EXIT_TUNNEL = 7,
};

/* A connection and what it received but nobody consumed yet. */
struct conn {
	int fd;
	size_t have;
	uint8_t in[8192];
};

/* What the last hop is asked to do; every hop before it is asked to CONNECT. */
enum socks_command {
	COMMAND_CONNECT,
	COMMAND_BIND,
	COMMAND_UDP,
	COMMAND_RESOLVE,     /* Tor: a name in, an address out */
	COMMAND_RESOLVE_PTR, /* Tor: an address in, a name out */
};

/*
 * One hop's flow and what the engine keeps beside it: the bytes of the
 * server message being read (to know how many more it owes, and to show
 * them when it goes wrong) and its last message (a reply's address).
 */
struct hop_flow {
	struct flow flow;
	struct session *s;
	int hop;                      /* 1-based */
	bool started;
	uint8_t offered[2];           /* the greeting's methods (the decoder needs them) */
	size_t noffered;
	uint8_t held[FLOW_MSG_MAX];   /* the server's message in progress */
	size_t nheld;
	unsigned server_messages;     /* complete messages the server sent */
	uint64_t fed;                 /* bytes the server sent, all told */
	uint64_t held_off, last_off;  /* where held[] and last[] begin in the server's stream */
	uint8_t last[FLOW_MSG_MAX];   /* the server's last complete message */
	size_t nlast;
	enum msg_type server_type;    /* the server's message being read, or the last */
	int read_errno;               /* why the read failed, for a reset */
};

/* What the flow said about what answered (hints.h), for the error and -j. */
#define SESSION_HINTS 4
struct session_hint {
	int hop;
	bool from_server;
	char text[HINT_TEXT_MAX];
	uint8_t evidence[HINT_PREFIX];
	size_t evidence_len;
};

struct session {
	struct proxy hops[MAX_HOPS];
	int nhops;
	enum socks_command command;
	struct host target;
	/* The last hop's (first) reply: where it bound, the relay, or the answer. */
	struct host bound;
	/* BIND's second reply: who connected. */
	struct host peer;
	int family;      /* AF_UNSPEC, or AF_INET / AF_INET6 from -4 / -6 */
	int timeout_ms;  /* each phase */
	struct trace *trace;
	struct conn conn;
	char error[1024]; /* what failed, for people: phase, field, offset, hints */
	bool quiet;      /* -j, its summary on stderr: no text goes there */
	int64_t started_ms;
	struct hop_flow flows[MAX_HOPS]; /* one flow per hop, each over the previous one's tunnel */
	struct session_hint hints[SESSION_HINTS];
	int nhints;
};

/*
 * Checks everything that can be checked before a byte is sent: every
 * request encodes, names fit, local resolution works.  EXIT_USAGE (or
 * EXIT_UNREACHABLE for a name that does not resolve) with s->error set.
 */
int session_plan(struct session *s);

/* Connects and handshakes every hop; EXIT_OK leaves s->conn ready. */
int session_run(struct session *s);

/* BIND: waits up to timeout_ms for the second reply; EXIT_OK fills s->peer. */
int session_bind_wait(struct session *s, int timeout_ms);

/* The last hop's numeric address, for its replies that say 0.0.0.0 or ::
 * ("the server's own address"): with one hop, the address really reached
 * (getpeername); in a chain, the last hop as given (the socket's peer is
 * hop 1, not it), a name resolved here (s->family: -4 / -6).  The port is
 * the one given.  -1 with why[] and out as given when the name does not
 * resolve. */
int session_proxy_address(const struct session *s, struct host *out, char *why, size_t whylen);

const char *socks_command_name(enum socks_command c);

#endif
