/*
 * sockscope probe: what a step's flow says.  See probe_flow.h.
 */
#include "probe_flow.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fieldtext.h"
#include "msgtext.h"
#include "term.h"

const char *const probe_peer_names[] = { "", "http", "tls", "ssh", "other", "echo" };
const char *const probe_peer_words[] = { "", "an HTTP server", "a TLS server", "an SSH server",
					 "not SOCKS", "it echoes" };

#define CMD_BIND 0x02

void
probe_anomaly(struct step_res *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nanom >= NANOM)
		return;
	va_start(ap, fmt);
	vsnprintf(r->anom[r->nanom++], sizeof(r->anom[0]), fmt, ap);
	va_end(ap);
}

void
probe_hexprefix(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && i < 16 && o + 4 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%02x", i ? " " : "", p[i]);
	if (n > 16 && o + 5 < outlen)
		snprintf(out + o, outlen - o, " ...");
}

/* The peer a hint names; PEER_NONE for a hint that names none (a close). */
static enum peer
peer_of(enum hint_id id)
{
	switch (id) {
	case HINT_HTTP_RESPONSE:
		return PEER_HTTP;
	case HINT_TLS:
		return PEER_TLS;
	case HINT_SSH:
		return PEER_SSH;
	case HINT_ECHO:
		return PEER_ECHO;
	case HINT_BANNER_220:
		return PEER_OTHER;
	default:
		return PEER_NONE;
	}
}

/* A hint whose evidence is a line of text: shown, escaped, after its words. */
static bool
evidence_is_line(enum hint_id id)
{
	return id == HINT_HTTP_RESPONSE || id == HINT_SSH || id == HINT_BANNER_220;
}

static void
take_hint(struct step_flow *sf, const struct hint *h)
{
	size_t n = (size_t)snprintf(sf->hint_text, sizeof(sf->hint_text), "%s", h->text);

	sf->hinted = true;
	sf->hint = h->id;
	if (evidence_is_line(h->id) && h->evidence_len > 0 && n + 4 < sizeof(sf->hint_text)) {
		memcpy(sf->hint_text + n, ": ", 3);
		term_escape(sf->hint_text + n + 2, sizeof(sf->hint_text) - n - 2, h->evidence,
			    h->evidence_len);
	}
}

/* BIND's replies have one layout: which one this is, from the phase. */
static enum view_role
role_of(const struct step_flow *sf, const struct msg *m)
{
	enum msg_type t = m->desc->type;

	if (!sf->bind_request || (t != MSG_S5_REPLY && t != MSG_S4_REPLY))
		return VIEW_ROLE_NONE;
	return flow_phase(&sf->fl) == FLOW_PH_BIND ? VIEW_ROLE_BIND_SECOND : VIEW_ROLE_BIND_FIRST;
}

static void
on_message(struct step_flow *sf, const struct flow_event *ev)
{
	const struct msg *m = ev->msg;
	enum msg_type t = m->desc->type;

	if (ev->side == FLOW_CLIENT && (t == MSG_S5_REQUEST || t == MSG_S4_REQUEST)) {
		const struct field *f = msg_field(m, t == MSG_S5_REQUEST ? "CMD" : "CD");

		sf->bind_request = f != NULL && f->num == CMD_BIND;
	}
	if (sf->on_message != NULL)
		sf->on_message(sf->ctx, m, role_of(sf, m));
	if (ev->side != FLOW_SERVER)
		return;
	const struct field *code = msg_code_field(m);

	sf->msg_code = code != NULL ? (int)code->num : -1;
	sf->msg_meaning = code != NULL ? field_code_meaning(code, code->num) : NULL;
	msg_code_text(m, sf->msg_code_text, sizeof(sf->msg_code_text));
	if (t == MSG_S5_METHOD && code != NULL) {
		sf->method_seen = true;
		sf->method = (uint8_t)code->num;
	}
	sf->msg_start = ev->off + m->len;
}

/* A goal of the step reached: its code is the last answer's. */
static void
reached(struct step_flow *sf, bool *goal)
{
	if (*goal)
		return;
	*goal = true;
	sf->goal_code = sf->msg_code;
	sf->goal_meaning = sf->msg_meaning;
}

