/*
 * The REPL's session: one draft of each message, the credentials and the
 * target they are filled from, at most one connection, and the flow that
 * follows it.  The stepping engine sends one draft at a time exactly as
 * composed and reads the answer the flow says the server owes; bytes after
 * a complete reply stay in the connection's buffer for `recv` and the
 * tunnel.
 *
 * Views go to s->out (stdout); errors and warnings to stderr, as
 * "sockscope: ...".  Every function that can fail returns an exit status
 * (EXIT_* in handshake.h).
 */
#ifndef SOCKSCOPE_CLI_REPL_SESSION_H
#define SOCKSCOPE_CLI_REPL_SESSION_H

/* A whole message: every field at its largest. */
#define RS_WIRE_MAX (PROTO_MAX_FIELDS * (PROTO_MAX_BYTES + 2))
/* The longest client message: a SOCKS4a request with USERID and name at
   their largest, with room to spare. */
#define RS_PENDING_MAX 4096

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "field.h"
#include "flow.h"
#include "handshake.h"
#include "hexview.h"
#include "url.h"

/* The phase in the prompt and `status`: the flow's (rs_phase), in words of
   what was done rather than of what is awaited. */
enum rs_phase {
	PH_CLOSED,
	PH_CONNECTED,
	PH_GREETED,   /* SOCKS5: the greeting sent, its method selection due */
	PH_METHOD,    /* SOCKS5: the server chose a method */
	PH_AUTHED,
	PH_REQUESTED, /* the request sent, its reply due */
	PH_GRANTED,
	PH_BOUND,     /* BIND: first reply granted, waiting for the peer */
	PH_TUNNEL,
	PH_ENDED,     /* the flow ended without a tunnel */
};

/* The drafts a session holds; which are in use depends on the proxy's version. */
enum rs_draft { RD_GREETING, RD_AUTH, RD_S5REQ, RD_S4REQ, RD_UDP, RD_COUNT };

/* Time spent in each phase of the current connection. */
enum rs_timer { TM_CONNECT, TM_GREETING, TM_AUTH, TM_REQUEST, TM_BIND, TM_COUNT };

struct rsess {
	/* The server: one proxy, or a chain whose last hop the drafts are for. */
	struct proxy hops[MAX_HOPS];
	int nhops;

	/* -U: for the hops before the last that name no user of their own. */
	bool has_hop_cred;
	struct credentials hop_cred;

	/* What fills the drafts' fields the user has not set by hand. */
	struct credentials cred;
	/* Where cred's user and password came from: the last proxy URL (that
	   proxy's only; SOCKSCOPE_PASSWORD for a URL's user counts as the
	   URL's), or -U / `set user` / `set pass`, which carry over. */
	bool user_from_url;
	bool pass_from_url;
	bool has_target;
	struct host target;   /* as given */
	bool name_to_proxy;   /* `resolve`: the name is the proxy's to resolve */
	bool has_resolved;
	struct host resolved; /* target resolved here (socks4://, socks5://) */

	struct draft d[RD_COUNT];
	bool user_set[RD_COUNT][PROTO_MAX_FIELDS];

	/* The connection. */
	struct conn conn;       /* fd -1 when closed */
	int udp_fd;             /* UDP ASSOCIATE: our socket toward the relay, or -1 */
	/* What the connection carried, both ways, as the flow follows it: it
	   alone says what is owed next and what an answer means (repl_flow.c).
	   Every byte sent is fed to it, every byte read when it is consumed. */
	struct flow fl;
	unsigned outcomes;      /* outcomes the flow decided on this connection */
	unsigned outcomes_said; /* those a step has said */
	enum flow_phase last_phase; /* the flow's phase before the latest one */
	bool authenticated;     /* the flow passed a sub-negotiation */
	bool in_tunnel;         /* `tunnel` relays the connection */
	bool step_sending;      /* a step sends its draft, shown as composed: the
				   flow's decoding of it is not shown again */
	bool client_message;    /* a client message was decoded since this was cleared */
	bool bind_requested;    /* the request the flow decoded was a BIND */
	bool has_hint;          /* a hint the flow gave, not said yet */
	struct hint hint;
	uint8_t hint_evidence[HINT_PREFIX];
	bool has_reply_bnd;
	struct host reply_bnd;  /* BND of the latest reply, while its meaning is open */
	/* For views: the methods the greeting offered, the one chosen. */
	bool has_method;
	uint32_t method;
	uint8_t offered[255];
	size_t noffered;
	bool has_bound;
	struct host bound;      /* BND of the last granted reply */
	int64_t opened_ms;
	int64_t begun_us;       /* now_us() when `open` began: phases are placed from it */
	int64_t us[TM_COUNT];   /* how long each phase took; -1: not done on this connection */
	int64_t at_us[TM_COUNT]; /* when it began, since begun_us */
	uint64_t sent, received;
	/* `raw` bytes of a client message the flow holds incomplete: shown
	   with the next part.  Wiped when used and at close (they may hold a
	   password). */
	uint8_t pending[RS_PENDING_MAX];
	size_t npending;

