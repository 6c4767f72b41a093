/*
 * The stepping engine: open a connection (through every hop but the last
 * of a chain), send one draft at a time exactly as composed, and read the
 * answer through the incremental decoder.  A reply moves the phase; bytes
 * after it stay in conn.in for `recv` and the tunnel.
 */
#include "repl_session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "trace.h"
#include "tunnel.h"

/* The socket of a running tunnel, for SIGINT to shut down. */
volatile sig_atomic_t rs_tunnel_fd = -1;



static uint8_t wire[RS_WIRE_MAX];

enum read_result { R_DONE, R_BAD, R_TIMEOUT, R_EOF, R_ERR, R_INTR, R_FULL };

static const enum msg_type reply_of[RD_COUNT] = {
	[RD_GREETING] = MSG_S5_METHOD,  [RD_AUTH] = MSG_S5_AUTH_STATUS,
	[RD_S5REQ] = MSG_S5_REPLY,      [RD_S4REQ] = MSG_S4_REPLY,
	[RD_UDP] = MSG_S5_UDP,
};

static const char *
title_of(enum msg_type t)
{
	return proto_msg_desc(t)->title;
}

static double
secs(int ms)
{
	return ms / 1000.0;
}

/* ------------------------------------------------------------ composing */

/* The hex of a message on one line; secrets masked as the views mask them. */
static void
print_hex_line(struct rsess *s, const struct msg *m, const uint8_t *p, size_t len)
{
	fprintf(s->out, "   hex   ");
	for (size_t i = 0; i < len; i++) {
		bool masked = false;

		for (size_t k = 0; k < m->nfields; k++) {
			const struct field *f = &m->fields[k];

			if (i >= f->off && i < f->off + f->len && field_masked(f, &s->vo))
				masked = true;
		}
		if (masked)
			fprintf(s->out, "%s**", i > 0 ? " " : "");
		else
			fprintf(s->out, "%s%02x", i > 0 ? " " : "", p[i]);
	}
	fputc('\n', s->out);
}

/*
 * Whether bytes p[0..len) are a well-formed message of their type, by the
 * one decoder: "" when they are, else the problem in words.
 */
