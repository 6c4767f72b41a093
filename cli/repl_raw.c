/*
 * `raw` and `recv`: bytes sent as given, and whatever comes back.  `raw`
 * bytes are read as the client message the phase expects (after the method
 * selection, a request): a whole one is shown and remembered as that
 * message and its reply read as a reply; part of one is said incomplete,
 * kept for the next `raw` to go on from, and answered by what comes back
 * at once; another whole client message is shown as such; anything else
 * is a hex dump.  Apart from the steps because these follow the bytes, not
 * the drafts.
 */
#include "repl_engine.h"

#include <errno.h>
#include <string.h>

#include "net.h"

/* A `raw` send that ends in the middle of a message waits this long for
   an answer: the server cannot give one before the rest, but may close or
   complain at once. */
#define PARTIAL_WAIT_MS 500

/*
 * The client message the phase expects next: before the method is chosen
 * SOCKS5's greeting, under 02 the RFC 1929 request, then the request
 * (SOCKS4: the request until it is answered).  False after the request
 * (tunnel data) or under a method the REPL does not speak.
 */
static bool
phase_message(const struct rsess *s, enum msg_type *t)
{
	if (!rs_socks5(s)) {
		*t = MSG_S4_REQUEST;
		return s->phase == PH_CONNECTED;
	}
	switch (s->phase) {
	case PH_CONNECTED:
		*t = MSG_S5_GREETING;
		return true;
	case PH_METHOD:
		*t = s->method == 0x02 ? MSG_S5_AUTH_REQUEST : MSG_S5_REQUEST;
		return s->method == 0x00 || s->method == 0x02;
	case PH_AUTHED:
		*t = MSG_S5_REQUEST;
		return true;
	default:
		return false;
	}
}

/* Another whole client message than the phase's: a greeting sent again, an
   auth request out of turn (it must still be recognised to be masked). */
static bool
other_message(const struct rsess *s, enum msg_type skip, const uint8_t *p, size_t len,
	      struct msg *m)
{
	static const enum msg_type s5[] = { MSG_S5_GREETING, MSG_S5_AUTH_REQUEST, MSG_S5_REQUEST };
	static const enum msg_type s4[] = { MSG_S4_REQUEST };
	const enum msg_type *types = rs_socks5(s) ? s5 : s4;
	size_t n = rs_socks5(s) ? 3 : 1;