	/* Settings, from the command line. */
	int timeout_ms;
	int family;
	int quit_after_eof_ms;
	int idle_timeout_ms;   /* --idle-timeout, -1 none */
	bool no_shutdown;      /* --no-shutdown */
	bool interactive;
	struct view_opts vo;
	char hop_label[16];  /* vo.label in a chain: "hop N", the last hop */
	FILE *out;
};

/* Set from SIGINT: a wait in progress gives up. */
extern volatile sig_atomic_t rs_interrupted;

void rs_init(struct rsess *s);
/* Wipes the credentials and closes the connection. */
void rs_free(struct rsess *s);

bool rs_socks5(const struct rsess *s);
/* Where the connection is, from the flow. */
enum rs_phase rs_phase(const struct rsess *s);
const char *rs_phase_name(enum rs_phase p);
/* "socks5h://alice@127.0.0.1:1080", or "no proxy"; never a password. */
void rs_proxy_text(const struct rsess *s, char *buf, size_t cap);

/* "sockscope: ..." on stderr; returns status. */
int rs_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fflush(fp), keeping the errno of the first failure of stdout in
   rs_out_errno: the REPL says it when the command is done, and by then a
   later call has overwritten errno (ENOSPC would read as EIO). */
void rs_flush(FILE *fp);
extern int rs_out_errno;
void rs_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The "s" a count of n takes: "1 byte", "2 bytes". */
static inline const char *
rs_plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* proxy URL [URL...].  The last hop's user and password become the
 * session's; earlier hops without their own use the session's at `open`.
 * A URL's user without a password takes SOCKSCOPE_PASSWORD when it is set. */
int rs_set_proxies(struct rsess *s, int n, char **urls);

/* Whether bytes hold an RFC 1929 request with a password, wherever it
 * starts (what `raw` sends may be one). */
bool rs_bytes_hold_password(const uint8_t *p, size_t len);

/* Credentials: set, or cleared with NULL. */
int rs_set_user(struct rsess *s, const char *user, size_t len);
int rs_set_pass(struct rsess *s, const char *pass, size_t len);
/* The target for the request (resolved here when the scheme says so). */
int rs_set_target(struct rsess *s, const struct host *h);
/* The target as a name for the proxy to resolve whatever the scheme says
   (Tor's RESOLVE; SOCKS4a's form under socks4://). */
int rs_set_target_remote(struct rsess *s, const struct host *h);

/*
 * Whether the request can carry its target and user as they stand: a name
 * the scheme resolves here is resolved (again, if it failed before), an
 * IPv6 target for SOCKS4 and a USERID with a 0x00 are refused.  EXIT_OK, or
 * EXIT_USAGE naming the field: checked before anything is sent.
 */
int rs_check_request(struct rsess *s);

/* Whether the user filled in the auth draft: a user name, or a field of
   it set by hand.  Otherwise it is sent only if the server asks for it. */
bool rs_auth_in_use(const struct rsess *s);

/* Fills the fields the user has not set from credentials and target. */
void rs_refresh(struct rsess *s);

/* The drafts in use, in the order they are sent; returns how many. */
int rs_drafts(const struct rsess *s, enum rs_draft out[RD_COUNT]);
/* "greeting", "auth", "request", "udp". */
const char *rs_draft_key(enum rs_draft rd);
/* A message name as `show` takes it: -1 when there is none in use. */
int rs_draft_by_key(const struct rsess *s, const char *key);
/* The request draft of the proxy's version. */
enum rs_draft rs_request_draft(const struct rsess *s);

/*
 * FIELD as `set` takes it: "NMETHODS", "greeting.VER", or a name several
 * drafts share ("VER": the one sent next).  0 with *rd and *idx, or -1 with
 * why[] (listing the candidates).
 */
int rs_find_field(const struct rsess *s, const char *name, enum rs_draft *rd, int *idx,
		  char *why, size_t whylen);
int rs_set_field(struct rsess *s, enum rs_draft rd, int idx, const char *value);
int rs_unset_field(struct rsess *s, enum rs_draft rd, int idx);
/* "VER = 5 SOCKS5 (derived)" after a set, on s->out. */
void rs_print_field(struct rsess *s, enum rs_draft rd, int idx);

/*
 * Encodes draft rd into out[0..cap), shows it in the hex view (with its
 * bytes on one line when `when` is NULL: a preview), and warns when it
 * breaks the spec.  EXIT_OK with *len and *m, or EXIT_USAGE.
 */
int rs_compose(struct rsess *s, enum rs_draft rd, const char *when, uint8_t *out, size_t cap,
	       size_t *len, struct msg *m);
/* The draft in the hex view, as it would be sent. */
int rs_show(struct rsess *s, enum rs_draft rd);

/* Steps. */
int rs_open(struct rsess *s);
void rs_close(struct rsess *s, bool say);
int rs_greet(struct rsess *s);
int rs_auth(struct rsess *s);
int rs_request(struct rsess *s);
/* Whatever phases remain, from wherever the connection is. */
int rs_send(struct rsess *s);
int rs_raw(struct rsess *s, const uint8_t *p, size_t len);
int rs_recv(struct rsess *s, int wait_ms);
int rs_tunnel(struct rsess *s);
int rs_dgram(struct rsess *s, const struct host *to, const uint8_t *data, size_t len);
void rs_status(struct rsess *s);

#endif
