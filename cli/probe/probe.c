/*
 * sockscope probe: for each server, a series of steps, each on a fresh TCP
 * connection and bounded by -w; many servers at once on one poll() loop.
 * This file holds the command line and probe_main; probe_types.h lists the
 * other probe_*.c files and what each holds.
 *
 * Steps, in order (a step is skipped when an earlier one makes it moot):
 *
 *   tcp               TCP connect only
 *   s5-noauth         SOCKS5 greeting offering 00 alone: the method chosen
 *   s5-gssapi         ... offering 01 alone
 *   s5-userpass       ... offering 02 alone
 *   s5-all            ... offering 00 01 02
 *   s5-auth           greeting 02, then RFC 1929 with the credentials (if any)
 *   s5-connect        CONNECT to the target by address (IPv4, or IPv6 target)
 *   s5-connect-domain CONNECT to the target by name (ATYP 03)
 *   s5-bind           BIND (only with --commands bind)
 *   s5-udp            UDP ASSOCIATE (only with --commands udp)
 *   s4-connect        SOCKS4 CONNECT to the target's IPv4 address
 *   s4a-connect       SOCKS4a CONNECT to the target's name
 *   http-sniff        only when nothing answered as SOCKS: "HEAD / HTTP/1.0"
 *
 * --steps LIST runs only the steps named (step names as above, "connect" for
 * s5-connect); the others are not run and have no entry in "steps".  Without
 * the tcp step, the first step that connects stands for it (reachability,
 * tcp_ms).  Naming s5-bind or s5-udp asks for it as --commands would.  When
 * no SOCKS step runs, the verdict is "reachable", never "not-socks" (unless
 * http-sniff identified what answered).
 *
 * --expect words mean what the JSON key of the same name says (socks4: a
 * valid SOCKS4 reply, granted or not; connect: "connect" is ok; ...); see
 * expect_holds() in probe_verdict.c.
 *
 * JSON lines (-j): one object per server, written when it is done:
 *
 *   {"server": "127.0.0.1:1080",        host:port as given (no credentials)
 *    "input": 3,                        1-based position in the input
 *    "target": "127.0.0.1:40123",       what CONNECT asked for: --target, or
 *                                       a listener of ours for a server on
 *                                       loopback (probe_sink.c), else the
 *                                       server's own address
 *    "verdict": "socks",                socks | unreachable | not-socks | error
 *                                       | broken (only malformed SOCKS replies)
 *                                       | reachable (connected; --steps ran no
 *                                       SOCKS step)
 *    "peer": "http",                    only with not-socks: http, tls, ssh,
 *                                       echo (sends back what it was sent),
 *                                       silent, closes (or resets), other
 *    "summary": "SOCKS4 and SOCKS5",    the verdict in words
 *    "notes": ["SOCKS4 but not 4a", ...],
 *    "socks5": true,                    a valid SOCKS5 method selection (of a
 *                                       method offered, or FF)
 *    "socks4": true,                    a valid SOCKS4 reply to SOCKS4 or 4a
 *                                       (granted or not)
 *    "socks4_connect": "ok",            the s4-connect step's status; skipped
 *                                       also when --steps left it out
 *    "socks4a": false,                  a SOCKS4a CONNECT was granted
 *    "methods": ["noauth", "userpass"], methods chosen when offered alone
 *    "auth": "ok",                      ok | failed | none (no user and
 *                                       password) | error | skipped (s5-auth
 *                                       not run, no CONNECT authenticated)
 *    "connect": "ok",                   ok | refused (a REP) | failed |
 *                                       skipped (not run, or not sent: no
 *                                       acceptable method, auth failed)
 *    "tcp_ms": 0.12,                    TCP connect time; null when not reached
 *    "expect": {"met": false, "failed": ["socks4a"]},   only with --expect
 *    "ok": true,                        with --expect: met it (an "error" never
 *                                       is ok); without: probed (reachable:
 *                                       reached)
 *    "steps": [{"step": "s5-noauth",
 *               "status": "ok",         ok | refused | timeout | closed | reset
 *                                       | malformed | not-socks | unreachable
 *                                       | skipped | error | other-version (a
 *                                       SOCKS4 request answered as SOCKS5, or
 *                                       the reverse)
 *               "connect_ms": 0.1,      absent when no connection was made
 *               "ms": 0.4,              from connect() to the step's end
 *               "code": 0,              METHOD, STATUS, REP or CD of the last
 *                                       message awaited, if that much of it
 *                                       arrived (also in one cut short)
 *               "meaning": "NO AUTHENTICATION REQUIRED",
 *               "peer": "http",         when the step met something not SOCKS
 *               "detail": "...",        what happened, in words
 *               "anomalies": ["RSV: ..."]}, ...]}
 *
 * "error" (with "detail") is for a server line that could not be parsed or
 * resolved (or, after something was sent, a bad line of a pipe); such an
 * object has no steps.  A local failure (a socket refused by the open file
 * limit) is also an "error", with "detail" and its steps.  (With --steps, a server for which
 * every chosen step was skipped is also an "error", with its steps.)
 *
 * A user without a password (URL or -U) takes SOCKSCOPE_PASSWORD; if that is
 * unset, the password is asked once on the terminal when stdin is one, and
 * otherwise the run is a usage error (exit 2) that names the server.  See
 * probe_input.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "handshake.h"
#include "jansson_dl.h"
#include "net.h"
#include "options.h"
#include "probe.h"
#include "probe_engine.h"
#include "probe_input.h"
#include "probe_progress.h"
#include "probe_report.h"
#include "probe_sink.h"
#include "probe_types.h"
#include "probe_verdict.h"
#include "url.h"
#include "term.h"
#include "secrets.h"
#include "why.h"

/* Probe options the global parser handed over (probe_take_option). */
static struct config given = { .parallel = 0 };

