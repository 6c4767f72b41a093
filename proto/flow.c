/*
 * The flow's machinery: buffering each side to a message boundary, decoding
 * with proto_decode(), and reporting.  What each message means for the
 * session (the transitions) is in flow_step.c.
 */
#include <string.h>

#include "flow.h"
#include "flow_int.h"
#include "text.h"

void
flow_emit(struct flow *fl, struct flow_event *ev)
{
	if (fl->cfg.on_event != NULL)
		fl->cfg.on_event(fl->cfg.ctx, ev);
}

void
flow_set_phase(struct flow *fl, enum flow_phase phase)
{
	struct flow_event ev = { .kind = FLOW_EV_PHASE, .phase = phase };

	if (fl->phase == phase)
		return;
	fl->phase = phase;
	flow_emit(fl, &ev);
}

void
flow_anomaly(struct flow *fl, enum flow_side side, uint64_t off, const char *field,
	     const char *text)
{
	struct flow_event ev = { .kind = FLOW_EV_ANOMALY, .side = side, .off = off,
				 .field = field, .text = text };

	flow_emit(fl, &ev);
}

/* The outcome is decided: say it. */
void
flow_decide(struct flow *fl, const struct flow_outcome *o)
{
	struct flow_event ev = { .kind = FLOW_EV_OUTCOME, .side = o->side, .off = o->off };

	fl->outcome = *o;
	ev.outcome = &fl->outcome;
	flow_emit(fl, &ev);
}

/* Nothing more is decoded from either side. */
void
flow_end(struct flow *fl)
{
	fl->dir[FLOW_CLIENT].state = FLOW_X_END;
	fl->dir[FLOW_SERVER].state = FLOW_X_END;
	flow_set_phase(fl, FLOW_PH_END);
}

/*
 * Tries the hint recognisers on side's first bytes, prefix by prefix, each
 * prefix once; the last once more when the side has closed (final).
 */
static void
try_hint(struct flow *fl, enum flow_side side, bool final)
{
	struct flow_dir *d = &fl->dir[side];
	struct hint_bytes in = { .from_server = side == FLOW_SERVER, .p = d->first,
				 .client = fl->dir[FLOW_CLIENT].first,
				 .nclient = fl->dir[FLOW_CLIENT].nfirst, .version = fl->version };
	enum hint_verdict v = HINT_MAYBE;

	if (!d->hinting)
		return;
	if (final && d->hint_upto == d->nfirst && d->nfirst > 0)
		d->hint_upto--; /* what was "maybe" may be a hint now that no more comes */
	while (v == HINT_MAYBE && d->hint_upto < d->nfirst) {
		in.n = ++d->hint_upto;
		in.final = final && in.n == d->nfirst;
		v = hint_scan(&in, &d->hint);
	}
	if (v == HINT_YES) {
		struct flow_event ev = { .kind = FLOW_EV_HINT, .side = side, .hint = &d->hint };

		flow_emit(fl, &ev);
	}
	if (v != HINT_MAYBE || final)
		d->hinting = false;
}

/* A protocol violation by side at stream offset off, in field. */
void
flow_violation(struct flow *fl, enum flow_side side, uint64_t off, const char *field,
	       const char *why)
{
	struct flow_outcome o = { .result = FLOW_RES_VIOLATION, .side = side,
				  .phase = fl->phase, .field = field, .off = off };
	struct text t;

	text_start(&t, o.why, sizeof(o.why));
	text_str(&t, why);
	flow_decide(fl, &o);
	flow_end(fl);
	fl->dir[side].hinting = true;
	try_hint(fl, side, fl->dir[side].closed);
}

/* The violation a malformed message is, from what the decoder said. */
static void
decode_violation(struct flow *fl, enum flow_side side, const struct msg *m)
{
	const char *field = m->err_field >= 0 ? m->fields[m->err_field].desc->name : NULL;

	flow_violation(fl, side, fl->dir[side].off + m->err_off, field, m->why);
}

static void
tunnel(struct flow *fl, enum flow_side side, const uint8_t *p, size_t n)
{
	struct flow_dir *d = &fl->dir[side];
	struct flow_event ev = { .kind = FLOW_EV_TUNNEL, .side = side, .off = d->off,
				 .data = p, .len = n };

	if (n == 0)
		return;
	if (fl->phase != FLOW_PH_TUNNEL && !d->noted) {
		d->noted = true;
		flow_anomaly(fl, side, d->off, NULL,
			     "data before the reply: it reaches the destination only if granted");
	}
	flow_emit(fl, &ev);
	d->off += n;
}

