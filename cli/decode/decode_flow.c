/*
 * decode's bytes through the flow: one side's (a dump of both sides is a
 * capture's, cli/capture/capture_text.c).  It is fed byte by byte while it is in its handshake, and each
 * time the flow says the absent side owes a message (flow_expect), a
 * stand-in sends it: so the flow, not decode, still says what comes next
 * and what each byte means.
 *
 * Offsets shown count from the first real byte of a side: a reading that
 * starts mid-handshake feeds stand-in messages before it, which are
 * subtracted.
 */
#include <string.h>

#include "decode_flow.h"
#include "decode_show.h"
#include "flow.h"
#include "field.h"
#include "msgtext.h"

#define ANOMALIES_HELD 4

/* An anomaly as the flow reported it (its strings are static). */
struct anomaly {
	int side;
	size_t off;
	const char *field, *text;
};

struct run {
	struct flow fl;
	const struct decode_src *src;
	const struct decode_reading *rd;
	struct decode_out *out; /* NULL: a dry run */
	struct decode_score *sc;
	bool real[2];      /* whose bytes are in the input */
	bool quiet;        /* feeding the stand-in start of a paste */
	size_t prefix[2];  /* stand-in bytes fed before a side's real bytes */
	size_t next[2];    /* where a side's next message begins */
	size_t shown[2];   /* bytes of a side shown so far */
	size_t msg_at[2];  /* where a side's last message shown begins */
	size_t msg_end[2];
	bool broken[2];    /* a message that broke was shown */
	bool run_open;     /* tunnel bytes not yet shown: run_side, run_from..run_to */
	int run_side;
	size_t run_from, run_to;
	size_t tunnel[2];  /* tunnel bytes per side */
	uint8_t cmd;       /* the request's command */
	struct flow_outcome last;   /* the outcome so far */
	struct flow_outcome before; /* the outcome a violation replaced */
	const struct hint *hints[2];
	size_t nhints;
	struct anomaly held[ANOMALIES_HELD];
	size_t nheld;
};

static size_t
real_off(const struct run *r, int side, uint64_t off)
{
	return off >= r->prefix[side] ? (size_t)(off - r->prefix[side]) : 0;
}

static void
flush_tunnel(struct run *r)
{
	int s = r->run_side;

	if (!r->run_open)
		return;
	r->run_open = false;
	if (r->out != NULL)
		show_tunnel(r->out, s, r->src->side[s] + r->run_from, r->run_to - r->run_from,
			    r->run_from - r->msg_at[s]);
	r->shown[s] = r->run_to;
}

static void
on_tunnel(struct run *r, const struct flow_event *ev)
{
	int s = (int)ev->side;
	size_t off = real_off(r, s, ev->off);

	if (r->run_open && (r->run_side != s || r->run_to != off))
		flush_tunnel(r);
	if (!r->run_open) {
		r->run_open = true;
		r->run_side = s;
		r->run_from = off;
	}
	r->run_to = off + ev->len;
	r->tunnel[s] += ev->len;
}

/* A reply's role, from the phase the flow is in and the request's command. */
static enum view_role
role_of(const struct run *r, const struct msg *m)
{
	if (m->desc->type != MSG_S5_REPLY && m->desc->type != MSG_S4_REPLY)
		return VIEW_ROLE_NONE;
	if (flow_phase(&r->fl) == FLOW_PH_BIND)
		return VIEW_ROLE_BIND_SECOND;
	if (flow_phase(&r->fl) == FLOW_PH_REPLY && r->cmd == DECODE_CMD_BIND)
		return VIEW_ROLE_BIND_FIRST;
	return VIEW_ROLE_NONE;
}

/* Whether the decoder's field anomaly is one the view of the side's last
 * message shows. */
static bool
anomaly_shown(const struct run *r, const struct anomaly *a)
{
	return a->field != NULL && a->off >= r->msg_at[a->side] && a->off < r->msg_end[a->side];
}

static void
say_anomaly(struct run *r, const struct anomaly *a)
{
	bool shown = anomaly_shown(r, a);

	if (!shown)
		r->sc->anomalies++;
	if (r->out != NULL)
		show_anomaly(r->out, a->side, a->off, a->field, a->text, shown);
}

/* Anomalies held until the message they are in is shown. */
static void
say_held(struct run *r)
{
	for (size_t i = 0; i < r->nheld; i++)
		say_anomaly(r, &r->held[i]);
	r->nheld = 0;
}