	for (size_t k = 0; k < n; k++) {
		if (types[k] == skip)
			continue;
		proto_decode(types[k], p, len, NULL, m);
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
		fprintf(s->out, "<- %zu byte%s\n", s->conn.have, rs_plural(s->conn.have));
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
		fprintf(s->out, "<- %zu byte%s, not a %s (%s)\n", s->conn.have,
			rs_plural(s->conn.have), rs_title_of(type), what);
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

enum raw_kind {
	RAW_WHOLE,   /* the phase's message, whole (with what an earlier raw began) */
	RAW_PARTIAL, /* the phase's message, not yet whole */
	RAW_OTHER,   /* another client message, whole */
	RAW_BYTES,   /* none: bytes as given */
};

/*
 * What the bytes of a `raw` send are, read as the phase's message: the
 * bytes an earlier raw left pending come first.  *m is the decoded
 * message (of the pending bytes and these) for WHOLE, PARTIAL and OTHER;
 * why[] says, for BYTES, why they are not the phase's message.
 */
static enum raw_kind
classify(struct rsess *s, const uint8_t *p, size_t len, struct msg *m, char *why, size_t cap)
{
	enum msg_type t = MSG_TYPE_COUNT;
	bool typed = phase_message(s, &t);
	size_t n;

	why[0] = '\0';
	if (!typed || s->pending_type != t || s->npending + len > sizeof(s->pending)) {
		explicit_bzero(s->pending, s->npending);
		s->npending = 0;
	}
	if (typed && len > sizeof(s->pending)) {
		snprintf(why, cap, "longer than any %s", rs_title_of(t));
	} else if (typed) {
		n = s->npending + len;
		memcpy(s->pending + s->npending, p, len);
		proto_decode(t, s->pending, n, NULL, m);
		if (m->status == PROTO_OK && m->len == n)
			return RAW_WHOLE;
		if (m->status == PROTO_NEED_MORE)
			return RAW_PARTIAL;
		if (m->status == PROTO_OK)
			snprintf(why, cap, "%zu byte%s follow the end of the %s", n - m->len,
				 rs_plural(n - m->len), rs_title_of(t));
		else
			msg_problem(m, why, cap);
		/* The message cannot be whole any more: nothing to go on from. */
		explicit_bzero(s->pending, n);
		s->npending = 0;
	}
	if (other_message(s, t, p, len, m))
		return RAW_OTHER;
	return RAW_BYTES;
}

static void
note_earlier(struct rsess *s, size_t earlier)
{
	if (earlier > 0)
		fprintf(s->out, "   (its first %zu byte%s went out with an earlier raw)\n", earlier,
			rs_plural(earlier));
}

/* Shows what is about to go out; returns the kind. */
static enum raw_kind
show_sent(struct rsess *s, const uint8_t *p, size_t len, struct msg *m)
{
	char why[400];
	enum raw_kind kind = classify(s, p, len, m, why, sizeof(why));
	size_t earlier = s->npending;

	switch (kind) {
	case RAW_WHOLE:
	case RAW_OTHER:
		hexview_print(s->out, m, &s->vo);
		if (kind == RAW_WHOLE)
			note_earlier(s, earlier);
		rs_remember_sent(s, m);
		s->awaiting = true;
		s->expect = rs_reply_of[m->desc->type == MSG_S5_GREETING       ? RD_GREETING
					: m->desc->type == MSG_S5_AUTH_REQUEST ? RD_AUTH
					: m->desc->type == MSG_S5_REQUEST      ? RD_S5REQ
									       : RD_S4REQ];
		if (kind == RAW_WHOLE)
			explicit_bzero(s->pending, earlier + len);
		s->npending = 0;
		break;
	case RAW_PARTIAL:
		hexview_print(s->out, m, &s->vo);
		note_earlier(s, earlier);
		fprintf(s->out, "the %s is incomplete: the server cannot answer it before the rest (`raw` sends more)\n",
			rs_title_of(m->desc->type));
		s->pending_type = m->desc->type;
		s->npending += len;
		break;
	case RAW_BYTES:
		fprintf(s->out, "-> %zu byte%s, as given%s%s%s\n", len, rs_plural(len),
			why[0] != '\0' ? " (" : "", why, why[0] != '\0' ? ")" : "");
		/* The dump has no PASSWD field to mask: it is left out whole. */
		if (!s->vo.show_secrets && rs_bytes_hold_password(p, len))
			fprintf(s->out, "   (not shown: they hold a username/password request with its password; --show-secrets shows them)\n");
		else
			hexdump_print(s->out, p, len, 0, &s->vo);
		break;
	}
	return kind;
}

int
rs_raw(struct rsess *s, const uint8_t *p, size_t len)
{
	enum msg_type type;
	enum raw_kind kind;
	struct msg m;
	int64_t t0;
	int rc, wait_ms;

	if ((rc = rs_need_conn(s, "raw")) != EXIT_OK)
		return rc;
	kind = show_sent(s, p, len, &m);
	t0 = now_ms();
	if ((rc = rs_send_bytes(s, p, len, "raw", t0 + s->timeout_ms)) != EXIT_OK)
		return rc;
	rs_flush(s->out);
	/* Half a message: what comes back at once, not a wait for the answer. */
	wait_ms = kind == RAW_PARTIAL && s->timeout_ms > PARTIAL_WAIT_MS ? PARTIAL_WAIT_MS
									: s->timeout_ms;
	if (reply_due(s, &type))
		rc = show_typed(s, type, t0 + wait_ms, wait_ms, kind == RAW_PARTIAL, "raw");
	else
		rc = show_plain(s, t0 + wait_ms, 300, kind != RAW_PARTIAL, wait_ms);
	rs_flush(s->out);
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
	rs_flush(s->out);
	return rc;
}
