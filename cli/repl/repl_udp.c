/*
 * `dgram HOST PORT DATA`: one datagram through a granted UDP ASSOCIATE,
 * composed from the udp draft (so FRAG and the rest can be set by hand),
 * and whatever comes back, decoded: every datagram that arrives within the
 * timeout and then a short settle window after the last one.  Datagrams
 * that arrived since the last `dgram` are shown first as such, so the
 * answers shown belong to the datagram just sent.
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
#include "term.h"

/* After an answer, how long to wait for another (a copy, a fragment, a
   second reply) before the answers are taken as complete. */
#define SETTLE_MS 200
/* At most this many datagrams are shown for one `dgram`, and at most this
   many stale ones; more are counted, not shown. */
#define SHOW_MAX 32
/* A relay that never stops sending: stale datagrams read at most. */
#define DRAIN_MAX 4096

static uint8_t dgram_buf[65536]; /* the datagram to send */
static uint8_t answer_buf[65536]; /* one that came back */

/* The relay: BND, or the proxy's own address when BND is all zeros. */
static int
relay_address(struct rsess *s, struct sockaddr_storage *ss, socklen_t *len)
{
	static const uint8_t zero[16];
	struct host *b = &s->bound;

	memset(ss, 0, sizeof(*ss));
	if (b->kind == HOST_NAME) {
		char name[HOST_MAX * 4 + 1];

		term_escape(name, sizeof(name), b->name, b->namelen);
		return rs_fail(EXIT_PROTOCOL, "the relay is given as a name (%s), which sockscope does not resolve",
			       name);
	}
	if (memcmp(b->addr, zero, b->kind == HOST_IPV4 ? 4 : 16) == 0) {
		*len = sizeof(*ss);
		if (getpeername(s->conn.fd, (struct sockaddr *)ss, len) < 0)
			return rs_fail(EXIT_PROTOCOL, "the relay: %s", strerror(errno));
		if (ss->ss_family == AF_INET)
			((struct sockaddr_in *)ss)->sin_port = htons(b->port);
		else
			((struct sockaddr_in6 *)ss)->sin6_port = htons(b->port);
		return EXIT_OK;
	}
	if (b->kind == HOST_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(b->port);
		memcpy(&sin->sin_addr, b->addr, 4);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(b->port);
		memcpy(&sin6->sin6_addr, b->addr, 16);
		*len = sizeof(*sin6);
	}
	return EXIT_OK;
}

static int
fill_draft(struct rsess *s, const struct host *to, const uint8_t *data, size_t len)
{
	struct draft *d = &s->d[RD_UDP];
	struct host h = *to;
	char why[400];
	int i;

	if (h.kind == HOST_NAME && !version_proxy_resolves(s->hops[s->nhops - 1].version) &&
	    net_resolve(&h, s->family, why, sizeof(why)) < 0)
		return rs_fail(EXIT_UNREACHABLE, "%s", why);
	if ((i = proto_field_index(d->desc, "DST.PORT")) >= 0 && !s->user_set[RD_UDP][i])
		draft_set_num(d, "DST.PORT", h.port);
	if ((i = proto_field_index(d->desc, "DST.ADDR")) >= 0 && !s->user_set[RD_UDP][i]) {
		if (h.kind == HOST_IPV4)
			draft_set_ipv4(d, "DST.ADDR", h.addr);
		else if (h.kind == HOST_IPV6)
			draft_set_ipv6(d, "DST.ADDR", h.addr);
		else
			draft_set_name(d, "DST.ADDR", h.name, h.namelen);
	}
	if ((i = proto_field_index(d->desc, "DATA")) >= 0 && !s->user_set[RD_UDP][i] &&
	    draft_set_bytes(d, "DATA", data, len) != PROTO_OK)
		return rs_fail(EXIT_USAGE, "dgram: DATA of %zu bytes is too long (at most %d)", len,
			       PROTO_MAX_BYTES);
	return EXIT_OK;
}

/* One datagram from the relay, decoded if it holds a SOCKS5 UDP header;
   true when it does. */
static bool
show_datagram(struct rsess *s, const uint8_t *p, size_t len)
{
	struct view_opts vo = s->vo;
	struct msg m;

	vo.dir = VIEW_DIR_RECEIVED;
	proto_decode(MSG_S5_UDP, p, len, NULL, &m);
	if (m.status == PROTO_OK) {
		hexview_print(s->out, &m, &vo);
		return true;
	}
	fprintf(s->out, "<- datagram of %zu byte%s, not a SOCKS5 UDP header\n", len, rs_plural(len));
	hexdump_print(s->out, p, len, 0, &vo);
	return false;
}

/* What came from the relay since the last `dgram`: shown as arrived
   earlier, so that it is not taken for the answer to the next one. */
