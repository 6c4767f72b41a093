/* The netcat side: relay stdin/stdout through a granted connection. */
#ifndef SOCKSCOPE_TUNNEL_H
#define SOCKSCOPE_TUNNEL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handshake.h"

struct tunnel_result {
	uint64_t up;   /* bytes from stdin to the server */
	uint64_t down; /* bytes from the server to stdout */
	bool interrupted; /* *stop ended it */
	bool stdout_gone; /* stdout's reader went away (EPIPE): an orderly end */
	char error[300];
};

/*
 * Relays until both directions have ended (stdin EOF is passed on as
 * shutdown(SHUT_WR)), or quit_after_eof_ms after stdin EOF when it is not
 * negative.  pending: bytes that arrived with the reply, written first.
 * stop: NULL, or a flag a SIGINT handler sets (the REPL's ^C): once set, the
 * relay ends at once, what is queued dropped, and r->interrupted is true.
 * EPIPE on out_fd (its reader went away, `| head -1`) ends the relay in
 * order: r->stdout_gone.  Another failure to write out_fd is worded
 * "standard output: REASON (...)".
 * Returns EXIT_OK (also when stopped) or EXIT_TUNNEL with r->error set.
 */
int tunnel_run(int sock, const uint8_t *pending, size_t npending, int in_fd, int out_fd,
	       int quit_after_eof_ms, volatile sig_atomic_t *stop, struct tunnel_result *r);

#endif