static void
on_phase(struct step_flow *sf, enum flow_phase ph)
{
	if (sf->now == FLOW_PH_METHOD &&
	    (ph == FLOW_PH_AUTH || ph == FLOW_PH_GSSAPI || ph == FLOW_PH_REQUEST))
		reached(sf, &sf->method_chosen);
	if (sf->now == FLOW_PH_AUTH && ph == FLOW_PH_REQUEST)
		reached(sf, &sf->authed);
	if (ph == FLOW_PH_BIND) /* BIND's first reply granted */
		reached(sf, &sf->granted);
	sf->now = ph;
}

static void
on_event(void *ctx, const struct flow_event *ev)
{
	struct step_flow *sf = ctx;

	switch (ev->kind) {
	case FLOW_EV_MESSAGE:
		on_message(sf, ev);
		break;
	case FLOW_EV_ANOMALY:
		if (ev->field != NULL)
			probe_anomaly(sf->r, "%s: %s", ev->field, ev->text);
		else
			probe_anomaly(sf->r, "%s", ev->text);
		break;
	case FLOW_EV_PHASE:
		on_phase(sf, ev->phase);
		break;
	case FLOW_EV_OUTCOME:
		if (ev->outcome->result == FLOW_RES_GRANTED)
			reached(sf, &sf->granted);
		break;
	case FLOW_EV_HINT:
		if (ev->hint->from_server && !sf->hinted)
			take_hint(sf, ev->hint);
		break;
	default:
		break;
	}
}

void
probe_flow_start(struct step_flow *sf, int version, struct step_res *r)
{
	void (*cb)(void *, const struct msg *, enum view_role) = sf->on_message;
	void *ctx = sf->ctx;

	memset(sf, 0, sizeof(*sf));
	sf->on_message = cb;
	sf->ctx = ctx;
	sf->r = r;
	sf->version = version;
	sf->msg_code = -1;
	flow_init(&sf->fl, &(struct flow_config){ .version = version, .on_event = on_event,
						  .ctx = sf });
}

void
probe_flow_sent(struct step_flow *sf, const uint8_t *p, size_t n)
{
	size_t k = n < HINT_PREFIX - sf->nsent ? n : HINT_PREFIX - sf->nsent;

	memcpy(sf->sent + sf->nsent, p, k);
	sf->nsent += k;
	flow_feed(&sf->fl, FLOW_CLIENT, p, n);
}

void
probe_flow_received(struct step_flow *sf, const uint8_t *p, size_t n)
{
	flow_feed(&sf->fl, FLOW_SERVER, p, n);
}

/* Whether more of the server's bytes could still make a hint (proto/hints.c). */
static bool
hint_may_come(const struct step_flow *sf, const uint8_t *in, size_t have)
{
	struct hint_bytes hb = { .from_server = true, .p = in, .n = have, .client = sf->sent,
				 .nclient = sf->nsent, .version = sf->version };
	struct hint h;

	return have < HINT_PREFIX && hint_scan(&hb, &h) == HINT_MAYBE;
}

static enum msg_type
awaited(const struct step_flow *sf)
{
	return flow_expect(&sf->fl, FLOW_SERVER).type;
}

/* Where the server's message in progress starts in in[0..have). */
static size_t
msg_at(const struct step_flow *sf, size_t have)
{
	return sf->msg_start < have ? (size_t)sf->msg_start : have;
}

/*
 * What arrived of the server's message in progress: its code field, into
 * the step's code and meaning and, in words, into what ("" when none came).
 * A view of the bytes: the flow decided nothing on them.
 */
static void
partial_code(const struct step_flow *sf, const uint8_t *in, size_t have, char *what, size_t cap)
{
	size_t at = msg_at(sf, have);
	const struct field *f;
	struct msg m;

	what[0] = '\0';
	if (at == have)
		return;
	proto_decode(awaited(sf), in + at, have - at, NULL, &m);
	f = msg_code_field(&m);
	if (f == NULL)
		return;
	sf->r->code = (int)f->num;
	sf->r->meaning = field_code_meaning(f, f->num);
	msg_code_text(&m, what, cap);
}

__attribute__((format(printf, 3, 4))) static bool
done(struct step_res *r, enum outcome oc, const char *fmt, ...)
{
	va_list ap;

	r->oc = oc;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	return true;
}

