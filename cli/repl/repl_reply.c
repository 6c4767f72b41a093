/*
 * Replies: the one the flow says the server owes, awaited until its
 * deadline and fed to the flow, which shows it and says what it means
 * (repl_flow.c).  Every step, `send`, `raw` and `recv` read their answers
 * through rs_expect_reply, so a reply moves the session the same way
 * whichever command read it.
 */
#include "repl_engine.h"

#include <errno.h>
#include <string.h>

#include "net.h"

const char *
rs_code_meaning(const struct name_table *t, uint32_t code)
{
	const struct name_entry *e = names_find(t, code);

	return e != NULL ? e->name : "unknown code";
}

void
rs_offered_text(const struct rsess *s, char *buf, size_t cap)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->noffered && off < cap; i++) {
		int n = snprintf(buf + off, cap - off, "%s%02x %s", i > 0 ? ", " : "", s->offered[i],
				 rs_code_meaning(&names_s5_method, s->offered[i]));

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

void
rs_progress(const struct msg *m, size_t have, char *buf, size_t cap)
{
	bool open_ended = false;
	size_t total = msg_known_total(m, &open_ended);
	const char *field = msg_stop_field(m);

	snprintf(buf, cap, "%zu of %s%zu byte%s (in %s)", have, open_ended ? "at least " : "",
		 total, rs_plural(total), field != NULL ? field : "?");
}

static void
note_leftover(struct rsess *s)
{
	if (s->conn.have > 0)
		fprintf(s->out, "   (%zu more byte%s arrived after it: `recv` shows them, the tunnel sends them first)\n",
			s->conn.have, rs_plural(s->conn.have));
}

/* After a violation, what else the server sends within this long is read
   as evidence for the flow's hint (a banner's rest, an HTTP response). */
#define EVIDENCE_QUIET_MS 200

/*
 * After a violation by the server, the bytes read after it, and what else
 * comes at once, are shown and fed too: the flow's hint may need them (an
 * echo is only known by the whole greeting coming back, a SOCKS4 answer by
 * its second byte).  A close then is fed as well.
 */
static void
feed_rest_after_violation(struct rsess *s, int64_t deadline)
{
	const struct flow_outcome *o = flow_outcome(&s->fl);
	bool eof = false;
	ssize_t n;

	if (s->outcomes == s->outcomes_said || o->result != FLOW_RES_VIOLATION ||
	    o->side != FLOW_SERVER)
		return;
	while (!s->has_hint && s->conn.have < sizeof(s->conn.in)) {
		int64_t until = now_ms() + EVIDENCE_QUIET_MS;

		if (rs_wait_readable(s->conn.fd, until < deadline ? until : deadline) != 1)
			break;
		if ((n = rs_read_some(s)) == 0)
			eof = true;
		if (n <= 0 && n != -4)
			break;
	}
	if (s->conn.have > 0) {
		fprintf(s->out, "<- %zu more byte%s after it\n", s->conn.have,
			rs_plural(s->conn.have));
		hexdump_print(s->out, s->conn.in, s->conn.have, 0, &s->vo);
		rs_take(s, s->conn.have);
	}
	if (eof)
		flow_close(&s->fl, FLOW_SERVER, FLOW_FIN);
}

/*
 * Waits until deadline for the reply the server owes, feeds it to the flow
 * (which shows it), and says what the flow made of it.  A reply cut short
 * by the deadline stays due: `recv` or `send` go on reading it.
 */
int
rs_expect_reply(struct rsess *s, int64_t deadline, const char *phase, int wait_ms)
{
	struct view_opts vo = rs_server_view(s);
	enum msg_type type;
	struct msg m;
	char what[400], when[64];
	int err, rc;

	if (!rs_server_owes(s, &type))
		return EXIT_OK;
	switch (rs_read_reply(s, type, deadline, &m, &err)) {
	case R_DONE:
		rs_take(s, m.len);
		feed_rest_after_violation(s, deadline);
		rc = rs_verdict(s, phase, rs_title_of(type));
		if (s->conn.fd >= 0)
			note_leftover(s);
		return rc;
	case R_BAD:
	case R_FULL:
		/* Shown as far as it decodes; what it means is the flow's. */
		hexview_print(s->out, &m, &vo);
		rs_take(s, s->conn.have);
		feed_rest_after_violation(s, deadline);
		return rs_verdict(s, phase, rs_title_of(type));
	case R_TIMEOUT:
	case R_INTR:
		if (rs_interrupted)
			snprintf(when, sizeof(when), "interrupted");
		else
			snprintf(when, sizeof(when), "timed out after %g s", rs_secs(wait_ms));
		if (s->conn.have > 0) {
			hexview_print(s->out, &m, &vo);
			rs_progress(&m, s->conn.have, what, sizeof(what));
			return rs_fail(EXIT_TIMEOUT, "%s in the %s phase: %s incomplete, %s; the connection stays open",
				       when, phase, rs_title_of(type), what);
		}
		return rs_fail(EXIT_TIMEOUT, "%s in the %s phase: no %s arrived; the connection stays open (`recv` shows a late answer)",
			       when, phase, rs_title_of(type));
	case R_EOF:
		if (s->conn.have > 0)
			hexview_print(s->out, &m, &vo);
		rs_take(s, s->conn.have);
		flow_close(&s->fl, FLOW_SERVER, FLOW_FIN);
		rc = rs_verdict(s, phase, rs_title_of(type));
		if (s->conn.fd >= 0) {
			fprintf(s->out, "the server closed the connection\n");
			rs_close(s, true);
		}
		return rc;
	case R_ERR:
	default:
		if (err == ECONNRESET) {
			rs_take(s, s->conn.have);
			flow_close(&s->fl, FLOW_SERVER, FLOW_RESET);
			if ((rc = rs_verdict(s, phase, rs_title_of(type))) != EXIT_OK)
				return rc;
		}
		rs_close(s, true);
		return rs_fail(EXIT_PROTOCOL, "%s phase: %s", phase,
			       err == ECONNRESET ? "connection reset by the server" : strerror(err));
	}
}
