/* watch's command line: its own options, after the word watch. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seconds.h"
#include "secrets.h"
#include "version.h"
#include "watch_int.h"

#define USAGE_LINE                                                                              \
	"usage: sockscope watch -x UPSTREAM [-x ...] [-l [ADDR:]PORT] [-w SECS] [-v] [-X] [-j]\n" \
	"                       [--max-sessions N] [--dump-data N] [--allow-remote]\n"            \
	"                       [--show-secrets] [--color WHEN]\n"

static void
usage(FILE *fp)
{
	fputs(USAGE_LINE
	      "\n"
	      "Listen for applications, relay each one's connection to the upstream proxy\n"
	      "unchanged, and show its SOCKS handshake as it happens: the messages, the\n"
	      "outcome, hints, and a summary line when it closes.  ^C prints a table of\n"
	      "every session and exits.\n"
	      "\n"
	      "  -x, --proxy URL       the upstream proxy; several: reach the last through\n"
	      "                        the others\n"
	      "  -l, --listen ADDR:PORT  where to listen (default 127.0.0.1:1081; port 0: any)\n"
	      "  -w, --timeout SECS    each handshake phase (default 10)\n"
	      "  -v, --verbose         every message's trace line, phases and closes\n"
	      "  -X, --hex             every message's annotated hex view\n"
	      "  -j, --json            JSON lines, one per event\n"
	      "      --max-sessions N  sessions at once (default 1000)\n"
	      "      --dump-data N     hex dump of the first N tunnel bytes each way\n"
	      "      --allow-remote    allow a listen address other than loopback\n"
	      "      --show-secrets    show RFC 1929 passwords instead of ********\n"
	      "      --color WHEN      auto, always or never (NO_COLOR honoured)\n"
	      "  -h, --help            this help\n"
	      "  -V, --version         the version\n",
	      fp);
}

static int __attribute__((format(printf, 1, 2)))
bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	term_vsay("sockscope", fmt, ap);
	va_end(ap);
	fputs(USAGE_LINE, stderr);
	return -1;
}

/* What the user typed, for a message: a password in it masked. */
static char quoted[300];
#define Q(arg) secret_quote((arg), quoted, sizeof(quoted))

static int
parse_count(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return *end != '\0' || errno != 0 || *out > max ? -1 : 0;
}

/* "PORT", "ADDR:PORT" or "[V6]:PORT"; the address numeric. */
static int
parse_listen(const char *arg, struct watch_opts *o)
{
	struct host h;
	char why[300];

	memset(&h, 0, sizeof(h));
	h.kind = HOST_IPV4;
	h.addr[0] = 127;
	h.addr[3] = 1;
	if (strchr(arg, ':') == NULL) {
		if (parse_port(arg, &h.port, why, sizeof(why)) < 0)
			return bad("-l: %s", why);
	} else if (parse_target(arg, NULL, &h, why, sizeof(why)) < 0) {
		return bad("-l: %s", why);
	} else if (h.kind == HOST_NAME) {
		return bad("-l: '%s' is not a numeric address (127.0.0.1:1081, [::1]:1081)", Q(arg));
	}
	memset(&o->listen, 0, sizeof(o->listen));
	if (h.kind == HOST_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&o->listen;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(h.port);
		memcpy(&sin->sin_addr, h.addr, 4);
		o->listenlen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&o->listen;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(h.port);
		memcpy(&sin6->sin6_addr, h.addr, 16);
		o->listenlen = sizeof(*sin6);
	}
	return 0;
}

static int
add_hop(struct watch_opts *o, char *arg)
{
	char why[600];

	if (o->nhops == MAX_HOPS)
		return bad("-x: at most %d proxies", MAX_HOPS);
	if (parse_proxy_url(arg, &o->hops[o->nhops], why, sizeof(why)) < 0) {
		secret_url_blank(arg);
		return bad("-x: %s", why);
	}
	secret_url_blank(arg); /* ps and /proc/PID/cmdline never show it */
	o->nhops++;
	return 0;
}