/* ------------------------------------------------------------ options */

int
probe_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	term_vsay("sockscope probe", fmt, ap);
	va_end(ap);
	fprintf(stderr, "usage: sockscope [OPTIONS] probe [--parallel N] [--target HOST:PORT]\n"
			"       [--commands bind,udp] [--steps LIST] [--expect LIST] [-f FILE]\n"
			"       [PROXY...]\n");
	return -1;
}

static int
check_expect_list(const char *list)
{
	char buf[512], *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return probe_usage("--expect: the list is too long");
	/* an empty list, or an empty word in it (",", "socks5,,auth"), expects
	   nothing: refused, as an unknown word is */
	if (list[0] == '\0' || list[0] == ',' || list[strlen(list) - 1] == ',' ||
	    strstr(list, ",,") != NULL)
		return probe_usage("--expect: empty word in '%s' (known: reachable, socks5, "
				   "socks4, socks4a, noauth, gssapi, userpass, auth, connect, "
				   "bind, udp; prefix ! or no- to negate)",
				   list);
	strcpy(buf, list);
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		const char *name = t;

		if (name[0] == '!')
			name++;
		else if (strncmp(name, "no-", 3) == 0)
			name += 3;
		if (!probe_expect_known(name))
			return probe_usage("--expect: unknown '%s' (known: reachable, socks5, "
					   "socks4, socks4a, noauth, gssapi, userpass, auth, "
					   "connect, bind, udp; prefix ! or no- to negate)",
					   t);
	}
	return 0;
}