/* Bytes after the end: the server's are a violation, the client's are noted. */
static void
after_end(struct flow *fl, enum flow_side side, size_t n)
{
	struct flow_dir *d = &fl->dir[side];
	uint64_t at = d->off;

	d->off += n;
	/* after an opaque method, both sides go on with its negotiation */
	if (fl->outcome.result == FLOW_RES_VIOLATION || fl->outcome.result == FLOW_RES_OPAQUE ||
	    d->noted)
		return;
	d->noted = true;
	if (d->closed)
		flow_violation(fl, side, at, NULL, "data after the close");
	else if (side == FLOW_SERVER)
		flow_violation(fl, side, at, NULL,
			       fl->phase == FLOW_PH_UDP
				       ? "data on a UDP association's control connection"
				       : "data after the answer that ended the session");
	else
		flow_anomaly(fl, side, at, NULL, "data after the session ended; not sent on");
}

static void
sniff(struct flow *fl)
{
	struct flow_dir *d = &fl->dir[FLOW_CLIENT];

	if (d->buf[0] == 4 || d->buf[0] == 5) {
		fl->version = d->buf[0];
		d->state = FLOW_X_MESSAGE;
		d->want = d->buf[0] == 4 ? MSG_S4_REQUEST : MSG_S5_GREETING;
		return;
	}
	flow_violation(fl, FLOW_CLIENT, d->off, "VER", "not a SOCKS version (4 or 5)");
}

/* Decodes what side holds, message after message, as far as it goes. */
static void
drain_loop(struct flow *fl, enum flow_side side)
{
	struct flow_dir *d = &fl->dir[side];
	struct msg m;
	struct proto_ctx ctx;

	while (d->have > 0) {
		switch (d->state) {
		case FLOW_X_NOTHING:
			return;
		case FLOW_X_TUNNEL:
			tunnel(fl, side, d->buf, d->have);
			d->have = 0;
			return;
		case FLOW_X_END:
			after_end(fl, side, d->have);
			d->have = 0;
			return;
		case FLOW_X_FIRST:
			sniff(fl);
			continue;
		case FLOW_X_MESSAGE:
			break;
		}
		proto_decode(d->want, d->buf, d->have, flow_decode_ctx(fl, d->want, &ctx), &m);
		if (m.status == PROTO_NEED_MORE) {
			d->need = m.need;
			if (d->need > FLOW_MSG_MAX && d->want == MSG_GSSAPI)
				flow_token_too_long(fl, side, d->off, d->need);
			else if (d->need > FLOW_MSG_MAX)
				flow_violation(fl, side, d->off + d->have, NULL,
					       "a message longer than sockscope holds");
			return;
		}
		if (m.status != PROTO_OK) {
			if (side != FLOW_SERVER || !flow_refusal_undelimited(fl, &m))
				decode_violation(fl, side, &m);
			return;
		}
		d->need = 1;
		flow_message(fl, side, &m);
		d->have -= m.len;
		memmove(d->buf, d->buf + m.len, d->have);
		d->off += m.len;
	}
}

void
flow_drain(struct flow *fl, enum flow_side side)
{
	struct flow_dir *d = &fl->dir[side];

	/* A message of this side, being reported, may unblock the other side,
	 * whose message may unblock this one: the outer loop goes on then. */
	if (d->draining)
		return;
	d->draining = true;
	drain_loop(fl, side);
	d->draining = false;
}

/* Keeps the first bytes of a side for the hint recognisers. */
static void
keep_first(struct flow *fl, enum flow_side side, const uint8_t *p, size_t n)
{
	struct flow_dir *d = &fl->dir[side];
	size_t k = HINT_PREFIX - d->nfirst;

	if (k > n)
		k = n;
	memcpy(d->first + d->nfirst, p, k);
	d->nfirst += k;
	if (d->hinting)
		try_hint(fl, side, false);
}

/* How many of n bytes to take into the buffer now: never past a message. */
static size_t
take_now(const struct flow_dir *d, size_t n)
{
	size_t room = FLOW_MSG_MAX - d->have, want = room;

	if (d->state == FLOW_X_MESSAGE || d->state == FLOW_X_FIRST)
		want = d->need > d->have ? d->need - d->have : 1;
	if (want > room)
		want = room;
	return want < n ? want : n;
}

/*
 * The side's first bytes are kept as they are taken, never ahead: a hint
 * about the other side may compare with them, and must see the same bytes
 * however this side's were cut.
 */