static void
spec_problem(enum msg_type type, const uint8_t *p, size_t len, char *buf, size_t cap)
{
	struct msg dm;
	size_t off = 0;

	buf[0] = '\0';
	proto_decode(type, p, len, NULL, &dm);
	if (dm.status != PROTO_OK) {
		msg_problem(&dm, buf, cap);
		return;
	}
	if (dm.len < len) {
		snprintf(buf, cap, "%zu bytes follow the end of the message", len - dm.len);
		return;
	}
	for (size_t i = 0; i < dm.nfields && off < cap; i++) {
		const struct field *f = &dm.fields[i];
		int n;

		if (!(f->flags & (FF_ANOMALY | FF_BAD)))
			continue;
		n = snprintf(buf + off, cap - off, "%s%s: %s", off > 0 ? "; " : "", f->desc->name,
			     f->note != NULL ? f->note : "not as the spec says");
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

int
rs_compose(struct rsess *s, enum rs_draft rd, const char *when, uint8_t *out, size_t cap,
	   size_t *len, struct msg *m)
{
	const struct draft *d = &s->d[rd];
	struct proto_error err;
	char problem[400];

	if (proto_encode(d, out, cap, len, m, &err) != PROTO_OK) {
		const char *hint = "";

		if (err.field != NULL && strcmp(err.field, "PASSWD") == 0)
			hint = " (`set pass` asks for it without echo)";
		else if (err.field != NULL && strcmp(err.field, "UNAME") == 0)
			hint = " (`set user NAME`)";
		return rs_fail(EXIT_USAGE, "the %s cannot be encoded: %s: %s%s", d->desc->title,
			       err.field != NULL ? err.field : "?", err.why, hint);
	}
	hexview_print(s->out, m, &s->vo);
	if (when == NULL)
		print_hex_line(s, m, out, *len);
	spec_problem(d->desc->type, out, *len, problem, sizeof(problem));
	if (problem[0] != '\0')
		rs_warn("the %s breaks the spec: %s; it %s sent as composed", d->desc->title, problem,
			when == NULL ? "would be" : "is");
	return EXIT_OK;
}

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

/* ------------------------------------------------------------ reading */

static void
consume(struct conn *c, size_t n)
{
	if (n > c->have)
		n = c->have;
	memmove(c->in, c->in + n, c->have - n);
	c->have -= n;
}

/* 1 readable, 0 deadline passed, -1 poll failed, -2 interrupted. */
static int
wait_readable(int fd, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		int64_t left = deadline - now_ms();
		int rc;

		if (rs_interrupted)
			return -2;
		if (left <= 0)
			return 0;
		rc = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/* Reads once what the socket has: >0 bytes, 0 EOF, -1 error, -3 full. */
static ssize_t
read_some(struct rsess *s)
{
	struct conn *c = &s->conn;
	ssize_t n;

	if (c->have == sizeof(c->in))
		return -3;
	do
		n = recv(c->fd, c->in + c->have, sizeof(c->in) - c->have, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		c->have += (size_t)n;
		s->received += (uint64_t)n;
	}
	if (n < 0 && errno == EAGAIN)
		return -4;
	return n;
}

/* Reads until a message of type is complete or malformed, or it cannot be. */
static enum read_result
read_reply(struct rsess *s, enum msg_type type, int64_t deadline, struct msg *m, int *err)
{
	struct proto_ctx ctx = { s->offered, s->noffered };

	*err = 0;
	for (;;) {
		ssize_t n;
		int w;

		proto_decode(type, s->conn.in, s->conn.have, s->noffered > 0 ? &ctx : NULL, m);
		if (m->status == PROTO_OK)
			return R_DONE;
		if (m->status < 0)
			return R_BAD;
		w = wait_readable(s->conn.fd, deadline);
		if (w == 0)
			return R_TIMEOUT;
		if (w == -2)
			return R_INTR;
		if (w < 0) {
			*err = errno;
			return R_ERR;
		}
		n = read_some(s);
		if (n == 0)
			return R_EOF;
		if (n == -3)
			return R_FULL;
		if (n == -1) {
			*err = errno;
			return R_ERR;
		}
	}
}

static void
bound_from(struct rsess *s, const struct msg *m)
{
	const struct field *addr = msg_field(m, "BND.ADDR");
	const struct field *port = msg_field(m, "BND.PORT");
	struct host *h = &s->bound;

	if (addr == NULL) {
		addr = msg_field(m, "DSTIP");
		port = msg_field(m, "DSTPORT");
	}
	if (addr == NULL || port == NULL)
		return;
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
	s->has_bound = true;
}

static const char *
meaning(const struct name_table *t, uint32_t code)
{
	const struct name_entry *e = names_find(t, code);

	return e != NULL ? e->name : "unknown code";
}

static void
offered_text(const struct rsess *s, char *buf, size_t cap)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->noffered && off < cap; i++) {
		int n = snprintf(buf + off, cap - off, "%s%02x %s", i > 0 ? ", " : "", s->offered[i],
				 meaning(&names_s5_method, s->offered[i]));

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* What a complete reply means for the phase; returns the step's status. */
static int
absorb(struct rsess *s, const struct msg *m)
{
	char where[HOST_MAX + 16], list[400];
	uint32_t code;
	bool ok;

	switch (m->desc->type) {
	case MSG_S5_METHOD:
		code = msg_field(m, "METHOD")->num;
		s->method = code;
		s->has_method = true;
		s->phase = PH_METHOD;
		if (code == 0xff) {
			offered_text(s, list, sizeof(list));
			rs_close(s, true);
			return rs_fail(EXIT_AUTH,
				       "no acceptable method: the server accepts none of those offered (%s)",
				       list);
		}
		if (s->noffered > 0 && memchr(s->offered, (int)code, s->noffered) == NULL)
			return rs_fail(EXIT_PROTOCOL, "server chose method 0x%02x %s, which was not offered",
				       code, meaning(&names_s5_method, code));
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
				       meaning(m->desc->type == MSG_S5_REPLY ? &names_s5_reply
									     : &names_s4_reply,
					       code));
		}
		bound_from(s, m);
		host_format(&s->bound, where, sizeof(where));
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

/* "7 of 10 bytes (in BND.ADDR)" */
static void
progress(const struct msg *m, size_t have, char *buf, size_t cap)
{
	bool open_ended = false;
	size_t total = msg_known_total(m, &open_ended);
	const char *field = msg_stop_field(m);

	snprintf(buf, cap, "%zu of %s%zu bytes (in %s)", have, open_ended ? "at least " : "", total,
		 field != NULL ? field : "?");
}

static void
note_leftover(struct rsess *s)
{
	if (s->conn.have > 0)
		fprintf(s->out, "   (%zu more bytes arrived after it: `recv` shows them, the tunnel sends them first)\n",
			s->conn.have);
}

/*
 * Waits for a reply of type until deadline, shows it, and moves the phase.
 * A reply cut short by the deadline stays due: `recv` or `send` go on
 * reading it.
 */
static int
expect_reply(struct rsess *s, enum msg_type type, int64_t deadline, const char *phase, int wait_ms)
{
	struct msg m;
	char what[400], when[64];
	int err, rc;

	switch (read_reply(s, type, deadline, &m, &err)) {
	case R_DONE:
		hexview_print(s->out, &m, &s->vo);
		consume(&s->conn, m.len);
		s->awaiting = false;
		rc = absorb(s, &m);
		if (s->conn.fd >= 0)
			note_leftover(s);
		return rc;
	case R_BAD:
	case R_FULL:
		hexview_print(s->out, &m, &s->vo);
		s->awaiting = false;
		msg_problem(&m, what, sizeof(what));
		consume(&s->conn, s->conn.have);
		return rs_fail(EXIT_PROTOCOL, "%s %s", title_of(type),
			       what[0] != '\0' ? what : "longer than the buffer");
	case R_TIMEOUT:
	case R_INTR:
		s->awaiting = true;
		s->expect = type;
		if (rs_interrupted)
			snprintf(when, sizeof(when), "interrupted");
		else
			snprintf(when, sizeof(when), "timed out after %g s", secs(wait_ms));
		if (s->conn.have > 0) {
			hexview_print(s->out, &m, &s->vo);
			progress(&m, s->conn.have, what, sizeof(what));
			return rs_fail(EXIT_TIMEOUT, "%s in the %s phase: %s incomplete, %s; the connection stays open",
				       when, phase, title_of(type), what);
		}
		return rs_fail(EXIT_TIMEOUT, "%s in the %s phase: no %s arrived; the connection stays open (`recv` shows a late answer)",
			       when, phase, title_of(type));
	case R_EOF:
		if (s->conn.have > 0) {
			hexview_print(s->out, &m, &s->vo);
			progress(&m, s->conn.have, what, sizeof(what));
			rs_close(s, true);
			return rs_fail(EXIT_PROTOCOL, "%s truncated: server closed after %s",
				       title_of(type), what);
		}
		rs_close(s, true);
		return rs_fail(EXIT_PROTOCOL, "server closed the connection in the %s phase before sending the %s",
			       phase, title_of(type));
	case R_ERR:
	default:
		rs_close(s, true);
		return rs_fail(EXIT_PROTOCOL, "%s phase: %s", phase,
			       err == ECONNRESET ? "connection reset by the server" : strerror(err));
	}
}

/* ------------------------------------------------------------ the connection */

void
rs_close(struct rsess *s, bool say)
{
	if (s->conn.fd >= 0) {
		close(s->conn.fd);
		if (say)
			fprintf(s->out, "connection closed%s\n",
				s->conn.have > 0 ? " (unread bytes dropped)" : "");
	}
	if (s->udp_fd >= 0)
		close(s->udp_fd);
	s->udp_fd = -1;
	s->conn.fd = -1;
	s->conn.have = 0;
	s->phase = PH_CLOSED;
	s->awaiting = false;
}

static void
reset_connection_state(struct rsess *s)
{
	s->conn.have = 0;
	s->awaiting = false;
	s->has_method = false;
	s->noffered = 0;
	s->has_cmd = false;
	s->has_bound = false;
	s->sent = s->received = 0;
	for (int i = 0; i < TM_COUNT; i++)
		s->ms[i] = -1;
}

/* The hops before the last one, walked by the one-shot engine. */
static int
open_chain(struct rsess *s, int64_t t0)
{
	static struct session hs;
	static struct trace tr;
	int rc;

	memset(&hs, 0, sizeof(hs));
	memset(&tr, 0, sizeof(tr));
	tr.fp = s->out;
	tr.hex = true;
	tr.color = s->vo.color;
	tr.show_secrets = s->vo.show_secrets;
	tr.nhops = s->nhops;
	hs.nhops = s->nhops - 1;
	for (int i = 0; i < hs.nhops; i++) {
		hs.hops[i] = s->hops[i];
		if (!hs.hops[i].has_user && s->has_hop_cred) {
			const struct proxy *c = &s->hop_cred;

			memcpy(hs.hops[i].user, c->user, sizeof(c->user));
			hs.hops[i].userlen = c->userlen;
			hs.hops[i].has_user = true;
			memcpy(hs.hops[i].pass, c->pass, sizeof(c->pass));
			hs.hops[i].passlen = c->passlen;
			hs.hops[i].has_pass = c->has_pass;
		}
	}
	hs.target = s->hops[s->nhops - 1].host;
	hs.family = s->family;
	hs.timeout_ms = s->timeout_ms;
	hs.trace = &tr;
	hs.conn.fd = -1;
	hs.started_ms = t0;
	rc = session_plan(&hs);
	if (rc == EXIT_OK)
		rc = session_run(&hs);
	for (int i = 0; i < hs.nhops; i++)
		explicit_bzero(hs.hops[i].pass, sizeof(hs.hops[i].pass));
	trace_free(&tr);
	if (rc != EXIT_OK) {
		if (hs.conn.fd >= 0)
			close(hs.conn.fd);
		return rs_fail(rc, "%s", hs.error);
	}
	s->conn.fd = hs.conn.fd;
	s->conn.have = hs.conn.have;
	memcpy(s->conn.in, hs.conn.in, hs.conn.have);
	return EXIT_OK;
}

static void
sock_name(int fd, bool peer, char *buf, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[INET6_ADDRSTRLEN];

	snprintf(buf, cap, "?");
	if ((peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		  : getsockname(fd, (struct sockaddr *)&ss, &len)) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		snprintf(buf, cap, "%s:%u", addr, ntohs(sin->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		snprintf(buf, cap, "[%s]:%u", addr, ntohs(sin6->sin6_port));
	}
}

int
rs_open(struct rsess *s)
{
	char why[400], local[80], where[HOST_MAX + 16];
	int64_t t0 = now_ms();
	int timed_out, rc;

	if (s->nhops == 0)
		return rs_fail(EXIT_USAGE, "no proxy: `proxy URL` first (or -x URL on the command line)");
	if (s->conn.fd >= 0) {
		fprintf(s->out, "closing the open connection first\n");
		rs_close(s, false);
	}
	reset_connection_state(s);
	if (s->nhops > 1) {
		if ((rc = open_chain(s, t0)) != EXIT_OK)
			return rc;
	} else {
		s->conn.fd = net_connect(&s->hops[0].host, s->family, t0 + s->timeout_ms, &timed_out,
					 why, sizeof(why));
		if (s->conn.fd < 0)
			return rs_fail(timed_out ? EXIT_TIMEOUT : EXIT_UNREACHABLE, "%s", why);
	}
	s->opened_ms = now_ms();
	s->ms[TM_CONNECT] = s->opened_ms - t0;
	s->phase = PH_CONNECTED;
	sock_name(s->conn.fd, false, local, sizeof(local));
	host_format(&s->hops[s->nhops - 1].host, where, sizeof(where));
	fprintf(s->out, "connected to %s%s in %lld ms (from %s)\n", where,
		s->nhops > 1 ? " through the chain" : "", (long long)s->ms[TM_CONNECT], local);
	return EXIT_OK;
}

static int
need_conn(struct rsess *s, const char *what)
{
	if (s->conn.fd >= 0)
		return EXIT_OK;
	return rs_fail(EXIT_USAGE, "%s: not connected: `open` first, or `send` for every phase", what);
}

static int
send_bytes(struct rsess *s, const uint8_t *p, size_t len, const char *phase, int64_t deadline)
{
	int rc = net_write_all(s->conn.fd, p, len, deadline);

	if (rc == -2)
		return rs_fail(EXIT_TIMEOUT, "timed out in the %s phase sending %zu bytes", phase, len);
	if (rc < 0) {
		int e = errno;

		rs_close(s, true);
		return rs_fail(EXIT_PROTOCOL, "cannot send in the %s phase: %s", phase,
			       e == EPIPE || e == ECONNRESET ? "the server closed the connection"
							      : strerror(e));
	}
	s->sent += len;
	return EXIT_OK;
}

/* What a client message tells the decoder of its answer. */
static void
remember_sent(struct rsess *s, const struct msg *m)
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
	if ((rc = rs_compose(s, rd, "now", wire, sizeof(wire), &len, &m)) != EXIT_OK)
		return rc;
	remember_sent(s, &m);
	t0 = now_ms();
	rc = send_bytes(s, wire, len, phase, t0 + s->timeout_ms);
	explicit_bzero(wire, sizeof(wire));
	if (rc == EXIT_OK)
		rc = expect_reply(s, reply_of[rd], t0 + s->timeout_ms, phase, s->timeout_ms);
	s->ms[tm] = now_ms() - t0;
	fflush(s->out);
	return rc;
}

int
rs_greet(struct rsess *s)
{
	int rc;

	if (!rs_socks5(s))
		return rs_fail(EXIT_USAGE, "greet: SOCKS4 has no greeting; its request is the whole handshake (`request`)");
	if ((rc = need_conn(s, "greet")) != EXIT_OK)
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
	if ((rc = need_conn(s, "auth")) != EXIT_OK)
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

	if ((rc = need_conn(s, "request")) != EXIT_OK)
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
		secs(s->timeout_ms));
	fflush(s->out);
	rc = expect_reply(s, s->expect, t0 + s->timeout_ms, "bind", s->timeout_ms);
	s->ms[TM_BIND] = now_ms() - t0;
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
	if (s->conn.fd < 0 && (rc = rs_open(s)) != EXIT_OK)
		return rc;
	if (s->awaiting) {
		fprintf(s->out, "first, the %s still due:\n", title_of(s->expect));
		rc = expect_reply(s, s->expect, now_ms() + s->timeout_ms, "overdue", s->timeout_ms);
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
			       s->method, meaning(&names_s5_method, s->method));
	if (s->phase == PH_METHOD || s->phase == PH_AUTHED)
		rc = rs_request(s);
	return rc;
}

/* ------------------------------------------------------------ raw and recv */

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
		w = wait_readable(s->conn.fd, deadline);
		if (w == 1) {
			n = read_some(s);
			eof = n == 0;
			if (n == -1) {
				rs_close(s, true);
				return rs_fail(EXIT_PROTOCOL, "reading: %s",
					       errno == ECONNRESET ? "connection reset by the server" : strerror(errno));
			}
		}
	}
	while (!eof && s->conn.have < sizeof(s->conn.in) && s->conn.have > 0) {
		w = wait_readable(s->conn.fd, now_ms() + quiet_ms);
		if (w != 1)
			break;
		n = read_some(s);
		if (n == 0)
			eof = true;
		else if (n < 0 && n != -4)
			break;
	}
	if (s->conn.have > 0) {
		fprintf(s->out, "<- %zu bytes\n", s->conn.have);
		hexdump_print(s->out, s->conn.in, s->conn.have, 0, &s->vo);
		consume(&s->conn, s->conn.have);
	} else if (!eof) {
		if (nothing_is_timeout)
			return rs_fail(EXIT_TIMEOUT, "nothing came back within %g s", secs(wait_ms));
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

	switch (read_reply(s, type, deadline, &m, &err)) {
	case R_DONE:
		return expect_reply(s, type, deadline, label, wait_ms);
	case R_BAD:
	case R_FULL:
		msg_problem(&m, what, sizeof(what));
		fprintf(s->out, "<- %zu bytes, not a %s (%s)\n", s->conn.have, title_of(type), what);
		hexdump_print(s->out, s->conn.in, s->conn.have, 0, &s->vo);
		consume(&s->conn, s->conn.have);
		s->awaiting = false;
		return EXIT_PROTOCOL;
	case R_TIMEOUT:
	case R_INTR:
		if (s->conn.have == 0 && quiet_ok) {
			fprintf(s->out, "nothing received\n");
			return EXIT_OK;
		}
		return expect_reply(s, type, deadline, label, wait_ms);
	default:
		return expect_reply(s, type, deadline, label, wait_ms);
	}
}

int
rs_raw(struct rsess *s, const uint8_t *p, size_t len)
{
	struct msg m;
	enum msg_type type;
	int64_t t0;
	int rc;

	if ((rc = need_conn(s, "raw")) != EXIT_OK)
		return rc;
	if (recognise_sent(s, p, len, &m)) {
		hexview_print(s->out, &m, &s->vo);
		remember_sent(s, &m);
		type = reply_of[m.desc->type == MSG_S5_GREETING	     ? RD_GREETING
				: m.desc->type == MSG_S5_AUTH_REQUEST ? RD_AUTH
				: m.desc->type == MSG_S5_REQUEST      ? RD_S5REQ
								      : RD_S4REQ];
		s->awaiting = true;
		s->expect = type;
	} else {
		fprintf(s->out, "-> %zu bytes, as given\n", len);
		hexdump_print(s->out, p, len, 0, &s->vo);
	}
	t0 = now_ms();
	if ((rc = send_bytes(s, p, len, "raw", t0 + s->timeout_ms)) != EXIT_OK)
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

	if ((rc = need_conn(s, "recv")) != EXIT_OK)
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

/* ------------------------------------------------------------ tunnel, status */

int
rs_tunnel(struct rsess *s)
{
	struct tunnel_result r;
	int quit = s->quit_after_eof_ms, rc;

	if ((rc = need_conn(s, "tunnel")) != EXIT_OK)
		return rc;
	if (s->phase != PH_GRANTED)
		rs_warn("the request was not granted (phase: %s); relaying anyway", rs_phase_name(s->phase));
	if (quit < 0 && s->interactive)
		quit = 1000;
	memset(&r, 0, sizeof(r));
	fflush(s->out);
	if (s->interactive)
		fprintf(stderr, "tunnel: type to send, end with ^D (^C stops at once)\n");
	s->phase = PH_TUNNEL;
	rs_interrupted = 0;
	rs_tunnel_fd = s->conn.fd;
	rc = tunnel_run(s->conn.fd, s->conn.in, s->conn.have, STDIN_FILENO, STDOUT_FILENO, quit, &r);
	rs_tunnel_fd = -1;
	s->conn.have = 0;
	s->sent += r.up;
	s->received += r.down;
	if (rc != EXIT_OK && !rs_interrupted)
		rs_fail(rc, "%s", r.error);
	else
		rc = EXIT_OK;
	fprintf(stderr, "tunnel ended: %llu bytes sent, %llu bytes received\n",
		(unsigned long long)r.up, (unsigned long long)r.down);
	rs_close(s, false);
	clearerr(stdin);
	return rc;
}

static void
print_ms(FILE *fp, const char *name, int64_t ms, bool *first)
{
	if (ms < 0)
		return;
	fprintf(fp, "%s%s %lld ms", *first ? "" : ", ", name, (long long)ms);
	*first = false;
}

void
rs_status(struct rsess *s)
{
	char buf[HOST_MAX + 200], list[400];
	bool first = true;

	rs_proxy_text(s, buf, sizeof(buf));
	fprintf(s->out, "proxy     %s\n", buf);
	for (int i = 0; i + 1 < s->nhops; i++) {
		host_format(&s->hops[i].host, buf, sizeof(buf));
		fprintf(s->out, "  hop %d   %s://%s\n", i + 1, socks_version_scheme(s->hops[i].version), buf);
	}
	fprintf(s->out, "phase     %s\n", rs_phase_name(s->phase));
	if (s->has_target) {
		host_format(&s->target, buf, sizeof(buf));
		fprintf(s->out, "target    %s\n", buf);
	}
	if (s->conn.fd < 0)
		return;
	sock_name(s->conn.fd, false, buf, sizeof(buf));
	fprintf(s->out, "local     %s\n", buf);
	sock_name(s->conn.fd, true, buf, sizeof(buf));
	fprintf(s->out, "remote    %s\n", buf);
	if (s->noffered > 0) {
		offered_text(s, list, sizeof(list));
		fprintf(s->out, "offered   %s\n", list);
	}
	if (s->has_method)
		fprintf(s->out, "method    0x%02x %s\n", s->method, meaning(&names_s5_method, s->method));
	if (s->has_bound) {
		host_format(&s->bound, buf, sizeof(buf));
		fprintf(s->out, "bound     %s\n", buf);
	}
	if (s->awaiting)
		fprintf(s->out, "due       %s\n", title_of(s->expect));
	fprintf(s->out, "bytes     %llu sent, %llu received, %zu unread\n",
		(unsigned long long)s->sent, (unsigned long long)s->received, s->conn.have);
	fprintf(s->out, "time      ");
	print_ms(s->out, "connect", s->ms[TM_CONNECT], &first);
	print_ms(s->out, "greeting", s->ms[TM_GREETING], &first);
	print_ms(s->out, "auth", s->ms[TM_AUTH], &first);
	print_ms(s->out, "request", s->ms[TM_REQUEST], &first);
	print_ms(s->out, "bind", s->ms[TM_BIND], &first);
	fprintf(s->out, "; open %lld ms\n", (long long)(now_ms() - s->opened_ms));
}
