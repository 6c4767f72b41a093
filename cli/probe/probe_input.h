/*
 * sockscope probe, internal: the servers to probe, one at a time: the
 * operands first, then the lines of -f FILE ('-': stdin).  Each becomes a
 * struct server with its address, credentials and target.
 *
 * A user without a password (in the URL, or -U) takes SOCKSCOPE_PASSWORD;
 * when that is unset and stdin is a terminal, the password is asked once,
 * without echo, on /dev/tty, and serves every server that needs one;
 * otherwise the run is refused as a usage error that names the server.
 * (A socks4:// or socks4a:// user is a USERID: it needs no password.)
 */
#ifndef SOCKSCOPE_CLI_PROBE_INPUT_H
#define SOCKSCOPE_CLI_PROBE_INPUT_H

#include "probe_types.h"

/*
 * Before anything is sent: the operands, and a -f FILE that can be read
 * twice (a regular file), are checked for a user without a password; the
 * first one found is asked for, or refused.  0, or -1 after reporting a
 * usage error.
 */
int probe_check_passwords(struct run *R);

enum probe_next {
	PROBE_NEXT_URL,  /* *url is the next server */
	PROBE_NEXT_WAIT, /* the next server needs the terminal's password: call
			    again once nothing is in flight (R->active == 0) */
	PROBE_NEXT_END,  /* the end of the input, or R->refused: a usage error
			    was reported */
};

/* The next server URL.  Input that could not be read ahead (a pipe) is
   checked for a missing password here, as it comes. */
enum probe_next probe_next_url(struct run *R, const char **url);

/* The input's descriptor when the run must not read it yet: it is a stream
   (a pipe, a terminal) with no byte ready, and servers are in flight, whose
   -w a blocking read would stall; the run loop polls it.  -1 otherwise. */
int probe_input_wait_fd(const struct run *R);

/* Fills s from a URL; on failure s->error says why. */
void probe_server_setup(struct run *R, struct server *s, const char *url);

#endif