size_t
flow_feed(struct flow *fl, enum flow_side side, const uint8_t *p, size_t n)
{
	struct flow_dir *d = &fl->dir[side];
	bool keep = !d->closed; /* bytes after a close are no evidence of what answered */
	size_t pos = 0;

	if (p == NULL || n == 0)
		return 0;
	d->total += n;
	while (pos < n) {
		size_t k;

		if (d->have == 0 && d->state == FLOW_X_TUNNEL) {
			if (keep)
				keep_first(fl, side, p + pos, n - pos);
			tunnel(fl, side, p + pos, n - pos);
			return pos;
		}
		if (d->state == FLOW_X_END) {
			flow_drain(fl, side); /* held bytes first */
			if (keep)
				keep_first(fl, side, p + pos, n - pos);
			after_end(fl, side, n - pos);
			return n;
		}
		k = take_now(d, n - pos);
		if (k == 0) { /* held bytes fill the buffer: the other side never answered */
			flow_violation(fl, side, d->off + d->have, NULL,
				       "more bytes than sockscope holds before the other side answered");
			continue;
		}
		memcpy(d->buf + d->have, p + pos, k);
		d->have += k;
		if (keep)
			keep_first(fl, side, p + pos, k);
		pos += k;
		flow_drain(fl, side);
	}
	return n;
}

size_t
flow_room(const struct flow *fl, enum flow_side side)
{
	const struct flow_dir *d = &fl->dir[side];

	if ((d->state == FLOW_X_TUNNEL && d->have == 0) || d->state == FLOW_X_END)
		return SIZE_MAX;
	return FLOW_MSG_MAX - d->have;
}

void
flow_init(struct flow *fl, const struct flow_config *cfg)
{
	memset(fl, 0, sizeof(*fl));
	fl->cfg = *cfg;
	fl->phase = FLOW_PH_GREETING;
	fl->dir[FLOW_SERVER].state = FLOW_X_NOTHING; /* held until asked */
	fl->dir[FLOW_CLIENT].need = 1;
	fl->dir[FLOW_SERVER].need = 1;
	if (cfg->version == 4 || cfg->version == 5) {
		fl->version = cfg->version;
		fl->dir[FLOW_CLIENT].state = FLOW_X_MESSAGE;
		fl->dir[FLOW_CLIENT].want = cfg->version == 4 ? MSG_S4_REQUEST : MSG_S5_GREETING;
	} else {
		fl->dir[FLOW_CLIENT].state = FLOW_X_FIRST;
	}
}

/* What side's held bytes are, after `lead` ("closed"): "closed after
 * sending 3 bytes nobody asked for", "closed inside the SOCKS5 reply after
 * 7 of at least 10 bytes"; *field: the last field begun.  false when side
 * holds nothing undecoded. */
static bool
held_text(const struct flow *fl, enum flow_side side, const char *lead, struct text *t,
	  const char **field)
{
	const struct flow_dir *d = &fl->dir[side];
	struct msg m;
	struct proto_ctx ctx;

	if (d->have == 0)
		return false;
	text_str(t, lead);
	if (d->state == FLOW_X_NOTHING) {
		text_str(t, " after sending ");
		text_dec(t, (uint32_t)d->have);
		text_str(t, " bytes nobody asked for");
		return true;
	}
	if (d->state != FLOW_X_MESSAGE)
		return false;
	proto_decode(d->want, d->buf, d->have, flow_decode_ctx(fl, d->want, &ctx), &m);
	if (m.nfields > 0 && field != NULL)
		*field = m.fields[m.nfields - 1].desc->name;
	text_str(t, " inside the ");
	text_str(t, m.desc->title);
	text_str(t, " after ");
	text_dec(t, (uint32_t)d->have);
	text_str(t, " of at least ");
	text_dec(t, (uint32_t)m.need);
	text_str(t, " bytes");
	return true;
}

size_t
flow_held(const struct flow *fl, enum flow_side side, char *why, size_t cap)
{
	const struct flow_dir *d = &fl->dir[side];
	struct text t;

	text_start(&t, why, cap);
	if (d->have == 0 || (d->state != FLOW_X_NOTHING && d->state != FLOW_X_MESSAGE))
		return 0;
	if (d->state == FLOW_X_NOTHING) {
		text_str(&t, "sent before the ");
		text_str(&t, flow_side_name(side == FLOW_CLIENT ? FLOW_SERVER : FLOW_CLIENT));
		text_str(&t, " answered");
		return d->have;
	}
	held_text(fl, side, "ended", &t, NULL);
	return d->have;
}

/* Where a close cut a message short: its field and how far it got. */
static void
cut_short(struct flow *fl, enum flow_side side, struct flow_outcome *o)
{
	struct flow_dir *d = &fl->dir[side];
	struct text t;

	text_start(&t, o->why, sizeof(o->why));
	o->off = d->off + d->have;
	if (held_text(fl, side, "closed", &t, &o->field) && d->state == FLOW_X_NOTHING)
		fl->dir[side].hinting = true;
}