enum {
	OPT_MAX = 256, OPT_DUMP, OPT_REMOTE, OPT_SECRETS, OPT_COLOR,
};

static const struct option longopts[] = {
	{"proxy", required_argument, NULL, 'x'},
	{"listen", required_argument, NULL, 'l'},
	{"timeout", required_argument, NULL, 'w'},
	{"verbose", no_argument, NULL, 'v'},
	{"hex", no_argument, NULL, 'X'},
	{"json", no_argument, NULL, 'j'},
	{"max-sessions", required_argument, NULL, OPT_MAX},
	{"dump-data", required_argument, NULL, OPT_DUMP},
	{"allow-remote", no_argument, NULL, OPT_REMOTE},
	{"show-secrets", no_argument, NULL, OPT_SECRETS},
	{"color", required_argument, NULL, OPT_COLOR},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* One option; 0 to go on, -1 usage error, 1 answered (--help, --version). */
static int
one_option(int c, struct watch_opts *o, enum color_when *color, char **argv)
{
	unsigned long long n;

	switch (c) {
	case 'x':
		return add_hop(o, optarg);
	case 'l':
		return parse_listen(optarg, o);
	case 'w':
		if (seconds_parse(optarg, 86400, &o->timeout_ms) < 0 || o->timeout_ms == 0)
			return bad("-w: bad number of seconds '%s' (0.001 to 86400)", Q(optarg));
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	case 'X':
		o->hex = true;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case OPT_MAX:
		if (parse_count(optarg, 100000, &n) < 0 || n == 0)
			return bad("--max-sessions: '%s' is not a number from 1 to 100000", Q(optarg));
		o->max_sessions = (unsigned)n;
		return 0;
	case OPT_DUMP:
		if (parse_count(optarg, UINT64_MAX, &n) < 0)
			return bad("--dump-data: '%s' is not a number of bytes", Q(optarg));
		o->dump_data = n;
		return 0;
	case OPT_REMOTE:
		o->allow_remote = true;
		return 0;
	case OPT_SECRETS:
		o->show_secrets = true;
		return 0;
	case OPT_COLOR:
		if (color_when_parse(optarg, color) < 0)
			return bad("--color: '%s' is not auto, always or never", Q(optarg));
		return 0;
	case 'h':
		usage(stdout);
		return 1;
	case 'V':
		printf("sockscope %s\n", SOCKSCOPE_VERSION);
		return 1;
	case ':':
		return bad("watch: %s needs an argument", Q(argv[optind - 1]));
	default:
		if (optopt != 0) {
			char opt[3] = {'-', (char)optopt, '\0'};

			return bad("watch: unknown option %s", opt);
		}
		return bad("watch: unknown option %s", Q(argv[optind - 1]));
	}
}

/*
 * Parses argv (argv[0] is "watch").  0, -1 for a usage error (said), 1
 * when --help or --version was answered.
 */
int
watch_options(int argc, char **argv, struct watch_opts *o)
{
	enum color_when color = COLOR_AUTO;
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->timeout_ms = 10000;
	o->max_sessions = WATCH_DEFAULT_MAX;
	if (parse_listen("1081", o) < 0)
		return -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":x:l:w:vXjhV", longopts, NULL)) != -1)
		if ((rc = one_option(c, o, &color, argv)) != 0)
			return rc;
	if (optind < argc)
		return bad("watch: unexpected operand '%s' (give the upstream with -x)", Q(argv[optind]));
	if (o->nhops == 0)
		return bad("watch: no upstream: give -x PROXY");
	if (!watch_is_loopback(&o->listen) && !o->allow_remote)
		return bad("-l: a listen address other than loopback lets anyone who reaches it use "
			   "the upstream proxy: add --allow-remote if that is meant");
	o->color = !o->json && term_wants_color(color, stdout);
	return 0;
}
