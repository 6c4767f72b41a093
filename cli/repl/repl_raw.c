/*
 * `raw` and `recv`: bytes sent as given, and whatever comes back.  `raw`
 * bytes are fed to the flow as the client's, so they are read as the
 * message the flow expects of the client next (after the method selection,
 * a request): a whole one is shown as the flow decodes it and its answer
 * read as the flow says is owed; part of one is said incomplete (shown
 * with what an earlier raw began) and answered by what comes back at once;
 * bytes the flow expects no message in, or that break the message it
 * expects, are a hex dump.  Apart from the steps because these follow the
 * bytes, not the drafts.
 */
#include "repl_engine.h"

#include <errno.h>
#include <string.h>

#include "net.h"

/* A `raw` send that ends in the middle of a message waits this long for
   an answer: the server cannot give one before the rest, but may close or
   complain at once. */
#define PARTIAL_WAIT_MS 500

/* The server's close (or reset) seen while reading: the flow says what it
   means. */
static int
server_closed(struct rsess *s, enum flow_close_kind how, const char *label)
{
	int rc;

	fprintf(s->out, "the server %s the connection\n", how == FLOW_RESET ? "reset" : "closed");
	flow_close(&s->fl, FLOW_SERVER, how);
	rc = rs_verdict(s, label, NULL);
	if (s->conn.fd >= 0)
		rs_close(s, true);
	return rc;
}

/* Reads until quiet (or full): false at the end of the stream. */
static bool
read_until_quiet(struct rsess *s, int64_t deadline, int quiet_ms, int *err)
{
	ssize_t n;

	*err = 0;
	if (s->conn.have == 0 && rs_wait_readable(s->conn.fd, deadline) == 1) {
		n = rs_read_some(s);
		if (n == 0)
			return false;
		if (n == -1) {
			*err = errno;
			return false;
		}
	}
	while (s->conn.have < sizeof(s->conn.in) && s->conn.have > 0) {
		if (rs_wait_readable(s->conn.fd, now_ms() + quiet_ms) != 1)
			break;
		n = rs_read_some(s);
		if (n == 0)
			return false;
		if (n < 0 && n != -4)
			break;
	}
	return true;
}

int
rs_show_plain(struct rsess *s, int64_t deadline, int quiet_ms, const char *label,
	      bool nothing_is_timeout, int wait_ms)
{
	int err, rc;
	bool open = read_until_quiet(s, deadline, quiet_ms, &err);

	if (s->conn.have > 0) {
		fprintf(s->out, "<- %zu byte%s\n", s->conn.have, rs_plural(s->conn.have));
		hexdump_print(s->out, s->conn.in, s->conn.have, 0, &s->vo);
		rs_take(s, s->conn.have);
		if ((rc = rs_verdict(s, label, NULL)) != EXIT_OK || s->conn.fd < 0)
			return rc;
	} else if (open) {
		if (nothing_is_timeout)
			return rs_fail(EXIT_TIMEOUT, "timed out after %g s in the %s phase: nothing came back; the connection stays open",
				       rs_secs(wait_ms), label);
		fprintf(s->out, "nothing received\n");
	}
	if (open)
		return EXIT_OK;
	if (err != 0 && err != ECONNRESET) {
		rs_close(s, true);
		return rs_fail(EXIT_PROTOCOL, "reading: %s", strerror(err));
	}
	return server_closed(s, err == ECONNRESET ? FLOW_RESET : FLOW_FIN, label);
}

/* The reply the server owes, as rs_expect_reply reads it; with quiet_ok,
   nothing at all by the deadline is no failure. */
static int
show_typed(struct rsess *s, int64_t deadline, int wait_ms, bool quiet_ok, const char *label)
{
	enum msg_type type;
	enum read_result r;
	struct msg m;
	int err;

	if (quiet_ok && rs_server_owes(s, &type)) {
		r = rs_read_reply(s, type, deadline, &m, &err);
		if ((r == R_TIMEOUT || r == R_INTR) && s->conn.have == 0) {
			fprintf(s->out, "nothing received\n");
			return EXIT_OK;
		}
	}
	return rs_expect_reply(s, deadline, label, wait_ms);
}

static void
note_earlier(struct rsess *s, size_t earlier)
{
	if (earlier > 0)
		fprintf(s->out, "   (its first %zu byte%s went out with an earlier raw)\n", earlier,
			rs_plural(earlier));
}