static void
on_anomaly(struct run *r, const struct flow_event *ev)
{
	struct anomaly a = {(int)ev->side, real_off(r, (int)ev->side, ev->off), ev->field,
			    ev->text};

	/* In a message not shown yet (a reply cut short after its code). */
	if (a.field != NULL && a.off >= r->next[a.side] && r->nheld < ANOMALIES_HELD) {
		r->held[r->nheld++] = a;
		return;
	}
	say_anomaly(r, &a);
}

static void
on_message(struct run *r, const struct flow_event *ev)
{
	int s = (int)ev->side;
	size_t off = real_off(r, s, ev->off);
	const struct msg *m = ev->msg;

	flush_tunnel(r);
	if (r->out != NULL)
		show_message(r->out, m, s, off, role_of(r, m));
	r->msg_at[s] = off;
	r->msg_end[s] = r->next[s] = r->shown[s] = off + m->len;
	r->sc->anomalies += m->anomalies;
	r->sc->msg_bytes += m->len;
	say_held(r);
}

/*
 * A violation (or a refusal whose reply is cut short by an unknown address
 * type) inside the message the side owed: the message as far as it goes,
 * and the bytes after it.
 */
static void
show_pending(struct run *r, const struct flow_outcome *o)
{
	int s = (int)o->side;
	struct flow_expect x = flow_expect(&r->fl, o->side);
	size_t at = r->next[s], len = r->src->len[s];
	struct msg m;

	if (!r->real[s] || x.kind != FLOW_X_MESSAGE || at >= len ||
	    real_off(r, s, o->off) < at || r->broken[s])
		return;
	flush_tunnel(r);
	proto_decode(x.type, r->src->side[s] + at, len - at, NULL, &m);
	r->sc->anomalies += m.anomalies;
	r->broken[s] = true;
	r->shown[s] = len;
	/* A refusal cut short explains its code, not the bytes after it. */
	if (o->result == FLOW_RES_VIOLATION || msg_extent(&m) < len - at) {
		r->sc->status = DS_MALFORMED;
		r->sc->err_at = at + m.err_off;
		r->sc->err_in_msg = m.err_off;
	}
	if (r->out != NULL)
		show_broken(r->out, &m, s, at, r->src->side[s] + at, len - at,
			    o->result == FLOW_RES_VIOLATION);
	r->msg_at[s] = at;
	r->msg_end[s] = at + msg_extent(&m);
	say_held(r);
}

static void
on_outcome(struct run *r, const struct flow_outcome *o)
{
	if (o->result == FLOW_RES_VIOLATION) {
		r->sc->status = DS_MALFORMED;
		r->sc->after_close = r->before.result != FLOW_RES_NONE;
		r->sc->err_at = real_off(r, (int)o->side, o->off);
		r->sc->err_in_msg = 0;
		/* A stand-in that broke the rules (a method the greeting did not
		 * offer): wrong only if real bytes are left unexplained. */
		if (!r->real[o->side])
			r->sc->status = DS_OK;
	}
	if (!r->quiet && (o->result == FLOW_RES_VIOLATION || o->result == FLOW_RES_REFUSED))
		show_pending(r, o);
}

static void
on_event(void *ctx, const struct flow_event *ev)
{
	struct run *r = ctx;

	if (ev->kind == FLOW_EV_MESSAGE &&
	    (ev->msg->desc->type == MSG_S5_REQUEST || ev->msg->desc->type == MSG_S4_REQUEST)) {
		const struct field *f = msg_field(ev->msg, ev->msg->desc->type == MSG_S5_REQUEST
								   ? "CMD" : "CD");
		r->cmd = f != NULL ? (uint8_t)f->num : 0;
	}
	if (ev->kind == FLOW_EV_OUTCOME) {
		if (ev->outcome->result == FLOW_RES_VIOLATION)
			r->before = r->last;
		r->last = *ev->outcome;
		on_outcome(r, ev->outcome);
		return;
	}
	if (ev->kind == FLOW_EV_PHASE || ev->kind == FLOW_EV_CLOSE || r->quiet ||
	    !r->real[ev->side])
		return;
	switch (ev->kind) {
	case FLOW_EV_MESSAGE:
		on_message(r, ev);
		break;
	case FLOW_EV_ANOMALY:
		on_anomaly(r, ev);
		break;
	case FLOW_EV_HINT:
		if (r->nhints < 2)
			r->hints[r->nhints++] = ev->hint;
		break;
	case FLOW_EV_TUNNEL:
		on_tunnel(r, ev);
		break;
	default:
		break;
	}
}

