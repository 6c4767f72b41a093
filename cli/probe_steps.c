/*
 * sockscope probe: each step's messages and what their replies mean.  See
 * probe_steps.h.
 */
#include "probe_steps.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fieldtext.h"
#include "msgtext.h"
#include "probe_detect.h"
#include "probe_engine.h"
#include "probe_trace.h"
#include "probe_verdict.h"

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

static bool
encode(struct slot *sl, const struct draft *d)
{
	struct proto_error err;
	size_t len = 0;

	if (proto_encode(d, sl->out, sizeof(sl->out), &len, NULL, &err) != PROTO_OK) {
		snprintf(probe_cur(sl)->detail, sizeof(probe_cur(sl)->detail), "cannot encode %s: %s",
			 err.field ? err.field : "message", err.why);
		return false;
	}
	sl->outlen = len;
	sl->outoff = 0;
	sl->sent = d->desc->type;
	return true;
}

/* The next message awaited: the step's code, if any, was the last phase's. */
static void
want(struct slot *sl, enum msg_type type, int phase)
{
	struct step_res *r = probe_cur(sl);

	sl->expect = type;
	sl->phase = phase;
	sl->have = 0;
	r->code = -1;
	r->meaning = NULL;
}

static bool
send_greeting(struct slot *sl, const uint8_t *methods, size_t n)
{
	struct draft d;

	draft_init(&d, MSG_S5_GREETING);
	draft_set_bytes(&d, "METHODS", methods, n);
	memcpy(sl->offered, methods, n);
	sl->noffered = n;
	want(sl, MSG_S5_METHOD, 1);
	return encode(sl, &d);
}

static bool
send_auth(struct slot *sl)
{
	const struct proxy *p = &sl->s->p;
	struct draft d;

	draft_init(&d, MSG_S5_AUTH_REQUEST);
	draft_set_bytes(&d, "UNAME", (const uint8_t *)p->cred.user, p->cred.userlen);
	draft_set_bytes(&d, "PASSWD", (const uint8_t *)p->cred.pass, p->cred.passlen);
	want(sl, MSG_S5_AUTH_STATUS, 2);
	return encode(sl, &d);
}

static bool
send_request5(struct slot *sl)
{
	const struct host *t = &sl->s->target;
	struct draft d;
	static const uint8_t any[4] = { 0, 0, 0, 0 };

	draft_init(&d, MSG_S5_REQUEST);
	if (sl->step == ST_S5_UDP) {
		draft_set_num(&d, "CMD", 3);
		draft_set_ipv4(&d, "DST.ADDR", any);
		draft_set_num(&d, "DST.PORT", 0);
	} else {
		draft_set_num(&d, "CMD", sl->step == ST_S5_BIND ? 2 : 1);
		draft_set_num(&d, "DST.PORT", t->port);
		if (sl->step == ST_S5_DOMAIN)
			draft_set_name(&d, "DST.ADDR", t->name, t->namelen);
		else if (t->kind == HOST_IPV6)
			draft_set_ipv6(&d, "DST.ADDR", t->addr);
		else
			draft_set_ipv4(&d, "DST.ADDR", t->addr);
	}
	want(sl, MSG_S5_REPLY, 3);
	return encode(sl, &d);
}

static bool
send_request4(struct slot *sl)
{
	const struct server *s = sl->s;
	struct draft d;

	draft_init(&d, MSG_S4_REQUEST);
	draft_set_num(&d, "DSTPORT", s->target.port);
	if (sl->step == ST_S4A)
		draft_set_name(&d, "HOSTNAME", s->target.name, s->target.namelen);
	else
		draft_set_ipv4(&d, "DSTIP", s->target.addr);
	if (s->p.cred.has_user)
		draft_set_bytes(&d, "USERID", (const uint8_t *)s->p.cred.user, s->p.cred.userlen);
	want(sl, MSG_S4_REPLY, 4);
	return encode(sl, &d);
}

