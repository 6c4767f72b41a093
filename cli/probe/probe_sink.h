/*
 * sockscope probe, internal: the default target of a server on a loopback
 * address.  A healthy proxy may refuse a CONNECT to its own address and
 * port (dante does: "connection to the same address we listen to"), so a
 * server of this host is asked instead to connect to a listener of the
 * probe's own on loopback, which accepts each connection and closes it:
 * nothing leaves the host.  A server elsewhere keeps its own address as the
 * target (no listener of ours should be reachable from another host), and
 * a refusal of it is said as such in the verdict.
 */
#ifndef SOCKSCOPE_CLI_PROBE_SINK_H
#define SOCKSCOPE_CLI_PROBE_SINK_H

#include <poll.h>
#include <stdbool.h>

#include "probe_types.h"
#include "url.h"

/* Descriptors the sink can hold at once: its two listeners and one
   connection being accepted and closed. */
#define PROBE_SINK_FDS 3

/* Opens the listeners, 127.0.0.1 and [::1] on ports the system picks; a
   family whose listener cannot be had keeps servers' own addresses. */
void probe_sink_open(struct probe_sink *k);

/* For a server at `server` (an address): the sink of its family when the
   server is on loopback, in *target (true); false otherwise. */
bool probe_sink_target(const struct probe_sink *k, const struct host *server, struct host *target);

/* The listeners to poll (POLLIN) into pfd[0..]: how many (0 to 2). */
int probe_sink_pollfds(const struct probe_sink *k, struct pollfd *pfd);

/* pfd (from probe_sink_pollfds) is readable: what waits is accepted and
   closed. */
void probe_sink_drain(struct probe_sink *k, const struct pollfd *pfd);

void probe_sink_close(struct probe_sink *k);

#endif
