/*
 * The connection: opening it (straight to the proxy, or through every hop
 * but the last of a chain), writing bytes, reading them into conn.in until
 * a reply is whole, and closing it.  Here is all the engine's socket I/O
 * but the tunnel's and dgram's; what the bytes mean is the flow's
 * (repl_flow.c).
 */
#include "repl_engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "trace.h"
#include "traceshow.h"

/* ------------------------------------------------------------ reading */

void
rs_consume(struct conn *c, size_t n)
{
	if (n > c->have)
		n = c->have;
	memmove(c->in, c->in + n, c->have - n);
	c->have -= n;
}

/* 1 readable, 0 deadline passed, -1 poll failed, -2 interrupted. */
int
rs_wait_readable(int fd, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		int64_t left = deadline - now_ms();
		int rc;

		if (rs_interrupted)
			return -2;
		if (left <= 0)
			return 0;
		rc = net_poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left, net_stop);
		if (rc > 0)
			return 1;
		if (rc == -2)
			return -2;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/* Reads once what the socket has: >0 bytes, 0 EOF, -1 error, -3 full,
   -4 nothing yet. */
ssize_t
rs_read_some(struct rsess *s)
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
enum read_result
rs_read_reply(struct rsess *s, enum msg_type type, int64_t deadline, struct msg *m, int *err)
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
		w = rs_wait_readable(s->conn.fd, deadline);
		if (w == 0)
			return R_TIMEOUT;
		if (w == -2)
			return R_INTR;
		if (w < 0) {
			*err = errno;
			return R_ERR;
		}
		n = rs_read_some(s);
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
	explicit_bzero(s->pending, s->npending);
	s->npending = 0;
	s->in_tunnel = false;
	rs_flow_wipe(s);
}

static void
reset_connection_state(struct rsess *s)
{
	s->conn.have = 0;
	rs_flow_start(s);
	s->has_method = false;
	s->noffered = 0;
	s->has_bound = false;
	s->sent = s->received = 0;
	for (int i = 0; i < TM_COUNT; i++)
		s->us[i] = -1;
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
	tr.render = trace_render_view;
	tr.hex = true;
	tr.color = s->vo.color;
	tr.show_secrets = s->vo.show_secrets;
	tr.nhops = s->nhops;
	hs.nhops = s->nhops - 1;
	for (int i = 0; i < hs.nhops; i++) {
		hs.hops[i] = s->hops[i];
		if (!hs.hops[i].cred.has_user && s->has_hop_cred)
			hs.hops[i].cred = s->hop_cred;
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
		explicit_bzero(hs.hops[i].cred.pass, sizeof(hs.hops[i].cred.pass));
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

void
rs_sock_name(int fd, bool peer, char *buf, size_t cap)
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

	s->begun_us = now_us();
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
		/* Interrupted (timed_out 2): the status of the other interrupted waits. */
		if (s->conn.fd < 0)
			return rs_fail(timed_out ? EXIT_TIMEOUT : EXIT_UNREACHABLE, "%s", why);
	}
	s->opened_ms = now_ms();
	s->us[TM_CONNECT] = now_us() - s->begun_us;
	s->at_us[TM_CONNECT] = 0;
	rs_sock_name(s->conn.fd, false, local, sizeof(local));
	host_format(&s->hops[s->nhops - 1].host, where, sizeof(where));
	fprintf(s->out, "connected to %s%s in %.3f ms (from %s)\n", where,
		s->nhops > 1 ? " through the chain" : "", (double)s->us[TM_CONNECT] / 1000.0, local);
	return EXIT_OK;
}

int
rs_need_conn(struct rsess *s, const char *what)
{
	if (s->conn.fd >= 0)
		return EXIT_OK;
	return rs_fail(EXIT_USAGE, "%s: not connected: `open` first, or `send` for every phase", what);
}

int
rs_send_bytes(struct rsess *s, const uint8_t *p, size_t len, const char *phase,
	      int64_t deadline)
{
	/* The flow follows what goes out as it is about to go. */
	rs_flow_sent(s, p, len);
	return rs_write_bytes(s, p, len, phase, deadline);
}

int
rs_write_bytes(struct rsess *s, const uint8_t *p, size_t len, const char *phase,
	       int64_t deadline)
{
	int rc = net_write_all(s->conn.fd, p, len, deadline);

	if (rc == -2 || rc == -3)
		return rs_fail(EXIT_TIMEOUT, "%s in the %s phase sending %zu byte%s",
			       rc == -3 ? "interrupted" : "timed out", phase, len, rs_plural(len));
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
