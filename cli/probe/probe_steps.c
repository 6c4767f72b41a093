/*
 * sockscope probe: each step's messages, fed to the step's flow.  See
 * probe_steps.h.  The flow says what the server owes and what its answers
 * mean; a step only chooses what to send when the flow says the client owes
 * a message, and stops when it has what it came for (probe_flow.c).
 */
#include "probe_steps.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe_flow.h"
#include "probe_trace.h"
#include "probe_verdict.h"

int64_t
probe_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

double
probe_ms_since(int64_t t0)
{
	return (double)(probe_now_us() - t0) / 1000.0;
}

void
probe_close(struct slot *sl)
{
	if (sl->fd >= 0)
		close(sl->fd);
	sl->fd = -1;
}

struct step_res *
probe_cur(struct slot *sl)
{
	return &sl->s->r[sl->step];
}

void
probe_finish(struct run *R, struct slot *sl, enum outcome oc, const char *fmt, ...)
{
	struct step_res *r = probe_cur(sl);
	va_list ap;

	r->oc = oc;
	r->phase = sl->phase;
	r->ms = probe_ms_since(sl->t0_us);
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
		va_end(ap);
	}
	probe_close(sl);
	probe_trace_end(R, sl);
	sl->step++;
	R->next_step(R, sl);
}

#define CMD_CONNECT 1
#define CMD_BIND 2
#define CMD_UDP 3

static bool
encode(struct slot *sl, const struct draft *d, int phase)
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
	sl->phase = phase;
	return true;
}

static bool
send_greeting(struct slot *sl, const uint8_t *methods, size_t n)
{
	struct draft d;

	draft_init(&d, MSG_S5_GREETING);
	draft_set_bytes(&d, "METHODS", methods, n);
	return encode(sl, &d, 1);
}

static bool
send_auth(struct slot *sl)
{
	const struct proxy *p = &sl->s->p;
	struct draft d;

	draft_init(&d, MSG_S5_AUTH_REQUEST);
	draft_set_bytes(&d, "UNAME", (const uint8_t *)p->cred.user, p->cred.userlen);
	draft_set_bytes(&d, "PASSWD", (const uint8_t *)p->cred.pass, p->cred.passlen);
	return encode(sl, &d, 2);
}

static bool
send_request5(struct slot *sl)
{
	const struct host *t = &sl->s->target;
	struct draft d;
	static const uint8_t any[4] = { 0, 0, 0, 0 };

	draft_init(&d, MSG_S5_REQUEST);
	if (sl->step == ST_S5_UDP) {
		draft_set_num(&d, "CMD", CMD_UDP);
		draft_set_ipv4(&d, "DST.ADDR", any);
		draft_set_num(&d, "DST.PORT", 0);
	} else {
		draft_set_num(&d, "CMD", sl->step == ST_S5_BIND ? CMD_BIND : CMD_CONNECT);
		draft_set_num(&d, "DST.PORT", t->port);
		if (sl->step == ST_S5_DOMAIN)
			draft_set_name(&d, "DST.ADDR", t->name, t->namelen);
		else if (t->kind == HOST_IPV6)
			draft_set_ipv6(&d, "DST.ADDR", t->addr);
		else
			draft_set_ipv4(&d, "DST.ADDR", t->addr);
	}
	return encode(sl, &d, 3);
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
	return encode(sl, &d, 4);
}

static void
on_flow_message(void *ctx, const struct msg *m, enum view_role role)
{
	struct slot *sl = ctx;

	probe_trace_message(sl->run, sl, m, role);
}

/* The step's flow, started once per step connection.  false: no memory. */
static bool
flow_ready(struct run *R, struct slot *sl)
{
	if (sl->flowing)
		return true;
	if (sl->flow == NULL && (sl->flow = calloc(1, sizeof(*sl->flow))) == NULL) {
		snprintf(sl->s->local_detail, sizeof(sl->s->local_detail),
			 "local error: out of memory");
		sl->s->local_error = true;
		probe_finish(R, sl, OC_ERROR, "%s", sl->s->local_detail);
		return false;
	}
	sl->flow->on_message = on_flow_message;
	sl->flow->ctx = sl;
	probe_flow_start(sl->flow, sl->step == ST_S4 || sl->step == ST_S4A ? 4 : 5, probe_cur(sl));
	sl->flowing = true;
	return true;
}

