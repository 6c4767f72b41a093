/* Sockets with deadlines. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t *net_stop;

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
net_resolve(struct host *h, int family, char *why, size_t whylen)
{
	struct addrinfo hints, *res, *ai;
	int rc;

	if (h->kind != HOST_NAME)
		return 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(h->name, NULL, &hints, &res);
	if (rc != 0) {
		snprintf(why, whylen, "cannot resolve '%s': %s", h->name, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			memcpy(h->addr, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
			h->kind = HOST_IPV4;
			break;
		}
		if (ai->ai_family == AF_INET6) {
			memcpy(h->addr, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
			h->kind = HOST_IPV6;
			break;
		}
	}
	freeaddrinfo(res);
	if (h->kind == HOST_NAME) {
		snprintf(why, whylen, "cannot resolve '%s': no usable address", h->name);
		return -1;
	}
	return 0;
}

/*
 * Dotted quad by hand: glibc's inet_ntop formats IPv4 with sprintf, and a
 * silent tunnel that never prints would map printf's code for this alone
 * (a peak RSS about 100 KiB higher, measured by tests/bench).
 */
static void
ipv4_string(const uint8_t a[4], char *out, size_t outlen)
{
	char text[16], *p = text;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
	if (outlen > 0) {
		size_t n = strlen(text) < outlen ? strlen(text) : outlen - 1;

		memcpy(out, text, n);
		out[n] = '\0';
	}
}

void
net_addr_string(const struct host *h, char *out, size_t outlen)
{
	if (h->kind == HOST_IPV4)
		ipv4_string(h->addr, out, outlen);
	else if (h->kind == HOST_IPV6)
		inet_ntop(AF_INET6, h->addr, out, (socklen_t)outlen);
	else
		snprintf(out, outlen, "%s", h->name);
}

int
net_poll(struct pollfd *pfd, nfds_t n, int timeout_ms, volatile sig_atomic_t *stop)
{
	sigset_t intr, old, during;
	struct timespec ts, *tsp = NULL;
	int rc, err;

	if (stop == NULL)
		return poll(pfd, n, timeout_ms);
	/* SIGINT, and the others one-shot -j catches to end in order. */
	sigemptyset(&intr);
	sigaddset(&intr, SIGINT);
	sigaddset(&intr, SIGTERM);
	sigaddset(&intr, SIGHUP);
	sigaddset(&intr, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &intr, &old) < 0)
		return -1;
	if (*stop) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -2;
	}
	during = old;
	sigdelset(&during, SIGINT);
	sigdelset(&during, SIGTERM);
	sigdelset(&during, SIGHUP);
	sigdelset(&during, SIGQUIT);
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	rc = ppoll(pfd, n, tsp, &during);
	err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return rc;
}

int
net_wait(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		int left = -1, rc;

		if (deadline >= 0) {
			int64_t d = deadline - now_ms();

			if (d <= 0)
				return 0;
			left = d > 1000000 ? 1000000 : (int)d;
		}
		rc = net_poll(&pfd, 1, left, net_stop);
		if (rc > 0)
			return 1;
		if (rc == -2)
			return -2;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

static int
connect_one(const struct sockaddr *sa, socklen_t salen, int64_t deadline, int *timed_out)
{
	int fd, err = 0, one = 1;
	socklen_t errlen = sizeof(err);

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, sa, salen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		switch (net_wait(fd, POLLOUT, deadline)) {
		case 0:
			*timed_out = 1;
			errno = ETIMEDOUT;
			goto fail;
		case -1:
			goto fail;
		case -2:
			*timed_out = 2;
			errno = EINTR;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0)
			goto fail;
		/* A reset here came after the handshake: the server was reached
		 * and closed on us, which the first phase reports as such. */
		if (err != 0 && err != ECONNRESET) {
			errno = err;
			goto fail;
		}
	}
	/* Handshake messages are small and each waits for an answer. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

int
net_connect(const struct host *h, int family, int64_t deadline, int *timed_out, char *why,
	    size_t whylen)
{
	struct sockaddr_storage ss;
	struct addrinfo hints, *res, *ai;
	char port[8], shown[HOST_MAX + 16];
	int fd, rc;

	*timed_out = 0;
	memset(&ss, 0, sizeof(ss));
	if (h->kind == HOST_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(h->port);
		memcpy(&sin->sin_addr, h->addr, 4);
		fd = connect_one((struct sockaddr *)sin, sizeof(*sin), deadline, timed_out);
	} else if (h->kind == HOST_IPV6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(h->port);
		memcpy(&sin6->sin6_addr, h->addr, 16);
		fd = connect_one((struct sockaddr *)sin6, sizeof(*sin6), deadline, timed_out);
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = family;
		hints.ai_socktype = SOCK_STREAM;
		snprintf(port, sizeof(port), "%u", h->port);
		rc = getaddrinfo(h->name, port, &hints, &res);
		if (rc != 0) {
			snprintf(why, whylen, "cannot resolve proxy '%s': %s", h->name, gai_strerror(rc));
			return -1;
		}
		fd = -1;
		errno = EADDRNOTAVAIL;
		for (ai = res; ai != NULL && fd < 0 && !*timed_out; ai = ai->ai_next)
			fd = connect_one(ai->ai_addr, ai->ai_addrlen, deadline, timed_out);
		freeaddrinfo(res);
	}
	if (fd < 0) {
		int err = errno;

		host_format(h, shown, sizeof(shown));
		snprintf(why, whylen, "cannot connect to proxy %s: %s", shown,
			 *timed_out == 1 ? "timed out"
			 : *timed_out == 2 ? "interrupted"
					   : strerror(err));
		errno = err;
	}
	return fd;
}

int
net_write_all(int fd, const uint8_t *p, size_t len, int64_t deadline)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, p + off, len - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		switch (net_wait(fd, POLLOUT, deadline)) {
		case 0:
			return -2;
		case -1:
			return -1;
		case -2:
			errno = EINTR;
			return -3;
		}
	}
	return 0;
}

bool
net_connected_to_self(int fd)
{
	struct sockaddr_storage self, peer;
	socklen_t selflen = sizeof(self), peerlen = sizeof(peer);

	memset(&self, 0, sizeof(self));
	memset(&peer, 0, sizeof(peer));
	if (getsockname(fd, (struct sockaddr *)&self, &selflen) < 0 ||
	    getpeername(fd, (struct sockaddr *)&peer, &peerlen) < 0)
		return false;
	return selflen == peerlen && memcmp(&self, &peer, selflen) == 0;
}
