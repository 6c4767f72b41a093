/*
 * The handshake steps: `greet`, `auth` and `request` each send one draft
 * exactly as composed and read the answer the flow says is owed; `send`
 * sends what the flow expects of the client next, step after step, BIND's
 * second reply included; `show` previews what a step would send.  The
 * connection is repl_conn.c's, the replies repl_reply.c's, and the order
 * of the phases the flow's (repl_flow.c).
 */
#include "repl_engine.h"

#include <string.h>

#include "net.h"

/* The wire form of the draft being sent or shown; wiped after each use. */
static uint8_t wire[RS_WIRE_MAX];

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

/*
 * What the flow made of what a step sent, and the answer it says the
 * server owes.  A message the flow holds incomplete (a count set by hand
 * past what follows) is owed no answer: what comes back is shown as bytes.
 */
static int
after_send(struct rsess *s, enum msg_type sent, const char *phase, int64_t t0)
{
	enum msg_type type;
	bool owed;
	int rc;

	if ((rc = rs_verdict(s, phase, NULL)) != EXIT_OK || s->conn.fd < 0)
		return rc;
	if (rs_server_owes(s, &type))
		return rs_expect_reply(s, t0 + s->timeout_ms, phase, s->timeout_ms);
	type = rs_client_owes(s, &owed);
	if (owed && !s->client_message && type == sent)
		fprintf(s->out, "the %s is incomplete: the server cannot answer it before the rest\n",
			rs_title_of(type));
	else if (owed && !s->client_message)
		fprintf(s->out, "sent where a %s is due, it reads as the start of one: the server cannot answer it before the rest\n",
			rs_title_of(type));
	return rs_show_plain(s, t0 + s->timeout_ms, 300, phase, true, s->timeout_ms);
}

static int
step(struct rsess *s, enum rs_draft rd, enum rs_timer tm, const char *phase)
{
	struct msg m;
	size_t len;
	int64_t t0, t0_us;
	int rc;

	rs_refresh(s);
	if ((rd == RD_S5REQ || rd == RD_S4REQ) && (rc = rs_check_request(s)) != EXIT_OK)
		return rc;
	if ((rc = rs_compose(s, rd, "now", wire, sizeof(wire), &len, &m)) != EXIT_OK)
		return rc;
	t0 = now_ms();
	t0_us = now_us();
	s->client_message = false;
	s->step_sending = true;
	rc = rs_send_bytes(s, wire, len, phase, t0 + s->timeout_ms);
	s->step_sending = false;
	explicit_bzero(wire, sizeof(wire));
	if (rc == EXIT_OK)
		rc = after_send(s, m.desc->type, phase, t0);
	s->us[tm] = now_us() - t0_us;
	s->at_us[tm] = t0_us - s->begun_us;
	rs_flush(s->out);
	return rc;
}

/* Whether the flow expects a message of type from the client now. */
static bool
client_owes(const struct rsess *s, enum msg_type type)
{
	bool owed;

	return rs_client_owes(s, &owed) == type && owed;
}

int
rs_greet(struct rsess *s)
{
	int rc;

	if (!rs_socks5(s))
		return rs_fail(EXIT_USAGE, "greet: SOCKS4 has no greeting; its request is the whole handshake (`request`)");
	if ((rc = rs_need_conn(s, "greet")) != EXIT_OK)
		return rc;
	if (!client_owes(s, MSG_S5_GREETING))
		rs_warn("the connection is past the greeting (%s); sending another one",
			rs_phase_name(rs_phase(s)));
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
	if (!client_owes(s, MSG_S5_AUTH_REQUEST))
		rs_warn("the server has not asked for the username/password request (phase: %s); sending it anyway",
			rs_phase_name(rs_phase(s)));
	return step(s, RD_AUTH, TM_AUTH, "auth");
}

int
rs_request(struct rsess *s)
{
	int rc;

	if ((rc = rs_need_conn(s, "request")) != EXIT_OK)
		return rc;
	if (rs_socks5(s) && !client_owes(s, MSG_S5_REQUEST))
		rs_warn("the handshake is not ready for the request (phase: %s); sending it anyway",
			rs_phase_name(rs_phase(s)));
	else if (!rs_socks5(s) && !client_owes(s, MSG_S4_REQUEST))
		rs_warn("the connection is past the request (%s); sending another one",
			rs_phase_name(rs_phase(s)));
	return step(s, rs_request_draft(s), TM_REQUEST, "request");
}