void
probe_step_free(struct slot *sl)
{
	free(sl->flow);
	sl->flow = NULL;
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
	if (sl->step == ST_TCP) {
		probe_finish(R, sl, OC_OK, "connected in %.2f ms", probe_cur(sl)->connect_ms);
		return;
	}
	if (sl->step == ST_SNIFF) {
		memcpy(sl->out, head, sizeof(head) - 1);
		sl->outlen = sizeof(head) - 1;
		sl->outoff = 0;
		sl->raw = true;
		return;
	}
	if (!flow_ready(R, sl))
		return;
	switch (sl->step) {
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
	case ST_S4:
	case ST_S4A:
		ok = send_request4(sl);
		break;
	default: /* the request steps: 02 too when there are credentials */
		ok = probe_has_cred(sl->s) ? send_greeting(sl, m0002, 2) : send_greeting(sl, m00, 1);
		break;
	}
	if (!ok)
		probe_finish(R, sl, OC_ERROR, NULL);
}

static enum step_goal
goal_of(int step)
{
	if (step >= ST_S5_NOAUTH && step <= ST_S5_ALL)
		return GOAL_METHOD;
	return step == ST_S5_AUTH ? GOAL_AUTH : GOAL_REPLY;
}

/* For a refused CONNECT: that its target was the server's own address. */
static const char *
own_address(const struct slot *sl)
{
	bool connect = sl->step == ST_S5_CONNECT || sl->step == ST_S5_DOMAIN ||
		       sl->step == ST_S4 || sl->step == ST_S4A;

	return connect && sl->s->target_self ? " (the target is the server's own address)" : "";
}

/* The message the flow says the client owes now, if it is not on its way. */
static void
next_message(struct run *R, struct slot *sl)
{
	struct flow_expect x = flow_expect(&sl->flow->fl, FLOW_CLIENT);
	bool ok;

	if (sl->outoff < sl->outlen || x.kind != FLOW_X_MESSAGE)
		return;
	if (x.type == MSG_S5_AUTH_REQUEST)
		ok = send_auth(sl);
	else if (x.type == MSG_S5_REQUEST)
		ok = send_request5(sl);
	else
		return; /* GSSAPI: no step goes past choosing it */
	if (!ok)
		probe_finish(R, sl, OC_ERROR, NULL);
}

/* What the flow says now: the step's end, or its next message. */
static void
step_check(struct run *R, struct slot *sl, bool final)
{
	const struct step_flow *sf = sl->flow;
	enum outcome oc;
	size_t at;

	if (!probe_flow_result(sf, goal_of(sl->step), sl->in, sl->have, final, own_address(sl))) {
		next_message(R, sl);
		return;
	}
	oc = probe_cur(sl)->oc;
	at = sf->msg_start < sl->have ? (size_t)sf->msg_start : sl->have;
	if (at < sl->have && (oc == OC_NOT_SOCKS || oc == OC_OTHER_VERSION || oc == OC_MALFORMED))
		probe_trace_raw(R, sl, false, sl->in + at, sl->have - at);
	probe_finish(R, sl, oc, NULL);
}

void
probe_step_sent(struct run *R, struct slot *sl)
{
	if (sl->raw) {
		probe_trace_raw(R, sl, true, sl->out, sl->outlen);
		return;
	}
	probe_flow_sent(sl->flow, sl->out, sl->outlen);
	step_check(R, sl, false);
}

void
probe_step_input(struct run *R, struct slot *sl, bool eof, int err)
{
	if (sl->raw) {
		if (probe_sniff_result(probe_cur(sl), sl->out, sl->outlen, sl->in, sl->have, eof,
				       err)) {
			probe_trace_raw(R, sl, false, sl->in, sl->have);
			probe_finish(R, sl, probe_cur(sl)->oc, NULL);
		}
		return;
	}
	if (!flow_ready(R, sl))
		return;
	if (sl->fed < sl->have) {
		probe_flow_received(sl->flow, sl->in + sl->fed, sl->have - sl->fed);
		sl->fed = sl->have;
	}
	if (eof)
		flow_close(&sl->flow->fl, FLOW_SERVER, err != 0 ? FLOW_RESET : FLOW_FIN);
	step_check(R, sl, eof);
}

void
probe_step_full(struct run *R, struct slot *sl)
{
	if (sl->raw) {
		probe_step_input(R, sl, true, 0);
		return;
	}
	step_check(R, sl, true);
}

void
probe_step_stalled(struct run *R, struct slot *sl)
{
	double secs = R->o->timeout_ms / 1000.0;

	if (sl->raw && sl->have > 0) {
		probe_step_input(R, sl, true, 0);
		return;
	}
	if (sl->raw || !sl->flowing) {
		probe_finish(R, sl, OC_TIMEOUT, "no reply within %.1f s", secs);
		return;
	}
	probe_flow_timeout(sl->flow, goal_of(sl->step), sl->in, sl->have, secs);
	probe_finish(R, sl, probe_cur(sl)->oc, NULL);
}
