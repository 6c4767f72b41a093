/*
 * The handshake steps: `greet`, `auth` and `request` each send one draft
 * exactly as composed and read its answer; `send` walks whatever phases
 * remain from wherever the connection is, BIND's second reply included;
 * `show` previews what a step would send.  The connection is repl_conn.c's
 * and the replies repl_reply.c's; this file holds the order of the phases.
 */
#include "repl_engine.h"

#include <string.h>

#include "net.h"

/* The wire form of the draft being sent or shown; wiped after each use. */
static uint8_t wire[RS_WIRE_MAX];

const enum msg_type rs_reply_of[RD_COUNT] = {
	[RD_GREETING] = MSG_S5_METHOD,  [RD_AUTH] = MSG_S5_AUTH_STATUS,
	[RD_S5REQ] = MSG_S5_REPLY,      [RD_S4REQ] = MSG_S4_REPLY,
	[RD_UDP] = MSG_S5_UDP,
};

int
rs_show(struct rsess *s, enum rs_draft rd)
{
	struct msg m;
	size_t len;
	int rc;

	rs_refresh(s);
	rc = rs_compose(s, rd, NULL, wire, sizeof(wire), &len, &m);
	explicit_bzero(wire, sizeof(wire));
	return rc;
}

/* What a client message tells the decoder of its answer. */
void
rs_remember_sent(struct rsess *s, const struct msg *m)
{
	const struct field *f;

	switch (m->desc->type) {
	case MSG_S5_GREETING:
		f = msg_field(m, "METHODS");
		s->noffered = f != NULL && f->len <= sizeof(s->offered) ? f->len : 0;
		if (s->noffered > 0)
			memcpy(s->offered, f->bytes, s->noffered);
		break;
	case MSG_S5_REQUEST:
	case MSG_S4_REQUEST:
		f = msg_field(m, m->desc->type == MSG_S5_REQUEST ? "CMD" : "CD");
		if (f != NULL && field_complete(f)) {
			s->cmd = f->num;
			s->has_cmd = true;
		}
		break;
	default:
		break;
	}
}

static int
step(struct rsess *s, enum rs_draft rd, enum rs_timer tm, const char *phase)
{
	struct msg m;
	size_t len;
	int64_t t0;
	int rc;

	rs_refresh(s);
	if ((rd == RD_S5REQ || rd == RD_S4REQ) && (rc = rs_check_request(s)) != EXIT_OK)
		return rc;
	if ((rc = rs_compose(s, rd, "now", wire, sizeof(wire), &len, &m)) != EXIT_OK)
		return rc;
	rs_remember_sent(s, &m);
	t0 = now_ms();
	rc = rs_send_bytes(s, wire, len, phase, t0 + s->timeout_ms);
	explicit_bzero(wire, sizeof(wire));
	if (rc == EXIT_OK)
		rc = rs_expect_reply(s, rs_reply_of[rd], t0 + s->timeout_ms, phase, s->timeout_ms);
	s->ms[tm] = now_ms() - t0;
	rs_flush(s->out);
	return rc;
}

int
rs_greet(struct rsess *s)
{
	int rc;

	if (!rs_socks5(s))
		return rs_fail(EXIT_USAGE, "greet: SOCKS4 has no greeting; its request is the whole handshake (`request`)");
	if ((rc = rs_need_conn(s, "greet")) != EXIT_OK)
		return rc;
	if (s->phase != PH_CONNECTED)
		rs_warn("the connection is past the greeting (%s); sending another one",
			rs_phase_name(s->phase));
	return step(s, RD_GREETING, TM_GREETING, "greeting");
}

int
rs_auth(struct rsess *s)
{
	int rc;

	if (!rs_socks5(s))
		return rs_fail(EXIT_USAGE, "auth: SOCKS4 has no authentication phase; USERID is part of the request");
	if ((rc = rs_need_conn(s, "auth")) != EXIT_OK)
		return rc;
	if (s->phase != PH_METHOD || !s->has_method || s->method != 0x02)
		rs_warn("the server has not chosen 02 USERNAME/PASSWORD (phase: %s); sending the auth request anyway",
			rs_phase_name(s->phase));
	return step(s, RD_AUTH, TM_AUTH, "auth");
}

int
rs_request(struct rsess *s)
{
	int rc;

	if ((rc = rs_need_conn(s, "request")) != EXIT_OK)
		return rc;
	if (rs_socks5(s)) {
		if (!(s->phase == PH_METHOD && s->has_method && s->method == 0x00) &&
		    s->phase != PH_AUTHED)
			rs_warn("the handshake is not ready for the request (phase: %s); sending it anyway",
				rs_phase_name(s->phase));
	} else if (s->phase != PH_CONNECTED) {
		rs_warn("the connection is past the request (%s); sending another one",
			rs_phase_name(s->phase));
	}
	return step(s, rs_request_draft(s), TM_REQUEST, "request");
}