/* The connection is up: the first message of the step. */
void
probe_step_begin(struct run *R, struct slot *sl)
{
	static const uint8_t m00[] = { 0x00 }, m01[] = { 0x01 }, m02[] = { 0x02 },
			     mall[] = { 0x00, 0x01, 0x02 }, m0002[] = { 0x00, 0x02 };
	static const char head[] = "HEAD / HTTP/1.0\r\n\r\n";
	bool ok = true;

	sl->raw = false;
	switch (sl->step) {
	case ST_TCP:
		probe_finish(R, sl, OC_OK, "connected in %.2f ms", probe_cur(sl)->connect_ms);
		return;
	case ST_S5_NOAUTH:
		ok = send_greeting(sl, m00, 1);
		break;
	case ST_S5_GSSAPI:
		ok = send_greeting(sl, m01, 1);
		break;
	case ST_S5_USERPASS:
	case ST_S5_AUTH:
		ok = send_greeting(sl, m02, 1);
		break;
	case ST_S5_ALL:
		ok = send_greeting(sl, mall, 3);
		break;
	case ST_S5_CONNECT:
	case ST_S5_DOMAIN:
	case ST_S5_BIND:
	case ST_S5_UDP:
		ok = probe_has_cred(sl->s) ? send_greeting(sl, m0002, 2) : send_greeting(sl, m00, 1);
		break;
	case ST_S4:
	case ST_S4A:
		ok = send_request4(sl);
		break;
	case ST_SNIFF:
		memcpy(sl->out, head, sizeof(head) - 1);
		sl->outlen = sizeof(head) - 1;
		sl->outoff = 0;
		sl->raw = true;
		sl->have = 0;
		break;
	default:
		break;
	}
	if (!ok)
		probe_finish(R, sl, OC_ERROR, NULL);
}

static void
collect_anomalies(struct step_res *r, const struct msg *m)
{
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];

		if (f->flags & (FF_ANOMALY | FF_UNASSIGNED))
			probe_anomaly(r, "%s: %s (0x%x)", f->desc->name,
				      f->note ? f->note : "unassigned code", (unsigned)f->num);
	}
}

/*
 * The step's code and meaning: the answer m carries (METHOD, STATUS, REP,
 * CD), also when m was cut short or broke after it.  Its words, for the
 * detail, in what (what[0] == '\0' when none arrived).
 */
static void
take_code(struct step_res *r, const struct msg *m, char *what, size_t cap)
{
	const struct field *f = msg_code_field(m);

	r->code = f != NULL ? (int)f->num : -1;
	r->meaning = f != NULL ? field_code_meaning(f, f->num) : NULL;
	msg_code_text(m, what, cap);
}

static bool
was_offered(const struct slot *sl, int method)
{
	for (size_t i = 0; i < sl->noffered; i++)
		if (sl->offered[i] == method)
			return true;
	return false;
}

/* For a refused CONNECT: that its target was the server's own address. */
static const char *
own_address(const struct slot *sl)
{
	bool connect = sl->step == ST_S5_CONNECT || sl->step == ST_S5_DOMAIN ||
		       sl->step == ST_S4 || sl->step == ST_S4A;

	return connect && sl->s->target_self ? " (the target is the server's own address)" : "";
}

/* A complete message arrived. */
static void
on_message(struct run *R, struct slot *sl, const struct msg *m)
{
	struct step_res *r = probe_cur(sl);
	char what[96];
	int st = sl->step;
	bool ok = true;

	probe_trace_received(R, sl, m);
	collect_anomalies(r, m);
	take_code(r, m, what, sizeof(what));
	switch (sl->expect) {
	case MSG_S5_METHOD:
		if (r->code == 0xff) {
			r->s5_seen = true;
			probe_finish(R, sl, OC_REFUSED, "no acceptable method");
			return;
		}
		if (!was_offered(sl, r->code)) {
			/* a violation, not an answer: no method, no SOCKS5 */
			r->socksish = true;
			r->unoffered = true;
			if (r->nanom == 0)
				probe_anomaly(r, "METHOD: this method was not offered (0x%x)",
					      (unsigned)r->code);
			probe_finish(R, sl, OC_MALFORMED, "chose method 0x%02x, which was not offered",
				     (unsigned)r->code);
			return;
		}
		r->s5_seen = true;
		if (st <= ST_S5_ALL) {
			probe_finish(R, sl, OC_OK, "chose method 0x%02x", (unsigned)r->code);
			return;
		}
		/* offered: 00, or 02 with credentials (and 02 alone for s5-auth) */
		ok = r->code == 0x02 ? send_auth(sl) : send_request5(sl);
		break;
	case MSG_S5_AUTH_STATUS:
		if (r->code != 0) {
			probe_finish(R, sl, OC_REFUSED, "authentication failed (STATUS 0x%02x)",
				     (unsigned)r->code);
			return;
		}
		r->authed = true;
		if (st == ST_S5_AUTH) {
			probe_finish(R, sl, OC_OK, "credentials accepted");
			return;
		}
		ok = send_request5(sl);
		break;
	case MSG_S5_REPLY:
		if (r->code == 0)
			probe_finish(R, sl, OC_OK, "granted");
		else
			probe_finish(R, sl, OC_REFUSED, "%s%s", what, own_address(sl));
		return;
	case MSG_S4_REPLY:
		if (r->code == 0x5a)
			probe_finish(R, sl, OC_OK, "granted");
		else
			probe_finish(R, sl, OC_REFUSED, "%s%s", what, own_address(sl));
		return;
	default:
		probe_finish(R, sl, OC_ERROR, "unexpected message");
		return;
	}
	if (!ok)
		probe_finish(R, sl, OC_ERROR, NULL);
}

