/*
 * decode's bytes through the flow.  A conversation is fed as the dump holds
 * it: the client's turns as FLOW_CLIENT, the server's as FLOW_SERVER, so
 * the flow decides what each message is and how the session ended.  One
 * side alone is fed byte by byte while it is in its handshake, and each
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
#include "msgtext.h"

#define CMD_BIND 0x02 /* BIND's replies are titled by their role */

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
	if (flow_phase(&r->fl) == FLOW_PH_REPLY && r->cmd == CMD_BIND)
		return VIEW_ROLE_BIND_FIRST;
	return VIEW_ROLE_NONE;
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
}

/* Whether the decoder's field anomaly is one the message's view shows. */
static bool
anomaly_shown(const struct run *r, const struct flow_event *ev)
{
	int s = (int)ev->side;
	size_t off = real_off(r, s, ev->off);

	return ev->field != NULL && off >= r->msg_at[s] && off < r->msg_end[s] &&
	       r->msg_end[s] > r->msg_at[s];
}

static void
on_anomaly(struct run *r, const struct flow_event *ev)
{
	bool shown = anomaly_shown(r, ev);

	if (!shown)
		r->sc->anomalies++;
	if (r->out != NULL)
		show_anomaly(r->out, (int)ev->side, real_off(r, (int)ev->side, ev->off), ev->field,
			     ev->text, shown);
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
}

static void
on_outcome(struct run *r, const struct flow_outcome *o)
{
	if (o->result == FLOW_RES_VIOLATION) {
		r->sc->status = DS_MALFORMED;
		r->sc->after_close = r->before.result != FLOW_RES_NONE;
		/* A stand-in that broke the rules: the reading explains nothing. */
		r->sc->err_at = r->real[o->side] ? real_off(r, (int)o->side, o->off) : 0;
		r->sc->err_in_msg = 0;
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

static void
feed_standin(struct run *r, enum flow_side side, const uint8_t *p, size_t n)
{
	if (r->real[side]) /* the start of a paste: before the side's real bytes */
		r->prefix[side] += n;
	flow_feed(&r->fl, side, p, n);
}

/* A greeting that offers every method: the server may choose any. */
static void
standin_greeting(struct run *r)
{
	uint8_t g[2 + 255];

	g[0] = 0x05;
	g[1] = 0xff;
	for (size_t i = 0; i < 255; i++)
		g[2 + i] = (uint8_t)i;
	feed_standin(r, FLOW_CLIENT, g, sizeof(g));
}

/* What the absent side owes, as the flow says, sent by its stand-in; true
 * when it sent something. */
static bool
answer_one(struct run *r)
{
	enum flow_side a = r->real[FLOW_CLIENT] ? FLOW_SERVER : FLOW_CLIENT;
	struct flow_expect x = flow_expect(&r->fl, a);
	const uint8_t s5_reply[] = {0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
	const uint8_t s4_reply[] = {0x00, 0x5a, 0, 0, 0, 0, 0, 0};
	const uint8_t s5_request[] = {0x05, r->rd->cmd, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
	const uint8_t auth[] = {0x01, 0x01, 'u', 0x01, 'p'};
	const uint8_t status[] = {0x01, 0x00};
	const uint8_t method[] = {0x05, r->rd->method};

	if (x.kind != FLOW_X_MESSAGE)
		return false;
	switch (x.type) {
	case MSG_S5_METHOD:
		feed_standin(r, a, method, sizeof(method));
		break;
	case MSG_S5_AUTH_STATUS:
		feed_standin(r, a, status, sizeof(status));
		break;
	case MSG_S5_REPLY: /* granted, so what the client sends next is data */
		feed_standin(r, a, s5_reply, sizeof(s5_reply));
		break;
	case MSG_S4_REPLY:
		feed_standin(r, a, s4_reply, sizeof(s4_reply));
		break;
	case MSG_S5_AUTH_REQUEST:
		feed_standin(r, a, auth, sizeof(auth));
		break;
	case MSG_S5_REQUEST:
		feed_standin(r, a, s5_request, sizeof(s5_request));
		break;
	default:
		return false; /* GSSAPI: either side may send more; nothing is owed */
	}
	return true;
}

/* Each answer may make another owed (BIND's second reply): a few at most. */
static void
answer_owed(struct run *r)
{
	for (int i = 0; i < 4 && answer_one(r); i++)
		;
}

/* The messages before a paste that starts mid-handshake, or the client's
 * first message when only the server's bytes are here. */
static void
start_paste(struct run *r)
{
	const uint8_t s4_request[] = {0x04, r->rd->cmd, 0x00, 0x50, 1, 2, 3, 4, 0x00};
	const uint8_t greet[] = {0x05, 0x01, r->rd->start == START_AUTH ? 0x02 : 0x00};
	const uint8_t method[] = {0x05, greet[2]};

	r->quiet = true;
	if (r->rd->start != START_FIRST) {
		feed_standin(r, FLOW_CLIENT, greet, sizeof(greet));
		feed_standin(r, FLOW_SERVER, method, sizeof(method));
	} else if (r->real[FLOW_SERVER] && r->rd->version == 4) {
		feed_standin(r, FLOW_CLIENT, s4_request, sizeof(s4_request));
	} else if (r->real[FLOW_SERVER]) {
		standin_greeting(r);
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

static void
feed_both(struct run *r)
{
	size_t at[2] = {0, 0};

	for (size_t i = 0; i < r->src->nturns; i++) {
		const struct decode_turn *t = &r->src->turns[i];
		flow_feed(&r->fl, (enum flow_side)t->side, r->src->side[t->side] + at[t->side],
			  t->len);
		at[t->side] += t->len;
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
		if (r->out != NULL)
			show_broken(r->out, &m, s, r->next[s], p + r->next[s], len - r->next[s],
				    true);
		return;
	}
	/* Held for an answer that never came; after the end, the server's
	 * bytes are a violation already and the client's only noted. */
	if (x.kind != FLOW_X_END && r->sc->status == DS_OK)
		r->sc->status = DS_NEED_MORE;
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
		.decided = o->result != FLOW_RES_NONE && r->real[s],
		.off = real_off(r, s, o->off), .side_len = r->src->len[s],
		.broken = r->broken[s], .hints = r->hints, .nhints = r->nhints,
		.tunnel = {r->tunnel[0], r->tunnel[1]},
	};

	flush_tunnel(r);
	for (int i = 0; i < 2; i++)
		if (r->real[i])
			leftover(r, i);
	if (r->out != NULL)
		show_end(r->out, &e);
}

void
decode_flow_run(const struct decode_src *src, const struct decode_reading *rd,
		struct decode_out *out, struct decode_score *sc)
{
	static struct run r; /* a flow holds two messages: off the stack */

	memset(&r, 0, sizeof(r));
	memset(sc, 0, sizeof(*sc));
	r.src = src;
	r.rd = rd;
	r.out = out;
	r.sc = sc;
	r.real[FLOW_CLIENT] = src->both || src->only == 0;
	r.real[FLOW_SERVER] = src->both || src->only == 1;
	flow_init(&r.fl, &(struct flow_config){.version = rd->version, .on_event = on_event,
						.ctx = &r});
	if (src->both)
		feed_both(&r);
	else
		feed_alone(&r);
	finish(&r);
}
