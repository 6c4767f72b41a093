/*
 * The one-shot command line: sockscope [OPTIONS] -x PROXY [connect] HOST PORT.
 * Parses strictly, checks everything before a byte is sent, runs the
 * handshake through every hop, then tunnels stdin/stdout.
 */
#include "oneshot.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "handshake.h"
#include "net.h"
#include "oneshot_json.h"
#include "options.h"
#include "password.h"
#include "secrets.h"
#include "term.h"
#include "trace.h"
#include "tunnel.h"
#include "udp.h"

static struct session session;
static struct trace trace;

static void usage_error(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A usage error: said on stderr, and kept in s->error for -j. */
static void
usage_error(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sockscope: %s\n", s->error);
}

/* Fills in passwords from SOCKSCOPE_PASSWORD or a no-echo prompt. */
static int
complete_credentials(struct session *s)
{
	for (int i = 0; i < s->nhops; i++) {
		struct credentials *c = &s->hops[i].cred;
		enum socks_version v = s->hops[i].version;
		char prompt[CRED_MAX + 40];

		if (v != SOCKS5 && v != SOCKS5H)
			continue;
		if (password_from_env(c) < 0) {
			usage_error(s, "SOCKSCOPE_PASSWORD is longer than %d bytes", CRED_MAX);
			return -1;
		}
		if (!c->has_user || c->has_pass) /* none wanted, or the environment's */
			continue;
		snprintf(prompt, sizeof(prompt), "password for %s: ", c->user);
		int st = password_prompt(prompt, c->pass, sizeof(c->pass), &c->passlen);

		if (st == PASSWORD_OK) {
			c->has_pass = true;
		} else if (st == PASSWORD_CANCELLED || st == PASSWORD_EMPTY) {
			/* Asked and refused: say so, rather than "no password". */
			usage_error(s, "password for %s: %s", c->user, password_strerror(st));
			return -1;
		}
	}
	return 0;
}

/* Every copy of a password the session holds (the flags stay: the plan
 * and the JSON read them).  Hops past nhops were never written. */
static void
wipe_passwords(struct session *s)
{
	for (int i = 0; i < s->nhops; i++) {
		explicit_bzero(s->hops[i].cred.pass, sizeof(s->hops[i].cred.pass));
		s->hops[i].cred.passlen = 0;
	}
}

static void
usage_hint(void)
{
	fprintf(stderr, "usage: sockscope [OPTIONS] -x PROXY [connect] HOST PORT\n"
			"       try 'sockscope --help'\n");
}

static const struct {
	const char *verb;
	enum socks_command command;
	int operands; /* after the verb: 2 = HOST PORT (or HOST:PORT), 1 = one name or address */
} verbs[] = {
	{ "connect", COMMAND_CONNECT, 2 },
	{ "bind", COMMAND_BIND, 2 },
	{ "udp", COMMAND_UDP, 2 },
	{ "resolve", COMMAND_RESOLVE, 1 },
	{ "resolve-ptr", COMMAND_RESOLVE_PTR, 1 },
};

static int
parse_positionals(struct session *s, int argc, char **argv)
{
	char why[400];
	int i = 0, operands = 2;

	for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (argc > 0 && strcmp(argv[0], verbs[k].verb) == 0) {
			s->command = verbs[k].command;
			operands = verbs[k].operands;
			i = 1;
		}
	if (operands == 1) {
		if (argc - i != 1) {
			usage_error(s, "%s takes one %s", argv[0],
				    s->command == COMMAND_RESOLVE ? "name" : "address");
			return -1;
		}
		if (parse_host(argv[i], strlen(argv[i]), &s->target, why, sizeof(why)) < 0)
			goto bad;
		return 0;
	}
	if (argc - i == 1) {
		if (parse_target(argv[i], NULL, &s->target, why, sizeof(why)) < 0)
			goto bad;
	} else if (argc - i == 2) {
		if (parse_target(argv[i], argv[i + 1], &s->target, why, sizeof(why)) < 0)
			goto bad;
	} else {
		usage_error(s, "%s",
			    argc - i == 0 ? "no target: give HOST PORT" : "too many arguments");
		usage_hint();
		return -1;
	}
	return 0;
bad:
	usage_error(s, "target: %s", why);
	return -1;
}

/* BIND's first reply: where the peer must connect.  0.0.0.0 means the proxy. */
/* A host the server named, fit for a terminal: its bytes are the server's. */
static const char *
host_text(const struct host *h, char *buf, size_t cap)
{
	term_escape(buf, cap, h->name, h->namelen);
	return buf;
}

static void
announce_bind(struct session *s)
{
	struct host where = s->bound;
	static const uint8_t zero[16];
	char said[HOST_MAX * 4 + 1], listens[HOST_MAX * 4 + 1];

	if ((where.kind == HOST_IPV4 && memcmp(where.addr, zero, 4) == 0) ||
	    (where.kind == HOST_IPV6 && memcmp(where.addr, zero, 16) == 0)) {
		char why[400];
		bool numeric = session_proxy_address(s, &where, why, sizeof(why)) == 0;

		where.port = s->bound.port;
		fprintf(stderr,
			"sockscope: bind: the server listens on %s port %u (it said %s: the proxy's own address%s%s)\n",
			host_text(&where, listens, sizeof(listens)), where.port,
			host_text(&s->bound, said, sizeof(said)), numeric ? "" : "; ",
			numeric ? "" : why);
		s->bound = where;
	} else {
		fprintf(stderr, "sockscope: bind: the server listens on %s port %u\n",
			host_text(&where, listens, sizeof(listens)), where.port);
	}
	fflush(stderr);
}

static int
print_answer(struct session *s)
{
	char text[HOST_MAX * 4 + 1];

	/* The handshake refused an answer of the wrong kind (exit 4). */
	printf("%s\n", host_text(&s->bound, text, sizeof(text)));
	if (fflush(stdout) == 0 && !ferror(stdout))
		return EXIT_OK;
	snprintf(s->error, sizeof(s->error), "writing stdout: %s", strerror(errno));
	return EXIT_TUNNEL;
}

static void
report_failure(const struct session *s, int status)
{
	if (status != EXIT_OK && s->error[0] != '\0')
		fprintf(stderr, "sockscope: %s\n", s->error);
}

int
oneshot_main(struct options *o, int argc, char **argv)
{
	struct session *s = &session;
	struct tunnel_result tr;
	struct udp_result ur;
	bool udp_ran = false;
	int status = EXIT_OK;
	bool json_to_stdout = o->zero_io;
	unsigned known = ONESHOT_JSON_HOPS;

	/* s is static, so already zero: clearing its 24 KiB would only make them resident. */
	memset(&tr, 0, sizeof(tr));
	s->conn.fd = -1;
	s->family = o->family;
	s->timeout_ms = o->timeout_ms;
	s->trace = &trace;
	trace.fp = stderr;
	trace.verbose = o->verbose;
	trace.hex = o->hex;
	trace.json = o->json;
	trace.show_secrets = o->show_secrets;
	trace.color = term_wants_color(o->color, stderr);

	for (int i = 0; i < o->nproxies; i++) {
		char why[400];

		/* The reasons name no password: url.c's refusals never quote one. */
		if (parse_proxy_url(o->proxies[i], &s->hops[i], why, sizeof(why)) < 0) {
			usage_error(s, "proxy %d: %s", i + 1, why);
			status = EXIT_USAGE;
			break;
		}
		/* -U is for every hop whose URL names no user of its own. */
		if (o->user != NULL && !s->hops[i].cred.has_user &&
		    parse_credentials(o->user, &s->hops[i].cred, why, sizeof(why)) < 0) {
			usage_error(s, "-U: %s", why);
			status = EXIT_USAGE;
			break;
		}
	}
	/* Out of the process arguments at once, every one, parsed or not. */
	for (int i = 0; i < o->nproxies; i++)
		secret_url_blank(o->proxies[i]);
	if (o->user != NULL)
		secret_userpass_blank(o->user);
	s->nhops = o->nproxies;
	trace.nhops = s->nhops;
	if (status != EXIT_OK) {
		known = 0; /* a hop half parsed: none is shown */
	} else if (parse_positionals(s, argc, argv) < 0) {
		status = EXIT_USAGE;
	} else {
		known |= ONESHOT_JSON_TARGET;
		if (complete_credentials(s) < 0)
			status = EXIT_USAGE;
	}
	if (status != EXIT_OK) {
		wipe_passwords(s);
		if (o->json)
			oneshot_json_print(json_to_stdout ? stdout : stderr, s, &trace, status, known,
					   0, 0, NULL, o->show_secrets);
		trace_free(&trace);
		return status;
	}
	for (int i = 0; i < s->nhops; i++)
		if (s->hops[i].cred.has_pass)
			secret_keep_in();

	s->started_ms = now_ms();
	status = session_plan(s);
	/* The plan holds the encoded RFC 1929 requests (wiped once sent):
	 * the passwords themselves are no longer needed. */
	wipe_passwords(s);
	if (status == EXIT_OK)
		status = session_run(s);
	report_failure(s, status);
	if (status == EXIT_OK && s->command == COMMAND_BIND) {
		announce_bind(s);
		if (!o->zero_io) {
			status = session_bind_wait(s, o->bind_timeout_ms);
			report_failure(s, status);
			if (status == EXIT_OK) {
				char peer[HOST_MAX * 4 + 1];

				fprintf(stderr, "sockscope: bind: peer %s port %u connected\n",
					host_text(&s->peer, peer, sizeof(peer)), s->peer.port);
			}
		}
	}
	if (status == EXIT_OK && s->command == COMMAND_UDP && o->zero_io &&
	    s->bound.kind != HOST_NAME) {
		char why[400];

		/* No datagram goes, but the summary names the relay that would be used. */
		if (udp_relay_address(s, why, sizeof(why)) != EXIT_OK)
			fprintf(stderr, "sockscope: warning: udp: %s\n", why);
	}
	if (status == EXIT_OK && (s->command == COMMAND_RESOLVE || s->command == COMMAND_RESOLVE_PTR)) {
		status = print_answer(s);
		report_failure(s, status);
	} else if (status == EXIT_OK && s->command == COMMAND_UDP && !o->zero_io) {
		status = udp_run(s, o->dgram_raw, o->quit_after_eof_ms, &ur);
		udp_ran = true;
		if (status != EXIT_OK) {
			snprintf(s->error, sizeof(s->error), "udp: %s",
				 ur.error[0] != '\0' ? ur.error : "the datagram relay failed");
			report_failure(s, status);
		}
		if (o->verbose)
			fprintf(stderr, "* udp: %llu datagrams sent, %llu received, %llu dropped\n",
				(unsigned long long)ur.sent, (unsigned long long)ur.received,
				(unsigned long long)ur.dropped);
		tr.up = ur.bytes_sent;
		tr.down = ur.bytes_received;
	} else if (status == EXIT_OK && !o->zero_io) {
		status = tunnel_run(s->conn.fd, s->conn.in, s->conn.have, STDIN_FILENO, STDOUT_FILENO,
				    o->quit_after_eof_ms, NULL, &tr);
		if (status != EXIT_OK) {
			snprintf(s->error, sizeof(s->error), "%s",
				 tr.error[0] != '\0' ? tr.error : "the tunnel failed");
			report_failure(s, status);
		}
		if (o->verbose)
			fprintf(stderr, "* tunnel: %llu bytes sent, %llu bytes received\n",
				(unsigned long long)tr.up, (unsigned long long)tr.down);
	} else if (status == EXIT_OK && o->verbose) {
		fprintf(stderr, "* handshake done; -z: no tunnel\n");
	}
	if (o->json)
		oneshot_json_print(json_to_stdout ? stdout : stderr, s, &trace, status, known, tr.up,
				   tr.down, udp_ran ? &ur : NULL, o->show_secrets);
	if (s->conn.fd >= 0)
		close(s->conn.fd);
	wipe_passwords(s);
	trace_free(&trace);
	return status;
}
