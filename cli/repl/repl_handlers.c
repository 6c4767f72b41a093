/* The REPL's command handlers (the table is in repl_table.c). */
#include "repl_handlers.h"

#include "password.h"
#include "repl_cmds.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "hexparse.h"
#include "proxyconf.h"
#include "repl_values.h"
#include "seconds.h"
#include "secrets.h"
#include "term.h"

/* argv[0..argc) joined by single blanks into a static buffer. */
static char *
join(int argc, char **argv)
{
	static char buf[8192];
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (off + len + 2 > sizeof(buf))
			break;
		if (i > 0)
			buf[off++] = ' ';
		memcpy(buf + off, argv[i], len);
		off += len;
		buf[off] = '\0';
	}
	return buf;
}

static void
wipe_join(void)
{
	char *p = join(0, NULL);

	explicit_bzero(p, 8192);
}

/* A refusal whose why[] may quote what the user typed: escaped, for a line
   can hold ESC or any other byte. */
static int
refuse_typed(const char *what, const char *why)
{
	char esc[1600];

	return rs_fail(EXIT_USAGE, "%s: %s", what, value_shown(why, esc, sizeof(esc)));
}

/* The canonical name of the command argv[0] names. */
static const char *
verb_of(const char *word)
{
	char why[300];
	const struct cmd *c = cmd_lookup(word, why, sizeof(why));

	return c != NULL ? c->name : word;
}

/* ------------------------------------------------------------ proxy */

int
cmd_proxy(struct repl *r, int argc, char **argv)
{
	char text[HOST_MAX + 300], why[PATH_MAX + 600];
	struct proxy_choice pc;
	int rc = EXIT_OK;

	/* @NAME from the config file, and netrc's credentials, as -x has them. */
	if (argc > 1 && proxyconf_choose(argv + 1, argc - 1, false, r->o ? r->o->user : NULL,
					 r->o ? r->o->netrc_file : NULL, &pc, why, sizeof(why)) < 0)
		rc = rs_fail(EXIT_USAGE, "proxy: %s", why);
	else if (argc > 1) {
		if (pc.warning[0] != '\0')
			rs_warn("%s", pc.warning);
		rc = rs_set_proxies(r->s, pc.n, pc.urls);
		proxy_choice_free(&pc);
	}
	for (int i = 1; i < argc; i++)
		explicit_bzero(argv[i], strlen(argv[i]));
	if (rc != EXIT_OK)
		return rc;
	rs_proxy_text(r->s, text, sizeof(text));
	fprintf(r->s->out, "proxy %s\n", text);
	return EXIT_OK;
}

/* ------------------------------------------------------------ set, unset, show */

/* A password from the terminal without echo, or SOCKSCOPE_PASSWORD. */
static int
read_secret(char *out, size_t cap, size_t *len)
{
	const char *env;

	switch (password_prompt("password: ", out, cap, len)) {
	case PASSWORD_OK:
		return EXIT_OK;
	case PASSWORD_NO_ECHO_OFF:
		return rs_fail(EXIT_USAGE, "set pass: cannot turn the terminal's echo off");
	case PASSWORD_READ_FAILED:
		return rs_fail(EXIT_USAGE, "set pass: reading the terminal: %s", strerror(errno));
	case PASSWORD_CANCELLED:
		return rs_fail(EXIT_USAGE, "set pass: cancelled at the prompt; the password is unchanged");
	case PASSWORD_EMPTY:
		return rs_fail(EXIT_USAGE,
			       "set pass: an empty password is refused (RFC 1929 needs 1 to 255 bytes); the password is unchanged");
	}
	if ((env = getenv("SOCKSCOPE_PASSWORD")) == NULL)
		return rs_fail(EXIT_USAGE,
			       "set pass: no terminal to ask on: give the password, or set SOCKSCOPE_PASSWORD");
	*len = strlen(env);
	if (*len >= cap)
		return rs_fail(EXIT_USAGE, "SOCKSCOPE_PASSWORD is longer than %zu bytes", cap - 1);
	memcpy(out, env, *len + 1);
	return EXIT_OK;
}

