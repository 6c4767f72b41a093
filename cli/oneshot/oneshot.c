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
#include "hopflow.h"
#include "net.h"
#include "oneshot_json.h"
#include "options.h"
#include "password.h"
#include "secrets.h"
#include "session_io.h"
#include "term.h"
#include "oneshot_show.h"
#include "trace.h"
#include "traceshow.h"
#include "tunnel.h"
#include "udp.h"

static struct session session;
static struct trace trace;

static void usage_error(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What failed, on stderr (session_say escapes what the user typed, as
 * -j's "error" is escaped). */
static void
say_error(const struct session *s)
{
	session_say(s, "%s", s->error);
}

/* A usage error: said on stderr, and kept in s->error for -j. */
static void
usage_error(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	say_error(s);
}

/* Fills in passwords from SOCKSCOPE_PASSWORD or a no-echo prompt. */
static int
complete_credentials(struct session *s)
{
	for (int i = 0; i < s->nhops; i++) {
		struct credentials *c = &s->hops[i].cred;
		enum socks_version v = s->hops[i].version;
		char prompt[CRED_MAX * 4 + 40], user[CRED_MAX * 4 + 1];

		if (!version_facts(v)->has_password)
			continue;
		if (password_from_env(c) < 0) {
			usage_error(s, "SOCKSCOPE_PASSWORD is longer than %d bytes", CRED_MAX);
			return -1;
		}
		if (!c->has_user || c->has_pass) /* none wanted, or the environment's */
			continue;
		term_escape(user, sizeof(user), c->user, strlen(c->user));
		snprintf(prompt, sizeof(prompt), "password for %s: ", user);
		int st = password_prompt(prompt, c->pass, sizeof(c->pass), &c->passlen);

		if (st == PASSWORD_OK) {
			c->has_pass = true;
		} else if (st == PASSWORD_CANCELLED || st == PASSWORD_EMPTY) {
			/* Asked and refused: say so, rather than "no password". */
			usage_error(s, "password for %s: %s", user, password_strerror(st));
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
usage_hint(const struct session *s)
{
	if (!s->quiet)
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

const char *
oneshot_verb(size_t i)
{
	return i < sizeof(verbs) / sizeof(verbs[0]) ? verbs[i].verb : NULL;
}

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
		usage_hint(s);
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
announce_bind(struct session *s, bool zero_io)
{
	struct host where = s->bound;
	static const uint8_t zero[16];
	char said[HOST_MAX * 4 + 1], listens[HOST_MAX * 4 + 1];

	if ((where.kind == HOST_IPV4 && memcmp(where.addr, zero, 4) == 0) ||
	    (where.kind == HOST_IPV6 && memcmp(where.addr, zero, 16) == 0)) {
		char why[400];
		bool numeric = session_proxy_address(s, &where, why, sizeof(why)) == 0;

		where.port = s->bound.port;
		session_say(s,
			    "bind: the server listens on %s port %u (it said %s: the proxy's own address%s%s)",
			    host_text(&where, listens, sizeof(listens)), where.port,
			    host_text(&s->bound, said, sizeof(said)), numeric ? "" : "; ",
			    numeric ? "" : why);
		s->bound = where;
	} else {
		session_say(s, "bind: the server listens on %s port %u",
			    host_text(&where, listens, sizeof(listens)), where.port);
	}
	/* The peer needs the address now, not in the summary at the end. */
	if (s->quiet && !zero_io)
		oneshot_json_bind_listen(stderr, s);
	fflush(stderr);
}

/*
 * Whether what went to stdout arrived: a failure to write it is exit 7,
 * "standard output: REASON"; EPIPE (the reader went away, `| head -1`) is
 * an orderly end, with the status the run had.
 */
static int
stdout_status(struct session *s, int status)
{
	int err;

	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	err = errno != 0 ? errno : EIO;
	if (err == EPIPE)
		return status;
	snprintf(s->error, sizeof(s->error), "standard output: %s", strerror(err));
	return EXIT_TUNNEL;
}

static int
print_answer(struct session *s)
{
	char text[HOST_MAX * 4 + 1];

	/* The handshake refused an answer of the wrong kind (exit 4). */
	printf("%s\n", host_text(&s->bound, text, sizeof(text)));
	return stdout_status(s, EXIT_OK);
}

static void
report_failure(const struct session *s, int status)
{
	if (status != EXIT_OK && s->error[0] != '\0')
		say_error(s);
}

/* With -j, the signal that ended the run (its summary says so), else 0. */
static volatile sig_atomic_t caught_signal;

static void
on_signal(int sig)
{
	if (caught_signal == 0)
		caught_signal = sig;
}

/*
 * With -j, a signal that would end the run ends it in order instead: every
 * wait returns (net_stop), the summary is written, then the signal ends the
 * process as it would have.  One the shell ignores (nohup) stays ignored.
 */
static void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	net_stop = &caught_signal;
}

static int
run_udp(const struct options *o, struct session *s, struct tunnel_result *tr,
	struct udp_result *ur, bool *udp_ran)
{
	int status = udp_run(s, o->dgram_raw, o->quit_after_eof_ms, ur);

	*udp_ran = true;
	if (status != EXIT_OK) {
		/* A failing stdout is said the same in every mode, unprefixed. */
		bool stdout_failed = strncmp(ur->error, "standard output:", 16) == 0;

		snprintf(s->error, sizeof(s->error), "%s%s", stdout_failed ? "" : "udp: ",
			 ur->error[0] != '\0' ? ur->error : "the datagram relay failed");
		report_failure(s, status);
	}
	if (o->verbose && !s->quiet)
		fprintf(stderr, "* udp: %llu datagrams sent, %llu received, %llu dropped\n",
			(unsigned long long)ur->sent, (unsigned long long)ur->received,
			(unsigned long long)ur->dropped);
	tr->up = ur->bytes_sent;
	tr->down = ur->bytes_received;
	return status;
}

static int
run_tunnel(const struct options *o, struct session *s, struct tunnel_result *tr)
{
	struct tunnel t; /* 128 KiB of buffers, for the run only */
	struct progress_line line = { .fp = stderr, .t0_us = now_us(), .last_us = now_us() };
	struct tunnel_opts to = { .quit_after_eof_ms = o->quit_after_eof_ms,
				  .idle_ms = o->idle_timeout_ms,
				  .no_shutdown = o->no_shutdown,
				  .stop = o->json ? &caught_signal : NULL };

	/* Only for a person: a terminal, and no JSON on stderr. */
	if (o->progress && !s->quiet && isatty(STDERR_FILENO)) {
		to.progress = oneshot_progress;
		to.progress_ctx = &line;
	}
	int status = tunnel_run(&t, s->conn.fd, s->conn.in, s->conn.have, STDIN_FILENO,
				STDOUT_FILENO, &to, tr);

	if (tr->warning[0] != '\0' && !o->json)
		fprintf(stderr, "sockscope: %s\n", tr->warning);
	else if (tr->warning[0] != '\0') /* -j: the summary's notes say it */
		trace_note(s->trace, s->nhops, "%s", tr->warning);
	if (status != EXIT_OK) {
		snprintf(s->error, sizeof(s->error), "%s",
			 tr->error[0] != '\0' ? tr->error : "the tunnel failed");
		report_failure(s, status);
	}
	if (o->verbose && !s->quiet)
		fprintf(stderr, "* tunnel: %llu bytes sent, %llu bytes received\n",
			(unsigned long long)tr->up, (unsigned long long)tr->down);
	return status;
}

/* After the grant: BIND's wait, RESOLVE's answer, the datagrams or the tunnel. */
static int
after_grant(const struct options *o, struct session *s, struct tunnel_result *tr,
	    struct udp_result *ur, bool *udp_ran)
{
	int status;

	if (s->command == COMMAND_BIND) {
		announce_bind(s, o->zero_io);
		if (!o->zero_io) {
			char peer[HOST_MAX * 4 + 1];

			status = session_bind_wait(s, o->bind_timeout_ms);
			report_failure(s, status);
			if (status != EXIT_OK)
				return status;
			session_say(s, "bind: peer %s port %u connected",
				    host_text(&s->peer, peer, sizeof(peer)), s->peer.port);
		}
	}
	if (s->command == COMMAND_UDP && o->zero_io) {
		char why[400];

		/* No datagram goes, but the summary names the relay that would be used. */
		if (udp_relay_address(s, why, sizeof(why)) != EXIT_OK)
			session_say(s, "warning: udp: %s", why);
	}
	if (s->command == COMMAND_RESOLVE || s->command == COMMAND_RESOLVE_PTR) {
		status = print_answer(s);
		report_failure(s, status);
		return status;
	}
	if (o->zero_io) {
		if (o->verbose && !s->quiet)
			fprintf(stderr, "* handshake done; -z: no tunnel\n");
		return EXIT_OK;
	}
	if (s->command == COMMAND_UDP)
		return run_udp(o, s, tr, ur, udp_ran);
	return run_tunnel(o, s, tr);
}

/*
 * With -j the summary is the output asked for: one that stderr could not
 * take turns a success into exit 7, unsaid (stderr is the broken stream).
 * A run that failed keeps its own status, which says more (a refusal is
 * still 1).  On stdout (-z) stdout_status says it.
 */
static int
summary_status(bool json_to_stdout, int printed, int status)
{
	return printed < 0 && !json_to_stdout && status == EXIT_OK ? EXIT_TUNNEL : status;
}

static void
session_setup(const struct options *o, struct session *s, bool json_to_stdout)
{
	/* s is static, so already zero: clearing its 24 KiB would only make them resident. */
	s->conn.fd = -1;
	s->family = o->family;
	s->timeout_ms = o->timeout_ms;
	s->trace = &trace;
	/* -j's summary on stderr leaves no room there for text: it carries it all. */
	s->quiet = o->json && !json_to_stdout;
	trace.t0_us = now_us();
	trace.fp = s->quiet ? NULL : stderr;
	trace.render = trace_render_view;
	trace.verbose = o->verbose;
	trace.hex = o->hex;
	trace.json = o->json;
	trace.show_secrets = o->show_secrets;
	trace.color = term_wants_color(o->color, stderr);
}

int
oneshot_usage_json(const struct options *o, const char *error)
{
	struct session *s = &session;
	int status;

	session_setup(o, s, o->zero_io);
	snprintf(s->error, sizeof(s->error), "%s", error);
	status = summary_status(o->zero_io,
				oneshot_json_print(o->zero_io ? stdout : stderr, s, &trace, EXIT_USAGE,
						   0, 0, 0, NULL, o->show_secrets, 0),
				EXIT_USAGE);
	if (o->zero_io && (status = stdout_status(s, status)) == EXIT_TUNNEL)
		fprintf(stderr, "sockscope: %s\n", s->error);
	trace_free(&trace);
	return status;
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

	memset(&tr, 0, sizeof(tr));
	session_setup(o, s, json_to_stdout);
	if (o->proxy_warning != NULL) /* -j: a file not used, in the notes */
		trace_note(&trace, 0, "%s", o->proxy_warning);

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
			status = summary_status(json_to_stdout,
				oneshot_json_print(json_to_stdout ? stdout : stderr, s, &trace, status,
						   known, 0, 0, NULL, o->show_secrets, 0), status);
		trace_free(&trace);
		return status;
	}
	for (int i = 0; i < s->nhops; i++)
		if (s->hops[i].cred.has_pass)
			secret_keep_in();

	s->started_ms = now_ms();
	if (o->json)
		catch_signals();
	status = session_plan(s);
	/* The plan holds the encoded RFC 1929 requests (wiped once sent):
	 * the passwords themselves are no longer needed. */
	wipe_passwords(s);
	if (status == EXIT_OK)
		status = session_run(s);
	report_failure(s, status);
	memset(&ur, 0, sizeof(ur));
	if (status == EXIT_OK)
		status = after_grant(o, s, &tr, &ur, &udp_ran);
	if (caught_signal != 0)
		status = 128 + caught_signal;
	if (o->json) {
		status = summary_status(json_to_stdout,
			oneshot_json_print(json_to_stdout ? stdout : stderr, s, &trace, status, known,
					   tr.up, tr.down, udp_ran ? &ur : NULL, o->show_secrets,
					   caught_signal), status);
		if (json_to_stdout && (status = stdout_status(s, status)) == EXIT_TUNNEL)
			fprintf(stderr, "sockscope: %s\n", s->error);
	}
	if (o->timeline && !s->quiet)
		oneshot_timeline(stderr, &trace, &tr);
	if (s->conn.fd >= 0)
		close(s->conn.fd);
	hop_wipe_all(s); /* BIND's last flow, kept for a second reply -z never read */
	udp_result_free(&ur);
	wipe_passwords(s);
	trace_free(&trace);
	if (caught_signal != 0) { /* the summary is out: now end as the signal says */
		signal(caught_signal, SIG_DFL);
		raise(caught_signal);
	}
	return status;
}
