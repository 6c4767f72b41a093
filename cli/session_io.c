/*
 * Sending a message and reading a reply, for the client engine: one
 * bounded phase each, through the incremental decoder, so that bytes after
 * a reply stay in conn.in for the next hop or the tunnel; and the one place
 * that words a failure into s->error.
 */
#include "session_io.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "msgtext.h"
#include "net.h"
#include "term.h"

int
session_fail(struct session *s, int status, int hop, const char *fmt, ...)
{
	char msg[sizeof(s->error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->nhops > 1 && hop > 0) {
		char where[HOST_MAX + 16];

		host_format(&s->hops[hop - 1].host, where, sizeof(where));
		snprintf(s->error, sizeof(s->error), "hop %d (%s): %s", hop, where, msg);
	} else {
		snprintf(s->error, sizeof(s->error), "%s", msg);
	}
	return status;
}

void
session_say(const struct session *s, const char *fmt, ...)
{
	va_list ap;

	if (s->quiet)
		return;
	va_start(ap, fmt);
	term_vsay("sockscope", fmt, ap);
	va_end(ap);
}

int
session_send(struct session *s, int hop, enum msg_type type, const uint8_t *p, size_t len,
	 const char *phase, int64_t deadline)
{
	int rc;

	trace_message(s->trace, hop, type, p, len, NULL);
	rc = net_write_all(s->conn.fd, p, len, deadline);
	if (rc == -2 || rc == -3)
		return session_fail(s, EXIT_TIMEOUT, hop, "%s in the %s phase sending the %s",
			    rc == -3 ? "interrupted" : "timed out", phase, proto_msg_desc(type)->title);
	if (rc < 0)
		return session_fail(s, EXIT_PROTOCOL, hop, "cannot send the %s in the %s phase: %s",
			    proto_msg_desc(type)->title, phase, strerror(errno));
	return EXIT_OK;
}

/* The problem with m in words, with its title: "SOCKS5 reply truncated after ..." */
static void
describe(const struct msg *m, char *buf, size_t cap)
{
	char title[96], problem[300];

	msg_title(m, title, sizeof(title));
	msg_problem(m, problem, sizeof(problem));
	snprintf(buf, cap, "%s %s", title, problem);
}

/*
 * A flagged METHOD (one the greeting did not offer) ends the greeting with
 * an error that says so: a warning before it would say the same thing twice.
 */
static bool
is_fatal_anomaly(const struct msg *m, const struct field *f)
{
	return m->desc->type == MSG_S5_METHOD && strcmp(f->desc->name, "METHOD") == 0;
}

/*
 * Legal-but-wrong replies are what a diagnostic tool is for: they are said
 * on stderr whatever the verbosity, as warnings.
 */
static void
warn_anomalies(struct session *s, int hop, const struct msg *m)
{
	char title[96], value[64];

	if (m->anomalies == 0)
		return;
	msg_title(m, title, sizeof(title));
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];

		if ((f->flags & (FF_ANOMALY | FF_UNASSIGNED)) == 0)
			continue;
		if (f->len <= 2)
			snprintf(value, sizeof(value), " 0x%0*x", (int)f->len * 2, f->num);
		else
			value[0] = '\0';
		if (is_fatal_anomaly(m, f)) /* the trace note stays: -v and -j keep it */
			;
		else if (s->nhops > 1)
			session_say(s, "warning: hop %d: %s at offset %zu, %s%s: %s", hop, title, f->off,
				    f->desc->name, value, f->note != NULL ? f->note : "anomaly");
		else
			session_say(s, "warning: %s at offset %zu, %s%s: %s", title, f->off,
				    f->desc->name, value, f->note != NULL ? f->note : "anomaly");
		trace_note(s->trace, hop, "%s: %s%s: %s", title, f->desc->name, value,
			   f->note != NULL ? f->note : "anomaly");
	}
}

const char *
reply_code_name(const struct name_table *t, uint32_t code)
{
	const struct name_entry *e = names_find(t, code);

	return e != NULL ? e->name : "unassigned";
}

/*
 * A SOCKS5 reply whose REP refuses but whose ATYP is unknown: the refusal
 * is still clear (Tor answers refused RESOLVEs with ATYP 00).
 */
static bool
refusal_despite_atyp(const struct msg *m)
{
	const struct field *rep = msg_field(m, "REP");

	return m->status == PROTO_E_ATYP && m->desc->type == MSG_S5_REPLY && rep != NULL &&
	       rep->len == 1 && rep->num != 0;
}

/*
 * A SOCKS4 reply's VN should be 0; some servers say 4, which is tolerated
 * when CD is one of the four SOCKS4 reply codes.  VN 4 with any other CD
 * is not a reply at all: an echo of the request (04 01 ...) looks just so.
 */
static bool
not_a_socks4_reply(const struct msg *m)
{
	const struct field *vn, *cd;

	if (m->desc->type != MSG_S4_REPLY)
		return false;
	vn = msg_field(m, "VN");
	cd = msg_field(m, "CD");
	return vn != NULL && cd != NULL && vn->num != 0 && (cd->num < 0x5a || cd->num > 0x5d);
}

static int
not_a_socks4_reply_fail(struct session *s, int hop, const char *phase, const struct msg *m)
{
	const struct field *vn = msg_field(m, "VN"), *cd = msg_field(m, "CD");

	return session_fail(s, EXIT_PROTOCOL, hop,
			    "%s phase: SOCKS4 reply at offset %zu, CD 0x%02x: not a SOCKS4 reply code (0x5a-0x5d), and VN is 0x%02x, not 0: not a SOCKS4 reply%s",
			    phase, cd->off, cd->num, vn->num,
			    vn->num == 4 ? " (it starts as the request did: an echo?)" : "");
}