static int
set_option(struct config *c, const char *name, const char *arg)
{
	if (strcmp(name, "parallel") == 0) {
		char *end;
		long v;

		errno = 0;
		v = strtol(arg, &end, 10);
		char q[QUOTE_BUF];

		if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > PROBE_MAX_PARALLEL)
			return probe_usage("--parallel: '%s' is not a number from 1 to %d",
					   secret_quote(arg, q, sizeof(q)), PROBE_MAX_PARALLEL);
		c->parallel = (int)v;
	} else if (strcmp(name, "target") == 0) {
		c->target = arg;
	} else if (strcmp(name, "commands") == 0) {
		char buf[128], *save = NULL;

		if (strlen(arg) >= sizeof(buf))
			return probe_usage("--commands: the list is too long");
		strcpy(buf, arg);
		for (char *t = strtok_r(buf, ",", &save); t != NULL;
		     t = strtok_r(NULL, ",", &save)) {
			if (strcmp(t, "bind") == 0)
				c->bind = true;
			else if (strcmp(t, "udp") == 0)
				c->udp = true;
			else if (strcmp(t, "connect") != 0)
				return probe_usage("--commands: unknown '%s' (known: connect, bind, "
						   "udp)",
						   t);
		}
	} else if (strcmp(name, "steps") == 0) {
		char buf[256], *save = NULL;

		if (strlen(arg) >= sizeof(buf))
			return probe_usage("--steps: the list is too long");
		strcpy(buf, arg);
		for (char *t = strtok_r(buf, ",", &save); t != NULL;
		     t = strtok_r(NULL, ",", &save)) {
			int st = strcmp(t, "connect") == 0 ? ST_S5_CONNECT : -1;

			for (int i = 0; i < ST_COUNT && st < 0; i++)
				if (strcmp(t, probe_step_names[i]) == 0)
					st = i;
			if (st < 0)
				return probe_usage("--steps: unknown '%s' (known: tcp, s5-noauth, "
						   "s5-gssapi, s5-userpass, s5-all, s5-auth, "
						   "s5-connect or connect, s5-connect-domain, s5-bind, "
						   "s5-udp, s4-connect, s4a-connect, http-sniff)",
						   t);
			c->steps |= 1u << st;
			if (st == ST_S5_BIND)
				c->bind = true;
			if (st == ST_S5_UDP)
				c->udp = true;
		}
		if (c->steps == 0)
			return probe_usage("--steps: no step named");
	} else if (strcmp(name, "expect") == 0) {
		if (check_expect_list(arg) < 0)
			return -1;
		if (strlen(c->expect) + strlen(arg) + 2 > sizeof(c->expect))
			return probe_usage("--expect: the list is too long");
		if (c->expect[0] != '\0')
			strcat(c->expect, ",");
		strcat(c->expect, arg);
		c->expect_given = true;
	} else if (strcmp(name, "file") == 0) {
		if (c->file != NULL)
			return probe_usage("-f given twice");
		c->file = arg;
	} else {
		return probe_usage("unknown option --%s", name);
	}
	return 0;
}

int
probe_take_option(const char *name, const char *arg)
{
	return set_option(&given, name, arg);
}

/* Probe options among the operands; what is left are the proxies.  0; 1
   after --help; -1 after a usage error. */
static int
parse_operands(struct run *R, int argc, char **argv)
{
	static const char *const longs[] = { "parallel", "target", "commands", "steps", "expect",
					     "file" };
	bool dashdash = false;

	R->ops = calloc((size_t)argc + 1, sizeof(char *));
	if (R->ops == NULL)
		return probe_usage("out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool matched = false;

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			R->ops[R->nops++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			options_usage(stdout); /* its probe part, as decode --help */
			return 1;
		}
		if (strcmp(a, "-f") == 0) {
			if (i + 1 >= argc)
				return probe_usage("-f needs a FILE");
			if (set_option(&R->cfg, "file", argv[++i]) < 0)
				return -1;
			continue;
		}
		if (strncmp(a, "-f", 2) == 0 && a[2] != '-') {
			if (set_option(&R->cfg, "file", a + 2) < 0)
				return -1;
			continue;
		}
		for (size_t k = 0; k < sizeof(longs) / sizeof(longs[0]) && !matched; k++) {
			size_t n = strlen(longs[k]);

			if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, longs[k], n) != 0)
				continue;
			if (a[2 + n] == '=') {
				if (set_option(&R->cfg, longs[k], a + 3 + n) < 0)
					return -1;
				matched = true;
			} else if (a[2 + n] == '\0') {
				if (i + 1 >= argc)
					return probe_usage("--%s needs a value", longs[k]);
				if (set_option(&R->cfg, longs[k], argv[++i]) < 0)
					return -1;
				matched = true;
			}
		}
		if (!matched) {
			char q[QUOTE_BUF];

			return probe_usage("unknown option '%s' (sockscope's own options, such as -w, "
					   "-j, -v and -U, go before the word probe)",
					   secret_quote(a, q, sizeof(q)));
		}
	}
	return 0;
}

