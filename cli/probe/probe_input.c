/*
 * sockscope probe: the server list and its credentials.  See probe_input.h.
 */
#include "probe_input.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"
#include "password.h"
#include "probe_progress.h"
#include "probe_sink.h"
#include "secrets.h"
#include "term.h"

/* ------------------------------------------------------------ the password */

/* -U's credentials for a server whose URL names no user. */
static void
apply_cred(const struct run *R, struct proxy *p)
{
	if (!p->cred.has_user && R->have_cred)
		p->cred = R->cred;
}

/* A password too long is left unused: get_password() reports it. */
static void
apply_password_env(struct proxy *p)
{
	(void)password_from_env(&p->cred);
}

/*
 * A SOCKS5 user without a password (after -U and SOCKSCOPE_PASSWORD): one
 * must be asked for.  A socks4:// or socks4a:// user is a USERID, which
 * has no password.
 */
static bool
wants_password(const struct proxy *p)
{
	return p->cred.has_user && !p->cred.has_pass &&
	       version_facts(p->version)->has_password;
}

/* A password can be asked for: SOCKSCOPE_PASSWORD is unset and stdin is a
   terminal. */
static bool
can_prompt(void)
{
	return getenv("SOCKSCOPE_PASSWORD") == NULL && isatty(STDIN_FILENO);
}

/*
 * Server number `input` (label, user) has a user without a password: ask
 * on the terminal once (the answer serves every such server), or refuse.
 * 0, or -1 with why it was refused in why.
 */
static int
get_password(struct run *R, unsigned long input, const char *label, const struct proxy *p,
	     char *why, size_t whylen)
{
	const char *env = getenv("SOCKSCOPE_PASSWORD");
	char user[CRED_MAX * 4 + 1], prompt[sizeof(user) + HOST_MAX + 64];

	if (env != NULL) { /* set, so too long: wants_password() saw it unused */
		snprintf(why, whylen, "SOCKSCOPE_PASSWORD is longer than %d bytes", CRED_MAX);
		return -1;
	}
	term_escape(user, sizeof(user), p->cred.user, p->cred.userlen);
	if (!isatty(STDIN_FILENO)) {
		snprintf(why, whylen,
			 "%s (server %lu): no password for user \"%s\": give "
			 "USER:PASS@ or -U USER:PASS, set SOCKSCOPE_PASSWORD, or run on "
			 "a terminal to be asked",
			 label, input, user);
		return -1;
	}
	snprintf(prompt, sizeof(prompt), "sockscope probe: password for %s at %s: ", user, label);
	probe_progress_clear(R); /* the prompt takes the line */
	int st = password_prompt(prompt, R->pw, sizeof(R->pw), &R->pwlen);

	if (st == PASSWORD_OK) {
		R->have_pw = true;
		return 0;
	}
	snprintf(why, whylen, "%s (server %lu): no password for user \"%s\": %s", label, input,
		 user, password_strerror(st));
	return -1;
}

/* The URL's server, credentials complete but for what only the terminal can
   give; false when the URL does not parse (that is reported later). */
static bool
parse_for_check(const struct run *R, const char *url, struct proxy *p, char *label, size_t len)
{
	char why[256];

	if (parse_proxy_url(url, p, why, sizeof(why)) < 0)
		return false;
	apply_cred(R, p);
	apply_password_env(p);
	host_format(&p->host, label, len);
	return true;
}

/* ------------------------------------------------------------ servers in */

/*
 * The next server line of -f FILE, trimmed, in *out: 1; 0 at its end.
 * Blank lines and # comments are skipped.  -1: the file cannot be read;
 * -2: a bad line (longer than LINE_MAX_LEN bytes, or holding a NUL byte).
 * Either way R->bad_why says so, naming the file (and the line), and
 * nothing is reported yet; after -2 the line's first bytes are read, the
 * rest is not (skip_bad_line()).
 */
static int
read_server_line(struct run *R, const char **out)
{
	R->bad_long = false;
	if (R->line == NULL) {
		R->linecap = LINE_MAX_LEN + 1;
		R->line = malloc(R->linecap);
		if (R->line == NULL) {
			R->linecap = 0;
			snprintf(R->bad_why, sizeof(R->bad_why), "out of memory");
			return -1;
		}
	}
	for (;;) {
		size_t n = 0;
		int c;
		bool nul = false;
		char *p, *e;

		while ((c = getc(R->fp)) != EOF && c != '\n') {
			if (n == LINE_MAX_LEN) {
				R->lineno++;
				R->bad_long = true;
				snprintf(R->bad_why, sizeof(R->bad_why),
					 "-f %s: line %lu is longer than %d bytes", R->cfg.file,
					 R->lineno, LINE_MAX_LEN);
				return -2;
			}
			if (c == '\0')
				nul = true;
			R->line[n++] = (char)c;
		}
		if (c == EOF && ferror(R->fp)) {
			snprintf(R->bad_why, sizeof(R->bad_why), "-f %s: %s", R->cfg.file,
				 strerror(errno));
			return -1;
		}
		if (c == EOF && n == 0)
			return 0;
		R->lineno++;
		if (nul) { /* C strings would cut the line at it: refused, not cut */
			snprintf(R->bad_why, sizeof(R->bad_why), "-f %s: line %lu holds a NUL byte",
				 R->cfg.file, R->lineno);
			return -2;
		}
		R->line[n] = '\0';
		p = R->line;
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		*out = p;
		return 1;
	}
}

