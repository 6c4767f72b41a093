/*
 * `dgram HOST PORT DATA`: one datagram through a granted UDP ASSOCIATE,
 * composed from the udp draft (so FRAG and the rest can be set by hand),
 * and whatever comes back within the timeout, decoded.
 */
#include "repl_session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

static uint8_t dgram_buf[65536];

/* The relay: BND, or the proxy's own address when BND is all zeros. */
static int
relay_address(struct rsess *s, struct sockaddr_storage *ss, socklen_t *len)
{
	static const uint8_t zero[16];
	struct host *b = &s->bound;

	memset(ss, 0, sizeof(*ss));
	if (b->kind == HOST_NAME)
		return rs_fail(EXIT_PROTOCOL, "the relay is given as a name (%s), which sockscope does not resolve",
			       b->name);
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

	if (h.kind == HOST_NAME && s->hops[s->nhops - 1].version == SOCKS5 &&
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

int
rs_dgram(struct rsess *s, const struct host *to, const uint8_t *data, size_t len)
{
	struct sockaddr_storage relay;
	socklen_t relaylen;
	struct view_opts vo = s->vo;
	struct msg m;
	size_t n;
	ssize_t got;
	int rc;

	if (!rs_socks5(s))
		return rs_fail(EXIT_USAGE, "dgram: SOCKS4 has no UDP ASSOCIATE");
	if (s->conn.fd < 0 || s->phase != PH_GRANTED || !s->has_cmd || s->cmd != 0x03 ||
	    !s->has_bound)
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
	vo.dir = VIEW_DIR_SENT;
	s->vo.dir = VIEW_DIR_SENT;
	rc = rs_compose(s, RD_UDP, "now", dgram_buf, sizeof(dgram_buf), &n, &m);
	s->vo.dir = VIEW_DIR_AUTO;
	if (rc != EXIT_OK)
		return rc;
	if (send(s->udp_fd, dgram_buf, n, 0) < 0)
		return rs_fail(EXIT_TUNNEL, "dgram: sending to the relay: %s", strerror(errno));
	fflush(s->out);
	{
		struct pollfd pfd = { .fd = s->udp_fd, .events = POLLIN };
		int64_t deadline = now_ms() + s->timeout_ms;

		for (;;) {
			int64_t left = deadline - now_ms();
			int w;

			if (left <= 0 || rs_interrupted)
				return rs_fail(EXIT_TIMEOUT, "dgram: no datagram came back within %g s",
					       s->timeout_ms / 1000.0);
			w = poll(&pfd, 1, (int)left);
			if (w > 0)
				break;
			if (w < 0 && errno != EINTR)
				return rs_fail(EXIT_TUNNEL, "dgram: %s", strerror(errno));
		}
	}
	got = recv(s->udp_fd, dgram_buf, sizeof(dgram_buf), 0);
	if (got < 0)
		return rs_fail(EXIT_TUNNEL, "dgram: from the relay: %s",
			       errno == ECONNREFUSED ? "port unreachable" : strerror(errno));
	vo.dir = VIEW_DIR_RECEIVED;
	proto_decode(MSG_S5_UDP, dgram_buf, (size_t)got, NULL, &m);
	if (m.status == PROTO_OK) {
		hexview_print(s->out, &m, &vo);
		return EXIT_OK;
	}
	fprintf(s->out, "<- datagram of %zd bytes, not a SOCKS5 UDP header\n", got);
	hexdump_print(s->out, dgram_buf, (size_t)got, 0, &vo);
	return EXIT_PROTOCOL;
}