/* A hint that names the peer: not SOCKS, or the other SOCKS version. */
static bool
hinted_result(const struct step_flow *sf, const uint8_t *in, size_t have)
{
	struct step_res *r = sf->r;
	char hex[80];

	probe_hexprefix(in, have, hex, sizeof(hex));
	r->s5_seen = r->authed = false; /* what decoded was no SOCKS answer */
	r->code = -1;
	r->meaning = NULL;
	if (sf->hint == HINT_SOCKS5_FOR_4 || sf->hint == HINT_SOCKS4_FOR_5)
		return done(r, OC_OTHER_VERSION, "%s (%s)", sf->hint_text, hex);
	if (peer_of(sf->hint) == PEER_NONE) {
		r->s5_seen = sf->method_seen;
		r->authed = sf->authed;
		return false; /* a close explained: the outcome says the rest */
	}
	r->peer = peer_of(sf->hint);
	return done(r, OC_NOT_SOCKS, "%s (%s)", sf->hint_text, hex);
}

/*
 * The step got what it came for.  Said by the events as they came: bytes
 * glued after the answer (a BIND's second reply, data on a UDP association)
 * may have ended the flow since, and the answer stands.
 */
static bool
goal_reached(const struct step_flow *sf, enum step_goal goal)
{
	struct step_res *r = sf->r;
	bool yes = goal == GOAL_METHOD ? sf->method_chosen :
		   goal == GOAL_AUTH   ? sf->authed :
					 sf->granted;

	if (!yes)
		return false;
	r->code = sf->goal_code;
	r->meaning = sf->goal_meaning;
	if (goal == GOAL_METHOD)
		return done(r, OC_OK, "chose method 0x%02x", (unsigned)sf->method);
	return done(r, OC_OK, "%s", goal == GOAL_AUTH ? "credentials accepted" : "granted");
}

/* The server broke the protocol (or the client's bytes did: a bug here). */
static bool
violation(const struct step_flow *sf, const uint8_t *in, size_t have)
{
	const struct flow_outcome *o = flow_outcome(&sf->fl);
	struct step_res *r = sf->r;
	size_t at = msg_at(sf, have);
	char hex[80], what[96];

	probe_hexprefix(in + at, have - at, hex, sizeof(hex));
	if (o->side == FLOW_SERVER && sf->method_seen && o->phase == FLOW_PH_METHOD &&
	    o->field != NULL && strcmp(o->field, "METHOD") == 0) {
		/* a violation, not an answer: no method, no SOCKS5 */
		r->socksish = r->unoffered = true;
		r->s5_seen = false;
		r->code = sf->method;
		r->meaning = sf->msg_meaning;
		probe_anomaly(r, "METHOD: %s", o->why);
		return done(r, OC_MALFORMED, "chose method 0x%02x, which was not offered",
			    (unsigned)sf->method);
	}
	partial_code(sf, in, have, what, sizeof(what));
	if (at < have)
		r->socksish = awaited(sf) == MSG_S4_REPLY ? in[at] == 0x00 || in[at] == 0x04 :
							   in[at] == 0x05 || in[at] == 0x04;
	return done(r, OC_MALFORMED, "%s %s at offset %llu%s%s: %s (%s)%s%s",
		    o->side == FLOW_SERVER ? proto_msg_desc(awaited(sf))->title : "client's",
		    o->side == FLOW_SERVER ? "malformed" : "message refused",
		    (unsigned long long)(o->off - (o->off >= at ? at : 0)),
		    o->field != NULL ? " in " : "", o->field != NULL ? o->field : "", o->why, hex,
		    what[0] != '\0' ? ", after " : "", what);
}

/* The server closed or reset before anything was decided. */
static bool
closed(const struct step_flow *sf, const uint8_t *in, size_t have)
{
	const struct flow_outcome *o = flow_outcome(&sf->fl);
	struct step_res *r = sf->r;
	enum outcome oc = o->close == FLOW_RESET ? OC_RESET : OC_CLOSED;
	size_t at = msg_at(sf, have);
	char hex[80], what[96];

	r->code = -1;
	r->meaning = NULL;
	if (o->why[0] == '\0' && sf->hinted) /* what the close may mean */
		return done(r, oc, "%s%s", oc == OC_RESET ? "connection reset: " : "",
			    sf->hint_text);
	if (o->why[0] == '\0')
		return done(r, oc, "%s without a reply",
			    oc == OC_RESET ? "connection reset" : "closed");
	probe_hexprefix(in + at, have - at, hex, sizeof(hex));
	partial_code(sf, in, have, what, sizeof(what));
	probe_anomaly(r, "short reply: %s", o->why);
	return done(r, oc, "%s (%s)%s%s", o->why, hex, what[0] != '\0' ? ", " : "", what);
}