/*
 * The stand-ins.
 */

/*
 * A stand-in message: a draft of type with its starting values (a reply's
 * are "granted", a status's "success"), what the reading chose, and an
 * address and user that only make it whole.  false when it cannot be built.
 */
static bool
standin(const struct run *r, enum msg_type type, uint8_t *buf, size_t cap, size_t *len)
{
	static const uint8_t addr[4] = {192, 0, 2, 1};
	uint8_t methods[255];
	struct proto_error err;
	struct draft d;

	draft_init(&d, type);
	switch (type) {
	case MSG_S5_GREETING: /* every method offered: the server may choose any */
		for (size_t i = 0; i < sizeof(methods); i++)
			methods[i] = (uint8_t)i;
		if (r->rd->start == START_FIRST)
			draft_set_bytes(&d, "METHODS", methods, sizeof(methods));
		else /* only the method the paste's start needs */
			draft_set_bytes(&d, "METHODS", &methods[r->rd->method], 1);
		break;
	case MSG_S5_METHOD:
		draft_set_num(&d, "METHOD", r->rd->method);
		break;
	case MSG_S5_AUTH_REQUEST:
		draft_set_bytes(&d, "UNAME", (const uint8_t *)"u", 1);
		draft_set_bytes(&d, "PASSWD", (const uint8_t *)"p", 1);
		break;
	case MSG_S4_REQUEST:
		draft_set_num(&d, "CD", r->rd->cmd);
		draft_set_ipv4(&d, "DSTIP", addr);
		draft_set_num(&d, "DSTPORT", 80);
		break;
	case MSG_S5_REQUEST:
		draft_set_num(&d, "CMD", r->rd->cmd);
		draft_set_ipv4(&d, "DST.ADDR", addr);
		draft_set_num(&d, "DST.PORT", 80);
		break;
	case MSG_S4_REPLY:
	case MSG_S5_REPLY:
	case MSG_S5_AUTH_STATUS:
		break;
	default:
		return false; /* GSSAPI: either side may send more; nothing is owed */
	}
	return proto_encode(&d, buf, cap, len, NULL, &err) == PROTO_OK;
}

/* The stand-in of side sends a message of type; true when it could. */
static bool
send_standin(struct run *r, enum flow_side side, enum msg_type type)
{
	uint8_t buf[FLOW_MSG_MAX];
	size_t len;

	if (!standin(r, type, buf, sizeof(buf), &len))
		return false;
	if (r->real[side]) /* the start of a paste: before the side's real bytes */
		r->prefix[side] += len;
	flow_feed(&r->fl, side, buf, len);
	return true;
}

/* What the absent side owes, as the flow says, sent by its stand-in; true
 * when it sent something.  A granted reply, so that what the client sends
 * next is data. */
static bool
answer_one(struct run *r)
{
	enum flow_side a = r->real[FLOW_CLIENT] ? FLOW_SERVER : FLOW_CLIENT;
	struct flow_expect x = flow_expect(&r->fl, a);

	return x.kind == FLOW_X_MESSAGE && x.type != MSG_S5_GREETING &&
	       x.type != MSG_S4_REQUEST && send_standin(r, a, x.type);
}

/* Each answer may make another owed (BIND's second reply): a few at most. */
static void
answer_owed(struct run *r)
{
	for (int i = 0; i < 4 && answer_one(r); i++)
		;
}

/* The messages before a paste that starts mid-handshake (greeting and
 * method selection), or the client's first message when only the server's
 * bytes are here. */
static void
start_paste(struct run *r)
{
	struct decode_reading rd = *r->rd;
	const struct decode_reading *was = r->rd;

	r->quiet = true;
	if (rd.start != START_FIRST) {
		rd.method = rd.start == START_AUTH ? 0x02 : 0x00;
		r->rd = &rd;
		send_standin(r, FLOW_CLIENT, MSG_S5_GREETING);
		send_standin(r, FLOW_SERVER, MSG_S5_METHOD);
		r->rd = was;
	} else if (r->real[FLOW_SERVER]) {
		send_standin(r, FLOW_CLIENT, rd.version == 4 ? MSG_S4_REQUEST : MSG_S5_GREETING);
	}
	r->quiet = false;
}