static int
wait_bind(struct rsess *s)
{
	int64_t t0 = now_ms();
	int rc;

	fprintf(s->out, "waiting up to %g s for the peer to connect to the bound address\n",
		rs_secs(s->timeout_ms));
	rs_flush(s->out);
	rc = rs_expect_reply(s, s->expect, t0 + s->timeout_ms, "bind", s->timeout_ms);
	s->ms[TM_BIND] = now_ms() - t0;
	return rc;
}

bool
rs_auth_in_use(const struct rsess *s)
{
	if (s->cred.has_user)
		return true;
	for (int i = 0; i < PROTO_MAX_FIELDS; i++)
		if (s->user_set[RD_AUTH][i])
			return true;
	return false;
}

/*
 * Whether `send` must be able to send the auth request, judged before the
 * greeting goes out: the greeting offers 02 USERNAME/PASSWORD and either
 * the user filled in the auth draft (a user without a password is a
 * mistake to catch now) or 02 is all it offers.  Offered beside another
 * method to a draft nobody filled in, 02 may never be chosen: the draft is
 * checked if the server chooses it.
 */
static bool
auth_planned(struct rsess *s)
{
	const struct field *f;
	struct msg m;
	size_t len;
	bool offered = false, only = true;

	if (rs_encode_quietly(s, RD_GREETING, wire, sizeof(wire), &len, &m) != EXIT_OK)
		return false;
	f = msg_field(&m, "METHODS");
	for (size_t i = 0; f != NULL && i < f->len; i++) {
		offered |= f->bytes[i] == 0x02;
		only &= f->bytes[i] == 0x02;
	}
	explicit_bzero(wire, sizeof(wire));
	return offered && (only || rs_auth_in_use(s));
}

/* The drafts `send` will send from the current phase, in order, as far as
   it can tell before the server chooses a method (see auth_planned). */
static int
remaining_drafts(struct rsess *s, enum rs_draft out[RD_COUNT])
{
	bool before_method = s->phase == PH_CLOSED || s->phase == PH_CONNECTED;
	int n = 0;

	if (!rs_socks5(s)) {
		if (before_method)
			out[n++] = RD_S4REQ;
		return n;
	}
	if (before_method) {
		out[n++] = RD_GREETING;
		if (auth_planned(s))
			out[n++] = RD_AUTH;
	} else if (s->phase == PH_METHOD && s->has_method && s->method == 0x02) {
		out[n++] = RD_AUTH;
	}
	if (before_method || s->phase == PH_METHOD || s->phase == PH_AUTHED)
		out[n++] = RD_S5REQ;
	return n;
}

/*
 * Every draft `send` will send, checked before the first byte goes out (and
 * before the connection opens): a request or auth request that cannot be
 * encoded fails now, not after the greeting was sent.  An auth request the
 * server may never ask for is checked when it does (`auth` in rs_send).
 */
static int
check_remaining(struct rsess *s)
{
	enum rs_draft rd[RD_COUNT];
	struct msg m;
	size_t len;
	int n, rc = EXIT_OK;

	rs_refresh(s);
	n = remaining_drafts(s, rd);
	for (int i = 0; i < n && rc == EXIT_OK; i++) {
		if (rd[i] == RD_S5REQ || rd[i] == RD_S4REQ)
			rc = rs_check_request(s);
		if (rc == EXIT_OK)
			rc = rs_encode_quietly(s, rd[i], wire, sizeof(wire), &len, &m);
		explicit_bzero(wire, sizeof(wire));
	}
	return rc;
}

int
rs_send(struct rsess *s)
{
	int rc = EXIT_OK;

	if (s->phase == PH_GRANTED) {
		fprintf(s->out, "nothing left to send: the request was granted (`close` for a new connection)\n");
		return EXIT_OK;
	}
	if (s->phase == PH_BOUND)
		return wait_bind(s);
	if ((rc = check_remaining(s)) != EXIT_OK)
		return rc;
	if (s->conn.fd < 0 && (rc = rs_open(s)) != EXIT_OK)
		return rc;
	if (s->awaiting) {
		fprintf(s->out, "first, the %s still due:\n", rs_title_of(s->expect));
		rc = rs_expect_reply(s, s->expect, now_ms() + s->timeout_ms, "overdue", s->timeout_ms);
		if (rc != EXIT_OK || s->phase == PH_GRANTED || s->phase == PH_BOUND)
			return rc;
	}
	if (!rs_socks5(s))
		return s->phase == PH_CONNECTED ? rs_request(s) : EXIT_OK;
	if (s->phase == PH_CONNECTED && (rc = rs_greet(s)) != EXIT_OK)
		return rc;
	if (s->phase == PH_METHOD && s->method == 0x02 && (rc = rs_auth(s)) != EXIT_OK)
		return rc;
	if (s->phase == PH_METHOD && s->method != 0x00 && s->method != 0x02)
		return rs_fail(EXIT_AUTH, "the server chose method 0x%02x %s, which send cannot speak; try raw",
			       s->method, rs_code_meaning(&names_s5_method, s->method));
	if (s->phase == PH_METHOD || s->phase == PH_AUTHED)
		rc = rs_request(s);
	return rc;
}