/* After an over-long line (-2) that the run goes on from: the rest of it is
   read and dropped, up to a bound; a line without an end within it ends the
   input (R->input_cut). */
static void
skip_bad_line(struct run *R)
{
	size_t n = 0;
	int c = 0;

	if (!R->bad_long)
		return;
	while (n < (size_t)LINE_MAX_LEN * 128 && (c = getc(R->fp)) != EOF && c != '\n')
		n++;
	if (c != '\n' && c != EOF) {
		R->input_cut = true;
		size_t len = strlen(R->bad_why);

		snprintf(R->bad_why + len, sizeof(R->bad_why) - len,
			 "; no end within %zu bytes: the rest of the input is not read", n);
	}
}

int
probe_check_passwords(struct run *R)
{
	struct proxy p, q;
	char label[HOST_MAX + 16], qlabel[HOST_MAX + 16], why[600];
	unsigned long input = 0, found_at = 0;
	int rc = 0;
	bool found = false;

	for (int i = 0; i < R->nops && !found; i++) {
		input++;
		found = parse_for_check(R, R->ops[i], &p, label, sizeof(label)) &&
			wants_password(&p);
	}
	found_at = input;
	/* the progress line's total: the operands and, below, the file's lines */
	R->progress.total = (unsigned long)R->nops;
	R->progress.total_known = R->fp == NULL;
	if (R->fp != NULL) {
		/* a file that can be read twice is read twice: nothing is sent before
		   a missing password or a bad line is known */
		struct stat st;
		off_t start = ftello(R->fp);
		const char *url;
		int got = 0;

		if (start >= 0 && fstat(fileno(R->fp), &st) == 0 && S_ISREG(st.st_mode)) {
			while ((got = read_server_line(R, &url)) > 0) {
				input++;
				R->progress.total++;
				if (!found && parse_for_check(R, url, &q, qlabel, sizeof(qlabel)) &&
				    wants_password(&q)) {
					found = true;
					found_at = input;
					p = q;
					memcpy(label, qlabel, sizeof(label));
				}
				explicit_bzero(&q, sizeof(q));
			}
			if (got < 0) { /* nothing is sent */
				explicit_bzero(&p, sizeof(p));
				return probe_usage("%s", R->bad_why);
			}
			R->progress.total_known = true;
			clearerr(R->fp);
			R->lineno = 0;
			if (fseeko(R->fp, start, SEEK_SET) < 0) {
				explicit_bzero(&p, sizeof(p));
				return probe_usage("-f %s: %s", R->cfg.file, strerror(errno));
			}
		}
	}
	if (found && !R->have_pw && get_password(R, found_at, label, &p, why, sizeof(why)) < 0)
		rc = probe_usage("%s", why);
	explicit_bzero(&p, sizeof(p));
	return rc;
}

/* The next server is a bad line, reported as its own error (the run goes on):
   label and why in R->bad_label and R->bad_why. */
static enum probe_next
bad_line(struct run *R, const char *label, const char **url)
{
	snprintf(R->bad_label, sizeof(R->bad_label), "%s", label);
	R->bad_line = true;
	*url = NULL;
	return PROBE_NEXT_URL;
}

int
probe_input_wait_fd(const struct run *R)
{
	struct pollfd p;

	if (R->fp == NULL || !R->fp_stream || R->input_cut || R->held != NULL ||
	    R->opi < R->nops || R->active == 0)
		return -1;
	p.fd = fileno(R->fp);
	p.events = POLLIN;
	p.revents = 0;
	/* unbuffered (probe.c), so the descriptor tells what getc() would get;
	   data, its end or an error: read now */
	if (poll(&p, 1, 0) != 0)
		return -1;
	return p.fd;
}

