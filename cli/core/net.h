/* Sockets with deadlines: every wait is bounded by a monotonic clock. */
#ifndef SOCKSCOPE_NET_H
#define SOCKSCOPE_NET_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "url.h"

int64_t now_ms(void);
/* The same clock, in microseconds: phase timings. */
int64_t now_us(void);

/*
 * When not NULL, the waits below end early once *net_stop is non-zero: the
 * REPL points it at the flag its SIGINT handler sets, so that ^C interrupts
 * a connect or a handshake; one-shot -j points it at the flag its handlers
 * set, to write its summary before the signal ends it.  NULL (one-shot
 * mode otherwise): they go on through signals, as poll's EINTR is retried.
 */
extern volatile sig_atomic_t *net_stop;

/*
 * poll(2), but when stop is not NULL: -2 at once if *stop is set, and a
 * SIGINT (nor SIGTERM, SIGHUP, SIGQUIT) cannot slip in between that check
 * and the wait (blocked in between, let through only while waiting,
 * ppoll(2)), so the wait ends
 * with EINTR.  Otherwise as poll: >= 0, or -1 with errno.
 */
int net_poll(struct pollfd *pfd, nfds_t n, int timeout_ms, volatile sig_atomic_t *stop);

/* Resolves a name here, filling h->addr and h->kind; family AF_UNSPEC, AF_INET or AF_INET6. */
int net_resolve(struct host *h, int family, char *why, size_t whylen);

/*
 * Connects to h (a name is resolved here, each address tried in turn).
 * Returns a non-blocking fd, or -1 with why[] naming the host and the error,
 * and *timed_out 1 when the deadline passed, 2 when net_stop interrupted the
 * wait (errno EINTR), 0 otherwise.
 */
int net_connect(const struct host *h, int family, int64_t deadline, int *timed_out, char *why,
		size_t whylen);

/* 1 ready, 0 deadline passed, -1 poll failed, -2 interrupted (net_stop).
   deadline < 0 waits forever. */
int net_wait(int fd, short events, int64_t deadline);

/* Writes all of p; 0, -1 with errno, -2 when the deadline passed, or -3 when
   net_stop interrupted the wait. */
int net_write_all(int fd, const uint8_t *p, size_t len, int64_t deadline);

/*
 * The connected TCP socket fd is connected to itself: its own address is
 * its peer's.  A connect to a closed port of this host in the ephemeral
 * range can pick that very port as its source, and the simultaneous open
 * succeeds: nothing listens there, so it is a refused connection.
 */
bool net_connected_to_self(int fd);

/* The numeric address of h, for traces: "127.0.0.1" */
void net_addr_string(const struct host *h, char *out, size_t outlen);

#endif