/* One side, byte by byte through its handshake (so a stand-in answers in
 * time), then the rest at once. */
static void
feed_alone(struct run *r)
{
	enum flow_side s = (enum flow_side)r->src->only;
	const uint8_t *p = r->src->side[s];
	size_t len = r->src->len[s], pos = 0;

	start_paste(r);
	while (pos < len) {
		answer_owed(r);
		struct flow_expect x = flow_expect(&r->fl, s);
		size_t n = x.kind == FLOW_X_TUNNEL || x.kind == FLOW_X_END ? len - pos : 1;
		flow_feed(&r->fl, s, p + pos, n);
		pos += n;
	}
}

/* What is left of side s after the flow: a message cut short, or bytes no
 * message explains. */
static void
leftover(struct run *r, int s)
{
	const uint8_t *p = r->src->side[s];
	size_t from = r->shown[s], len = r->src->len[s];
	struct flow_expect x = flow_expect(&r->fl, (enum flow_side)s);
	const struct flow_outcome *o = flow_outcome(&r->fl);
	struct msg m;

	if (from >= len)
		return;
	if (x.kind == FLOW_X_MESSAGE && o->result == FLOW_RES_NONE && r->next[s] < len) {
		if (r->sc->status == DS_OK)
			r->sc->status = DS_NEED_MORE;
		proto_decode(x.type, p + r->next[s], len - r->next[s], NULL, &m);
		r->sc->anomalies += m.anomalies;
		if (r->out != NULL)
			show_broken(r->out, &m, s, r->next[s], p + r->next[s], len - r->next[s],
				    true);
		r->msg_at[s] = r->next[s];
		r->msg_end[s] = r->next[s] + msg_extent(&m);
		say_held(r);
		return;
	}
	/* Held for an answer that never came; after the end, the server's
	 * bytes are a violation already and the client's only noted. */
	if (x.kind != FLOW_X_END && r->sc->status == DS_OK)
		r->sc->status = DS_NEED_MORE;
	if (o->result == FLOW_RES_VIOLATION && !r->real[o->side]) {
		r->sc->status = DS_MALFORMED;
		r->sc->err_at = from;
	}
	bool must_close = o->result == FLOW_RES_VIOLATION && (int)o->side == s &&
			  r->before.result != FLOW_RES_NONE;
	if (r->out != NULL)
		show_rest(r->out, s, p + from, len - from, from - r->msg_at[s], must_close);
}

static void
finish(struct run *r)
{
	const struct flow_outcome *o = flow_outcome(&r->fl);
	int s = (int)o->side;
	struct decode_end e = {
		.outcome = o, .before = &r->before, .phase = flow_phase(&r->fl),
		.version = r->fl.version,
		.decided = o->result != FLOW_RES_NONE && r->real[s],
		.off = real_off(r, s, o->off), .side_len = r->src->len[s],
		.broken = r->broken[s], .hints = r->hints, .nhints = r->nhints,
		.tunnel = {r->tunnel[0], r->tunnel[1]},
	};

	flush_tunnel(r);
	for (int i = 0; i < 2; i++)
		if (r->real[i])
			leftover(r, i);
	say_held(r);
	if (r->out != NULL)
		show_end(r->out, &e);
}

void
decode_flow_run(const struct decode_src *src, const struct decode_reading *rd,
		struct decode_out *out, struct decode_score *sc)
{
	struct run r;

	memset(&r, 0, sizeof(r));
	memset(sc, 0, sizeof(*sc));
	r.src = src;
	r.rd = rd;
	r.out = out;
	r.sc = sc;
	r.real[FLOW_CLIENT] = src->only == 0;
	r.real[FLOW_SERVER] = src->only == 1;
	/* A client's paste read from mid-handshake may have taken a
	 * username/password request for a request: what follows it as data
	 * may be the password. */
	if (out != NULL)
		out->hide_client_data = r.real[FLOW_CLIENT] && rd->start != START_FIRST &&
					!out->o->show_secrets;
	flow_init(&r.fl, &(struct flow_config){.version = rd->version, .on_event = on_event,
						.ctx = &r});
	feed_alone(&r);
	finish(&r);
}