static int
set_pass(struct repl *r, int argc, char **argv)
{
	static char pw[CRED_MAX + 2];
	size_t len = 0;
	int rc = EXIT_OK;

	if (argc > 2) {
		char *v = join(argc - 2, argv + 2);
		uint8_t bytes[CRED_MAX];
		char why[VALUE_WHY_MAX];

		if (value_parse_text(v, bytes, sizeof(bytes), &len, why, sizeof(why)) < 0)
			rc = rs_fail(EXIT_USAGE, "set pass: %s", why);
		else
			memcpy(pw, bytes, len);
		explicit_bzero(bytes, sizeof(bytes));
		wipe_join();
		for (int i = 2; i < argc; i++)
			explicit_bzero(argv[i], strlen(argv[i]));
	} else {
		rc = read_secret(pw, sizeof(pw), &len);
	}
	if (rc == EXIT_OK) {
		enum rs_draft rd;
		int idx;
		char why[64];

		/* The session's password wins over an earlier `set PASSWD`. */
		if (rs_find_field(r->s, "auth.PASSWD", &rd, &idx, why, sizeof(why)) == 0)
			r->s->user_set[rd][idx] = false;
		if ((rc = rs_set_pass(r->s, pw, len)) == EXIT_OK)
			fprintf(r->s->out, "password set (%zu byte%s; masked in every view%s)\n", len,
				rs_plural(len),
				r->s->vo.show_secrets ? " but for --show-secrets" : "");
	}
	explicit_bzero(pw, sizeof(pw));
	return rc;
}

static int
set_target(struct repl *r, int argc, char **argv)
{
	char why[400], text[HOST_MAX + 16];
	struct host h;
	int rc;

	if (argc == 4) {
		if (parse_target(argv[2], argv[3], &h, why, sizeof(why)) < 0)
			return refuse_typed("set dst", why);
	} else if (argc == 3) {
		if (parse_target(argv[2], NULL, &h, why, sizeof(why)) < 0)
			return refuse_typed("set dst", why);
	} else {
		return rs_fail(EXIT_USAGE, "usage: set dst HOST:PORT (or HOST PORT)");
	}
	rc = rs_set_target(r->s, &h);
	host_format(&h, text, sizeof(text));
	if (rc == EXIT_OK)
		fprintf(r->s->out, "target %s\n", text);
	return rc;
}

int
cmd_set(struct repl *r, int argc, char **argv)
{
	const char *name = argv[1];
	char why[1400], user[4 * CRED_MAX + 1];
	enum rs_draft rd;
	int idx, rc;

	if (strcasecmp(name, "pass") == 0 || strcasecmp(name, "password") == 0)
		return set_pass(r, argc, argv);
	if (strcasecmp(name, "dst") == 0 || strcasecmp(name, "target") == 0)
		return set_target(r, argc, argv);
	if (rs_find_field(r->s, name, &rd, &idx, why, sizeof(why)) == 0 &&
	    (r->s->d[rd].desc->fields[idx].flags & FD_SECRET) && argc == 2)
		return set_pass(r, argc, argv);
	if (argc < 3)
		return rs_fail(EXIT_USAGE, "usage: set FIELD VALUE (`help set` lists the fields)");
	if (strcasecmp(name, "user") == 0) {
		char *v = join(argc - 2, argv + 2);
		uint8_t bytes[CRED_MAX];
		size_t len;

		if (value_parse_text(v, bytes, sizeof(bytes), &len, why, sizeof(why)) < 0)
			return rs_fail(EXIT_USAGE, "set user: %s", why);
		/* USERID ends at its first 0x00: refuse rather than send half a name. */
		if (!rs_socks5(r->s) && memchr(bytes, 0, len) != NULL)
			return rs_fail(EXIT_USAGE, "set user: USERID: holds a 0x00, which would end it early");
		if ((rc = rs_set_user(r->s, (const char *)bytes, len)) != EXIT_OK)
			return rc;
		term_escape(user, sizeof(user), bytes, len);
		fprintf(r->s->out, "user \"%s\"%s\n", user,
			rs_socks5(r->s) ? " (UNAME follows it; METHODS offers userpass)"
					: " (USERID follows it)");
		return EXIT_OK;
	}
	if (rs_find_field(r->s, name, &rd, &idx, why, sizeof(why)) < 0)
		return rs_fail(EXIT_USAGE, "set: %s", why);
	rc = rs_set_field(r->s, rd, idx, join(argc - 2, argv + 2));
	if (r->s->d[rd].desc->fields[idx].flags & FD_SECRET) {
		wipe_join();
		for (int i = 2; i < argc; i++)
			explicit_bzero(argv[i], strlen(argv[i]));
	}
	if (rc == EXIT_OK)
		rs_print_field(r->s, rd, idx);
	return rc;
}