/* Whether this close, with nothing decided, ends the session. */
static bool
close_decides(const struct flow *fl, enum flow_side side, enum flow_close_kind kind)
{
	const struct flow_dir *d = &fl->dir[side];

	if (fl->outcome.result != FLOW_RES_NONE)
		return false;
	/* A client that is done sending may half-close and still get its answer. */
	return side == FLOW_SERVER || kind == FLOW_RESET || d->state == FLOW_X_FIRST ||
	       d->state == FLOW_X_MESSAGE;
}

static void
close_hint(struct flow *fl, enum flow_side side, enum flow_phase phase)
{
	const struct flow_dir *d = &fl->dir[FLOW_SERVER];
	struct hint_close in = { .version = fl->version, .after_request = phase == FLOW_PH_REPLY,
				 .cmd = fl->cmd, .answer_started = d->have > 0,
				 .server_bytes = d->total };
	struct flow_event ev = { .kind = FLOW_EV_HINT, .side = FLOW_SERVER, .hint = &fl->dir[FLOW_SERVER].hint };

	if (side != FLOW_SERVER || fl->version == 0)
		return;
	if (phase != FLOW_PH_METHOD && phase != FLOW_PH_REPLY)
		return;
	if (hint_on_close(&in, &fl->dir[FLOW_SERVER].hint))
		flow_emit(fl, &ev);
}

void
flow_close(struct flow *fl, enum flow_side side, enum flow_close_kind kind)
{
	struct flow_dir *d = &fl->dir[side];
	struct flow_event ev = { .kind = FLOW_EV_CLOSE, .side = side, .off = d->total,
				 .phase = fl->phase, .close = kind };
	enum flow_phase phase = fl->phase;

	if (d->closed)
		return;
	d->closed = true;
	flow_emit(fl, &ev);
	if (close_decides(fl, side, kind)) {
		struct flow_outcome o = { .result = FLOW_RES_CLOSED, .side = side,
					  .phase = phase, .close = kind, .off = d->total };

		cut_short(fl, side, &o);
		flow_decide(fl, &o);
		close_hint(fl, side, phase);
		flow_end(fl);
	}
	if (d->hinting)
		try_hint(fl, side, true);
	if (d->state == FLOW_X_TUNNEL || d->state == FLOW_X_END)
		d->state = FLOW_X_END;
}

struct flow_expect
flow_expect(const struct flow *fl, enum flow_side side)
{
	struct flow_expect x = { fl->dir[side].state, fl->dir[side].want };

	return x;
}

enum flow_phase
flow_phase(const struct flow *fl)
{
	return fl->phase;
}

const struct flow_outcome *
flow_outcome(const struct flow *fl)
{
	return &fl->outcome;
}

const char *
flow_phase_name(enum flow_phase phase)
{
	static const char *const names[] = {
		[FLOW_PH_GREETING] = "greeting",
		[FLOW_PH_METHOD] = "method selection",
		[FLOW_PH_AUTH] = "username/password authentication",
		[FLOW_PH_GSSAPI] = "GSSAPI authentication",
		[FLOW_PH_GSSAPI_DATA] = "GSSAPI-protected request",
		[FLOW_PH_REQUEST] = "request",
		[FLOW_PH_REPLY] = "reply",
		[FLOW_PH_BIND] = "BIND's second reply",
		[FLOW_PH_TUNNEL] = "tunnel",
		[FLOW_PH_UDP] = "UDP association",
		[FLOW_PH_END] = "end",
	};

	return (unsigned)phase < sizeof(names) / sizeof(names[0]) ? names[phase] : "?";
}

const char *
flow_result_name(enum flow_result result)
{
	static const char *const names[] = {
		[FLOW_RES_NONE] = "undecided",
		[FLOW_RES_GRANTED] = "granted",
		[FLOW_RES_REFUSED] = "refused",
		[FLOW_RES_NO_METHOD] = "no acceptable method",
		[FLOW_RES_AUTH_FAILED] = "authentication failed",
		[FLOW_RES_OPAQUE] = "method not followed",
		[FLOW_RES_VIOLATION] = "protocol violation",
		[FLOW_RES_CLOSED] = "closed",
	};

	return (unsigned)result < sizeof(names) / sizeof(names[0]) ? names[result] : "?";
}

const char *
flow_side_name(enum flow_side side)
{
	return side == FLOW_CLIENT ? "client" : "server";
}