static void
drain_stale(struct rsess *s)
{
	size_t n = 0;

	for (int i = 0; i < DRAIN_MAX; i++) {
		ssize_t got = recv(s->udp_fd, answer_buf, sizeof(answer_buf), MSG_DONTWAIT);

		if (got < 0) {
			if (errno == EINTR || errno == ECONNREFUSED)
				continue; /* a pending ICMP error of an earlier send */
			break;
		}
		n++;
		if (n <= SHOW_MAX) {
			fprintf(s->out, "arrived earlier, before this datagram was sent (%zu):\n", n);
			show_datagram(s, answer_buf, (size_t)got);
		}
	}
	if (n > SHOW_MAX)
		fprintf(s->out, "   (%zu more arrived earlier, not shown)\n", n - SHOW_MAX);
}

/*
 * The answers to the datagram just sent: the first within the timeout,
 * then every one that follows within SETTLE_MS of the one before (and
 * still within the timeout), each shown and numbered.
 */
static int
collect_answers(struct rsess *s, int64_t sent_ms)
{
	int64_t deadline = sent_ms + s->timeout_ms;
	size_t n = 0, good = 0, more = 0;

	for (;;) {
		int64_t until = n == 0 ? deadline : now_ms() + SETTLE_MS;
		ssize_t got;
		int w;

		if (until > deadline)
			until = deadline;
		rs_flush(s->out);
		w = rs_wait_readable(s->udp_fd, until);
		if (w == -2) {
			if (n == 0)
				return rs_fail(EXIT_TIMEOUT, "dgram: interrupted while waiting for an answer after %.1f s",
					       (double)(now_ms() - sent_ms) / 1000.0);
			fprintf(s->out, "   (interrupted while waiting for more)\n");
			break;
		}
		if (w == 0)
			break;
		if (w < 0)
			return rs_fail(EXIT_TUNNEL, "dgram: %s", strerror(errno));
		got = recv(s->udp_fd, answer_buf, sizeof(answer_buf), MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			if (n == 0)
				return rs_fail(EXIT_TUNNEL, "dgram: from the relay: %s",
					       errno == ECONNREFUSED ? "port unreachable" : strerror(errno));
			fprintf(s->out, "   (then from the relay: %s)\n",
				errno == ECONNREFUSED ? "port unreachable" : strerror(errno));
			break;
		}
		n++;
		if (n > SHOW_MAX) {
			more++;
			continue;
		}
		fprintf(s->out, "answer %zu, %lld ms after sending:\n", n,
			(long long)(now_ms() - sent_ms));
		if (show_datagram(s, answer_buf, (size_t)got))
			good++;
	}
	if (more > 0)
		fprintf(s->out, "   (%zu more came back, not shown)\n", more);
	if (n == 0)
		return rs_fail(EXIT_TIMEOUT, "dgram: no datagram came back within %g s",
			       s->timeout_ms / 1000.0);
	if (n > 1)
		fprintf(s->out, "%zu datagrams came back\n", n);
	if (good == 0)
		return rs_fail(EXIT_PROTOCOL, "dgram: what came back %s not a SOCKS5 UDP datagram",
			       n > 1 ? "was" : "is");
	return EXIT_OK;
}

int
rs_dgram(struct rsess *s, const struct host *to, const uint8_t *data, size_t len)
{
	struct sockaddr_storage relay;
	socklen_t relaylen;
	struct msg m;
	size_t n;
	int rc;

	if (!rs_socks5(s))
		return rs_fail(EXIT_USAGE, "dgram: SOCKS4 has no UDP ASSOCIATE");
	if (s->conn.fd < 0 || flow_phase(&s->fl) != FLOW_PH_UDP || !s->has_bound)
		return rs_fail(EXIT_USAGE, "dgram: no UDP association: `udp 0.0.0.0 0` first (a granted request with CMD udp)");
	if ((rc = fill_draft(s, to, data, len)) != EXIT_OK)
		return rc;
	if ((rc = relay_address(s, &relay, &relaylen)) != EXIT_OK)
		return rc;
	if (s->udp_fd < 0) {
		s->udp_fd = socket(relay.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (s->udp_fd < 0)
			return rs_fail(EXIT_UNREACHABLE, "dgram: socket: %s", strerror(errno));
		if (connect(s->udp_fd, (struct sockaddr *)&relay, relaylen) < 0) {
			rc = rs_fail(EXIT_UNREACHABLE, "dgram: cannot reach the relay: %s", strerror(errno));
			close(s->udp_fd);
			s->udp_fd = -1;
			return rc;
		}
	}
	s->vo.dir = VIEW_DIR_SENT;
	rc = rs_compose(s, RD_UDP, "now", dgram_buf, sizeof(dgram_buf), &n, &m);
	s->vo.dir = VIEW_DIR_AUTO;
	if (rc != EXIT_OK)
		return rc;
	drain_stale(s);
	if (send(s->udp_fd, dgram_buf, n, 0) < 0)
		return rs_fail(EXIT_TUNNEL, "dgram: sending to the relay: %s", strerror(errno));
	return collect_answers(s, now_ms());
}
