/*
 * sockscope probe, internal: what a server's step results add up to.  The
 * predicates are shared with the engine, which skips the steps an earlier
 * answer makes moot; probe_judge() gives the verdict that the table and the
 * JSON lines print, --expect included.
 */
#ifndef SOCKSCOPE_CLI_PROBE_VERDICT_H
#define SOCKSCOPE_CLI_PROBE_VERDICT_H

#include <stdbool.h>

#include "probe_types.h"

struct verdict {
	const char *kind; /* socks, reachable (no SOCKS step ran), unreachable,
			     not-socks, broken, error */
	const char *peer; /* with not-socks */
	char summary[520];
	char notes[8][96];
	int nnotes;
	char failed[512]; /* --expect tokens not met, comma-separated */
	bool ok;
};

/* The step ran (it was neither left out nor skipped). */
bool probe_ran(const struct step_res *r);
/* A valid SOCKS5 method selection (in any step); when --steps left out every
   method step, a valid answer in any SOCKS5 step. */
bool probe_speaks5(const struct server *s);
/* Some SOCKS5 step ran (was neither left out nor skipped). */
bool probe_probed5(const struct server *s);
/* A valid SOCKS4 reply (to SOCKS4 or SOCKS4a), granted or not. */
bool probe_speaks4(const struct server *s);
/* The step was refused in its method selection or RFC 1929 phase, so its
   request was never sent (and its code is no REP). */
bool probe_refused_before_request(const struct step_res *r);
/* JSON "connect": ok, refused (a REP), failed, or skipped (not run, or not
   sent because the method selection or authentication failed). */
const char *probe_connect_word(const struct server *s);
/* JSON "auth": ok, failed, error, none (no username and password), or
   skipped (s5-auth did not run and no request step authenticated). */
const char *probe_auth_word(const struct server *s);
/* The step succeeded and chose this method. */
bool probe_chose(const struct server *s, int st, int method);
/* RFC 1929 credentials, a user and a password, were given for the server
   (URL, -U, SOCKSCOPE_PASSWORD, the terminal).  A SOCKS4 USERID alone is
   none. */
bool probe_has_cred(const struct server *s);
/* How the TCP connect went: the tcp step, or when --steps left it out, the
   first step that ran.  NULL when nothing has run (yet). */
const struct step_res *probe_tcp_res(const struct server *s);
/* The server took a TCP connection, or nothing has tried yet. */
bool probe_reachable(const struct server *s);
/* The peer an answer recognised as not SOCKS (HTTP, TLS, SSH), or PEER_NONE. */
enum peer probe_identified_peer(const struct server *s);
/* Some step got a valid SOCKS answer (granted or not). */
bool probe_any_socks_answer(const struct server *s);

/* An --expect word (without its ! or no-). */
bool probe_expect_known(const char *name);

/* The verdict on a server whose steps are all done (or that had an error). */
void probe_judge(const struct run *R, const struct server *s, struct verdict *v);

#endif