static void
show_as_given(struct rsess *s, const uint8_t *p, size_t len, const char *why)
{
	fprintf(s->out, "-> %zu byte%s, as given%s%s%s\n", len, rs_plural(len),
		why[0] != '\0' ? " (" : "", why, why[0] != '\0' ? ")" : "");
	/* The dump has no PASSWD field to mask: it is left out whole. */
	if (!s->vo.show_secrets && rs_bytes_hold_password(p, len))
		fprintf(s->out, "   (not shown: they hold a username/password request with its password; --show-secrets shows them)\n");
	else
		hexdump_print(s->out, p, len, 0, &s->vo);
}

/* Part of the message the flow expects: shown with what earlier raws
   began, kept to show with the next part. */
static void
show_partial(struct rsess *s, enum msg_type t, const uint8_t *p, size_t len)
{
	size_t earlier = s->npending;
	struct msg m;

	if (earlier + len > sizeof(s->pending)) {
		show_as_given(s, p, len, "");
		return;
	}
	memcpy(s->pending + earlier, p, len);
	s->npending += len;
	proto_decode(t, s->pending, s->npending, NULL, &m);
	hexview_print(s->out, &m, &s->vo);
	note_earlier(s, earlier);
	fprintf(s->out, "the %s is incomplete: the server cannot answer it before the rest (`raw` sends more)\n",
		rs_title_of(t));
}

enum raw_kind {
	RAW_WHOLE,   /* a message the flow expected, whole (shown as it decoded it) */
	RAW_PARTIAL, /* part of the message the flow expects */
	RAW_BYTES,   /* bytes the flow expects no message in, or that break it */
};

/* Feeds the bytes to the flow as the client's and shows what they were. */
static enum raw_kind
feed_and_show(struct rsess *s, const uint8_t *p, size_t len)
{
	const struct flow_outcome *o = flow_outcome(&s->fl);
	unsigned before = s->outcomes;
	size_t earlier = s->npending, proto;
	bool owed;
	enum msg_type t = rs_client_owes(s, &owed);
	char why[PROTO_WHY_MAX + 64] = "";

	s->client_message = false;
	proto = rs_flow_sent(s, p, len);
	if (s->client_message) {
		note_earlier(s, earlier);
		if (proto < len)
			fprintf(s->out, "   (%zu more byte%s after it: tunnel data)\n", len - proto,
				rs_plural(len - proto));
		explicit_bzero(s->pending, s->npending);
		s->npending = 0;
		return RAW_WHOLE;
	}
	if (owed && s->outcomes == before) {
		show_partial(s, t, p, len);
		return RAW_PARTIAL;
	}
	if (owed && o->result == FLOW_RES_VIOLATION && o->side == FLOW_CLIENT) {
		snprintf(why, sizeof(why), "not a %s: %s%sat stream offset %llu: %s", rs_title_of(t),
			 o->field != NULL ? o->field : "", o->field != NULL ? " " : "",
			 (unsigned long long)o->off, o->why);
		s->outcomes_said = s->outcomes; /* said here */
	}
	explicit_bzero(s->pending, s->npending);
	s->npending = 0;
	show_as_given(s, p, len, why);
	return RAW_BYTES;
}

int
rs_raw(struct rsess *s, const uint8_t *p, size_t len)
{
	enum msg_type type;
	enum raw_kind kind;
	int64_t t0;
	int rc, wait_ms;

	if ((rc = rs_need_conn(s, "raw")) != EXIT_OK)
		return rc;
	kind = feed_and_show(s, p, len);
	t0 = now_ms();
	if ((rc = rs_write_bytes(s, p, len, "raw", t0 + s->timeout_ms)) != EXIT_OK)
		return rc;
	rs_flush(s->out);
	/* Half a message: what comes back at once, not a wait for the answer. */
	wait_ms = kind == RAW_PARTIAL && s->timeout_ms > PARTIAL_WAIT_MS ? PARTIAL_WAIT_MS
									: s->timeout_ms;
	if (rs_server_owes(s, &type))
		rc = show_typed(s, t0 + wait_ms, wait_ms, kind == RAW_PARTIAL, "raw");
	else
		rc = rs_show_plain(s, t0 + wait_ms, 300, "raw", kind != RAW_PARTIAL, wait_ms);
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
	if (rs_server_owes(s, &type))
		rc = show_typed(s, now_ms() + wait_ms, wait_ms, wait_ms == 0, "recv");
	else
		rc = rs_show_plain(s, now_ms() + wait_ms, 100, "recv", false, wait_ms);
	rs_flush(s->out);
	return rc;
}
