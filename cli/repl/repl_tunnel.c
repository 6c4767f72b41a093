/*
 * `tunnel`: the connection relayed to stdin and stdout by the tunnel loop
 * (tunnel.c), the bytes that arrived after the reply sent first; the
 * connection is closed when it ends.  ^C (rs_interrupted) ends the loop at
 * once.
 */
#include "repl_engine.h"

#include <string.h>
#include <unistd.h>

#include "tunnel.h"

int
rs_tunnel(struct rsess *s)
{
	struct tunnel_result r;
	struct tunnel t; /* 128 KiB of buffers, for the run only */
	struct tunnel_opts to = { .idle_ms = s->idle_timeout_ms, .no_shutdown = s->no_shutdown };
	int quit = s->quit_after_eof_ms, rc;

	if ((rc = rs_need_conn(s, "tunnel")) != EXIT_OK)
		return rc;
	if (flow_outcome(&s->fl)->result != FLOW_RES_GRANTED)
		rs_warn("the request was not granted (phase: %s); relaying anyway",
			rs_phase_name(rs_phase(s)));
	if (quit < 0 && s->interactive)
		quit = 1000;
	memset(&r, 0, sizeof(r));
	rs_flush(s->out);
	if (s->interactive)
		fprintf(stderr, "tunnel: type to send, end with ^D (^C stops at once)\n");
	s->in_tunnel = true;
	rs_interrupted = 0;
	/* Only the interactive REPL has the SIGINT handler that sets the flag;
	 * elsewhere (-c, -s, piped input) ^C keeps its default action. */
	to.quit_after_eof_ms = quit;
	to.stop = s->interactive ? &rs_interrupted : NULL;
	rc = tunnel_run(&t, s->conn.fd, s->conn.in, s->conn.have, STDIN_FILENO, STDOUT_FILENO,
			&to, &r);
	if (r.warning[0] != '\0')
		rs_warn("%s", r.warning);
	s->conn.have = 0;
	s->sent += r.up;
	s->received += r.down;
	if (rc != EXIT_OK && !r.interrupted)
		rs_fail(rc, "%s", r.error);
	else
		rc = EXIT_OK; /* ^C is one of the two ways a tunnel ends (tunnel(1)) */
	fprintf(stderr, "tunnel %s: %llu byte%s sent, %llu byte%s received\n",
		r.interrupted ? "interrupted" : "ended", (unsigned long long)r.up, rs_plural(r.up),
		(unsigned long long)r.down, rs_plural(r.down));
	rs_close(s, false);
	clearerr(stdin);
	return rc;
}