/* ------------------------------------------------------------ descriptors */

/* Descriptors open now below `limit`: /proc/self/fd, or each one tried. */
static rlim_t
fds_in_use(rlim_t limit)
{
	DIR *d = opendir("/proc/self/fd");
	rlim_t n = 0;

	if (d != NULL) {
		struct dirent *e;
		int self = dirfd(d);

		while ((e = readdir(d)) != NULL) {
			char *end;
			long fd;

			errno = 0;
			fd = strtol(e->d_name, &end, 10);
			if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end != '\0' || errno != 0 ||
			    fd == self || (rlim_t)fd >= limit)
				continue;
			n++;
		}
		closedir(d);
		return n;
	}
	for (rlim_t fd = 0; fd < limit && fd < 65536; fd++)
		if (fcntl((int)fd, F_GETFD) != -1)
			n++;
	return n;
}

/*
 * One descriptor per slot, within the open file limit (raised as far as it
 * may be): what is already open and a few to spare (the resolver, the
 * terminal for a password, stdio; without --target, the listeners of
 * probe_sink.c) are not the slots'.  Fewer slots than
 * --parallel asks is said on stderr; none at all is a usage error (exit 2),
 * before anything is sent.
 */
#define FD_RESERVE 2

static int
fit_open_files(struct run *R)
{
	struct rlimit rl;
	rlim_t used, need, avail, reserve = FD_RESERVE + (R->have_target ? 0 : PROBE_SINK_FDS);

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	used = fds_in_use(rl.rlim_cur);
	need = used + reserve + (rlim_t)R->nslots;
	if (need > rl.rlim_cur && rl.rlim_cur < rl.rlim_max) {
		struct rlimit up = rl;

		up.rlim_cur = rl.rlim_max == RLIM_INFINITY || need <= rl.rlim_max ? need :
										     rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &up) == 0) {
			rl = up;
			used = fds_in_use(rl.rlim_cur);
		}
	}
	avail = rl.rlim_cur > used + reserve ? rl.rlim_cur - used - reserve : 0;
	if (avail < 1) {
		probe_usage("the open file limit (%llu, %llu of them in use) leaves no descriptor "
			    "for a connection: raise ulimit -n",
			    (unsigned long long)rl.rlim_cur, (unsigned long long)used);
		return -1;
	}
	if ((rlim_t)R->nslots > avail) {
		fprintf(stderr,
			"sockscope probe: --parallel %d is more than the open file limit allows "
			"(%llu, %llu in use); using %d\n",
			R->nslots, (unsigned long long)rl.rlim_cur, (unsigned long long)used,
			(int)avail);
		R->nslots = (int)avail;
	}
	return 0;
}

/* ------------------------------------------------------------ entry */

/* The exit status of a run that went (see probe.h). */
static int
run_status(struct run *R)
{
	if (R->refused)
		return EXIT_USAGE;
	if (R->out_err == 0 && fflush(stdout) != 0)
		R->out_err = errno;
	if (R->out_err == EPIPE) /* nobody reads the rest: an orderly end */
		return R->all_ok ? EXIT_OK : 1;
	if (R->out_err != 0) {
		/* what was asked for could not be written: 7, as in every mode */
		fprintf(stderr, "sockscope: standard output: %s\n", strerror(R->out_err));
		return EXIT_TUNNEL;
	}
	if (R->ninput == 0) {
		/* only blank lines and comments: bad input, and nothing was sent */
		fprintf(stderr, "sockscope probe: no servers in the input\n");
		return EXIT_USAGE;
	}
	return R->all_ok ? EXIT_OK : 1;
}

