/*
 * sockscope probe: a listener on loopback as the default CONNECT target of
 * servers on this host.  See probe_sink.h.
 */
#include "probe_sink.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A listener on the loopback address of family af; -1 when none can be had. */
static int
listen_loopback(int af, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		int one = 1;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, SOMAXCONN) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(af == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
				      ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

void
probe_sink_open(struct probe_sink *k)
{
	k->fd4 = listen_loopback(AF_INET, &k->port4);
	k->fd6 = listen_loopback(AF_INET6, &k->port6);
}

static bool
is_loopback(const struct host *h)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (h->kind == HOST_IPV4)
		return h->addr[0] == 127;
	if (h->kind == HOST_IPV6)
		return memcmp(h->addr, v6_loopback, 16) == 0 ||
		       (memcmp(h->addr, v4_mapped, 12) == 0 && h->addr[12] == 127);
	return false;
}

bool
probe_sink_target(const struct probe_sink *k, const struct host *server, struct host *target)
{
	bool v4 = server->kind == HOST_IPV4;

	if (!is_loopback(server) || (v4 ? k->fd4 : k->fd6) < 0)
		return false;
	memset(target, 0, sizeof(*target));
	target->kind = server->kind;
	target->port = v4 ? k->port4 : k->port6;
	if (v4) {
		static const uint8_t lo4[4] = { 127, 0, 0, 1 };

		memcpy(target->addr, lo4, 4);
		target->namelen = (size_t)snprintf(target->name, sizeof(target->name), "127.0.0.1");
	} else {
		target->addr[15] = 1;
		target->namelen = (size_t)snprintf(target->name, sizeof(target->name), "::1");
	}
	return true;
}

int
probe_sink_pollfds(const struct probe_sink *k, struct pollfd *pfd)
{
	int n = 0;

	if (k->fd4 >= 0)
		pfd[n++] = (struct pollfd){ .fd = k->fd4, .events = POLLIN };
	if (k->fd6 >= 0)
		pfd[n++] = (struct pollfd){ .fd = k->fd6, .events = POLLIN };
	return n;
}

void
probe_sink_drain(struct probe_sink *k, const struct pollfd *pfd)
{
	int *fd = pfd->fd == k->fd4 ? &k->fd4 : &k->fd6;

	if (pfd->revents == 0 || *fd != pfd->fd)
		return;
	for (;;) {
		int c = accept4(*fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c >= 0) {
			close(c); /* the proxy's connect succeeded: that was the test */
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			/* no descriptor to accept with (the limit lowered under us):
			   what waits would wake every poll, so the listener goes */
			close(*fd);
			*fd = -1;
		}
		return;
	}
}

void
probe_sink_close(struct probe_sink *k)
{
	if (k->fd4 >= 0)
		close(k->fd4);
	if (k->fd6 >= 0)
		close(k->fd6);
	k->fd4 = k->fd6 = -1;
}