/* The code of the answer that decided: METHOD, STATUS, REP, CD. */
static void
answer_code(struct step_res *r, const struct flow_outcome *o)
{
	r->code = (int)o->code;
	r->meaning = o->meaning;
}

bool
probe_flow_result(const struct step_flow *sf, enum step_goal goal, const uint8_t *in,
		  size_t have, bool final, const char *note)
{
	const struct flow_outcome *o = flow_outcome(&sf->fl);
	struct step_res *r = sf->r;

	/* a valid method selection: SOCKS5, whatever came after it */
	r->s5_seen = sf->method_seen;
	r->authed = sf->authed;
	if (goal_reached(sf, goal))
		return true;
	if (sf->hinted && hinted_result(sf, in, have))
		return true;
	r->code = -1; /* only an answer has a code: REFUSED and the like, below */
	r->meaning = NULL;
	switch (o->result) {
	case FLOW_RES_NONE:
	case FLOW_RES_GRANTED: /* granted, but not what the step asked (no goal) */
		if (!final)
			return false;
		return done(r, OC_MALFORMED, "%zu bytes and no complete answer", have);
	case FLOW_RES_REFUSED:
		answer_code(r, o);
		return done(r, OC_REFUSED, "%s%s", sf->msg_code_text, note);
	case FLOW_RES_NO_METHOD:
		answer_code(r, o);
		return done(r, OC_REFUSED, "no acceptable method");
	case FLOW_RES_AUTH_FAILED:
		answer_code(r, o);
		return done(r, OC_REFUSED, "authentication failed (STATUS 0x%02x)", (unsigned)o->code);
	case FLOW_RES_OPAQUE:
		answer_code(r, o);
		return done(r, goal == GOAL_METHOD ? OC_OK : OC_ERROR, "chose method 0x%02x",
			    (unsigned)o->code);
	case FLOW_RES_VIOLATION:
		if (!final && o->side == FLOW_SERVER && hint_may_come(sf, in, have))
			return false; /* its first line, its echo, may still come */
		return violation(sf, in, have);
	case FLOW_RES_CLOSED:
		return closed(sf, in, have);
	}
	return false;
}

void
probe_flow_timeout(const struct step_flow *sf, enum step_goal goal, const uint8_t *in,
		   size_t have, double secs)
{
	struct step_res *r = sf->r;
	size_t at = msg_at(sf, have);
	char hex[80], what[96];

	if (flow_outcome(&sf->fl)->result != FLOW_RES_NONE &&
	    probe_flow_result(sf, goal, in, have, true, ""))
		return;
	r->s5_seen = sf->method_seen;
	r->authed = sf->authed;
	r->code = -1;
	r->meaning = NULL;
	if (at == have) {
		done(r, OC_TIMEOUT, "no reply within %.1f s", secs);
		return;
	}
	probe_hexprefix(in + at, have - at, hex, sizeof(hex));
	partial_code(sf, in, have, what, sizeof(what));
	probe_anomaly(r, "short reply: %zu bytes, then silence", have - at);
	done(r, OC_TIMEOUT, "only %zu bytes (%s) within %.1f s%s%s", have - at, hex, secs,
	     what[0] != '\0' ? ", " : "", what);
}

bool
probe_sniff_result(struct step_res *r, const uint8_t *sent, size_t nsent, const uint8_t *in,
		   size_t have, bool eof, int err)
{
	struct hint_bytes hb = { .from_server = true, .p = in,
				 .n = have < HINT_PREFIX ? have : HINT_PREFIX, .final = eof,
				 .client = sent, .nclient = nsent };
	enum hint_verdict v;
	struct hint h;
	char hex[80];

	if (have == 0 && !eof)
		return false;
	if (have == 0)
		return done(r, err ? OC_RESET : OC_CLOSED, "%s without answering",
			    err ? "reset" : "closed");
	v = hint_scan(&hb, &h);
	if (v == HINT_MAYBE && !eof)
		return false;
	probe_hexprefix(in, have, hex, sizeof(hex));
	r->peer = v == HINT_YES && peer_of(h.id) != PEER_NONE ? peer_of(h.id) : PEER_OTHER;
	return done(r, OC_NOT_SOCKS, "answered %s", hex);
}
