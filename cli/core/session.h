/*
 * The client engine's state: the hops of a chain, the target, the
 * connection, and each hop's flow.  Its types only, so that the parts of
 * the engine (handshake.c, hopflow.c, session_io.c) share them without
 * including one another.
 */
#ifndef SOCKSCOPE_SESSION_H
#define SOCKSCOPE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field.h"
#include "flow.h"
#include "hints.h"
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

/* The messages each hop is sent, encoded before the first byte goes out;
 * they hold credentials and are wiped once sent. */
#define HOP_REQUEST_MAX (8 + 2 * (PROTO_MAX_BYTES + 1))

struct hop_plan {
	uint8_t greeting[4];
	size_t greeting_len;
	uint8_t auth[3 + 2 * CRED_MAX];
	size_t auth_len;
	uint8_t request[HOP_REQUEST_MAX];
	size_t request_len;
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
	struct hop_plan plans[MAX_HOPS];
	int nhints;
};

#endif