enum probe_next
probe_next_url(struct run *R, const char **url)
{
	const char *u = R->held;
	struct proxy p;
	char label[HOST_MAX + 16], why[600];

	if (u == NULL && R->opi < R->nops)
		u = R->ops[R->opi++];
	if (u == NULL && R->fp != NULL && !R->input_cut) {
		int got = read_server_line(R, &u);

		if (got == -2 && R->sent) {
			/* after sending, a bad line is that line's error; the run goes on */
			char where[64];

			skip_bad_line(R);
			snprintf(where, sizeof(where), "line %lu", R->lineno);
			return bad_line(R, where, url);
		}
		if (got <= 0) {
			if (!R->fp_is_stdin)
				fclose(R->fp);
			R->fp = NULL;
			u = NULL;
		}
		if (got < 0 && R->sent) {
			/* the input cannot be read on: what was read is reported */
			probe_progress_clear(R);
			fprintf(stderr, "sockscope probe: %s\n", R->bad_why);
			R->all_ok = false;
			return PROBE_NEXT_END;
		}
		if (got < 0) {
			probe_usage("%s", R->bad_why);
			R->refused = true; /* a usage error: nothing was sent */
			return PROBE_NEXT_END;
		}
	}
	if (u == NULL)
		return PROBE_NEXT_END;
	R->held = NULL;
	/* input that could not be read ahead: a missing password shows only now */
	if (!R->have_pw && parse_for_check(R, u, &p, label, sizeof(label)) && wants_password(&p)) {
		if (R->sent && (R->pw_refused || !can_prompt())) {
			/* no way to get one: this line's error, the run goes on (what
			   was sent is reported; the operands were checked before) */
			if (R->pw_refused)
				snprintf(why, sizeof(why), "%s (server %lu): no password for the user",
					 label, R->ninput + 1);
			else
				(void)get_password(R, R->ninput + 1, label, &p, why, sizeof(why));
			explicit_bzero(&p, sizeof(p));
			snprintf(R->bad_why, sizeof(R->bad_why), "-f %s: line %lu: %s",
				 R->cfg.file != NULL ? R->cfg.file : "-", R->lineno, why);
			return bad_line(R, label, url);
		} else if (R->active > 0) {
			R->held = u; /* ask (or refuse) once nothing is in flight */
			explicit_bzero(&p, sizeof(p));
			return PROBE_NEXT_WAIT;
		} else if (get_password(R, R->ninput + 1, label, &p, why, sizeof(why)) < 0) {
			explicit_bzero(&p, sizeof(p));
			if (R->sent) {
				R->pw_refused = true;
				snprintf(R->bad_why, sizeof(R->bad_why), "-f %s: line %lu: %s",
					 R->cfg.file != NULL ? R->cfg.file : "-", R->lineno, why);
				return bad_line(R, label, url);
			}
			probe_usage("%s", why);
			R->refused = true;
			return PROBE_NEXT_END;
		}
	}
	explicit_bzero(&p, sizeof(p));
	*url = u;
	return PROBE_NEXT_URL;
}

/*
 * The label of a server line that does not parse, without its password: what
 * follows its last '@' when something does (a host:port as given), else what
 * follows the scheme when there is no '@', else the line masked (secrets.c:
 * whatever its shape).  With --show-secrets, the line
 * as it is.  Raw bytes: the table and the JSON escape them.
 */
static void
failed_label(const struct run *R, const char *url, char *out, size_t len)
{
	const char *at = strrchr(url, '@'), *sep = strstr(url, "://");

	if (R->o->show_secrets)
		snprintf(out, len, "%s", url);
	else if (at != NULL && at[1] != '\0')
		snprintf(out, len, "%s", at + 1);
	else if (at == NULL)
		snprintf(out, len, "%s", sep != NULL ? sep + 3 : url);
	else
		secret_url_mask(url, out, len);
}

/* Fills s from a URL; on failure s->error says why. */
void
probe_server_setup(struct run *R, struct server *s, const char *url)
{
	char why[256];
	struct host h;

	if (parse_proxy_url(url, &s->p, why, sizeof(why)) < 0) {
		explicit_bzero(&s->p, sizeof(s->p));
		failed_label(R, url, s->label, sizeof(s->label));
		snprintf(s->error, sizeof(s->error), "%s", why);
		return;
	}
	host_format(&s->p.host, s->label, sizeof(s->label));
	apply_cred(R, &s->p);
	apply_password_env(&s->p);
	if (wants_password(&s->p) && R->have_pw) {
		memcpy(s->p.cred.pass, R->pw, sizeof(s->p.cred.pass));
		s->p.cred.passlen = R->pwlen;
		s->p.cred.has_pass = true;
	}
	if (wants_password(&s->p)) { /* probe_next_url() lets none through */
		snprintf(s->error, sizeof(s->error), "no password for the user");
		return;
	}
	/* a SOCKS4 USERID without a password: the SOCKS5 steps go without
	   RFC 1929 (s5-auth is skipped) */
	h = s->p.host;
	if (h.kind == HOST_NAME && net_resolve(&h, R->o->family, why, sizeof(why)) < 0) {
		snprintf(s->error, sizeof(s->error), "%s", why);
		return;
	}
	memset(&s->sa, 0, sizeof(s->sa));
	if (h.kind == HOST_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&s->sa;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(h.port);
		memcpy(&sin->sin_addr, h.addr, 4);
		s->salen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&s->sa;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(h.port);
		memcpy(&sin6->sin6_addr, h.addr, 16);
		s->salen = sizeof(*sin6);
	}
	/* by default nothing goes beyond the server: a listener of ours when
	   the server is on loopback, else the server's own address */
	if (R->have_target)
		s->target = R->target;
	else if (!probe_sink_target(&R->sink, &h, &s->target))
		s->target = h;
	s->target_v4 = s->target.kind == HOST_IPV4;
	s->target_self = s->target.kind == h.kind && s->target.port == h.port &&
			 memcmp(s->target.addr, h.addr, h.kind == HOST_IPV4 ? 4 : 16) == 0;
	host_format(&s->target, s->tlabel, sizeof(s->tlabel));
}
