/*
 * The flow: one sans-I/O state machine for a whole SOCKS session, as both
 * the client and the server see it.
 *
 * A front end feeds it the bytes each side sent, in whatever pieces they
 * arrived (one byte at a time gives the same events as whole messages), and
 * the closes it saw.  The flow decodes each message with proto_decode() over
 * the descriptors in msgs.c, follows SOCKS4, SOCKS4a, SOCKS5 (with RFC 1929
 * and RFC 1961 framing) and Tor's RESOLVE and RESOLVE_PTR in the order
 * doc/PROTOCOL.md gives ("The order of a session"), and reports what
 * happened through a callback: messages, phases, the outcome, anomalies,
 * hints, closes, and the bytes that belong to the tunnel.
 *
 * It does no I/O, keeps no global state and allocates nothing: struct flow
 * is caller-allocated and of fixed size.  Each side holds at most one
 * message (FLOW_MSG_MAX bytes) until the message is complete.
 *
 * Driving it:
 *
 *   struct flow fl;
 *   flow_init(&fl, &(struct flow_config){ .version = 0, .on_event = cb, .ctx = me });
 *   n = flow_feed(&fl, FLOW_CLIENT, sent, len);      // what the client sent
 *   n = flow_feed(&fl, FLOW_SERVER, got, len);       // what the server sent
 *   flow_close(&fl, FLOW_SERVER, FLOW_FIN);          // the server closed
 *
 * Events point into the flow or into the caller's buffer: they are valid
 * during the callback only.
 */
#ifndef SOCKSCOPE_PROTO_FLOW_H
#define SOCKSCOPE_PROTO_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field.h"
#include "hints.h"

/*
 * The longest message the flow holds: a SOCKS4a request with the longest
 * USERID and HOSTNAME the decoder reads.  A GSSAPI token longer than this
 * is a violation here (a front end cannot show it anyway), although
 * RFC 1961 allows 65535 bytes (doc/PROTOCOL.md, "Limits").
 */
#define FLOW_MSG_MAX (8 + 2 * (PROTO_MAX_CSTR + 1))

enum flow_side { FLOW_CLIENT, FLOW_SERVER };

enum flow_close_kind { FLOW_FIN, FLOW_RESET };

/* Where the session is: what it is waiting for. */
enum flow_phase {
	FLOW_PH_GREETING, /* the client's first message (greeting or SOCKS4 request) */
	FLOW_PH_METHOD,   /* the server's method selection */
	FLOW_PH_AUTH,     /* RFC 1929 username/password sub-negotiation */
	FLOW_PH_GSSAPI,   /* RFC 1961 context establishment and protection level */
	FLOW_PH_GSSAPI_DATA, /* RFC 1961 encapsulated messages: opaque from here on */
	FLOW_PH_REQUEST,  /* the client's SOCKS5 request */
	FLOW_PH_REPLY,    /* the server's reply */
	FLOW_PH_BIND,     /* BIND's second reply: the incoming connection */
	FLOW_PH_TUNNEL,   /* granted: the bytes are the application's */
	FLOW_PH_UDP,      /* UDP ASSOCIATE granted: the TCP connection only stays open */
	FLOW_PH_END,      /* decided without a tunnel: nothing more is owed */
};

enum flow_result {
	FLOW_RES_NONE,       /* not decided yet */
	FLOW_RES_GRANTED,    /* SOCKS4 CD 0x5A, SOCKS5 REP 0x00 (the last reply) */
	FLOW_RES_REFUSED,    /* any other reply code: code and meaning */
	FLOW_RES_NO_METHOD,  /* METHOD 0xFF */
	FLOW_RES_AUTH_FAILED, /* RFC 1929 STATUS != 0, or a GSSAPI abort */
	FLOW_RES_OPAQUE,     /* a method whose sub-negotiation the flow cannot follow */
	FLOW_RES_VIOLATION,  /* protocol violation: side, field, offset, why */
	FLOW_RES_CLOSED,     /* a close or reset before any answer decided it */
};

struct flow_outcome {
	enum flow_result result;
	enum flow_side side;     /* who decided it (who closed, who violated) */
	enum flow_phase phase;   /* the phase it happened in */
	uint32_t code;           /* REFUSED, AUTH_FAILED, NO_METHOD, OPAQUE: the code */
	const char *meaning;     /* the code's meaning (names.c), or NULL */
	const char *field;       /* VIOLATION, CLOSED inside a message: the field, or NULL */
	uint64_t off;            /* VIOLATION, CLOSED: stream offset on side */
	enum flow_close_kind close; /* CLOSED */
	char why[PROTO_WHY_MAX]; /* VIOLATION, CLOSED inside a message, OPAQUE: in words */
};

enum flow_event_kind {
	FLOW_EV_MESSAGE, /* a message decoded: msg, side, off */
	FLOW_EV_PHASE,   /* a phase entered: phase */
	FLOW_EV_OUTCOME, /* the outcome decided (or replaced by a later violation) */
	FLOW_EV_ANOMALY, /* legal but wrong: field (or NULL), text, side, off */
	FLOW_EV_HINT,    /* what answered, in words: hint */
	FLOW_EV_TUNNEL,  /* data, len: the tunnel's bytes from side, at off */
	FLOW_EV_CLOSE,   /* side closed (close) in phase */
};