/*
 * "7 of 10 bytes (in BND.ADDR)": how far an incomplete message got, and the
 * codes that did arrive whole ("; it said REP 0x07 command not supported"):
 * a reply cut after its code still says what the server meant.
 */
static void
progress(const struct msg *m, size_t have, char *buf, size_t cap)
{
	const char *field = msg_stop_field(m);
	bool open_ended;
	size_t total = msg_known_total(m, &open_ended);
	int n = snprintf(buf, cap, "%zu of %s%zu bytes (in %s", have, open_ended ? "at least " : "",
			 total, field != NULL ? field : "?");
	const char *sep = "; it said ";

	for (size_t i = 0; i < m->nfields && n > 0 && (size_t)n < cap; i++) {
		const struct field *f = &m->fields[i];

		if (f->desc->names == NULL || (f->flags & FF_TRUNCATED) != 0 || f->len != 1 ||
		    strcmp(f->desc->name, "VER") == 0 || strcmp(f->desc->name, "VN") == 0)
			continue;
		n += snprintf(buf + n, cap - (size_t)n, "%s%s 0x%02x %s", sep, f->desc->name, f->num,
			      reply_code_name(f->desc->names, f->num));
		sep = ", ";
	}
	if (n > 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, ")");
}

/*
 * Nothing at all came back: "the server sent nothing", and for a command
 * many servers lack, the likely reason.
 */
static void
nothing_came(const struct session *s, int hop, const char *phase, char *buf, size_t cap)
{
	enum socks_command c = s->command;

	if (hop == s->nhops && strcmp(phase, "request") == 0 && c != COMMAND_CONNECT)
		snprintf(buf, cap, ": the server sent nothing (it may not support %s)",
			 socks_command_name(c));
	else
		snprintf(buf, cap, ": the server sent nothing");
}

/*
 * Reads until the decoder says the message is complete.  On EXIT_OK, m
 * describes the first m->len bytes of s->conn.in; the caller consumes them.
 */
int
session_read(struct session *s, int hop, enum msg_type type, const struct proto_ctx *ctx,
	 const char *phase, int64_t deadline, struct msg *m)
{
	struct conn *c = &s->conn;
	char what[400], nothing[80];

	for (;;) {
		ssize_t n;
		int w;

		proto_decode(type, c->in, c->have, ctx, m);
		if (m->status == PROTO_OK) {
			trace_message(s->trace, hop, type, c->in, m->len, ctx);
			if (not_a_socks4_reply(m))
				return not_a_socks4_reply_fail(s, hop, phase, m);
			warn_anomalies(s, hop, m);
			return EXIT_OK;
		}
		if (m->status < 0) {
			trace_message(s->trace, hop, type, c->in, c->have, ctx);
			describe(m, what, sizeof(what));
			if (refusal_despite_atyp(m)) {
				/* Tor refuses with ATYP 00: the code is what matters. */
				uint32_t code = msg_field(m, "REP")->num;

				session_say(s, "warning: %s", what);
				trace_note(s->trace, hop, "%s", what);
				/* The phase ended, refused, as a readable REP would end it.
				 * Every caller's deadline is its start plus s->timeout_ms. */
				trace_phase(s->trace, hop, phase, now_ms() - (deadline - s->timeout_ms),
					    false);
				return session_fail(s, EXIT_REFUSED, hop,
					    "%s phase: the server refused the request: REP 0x%02x %s (offset %zu; the rest of its reply was not read)",
					    phase, code, reply_code_name(&names_s5_reply, code),
					    msg_field(m, "REP")->off);
			}
			return session_fail(s, EXIT_PROTOCOL, hop, "%s phase: %s", phase, what);
		}
		if (c->have == sizeof(c->in))
			return session_fail(s, EXIT_PROTOCOL, hop, "%s longer than %zu bytes",
				    proto_msg_desc(type)->title, sizeof(c->in));
		w = net_wait(c->fd, POLLIN, deadline);
		if (w == 0 || w == -2) { /* -2: ^C in the REPL (net_stop) */
			char when[64];

			if (w == -2)
				snprintf(when, sizeof(when), "interrupted");
			else
				snprintf(when, sizeof(when), "timed out after %g s", s->timeout_ms / 1000.0);
			if (c->have > 0)
				trace_message(s->trace, hop, type, c->in, c->have, ctx);
			if (c->have == 0)
				return session_fail(s, EXIT_TIMEOUT, hop, "%s in the %s phase: no %s arrived",
					    when, phase, proto_msg_desc(type)->title);
			progress(m, c->have, what, sizeof(what));
			return session_fail(s, EXIT_TIMEOUT, hop, "%s in the %s phase: %s incomplete, %s",
				    when, phase, proto_msg_desc(type)->title, what);
		}
		n = w < 0 ? -1 : recv(c->fd, c->in + c->have, sizeof(c->in) - c->have, 0);
		if (n > 0) {
			c->have += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (c->have > 0)
			trace_message(s->trace, hop, type, c->in, c->have, ctx);
		int err = errno;

		progress(m, c->have, what, sizeof(what));
		nothing[0] = '\0';
		if (c->have == 0)
			nothing_came(s, hop, phase, nothing, sizeof(nothing));
		if (n == 0)
			return session_fail(s, EXIT_PROTOCOL, hop,
				    "%s phase: %s truncated: server closed after %s%s", phase,
				    proto_msg_desc(type)->title, what, nothing);
		return session_fail(s, EXIT_PROTOCOL, hop, "%s phase: %s: %s after %s%s", phase,
			    proto_msg_desc(type)->title,
			    err == ECONNRESET ? "connection reset by the server" : strerror(err),
			    what, nothing);
	}
}

void
session_consume(struct conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->have - n);
	c->have -= n;
}
