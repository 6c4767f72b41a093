/* Sockets with deadlines: every wait is bounded by a monotonic clock. */
#ifndef SOCKSCOPE_NET_H
#define SOCKSCOPE_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "url.h"

int64_t now_ms(void);

/* Resolves a name here, filling h->addr and h->kind; family AF_UNSPEC, AF_INET or AF_INET6. */
int net_resolve(struct host *h, int family, char *why, size_t whylen);

/*
 * Connects to h (a name is resolved here, each address tried in turn).
 * Returns a non-blocking fd, or -1 with *timed_out set when the deadline
 * passed, and why[] naming the host and the error.
 */
int net_connect(const struct host *h, int family, int64_t deadline, int *timed_out, char *why,
		size_t whylen);

/* 1 ready, 0 deadline passed, -1 poll failed. deadline < 0 waits forever. */
int net_wait(int fd, short events, int64_t deadline);

/* Writes all of p; 0, -1 with errno, or -2 when the deadline passed. */
int net_write_all(int fd, const uint8_t *p, size_t len, int64_t deadline);

/* The numeric address of h, for traces: "127.0.0.1" */
void net_addr_string(const struct host *h, char *out, size_t outlen);

#endif
