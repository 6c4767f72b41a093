/*
 * Replies: one awaited until its deadline, shown in the hex view, and what
 * it means for the phase (the method chosen, authentication passed, the
 * request granted or refused, BIND's two replies).  Every step, `send`,
 * `raw` and `recv` read their answers through rs_expect_reply, so a reply
 * moves the phase the same way whichever command read it.
 */
#include "repl_engine.h"

#include "term.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/*
 * Where a granted reply says the server bound (BND.ADDR and BND.PORT, or
 * SOCKS4's DSTIP and DSTPORT), copied out of the reply: the fields point
 * into the connection's buffer, which the next read or consume moves.
 * False when the reply names no address.
 */
static bool
bound_read(const struct msg *m, struct host *h)
{
	const struct field *addr = msg_field(m, "BND.ADDR");
	const struct field *port = msg_field(m, "BND.PORT");

	if (addr == NULL) {
		addr = msg_field(m, "DSTIP");
		port = msg_field(m, "DSTPORT");
	}
	if (addr == NULL || port == NULL)
		return false;
	memset(h, 0, sizeof(*h));
	h->port = (uint16_t)port->num;
	if (addr->len == 4) {
		h->kind = HOST_IPV4;
		memcpy(h->addr, addr->bytes, 4);
		inet_ntop(AF_INET, h->addr, h->name, sizeof(h->name));
	} else if (addr->len == 16 && field_addr_form(m, addr) == ADDR_IPV6) {
		h->kind = HOST_IPV6;
		memcpy(h->addr, addr->bytes, 16);
		inet_ntop(AF_INET6, h->addr, h->name, sizeof(h->name));
	} else {
		size_t n = addr->len < HOST_MAX ? addr->len : HOST_MAX;

		h->kind = HOST_NAME;
		memcpy(h->name, addr->bytes, n);
		h->name[n] = '\0';
		h->namelen = n;
	}
	return true;
}


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

/* What a complete reply means for the phase; returns the step's status. */
static int
absorb(struct rsess *s, const struct msg *m, const struct host *bnd)
{
	char where[HOST_MAX * 4 + 16], list[400];
	uint32_t code;
	bool ok;

	switch (m->desc->type) {
	case MSG_S5_METHOD:
		code = msg_field(m, "METHOD")->num;
		s->method = code;
		s->has_method = true;
		s->phase = PH_METHOD;
		if (code == 0xff) {
			rs_offered_text(s, list, sizeof(list));
			rs_close(s, true);
			/* a raw greeting with no method in it, or one not yet whole */
			if (s->noffered == 0)
				return rs_fail(EXIT_AUTH, "no acceptable method: no method was offered");
			return rs_fail(EXIT_AUTH,
				       "no acceptable method: the server accepts none of those offered (%s)",
				       list);
		}
		if (s->noffered > 0 && memchr(s->offered, (int)code, s->noffered) == NULL)
			return rs_fail(EXIT_PROTOCOL, "server chose method 0x%02x %s, which was not offered",
				       code, rs_code_meaning(&names_s5_method, code));
		return EXIT_OK;
	case MSG_S5_AUTH_STATUS:
		code = msg_field(m, "STATUS")->num;
		if (code != 0) {
			rs_close(s, true);
			return rs_fail(EXIT_AUTH, "authentication failed: the server answered STATUS 0x%02x",
				       code);
		}
		s->phase = PH_AUTHED;
		return EXIT_OK;
	case MSG_S5_REPLY:
	case MSG_S4_REPLY:
		if (m->desc->type == MSG_S5_REPLY) {
			code = msg_field(m, "REP")->num;
			ok = code == 0;
		} else {
			code = msg_field(m, "CD")->num;
			ok = code == 0x5a;
		}
		if (!ok) {
			rs_close(s, true);
			return rs_fail(EXIT_REFUSED, "the server refused the request: %s 0x%02x %s",
				       m->desc->type == MSG_S5_REPLY ? "REP" : "CD", code,
				       rs_code_meaning(m->desc->type == MSG_S5_REPLY
							       ? &names_s5_reply
							       : &names_s4_reply,
						       code));
		}
		if (bnd != NULL) {
			s->bound = *bnd;
			s->has_bound = true;
		}
		term_host(&s->bound, where, sizeof(where));
		if (s->phase == PH_BOUND) {
			s->phase = PH_GRANTED;
			s->awaiting = false;
			fprintf(s->out, "BIND: the peer %s connected; the connection is a tunnel to it\n",
				where);
		} else if (s->has_cmd && s->cmd == 0x02) {
			s->phase = PH_BOUND;
			s->awaiting = true;
			s->expect = m->desc->type;
			fprintf(s->out,
				"BIND: the server listens on %s; `send` or `recv SECONDS` waits for the peer\n",
				where);
		} else {
			s->phase = PH_GRANTED;
			if (s->has_cmd && s->cmd == 0x03 && m->desc->type == MSG_S5_REPLY)
				fprintf(s->out, "UDP ASSOCIATE: the relay is %s (`dgram HOST PORT DATA`)\n",
					where);
		}
		return EXIT_OK;
	default:
		return EXIT_OK;
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

/*
 * Waits for a reply of type until deadline, shows it, and moves the phase.
 * A reply cut short by the deadline stays due: `recv` or `send` go on
 * reading it.
 */
int
rs_expect_reply(struct rsess *s, enum msg_type type, int64_t deadline, const char *phase,
		int wait_ms)
{
	struct host bnd;
	struct msg m;
	char what[400], when[64];
	bool has_bnd;
	int err, rc;

	switch (rs_read_reply(s, type, deadline, &m, &err)) {
	case R_DONE:
		hexview_print(s->out, &m, &s->vo);
		/* The address first: consuming moves the bytes m points into. */
		has_bnd = bound_read(&m, &bnd);
		rs_consume(&s->conn, m.len);
		s->awaiting = false;
		rc = absorb(s, &m, has_bnd ? &bnd : NULL);
		if (s->conn.fd >= 0)
			note_leftover(s);
		return rc;
	case R_BAD:
	case R_FULL:
		hexview_print(s->out, &m, &s->vo);
		s->awaiting = false;
		msg_problem(&m, what, sizeof(what));
		rs_consume(&s->conn, s->conn.have);
		return rs_fail(EXIT_PROTOCOL, "%s %s", rs_title_of(type),
			       what[0] != '\0' ? what : "longer than the buffer");
	case R_TIMEOUT:
	case R_INTR:
		s->awaiting = true;
		s->expect = type;
		if (rs_interrupted)
			snprintf(when, sizeof(when), "interrupted");
		else
			snprintf(when, sizeof(when), "timed out after %g s", rs_secs(wait_ms));
		if (s->conn.have > 0) {
			hexview_print(s->out, &m, &s->vo);
			rs_progress(&m, s->conn.have, what, sizeof(what));
			return rs_fail(EXIT_TIMEOUT, "%s in the %s phase: %s incomplete, %s; the connection stays open",
				       when, phase, rs_title_of(type), what);
		}
		return rs_fail(EXIT_TIMEOUT, "%s in the %s phase: no %s arrived; the connection stays open (`recv` shows a late answer)",
			       when, phase, rs_title_of(type));
	case R_EOF:
		if (s->conn.have > 0) {
			hexview_print(s->out, &m, &s->vo);
			rs_progress(&m, s->conn.have, what, sizeof(what));
			rs_close(s, true);
			return rs_fail(EXIT_PROTOCOL, "%s truncated: server closed after %s",
				       rs_title_of(type), what);
		}
		rs_close(s, true);
		return rs_fail(EXIT_PROTOCOL, "server closed the connection in the %s phase before sending the %s",
			       phase, rs_title_of(type));
	case R_ERR:
	default:
		rs_close(s, true);
		return rs_fail(EXIT_PROTOCOL, "%s phase: %s", phase,
			       err == ECONNRESET ? "connection reset by the server" : strerror(err));
	}
}