/* -f FILE, or stdin for -f -: 0, or -1 after a usage error. */
static int
open_input(struct run *R)
{
	struct stat st;

	if (strcmp(R->cfg.file, "-") == 0) {
		R->fp = stdin;
		R->fp_is_stdin = true;
	} else if ((R->fp = fopen(R->cfg.file, "r")) == NULL) {
		return probe_usage("-f %s: %s", R->cfg.file, strerror(errno));
	}
	/* lines that come as the run goes are read a byte at a time, and only
	   when they are there (probe_input_wait_fd) */
	R->fp_stream = fstat(fileno(R->fp), &st) == 0 && !S_ISREG(st.st_mode);
	if (R->fp_stream)
		setvbuf(R->fp, NULL, _IONBF, 0);
	return 0;
}

int
probe_main(struct options *o, int argc, char **argv)
{
	struct run R;
	char why[256];
	int rc = EXIT_USAGE, parsed;

	memset(&R, 0, sizeof(R));
	R.sink.fd4 = R.sink.fd6 = -1;
	R.cfg = given;
	R.o = o;
	R.all_ok = true;
	if ((parsed = parse_operands(&R, argc, argv)) != 0) {
		if (parsed > 0) /* --help */
			rc = term_stdout_status(EXIT_OK);
		goto out;
	}
	if (R.cfg.parallel == 0)
		R.cfg.parallel = PROBE_DEFAULT_PARALLEL;
	if (o->nproxies > 0) {
		probe_usage("-x does not apply to probe: give the servers as operands");
		goto out;
	}
	if (R.nops == 0 && R.cfg.file == NULL) {
		probe_usage("no servers: give PROXY... or -f FILE");
		goto out;
	}
	/* Every operand is checked before anything is sent. */
	for (int i = 0; i < R.nops; i++) {
		struct proxy p;

		if (parse_proxy_url(R.ops[i], &p, why, sizeof(why)) < 0) {
			probe_usage("%s", why);
			goto out;
		}
	}
	if (o->user != NULL) {
		if (parse_credentials(o->user, &R.cred, why, sizeof(why)) < 0) {
			probe_usage("-U: %s", why);
			goto out;
		}
		R.have_cred = true;
	}
	if (R.cfg.target != NULL) {
		if (parse_target(R.cfg.target, NULL, &R.target, why, sizeof(why)) < 0) {
			probe_usage("--target: %s", why);
			goto out;
		}
		if (R.target.kind == HOST_NAME &&
		    net_resolve(&R.target, AF_INET, why, sizeof(why)) < 0 &&
		    net_resolve(&R.target, AF_UNSPEC, why, sizeof(why)) < 0) {
			probe_usage("--target: %s", why);
			goto out;
		}
		R.have_target = true;
	}
	if (R.cfg.file != NULL && open_input(&R) < 0)
		goto out;
	if (o->json && jansson_dl_load(why, sizeof(why)) < 0) {
		/* now, before anything is sent, and while descriptors are free */
		probe_usage("%s", why);
		goto out;
	}
	if (probe_check_passwords(&R) < 0)
		goto out;
	R.nslots = R.cfg.parallel;
	if (fit_open_files(&R) < 0)
		goto out;
	R.slots = calloc((size_t)R.nslots, sizeof(*R.slots));
	if (R.slots == NULL) {
		probe_usage("out of memory");
		goto out;
	}
	for (int i = 0; i < R.nslots; i++)
		R.slots[i].fd = -1;
	if (!R.have_target)
		probe_sink_open(&R.sink);
	probe_run_loop(&R);
	probe_report_end(&R);
	rc = run_status(&R);
out:
	probe_sink_close(&R.sink);
	if (R.fp != NULL && !R.fp_is_stdin)
		fclose(R.fp);
	if (R.line != NULL)
		explicit_bzero(R.line, R.linecap); /* a line may hold a password */
	free(R.line);
	free(R.slots);
	free(R.ops);
	explicit_bzero(&R.cred, sizeof(R.cred));
	explicit_bzero(R.pw, sizeof(R.pw));
	probe_progress_signal_end(); /* the rows done are written: now the signal */
	return rc;
}