int
cmd_unset(struct repl *r, int argc, char **argv)
{
	const char *name = argv[1];
	char why[1400];
	enum rs_draft rd;
	int idx;

	(void)argc;
	if (strcasecmp(name, "pass") == 0 || strcasecmp(name, "password") == 0) {
		fprintf(r->s->out, "password cleared\n");
		return rs_set_pass(r->s, NULL, 0);
	}
	if (strcasecmp(name, "user") == 0) {
		fprintf(r->s->out, "user cleared\n");
		return rs_set_user(r->s, NULL, 0);
	}
	if (strcasecmp(name, "dst") == 0 || strcasecmp(name, "target") == 0) {
		r->s->has_target = false;
		r->s->has_resolved = false;
		rs_refresh(r->s);
		fprintf(r->s->out, "target cleared\n");
		return EXIT_OK;
	}
	if (rs_find_field(r->s, name, &rd, &idx, why, sizeof(why)) < 0)
		return rs_fail(EXIT_USAGE, "unset: %s", why);
	rs_unset_field(r->s, rd, idx);
	rs_print_field(r->s, rd, idx);
	return EXIT_OK;
}

int
cmd_show(struct repl *r, int argc, char **argv)
{
	enum rs_draft in_use[RD_COUNT];
	int n = rs_drafts(r->s, in_use), rc = EXIT_OK, shown = 0, which = -1, matches = 0;
	char esc[48];

	if (argc == 2) {
		size_t len = strlen(argv[1]);

		which = rs_draft_by_key(r->s, argv[1]);
		for (int k = 0; k < n && which < 0; k++)
			if (strncasecmp(argv[1], rs_draft_key(in_use[k]), len) == 0) {
				matches++;
				which = (int)in_use[k];
			}
		if (which < 0 || matches > 1)
			return rs_fail(EXIT_USAGE, "show: no message '%s' in the %s drafts (%s)",
				       value_shown(argv[1], esc, sizeof(esc)),
				       rs_socks5(r->s) ? "SOCKS5" : "SOCKS4",
				       rs_socks5(r->s) ? "greeting, auth, request, udp" : "request");
		return rs_show(r->s, (enum rs_draft)which);
	}
	for (int k = 0; k < n; k++) {
		int one;

		if (in_use[k] == RD_UDP)
			continue;
		if (in_use[k] == RD_AUTH && !rs_auth_in_use(r->s)) {
			fprintf(r->s->out, "%s(auth: not sent unless the server chooses 02 USERNAME/PASSWORD; `set user NAME` offers it)\n",
				shown > 0 ? "\n" : "");
			shown++;
			continue;
		}
		if (shown++ > 0)
			fputc('\n', r->s->out);
		one = rs_show(r->s, in_use[k]);
		if (rc == EXIT_OK)
			rc = one;
	}
	return rc;
}

/* ------------------------------------------------------------ steps */

int
cmd_open(struct repl *r, int argc, char **argv)
{
	(void)argc, (void)argv;
	return rs_open(r->s);
}

int
cmd_greet(struct repl *r, int argc, char **argv)
{
	(void)argc, (void)argv;
	return rs_greet(r->s);
}

int
cmd_auth(struct repl *r, int argc, char **argv)
{
	(void)argc, (void)argv;
	return rs_auth(r->s);
}

int
cmd_request(struct repl *r, int argc, char **argv)
{
	(void)argc, (void)argv;
	return rs_request(r->s);
}

int
cmd_send(struct repl *r, int argc, char **argv)
{
	(void)argc, (void)argv;
	return rs_send(r->s);
}

static int
verb_target(const char *verb, int argc, char **argv, struct host *h)
{
	char why[400];

	if (argc == 1 && strcmp(verb, "udp") == 0) {
		memset(h, 0, sizeof(*h));
		h->kind = HOST_IPV4;
		strcpy(h->name, "0.0.0.0");
		h->namelen = 7;
		return EXIT_OK;
	}
	if (argc == 3) {
		if (parse_target(argv[1], argv[2], h, why, sizeof(why)) < 0)
			return refuse_typed(verb, why);
		return EXIT_OK;
	}
	if (argc == 2 && parse_target(argv[1], NULL, h, why, sizeof(why)) == 0)
		return EXIT_OK;
	if (argc == 2 && strcmp(verb, "resolve") == 0 &&
	    parse_host(argv[1], strlen(argv[1]), h, why, sizeof(why)) == 0) {
		h->port = 0;
		return EXIT_OK;
	}
	if (argc == 2)
		return refuse_typed(verb, why);
	return rs_fail(EXIT_USAGE, "usage: %s HOST PORT", verb);
}