/* Bytes arrived or the peer closed: decide what they are. eof: no more come. */
void
probe_step_input(struct run *R, struct slot *sl, bool eof, int err)
{
	struct step_res *r = probe_cur(sl);
	struct proto_ctx ctx = { sl->offered, sl->noffered };
	struct detection d;
	struct msg m;
	char hex[80], what[96];
	size_t total;
	bool open_ended;
	int rc;

	if (sl->raw) {
		if (probe_detect_sniff(sl->in, sl->have, eof, err, &d)) {
			probe_trace_raw(R, sl, false, sl->in, sl->have);
			probe_finish_detected(R, sl, &d);
		}
		return;
	}
	/* before decoding: an echo of the greeting starts as a method selection */
	if ((sl->phase == 1 || sl->phase == 4) &&
	    probe_detect_echo(sl->out, sl->outlen, sl->in, sl->have, &d)) {
		probe_trace_raw(R, sl, false, sl->in, sl->have);
		probe_finish_detected(R, sl, &d);
		return;
	}
	probe_hexprefix(sl->in, sl->have, hex, sizeof(hex));
	for (;;) {
		if (sl->have == 0) {
			if (eof)
				probe_finish(R, sl, err ? OC_RESET : OC_CLOSED, "%s without a reply",
					     err ? "connection reset" : "closed");
			return;
		}
		rc = proto_decode(sl->expect, sl->in, sl->have, &ctx, &m);
		if (rc == PROTO_NEED_MORE) {
			if (!eof && sl->have < sizeof(sl->in))
				return;
			if (probe_detect_foreign(sl->expect, sl->in, sl->have, false, &d)) {
				probe_trace_raw(R, sl, false, sl->in, sl->have);
				probe_finish_detected(R, sl, &d);
				return;
			}
			probe_trace_received(R, sl, &m);
			take_code(r, &m, what, sizeof(what));
			total = msg_known_total(&m, &open_ended);
			probe_anomaly(r, "short reply: %zu of %s%zu bytes", sl->have,
				      open_ended ? "at least " : "", total);
			probe_finish(R, sl, err ? OC_RESET : OC_CLOSED,
				     "short %s: %zu of %s%zu bytes (%s)%s%s",
				     proto_msg_desc(sl->expect)->title, sl->have,
				     open_ended ? "at least " : "", total, hex,
				     what[0] != '\0' ? ", " : "", what);
			return;
		}
		if (rc != PROTO_OK) {
			if (probe_detect_foreign(sl->expect, sl->in, sl->have, true, &d)) {
				probe_trace_raw(R, sl, false, sl->in, sl->have);
				probe_finish_detected(R, sl, &d);
				return;
			}
			probe_trace_received(R, sl, &m);
			collect_anomalies(r, &m);
			take_code(r, &m, what, sizeof(what));
			r->socksish = probe_socksish(sl->expect, sl->in);
			probe_finish(R, sl, OC_MALFORMED, "%s malformed at offset %zu%s%s: %s (%s)%s%s",
				     proto_msg_desc(sl->expect)->title, m.err_off,
				     m.err_field >= 0 ? " in " : "",
				     m.err_field >= 0 ? m.fields[m.err_field].desc->name : "", m.why,
				     hex, what[0] != '\0' ? ", after " : "", what);
			return;
		}
		{
			size_t used = m.len;
			int step = sl->step, phase = sl->phase;
			uint8_t rest[sizeof(sl->in)];
			size_t nrest = sl->have - used;

			memcpy(rest, sl->in + used, nrest);
			on_message(R, sl, &m);
			if (sl->s == NULL || sl->step != step || sl->phase == phase)
				return; /* the step is over (the slot may hold the next one) */
			/* the next message of the same step: keep any bytes that came early */
			memcpy(sl->in, rest, nrest);
			sl->have = nrest;
			if (nrest > 0)
				probe_anomaly(r, "%zu bytes arrived before the request was sent",
					      nrest);
			return;
		}
	}
}

void
probe_step_stalled(struct run *R, struct slot *sl)
{
	struct step_res *r = probe_cur(sl);
	struct proto_ctx ctx = { sl->offered, sl->noffered };
	struct msg m;
	char hex[80], what[96];

	probe_hexprefix(sl->in, sl->have, hex, sizeof(hex));
	proto_decode(sl->expect, sl->in, sl->have, &ctx, &m);
	take_code(r, &m, what, sizeof(what));
	probe_anomaly(r, "short reply: %zu bytes, then silence", sl->have);
	probe_finish(R, sl, OC_TIMEOUT, "only %zu bytes (%s) within %.1f s%s%s", sl->have, hex,
		     R->o->timeout_ms / 1000.0, what[0] != '\0' ? ", " : "", what);
}
