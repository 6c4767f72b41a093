/*
 * `raw` and `recv`: bytes sent as given, and whatever comes back.  Bytes
 * that are exactly one client message are shown and remembered as that
 * message, and its reply is read as a reply; anything else is a hex dump.
 * Apart from the steps because these follow the bytes, not the drafts.
 */
#include "repl_engine.h"

#include <errno.h>
#include <string.h>

#include "net.h"

/* The client message p[0..len) is, if it is exactly one. */
static bool
recognise_sent(struct rsess *s, const uint8_t *p, size_t len, struct msg *m)
{
	static const enum msg_type s5[] = { MSG_S5_GREETING, MSG_S5_AUTH_REQUEST, MSG_S5_REQUEST };
	static const enum msg_type s4[] = { MSG_S4_REQUEST };
	const enum msg_type *types = rs_socks5(s) ? s5 : s4;
	size_t n = rs_socks5(s) ? 3 : 1, first = 0;

	/* The message the phase expects next is tried first. */
	if (rs_socks5(s))
		first = s->phase == PH_METHOD && s->method == 0x02 ? 1
			: s->phase == PH_CONNECTED			 ? 0
									 : 2;
	for (size_t k = 0; k < n; k++) {
		enum msg_type t = types[(first + k) % n];

		proto_decode(t, p, len, NULL, m);
		if (m->status == PROTO_OK && m->len == len)
			return true;
	}
	return false;
}

static bool
reply_due(const struct rsess *s, enum msg_type *type)
{
	if (s->awaiting) {
		*type = s->expect;
		return true;
	}
	if (!rs_socks5(s)) {
		*type = MSG_S4_REPLY;
		return s->phase == PH_CONNECTED || s->phase == PH_BOUND;
	}
	switch (s->phase) {
	case PH_CONNECTED:
		*type = MSG_S5_METHOD;
		return true;
	case PH_METHOD:
		*type = s->method == 0x02 ? MSG_S5_AUTH_STATUS : MSG_S5_REPLY;
		return true;
	case PH_AUTHED:
	case PH_BOUND:
		*type = MSG_S5_REPLY;
		return true;
	default:
		return false;
	}
}

/* Bytes that are no message: read until quiet, then a hex dump. */
static int
show_plain(struct rsess *s, int64_t deadline, int quiet_ms, bool nothing_is_timeout, int wait_ms)
{
	bool eof = false;
	ssize_t n;
	int w;

	if (s->conn.have == 0) {
		w = rs_wait_readable(s->conn.fd, deadline);
		if (w == 1) {
			n = rs_read_some(s);
			eof = n == 0;
			if (n == -1) {
				rs_close(s, true);
				return rs_fail(EXIT_PROTOCOL, "reading: %s",
					       errno == ECONNRESET ? "connection reset by the server" : strerror(errno));
			}
		}
	}
	while (!eof && s->conn.have < sizeof(s->conn.in) && s->conn.have > 0) {
		w = rs_wait_readable(s->conn.fd, now_ms() + quiet_ms);
		if (w != 1)
			break;
		n = rs_read_some(s);
		if (n == 0)
			eof = true;
		else if (n < 0 && n != -4)
			break;
	}
	if (s->conn.have > 0) {
		fprintf(s->out, "<- %zu bytes\n", s->conn.have);
		hexdump_print(s->out, s->conn.in, s->conn.have, 0, &s->vo);
		rs_consume(&s->conn, s->conn.have);
	} else if (!eof) {
		if (nothing_is_timeout)
			return rs_fail(EXIT_TIMEOUT, "nothing came back within %g s", rs_secs(wait_ms));
		fprintf(s->out, "nothing received\n");
	}
	if (eof) {
		fprintf(s->out, "the server closed the connection\n");
		rs_close(s, true);
	}
	return EXIT_OK;
}

/* A reply of type if the bytes parse as one, else a hex dump. */
static int
show_typed(struct rsess *s, enum msg_type type, int64_t deadline, int wait_ms, bool quiet_ok,
	   const char *label)
{
	struct msg m;
	char what[400];
	int err;

	switch (rs_read_reply(s, type, deadline, &m, &err)) {
	case R_DONE:
		return rs_expect_reply(s, type, deadline, label, wait_ms);
	case R_BAD:
	case R_FULL:
		msg_problem(&m, what, sizeof(what));
		fprintf(s->out, "<- %zu bytes, not a %s (%s)\n", s->conn.have, rs_title_of(type), what);
		hexdump_print(s->out, s->conn.in, s->conn.have, 0, &s->vo);
		rs_consume(&s->conn, s->conn.have);
		s->awaiting = false;
		return EXIT_PROTOCOL;
	case R_TIMEOUT:
	case R_INTR:
		if (s->conn.have == 0 && quiet_ok) {
			fprintf(s->out, "nothing received\n");
			return EXIT_OK;
		}
		return rs_expect_reply(s, type, deadline, label, wait_ms);
	default:
		return rs_expect_reply(s, type, deadline, label, wait_ms);
	}
}

int
rs_raw(struct rsess *s, const uint8_t *p, size_t len)
{
	struct msg m;
	enum msg_type type;
	int64_t t0;
	int rc;

	if ((rc = rs_need_conn(s, "raw")) != EXIT_OK)
		return rc;
	if (recognise_sent(s, p, len, &m)) {
		hexview_print(s->out, &m, &s->vo);
		rs_remember_sent(s, &m);
		type = rs_reply_of[m.desc->type == MSG_S5_GREETING       ? RD_GREETING
				   : m.desc->type == MSG_S5_AUTH_REQUEST ? RD_AUTH
				   : m.desc->type == MSG_S5_REQUEST	 ? RD_S5REQ
									 : RD_S4REQ];
		s->awaiting = true;
		s->expect = type;
	} else {
		fprintf(s->out, "-> %zu bytes, as given\n", len);
		hexdump_print(s->out, p, len, 0, &s->vo);
	}
	t0 = now_ms();
	if ((rc = rs_send_bytes(s, p, len, "raw", t0 + s->timeout_ms)) != EXIT_OK)
		return rc;
	fflush(s->out);
	if (reply_due(s, &type))
		rc = show_typed(s, type, t0 + s->timeout_ms, s->timeout_ms, false, "raw");
	else
		rc = show_plain(s, t0 + s->timeout_ms, 300, true, s->timeout_ms);
	fflush(s->out);
	return rc;
}

int
rs_recv(struct rsess *s, int wait_ms)
{
	enum msg_type type;
	int rc;

	if ((rc = rs_need_conn(s, "recv")) != EXIT_OK)
		return rc;
	if (s->awaiting) {
		type = s->expect;
		rc = show_typed(s, type, now_ms() + wait_ms, wait_ms, wait_ms == 0, "recv");
	} else {
		rc = show_plain(s, now_ms() + wait_ms, 100, false, wait_ms);
	}
	fflush(s->out);
	return rc;
}