int
cmd_verb(struct repl *r, int argc, char **argv)
{
	struct rsess *s = r->s;
	const char *verb = verb_of(argv[0]);
	enum rs_draft rd = rs_request_draft(s);
	const char *cmdfield = rd == RD_S5REQ ? "CMD" : "CD";
	struct host h;
	int rc;

	if (rd == RD_S4REQ && strcmp(verb, "udp") == 0)
		return rs_fail(EXIT_USAGE, "udp: SOCKS4 has no UDP ASSOCIATE; use a socks5:// proxy");
	if ((rc = verb_target(verb, argc, argv, &h)) != EXIT_OK)
		return rc;
	/* Tor's RESOLVE: the name goes to the proxy whatever the scheme, in
	   SOCKS4a's form (DSTIP 0.0.0.1) under socks4://; no lookup here. */
	if (strcmp(verb, "resolve") == 0)
		rc = rs_set_target_remote(s, &h);
	else
		rc = rs_set_target(s, &h);
	if (rc != EXIT_OK)
		return rc;
	rc = rs_set_field(s, rd, proto_field_index(s->d[rd].desc, cmdfield), verb);
	if (rc != EXIT_OK)
		return rc;
	if (rs_phase(s) == PH_GRANTED || rs_phase(s) == PH_BOUND || rs_phase(s) == PH_TUNNEL) {
		fprintf(s->out, "the connection is past its request: a new one\n");
		rs_close(s, false);
	}
	return rs_send(s);
}

int
cmd_raw(struct repl *r, int argc, char **argv)
{
	struct hexparse_error err;
	char *text = join(argc - 1, argv + 1), why[200];
	uint8_t *bytes = NULL;
	size_t len = 0;
	int rc;

	rc = hex_parse(text, strlen(text), &bytes, &len, &err);
	wipe_join();
	if (rc < 0) {
		hexparse_strerror(&err, why, sizeof(why));
		return rs_fail(EXIT_USAGE, "raw: %s", why);
	}
	if (len == 0) {
		free(bytes);
		return rs_fail(EXIT_USAGE, "raw: no bytes to send");
	}
	/* An RFC 1929 request typed in hex: a password like any other. */
	if (rs_bytes_hold_password(bytes, len)) {
		secret_keep_in();
		for (int i = 1; i < argc; i++)
			explicit_bzero(argv[i], strlen(argv[i]));
	}
	rc = rs_raw(r->s, bytes, len);
	explicit_bzero(bytes, len);
	free(bytes);
	return rc;
}

int
cmd_recv(struct repl *r, int argc, char **argv)
{
	int ms = 0;
	char esc[48];

	if (argc == 2 && seconds_parse(argv[1], 3600, &ms) < 0)
		return rs_fail(EXIT_USAGE, "recv: bad number of seconds '%s' (0 to 3600)",
			       value_shown(argv[1], esc, sizeof(esc)));
	return rs_recv(r->s, ms);
}

int
cmd_dgram(struct repl *r, int argc, char **argv)
{
	static uint8_t data[PROTO_MAX_BYTES];
	char why[VALUE_WHY_MAX];
	struct host h;
	size_t len;

	if (parse_target(argv[1], argv[2], &h, why, sizeof(why)) < 0)
		return refuse_typed("dgram", why);
	if (value_parse_text(join(argc - 3, argv + 3), data, sizeof(data), &len, why, sizeof(why)) < 0)
		return rs_fail(EXIT_USAGE, "dgram: DATA: %s", why);
	return rs_dgram(r->s, &h, data, len);
}

int
cmd_tunnel(struct repl *r, int argc, char **argv)
{
	(void)argc, (void)argv;
	return rs_tunnel(r->s);
}

int
cmd_close(struct repl *r, int argc, char **argv)
{
	(void)argc, (void)argv;
	if (r->s->conn.fd < 0) {
		fprintf(r->s->out, "not connected\n");
		return EXIT_OK;
	}
	rs_close(r->s, true);
	return EXIT_OK;
}

int
cmd_status(struct repl *r, int argc, char **argv)
{
	(void)argc, (void)argv;
	rs_status(r->s);
	return EXIT_OK;
}

int
cmd_source(struct repl *r, int argc, char **argv)
{
	(void)argc;
	return repl_source(r, argv[1]);
}

int
cmd_history(struct repl *r, int argc, char **argv)
{
	(void)argc, (void)argv;
	repl_history_print(r);
	return EXIT_OK;
}

int
cmd_quit(struct repl *r, int argc, char **argv)
{
	(void)argc, (void)argv;
	r->quit = true;
	return EXIT_OK;
}