struct flow_event {
	enum flow_event_kind kind;
	enum flow_side side;
	uint64_t off;               /* stream offset on side where it begins */
	enum flow_phase phase;      /* PHASE: the new phase; CLOSE: the phase it closed in */
	const struct msg *msg;      /* MESSAGE */
	const struct flow_outcome *outcome; /* OUTCOME */
	const char *field;          /* ANOMALY: the field, or NULL */
	const char *text;           /* ANOMALY: what is wrong, static */
	const struct hint *hint;    /* HINT */
	const uint8_t *data;        /* TUNNEL: into the caller's buffer or the flow's */
	size_t len;                 /* TUNNEL */
	enum flow_close_kind close; /* CLOSE */
};

struct flow_config {
	int version; /* 4 or 5; 0: sniffed from the client's first byte */
	void (*on_event)(void *ctx, const struct flow_event *ev);
	void *ctx;
};

/* What a side is expected to send next (flow_expect). */
enum flow_expect_kind {
	FLOW_X_MESSAGE, /* the message type in .type */
	FLOW_X_FIRST,   /* the client's first message: SOCKS4 request or SOCKS5 greeting */
	FLOW_X_NOTHING, /* nothing until the other side has answered */
	FLOW_X_TUNNEL,  /* tunnel data */
	FLOW_X_END,     /* nothing at all any more */
};

struct flow_expect {
	enum flow_expect_kind kind;
	enum msg_type type;
};

/* One direction's state (private: use the functions). */
struct flow_dir {
	enum flow_expect_kind state;
	enum msg_type want;
	uint8_t buf[FLOW_MSG_MAX]; /* the message in progress, or held bytes */
	size_t have;
	size_t need;     /* bytes the message in progress is known to need */
	uint64_t off;    /* stream offset of buf[0] */
	uint64_t total;  /* bytes fed on this side */
	bool closed;
	bool noted;      /* the anomaly for early or late bytes was said */
	bool draining;   /* its messages are being decoded (no re-entry) */
	uint8_t first[HINT_PREFIX]; /* the side's first bytes, for hints */
	size_t nfirst;
	bool hinting;    /* a violation on this side: look for a hint */
	size_t hint_upto; /* prefixes of first[] already tried */
	struct hint hint;
};

struct flow {
	struct flow_config cfg;
	int version;             /* 4 or 5 once known, else 0 */
	enum flow_phase phase;
	struct flow_outcome outcome;
	uint8_t cmd;             /* the request's command, once sent */
	bool cmd_seen;
	bool bind_first_done;    /* BIND's first reply granted */
	bool gss_prot_client, gss_prot_server; /* protection level sent by each */
	uint8_t offered[255];    /* the greeting's methods */
	size_t noffered;
	struct flow_dir dir[2];
};

void flow_init(struct flow *fl, const struct flow_config *cfg);

/*
 * Feed n bytes side sent.  Every byte is taken: p[0..return) was protocol
 * (decoded, held for a message, or discarded after the end), p[return..n)
 * is tunnel data, also reported as FLOW_EV_TUNNEL events.  Held bytes that
 * later turn out to be tunnel data are reported from the flow's buffer.
 */
size_t flow_feed(struct flow *fl, enum flow_side side, const uint8_t *p, size_t n);

/* side closed its sending direction (FIN) or reset the connection. */
void flow_close(struct flow *fl, enum flow_side side, enum flow_close_kind kind);

/*
 * How many more bytes side's flow_feed can take before it would have to
 * call the excess a violation: what it holds is bounded (FLOW_MSG_MAX)
 * until the other side answers.  SIZE_MAX once side's bytes are the
 * tunnel's or past the end.  A relay that reads no more than this from
 * side (watch) lets an application pipeline without a false violation.
 */
size_t flow_room(const struct flow *fl, enum flow_side side);

/*
 * Bytes side sent that the flow holds undecoded (0 when none): a message
 * not yet whole, or bytes sent before the other side answered.  why gets
 * them in words: "ended inside the SOCKS5 reply after 7 of at least 10
 * bytes", "sent before the server answered".  For a front
 * end whose session ends without a close (a capture's end).
 */
size_t flow_held(const struct flow *fl, enum flow_side side, char *why, size_t cap);

/* What side is expected to send next: what the server owes, what to send. */
struct flow_expect flow_expect(const struct flow *fl, enum flow_side side);
enum flow_phase flow_phase(const struct flow *fl);
const struct flow_outcome *flow_outcome(const struct flow *fl);

/* Whether a reply grants what was asked (SOCKS4 CD 0x5A, SOCKS5 REP 0x00):
 * the one place that says it, for the flow and for the views. */
bool flow_reply_grants(const struct msg *m);

/* Words for people: "method selection", "refused", "client". */
const char *flow_phase_name(enum flow_phase phase);
const char *flow_result_name(enum flow_result result);
const char *flow_side_name(enum flow_side side);

#endif