static int
wait_bind(struct rsess *s)
{
	int64_t t0 = now_ms(), t0_us = now_us();
	int rc;

	fprintf(s->out, "waiting up to %g s for the peer to connect to the bound address\n",
		rs_secs(s->timeout_ms));
	rs_flush(s->out);
	rc = rs_expect_reply(s, t0 + s->timeout_ms, "bind", s->timeout_ms);
	s->us[TM_BIND] = now_us() - t0_us;
	s->at_us[TM_BIND] = t0_us - s->begun_us;
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

/* The drafts `send` will send from where the flow is, in order, as far as
   it can tell before the server chooses a method (see auth_planned). */
static int
remaining_drafts(struct rsess *s, enum rs_draft out[RD_COUNT])
{
	enum msg_type due, next = rs_socks5(s) ? MSG_S5_GREETING : MSG_S4_REQUEST;
	bool owed = true, greeted = false;
	int n = 0;

	if (s->conn.fd >= 0 && (next = rs_client_owes(s, &owed), !owed)) {
		/* The method selection still due: the steps after the greeting. */
		if (!rs_server_owes(s, &due) || due != MSG_S5_METHOD)
			return 0;
		greeted = true;
	}
	if (!owed)
		next = MSG_TYPE_COUNT;
	if (next == MSG_S4_REQUEST)
		out[n++] = RD_S4REQ;
	if (next == MSG_S5_GREETING)
		out[n++] = RD_GREETING;
	if (((next == MSG_S5_GREETING || greeted) && auth_planned(s)) ||
	    next == MSG_S5_AUTH_REQUEST)
		out[n++] = RD_AUTH;
	if (greeted || next == MSG_S5_GREETING || next == MSG_S5_AUTH_REQUEST ||
	    next == MSG_S5_REQUEST)
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

/* The method the server chose, which `send` cannot follow. */
static int
cannot_speak(struct rsess *s)
{
	return rs_fail(EXIT_AUTH, "the server chose method 0x%02x %s, which send cannot speak; try raw",
		       s->method, rs_code_meaning(&names_s5_method, s->method));
}

/* The next step the flow expects of the client; EXIT_OK with *done when
   none is. */
static int
next_step(struct rsess *s, bool *done)
{
	bool owed;
	enum msg_type t = rs_client_owes(s, &owed);

	*done = false;
	if (!owed || s->conn.fd < 0) {
		*done = true;
		return flow_outcome(&s->fl)->result == FLOW_RES_OPAQUE ? cannot_speak(s) : EXIT_OK;
	}
	switch (t) {
	case MSG_S5_GREETING:
		return rs_greet(s);
	case MSG_S5_AUTH_REQUEST:
		return rs_auth(s);
	case MSG_S5_REQUEST:
	case MSG_S4_REQUEST:
		*done = true; /* BIND's second reply waits for another `send` */
		return rs_request(s);
	default:
		*done = true;
		return cannot_speak(s);
	}
}

int
rs_send(struct rsess *s)
{
	enum msg_type due;
	bool done = false, owed;
	int rc = EXIT_OK;

	if (s->conn.fd >= 0 && flow_phase(&s->fl) == FLOW_PH_BIND)
		return wait_bind(s);
	if (s->conn.fd >= 0 && flow_outcome(&s->fl)->result == FLOW_RES_GRANTED) {
		fprintf(s->out, "nothing left to send: the request was granted (`close` for a new connection)\n");
		return EXIT_OK;
	}
	if (s->conn.fd >= 0 && flow_outcome(&s->fl)->result == FLOW_RES_OPAQUE)
		return cannot_speak(s);
	if (s->conn.fd >= 0 && flow_phase(&s->fl) == FLOW_PH_END) {
		fprintf(s->out, "the session on this connection ended (%s): a new connection\n",
			flow_result_name(flow_outcome(&s->fl)->result));
		rs_close(s, false);
	}
	if ((rc = check_remaining(s)) != EXIT_OK)
		return rc;
	if (s->conn.fd < 0 && (rc = rs_open(s)) != EXIT_OK)
		return rc;
	if (rs_server_owes(s, &due)) {
		fprintf(s->out, "first, the %s still due:\n", rs_title_of(due));
		rc = rs_expect_reply(s, now_ms() + s->timeout_ms, "overdue", s->timeout_ms);
		if (rc != EXIT_OK || flow_phase(&s->fl) == FLOW_PH_BIND)
			return rc;
	}
	/* Each step moves the flow on; one that does not (a message it holds
	   incomplete) ends the walk. */
	for (int i = 0; i < RD_COUNT && rc == EXIT_OK && !done; i++) {
		enum msg_type before = rs_client_owes(s, &owed);

		rc = next_step(s, &done);
		if (s->conn.fd >= 0 && rs_client_owes(s, &owed) == before && owed)
			break;
	}
	return rc;
}
