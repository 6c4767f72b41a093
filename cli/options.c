/* The shared command line: one table of long options, parsed with getopt_long. */
#include "options.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "modes.h"
#include "probe.h"
#include "proxyconf.h"
#include "seconds.h"
#include "secrets.h"
#include "term.h"
#include "version.h"
#include "why.h"

enum { OPT_COLOR = 256, OPT_SHOW_SECRETS, OPT_DUMP_OPTIONS, OPT_DUMP_COMMANDS, OPT_DUMP_MODES,
       OPT_PARALLEL, OPT_TARGET, OPT_COMMANDS, OPT_STEPS, OPT_EXPECT, OPT_BIND_TIMEOUT, OPT_DGRAM_RAW,
       OPT_NO_SHUTDOWN, OPT_IDLE_TIMEOUT, OPT_NETRC_FILE, OPT_TIMELINE, OPT_PROGRESS };

static const struct option long_options[] = {
	{ "proxy", required_argument, NULL, 'x' },
	{ "proxy-user", required_argument, NULL, 'U' },
	{ "timeout", required_argument, NULL, 'w' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "hex", no_argument, NULL, 'X' },
	{ "json", no_argument, NULL, 'j' },
	{ "zero-io", no_argument, NULL, 'z' },
	{ "quit-after-eof", required_argument, NULL, 'q' },
	{ "no-shutdown", no_argument, NULL, OPT_NO_SHUTDOWN },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "netrc-file", required_argument, NULL, OPT_NETRC_FILE },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "show-secrets", no_argument, NULL, OPT_SHOW_SECRETS },
	{ "timeline", no_argument, NULL, OPT_TIMELINE },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "command", required_argument, NULL, 'c' },
	{ "script", required_argument, NULL, 's' },
	{ "keep-going", no_argument, NULL, 'k' },
	{ "bind-timeout", required_argument, NULL, OPT_BIND_TIMEOUT },
	{ "dgram-raw", no_argument, NULL, OPT_DGRAM_RAW },
	{ "file", required_argument, NULL, 'f' },
	{ "parallel", required_argument, NULL, OPT_PARALLEL },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "commands", required_argument, NULL, OPT_COMMANDS },
	{ "steps", required_argument, NULL, OPT_STEPS },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "dump-options", no_argument, NULL, OPT_DUMP_OPTIONS },
	{ "dump-commands", no_argument, NULL, OPT_DUMP_COMMANDS },
	{ "dump-modes", no_argument, NULL, OPT_DUMP_MODES },
	{ NULL, 0, NULL, 0 },
};

#define SHORT_OPTIONS "x:U:w:vXjzq:46c:s:kf:hV"

void
options_usage(FILE *fp)
{
	modes_synopsis(fp);
	fputs("\n"
	      "  -x, --proxy URL        [socks4|socks4a|socks5|socks5h://][USER[:PASS]@]HOST[:PORT];\n"
	      "                         repeat for a chain (default scheme socks5h, port 1080);\n"
	      "                         @NAME: a proxy or chain of the config file; without -x:\n"
	      "                         the config's default, else socks_proxy or all_proxy\n"
	      "  -U, --proxy-user U[:P] credentials (password also from SOCKSCOPE_PASSWORD\n"
	      "                         or asked without echo on the terminal)\n"
	      "  -w, --timeout SECS     bound on the connect and on each handshake phase (10)\n"
	      "  -v, --verbose          decoded trace on stderr: phases, timings, resolution\n"
	      "  -X, --hex              annotated hex view of every message\n"
	      "  -j, --json             one JSON summary (stdout with -z, else stderr)\n"
	      "  -z, --zero-io          handshake only, no tunnel\n"
	      "  -q, --quit-after-eof SECS  quit SECS after stdin EOF instead of waiting\n"
	      "                         for the server to close\n"
	      "      --no-shutdown      keep sending open after stdin EOF (no half-close)\n"
	      "      --idle-timeout SECS  end the tunnel when nothing moved for SECS (exit 5)\n"
	      "      --netrc-file FILE  credentials by host from FILE ($HOME/.netrc)\n"
	      "  -4, -6                 resolve names here to IPv4 / IPv6 only\n"
	      "      --bind-timeout SECS  BIND: how long to wait for the peer (120)\n"
	      "      --dgram-raw        udp: each read of stdin is a datagram, not each line\n"
	      "      --color WHEN       auto, always or never (NO_COLOR honoured)\n"
	      "      --show-secrets     show passwords in dumps and JSON\n"
	      "      --timeline         the phases as a waterfall on stderr at the end\n"
	      "      --progress         the tunnel's bytes and rates on a terminal's stderr\n"
	      "  -c, --command CMDS     run REPL commands separated by ';'\n"
	      "  -s, --script FILE      run the REPL commands in FILE\n"
	      "  -k, --keep-going       go on after a failing command\n"
	      "probe: sockscope [OPTIONS] probe [PROXY...] [-f FILE]\n"
	      "  -f, --file FILE        servers to probe, one URL a line ('-': stdin; # comments)\n"
	      "      --parallel N       connections at once (32)\n"
	      "      --target HOST:PORT what CONNECT asks for (default: each server itself)\n"
	      "      --commands LIST    also try bind,udp\n"
	      "      --steps LIST       only these steps (tcp, s5-noauth, ..., connect)\n"
	      "      --expect LIST      socks5,socks4,socks4a,noauth,gssapi,userpass,auth,\n"
	      "                         connect,bind,udp,reachable (! or no- negates)\n"
	      "  -h, --help             this help\n"
	      "  -V, --version          the version\n"
	      "\n"
	      "exit status: 0 ok, 1 refused by the server, 2 usage or bad input,\n"
	      "3 proxy unreachable, 4 protocol violation, 5 timeout, 6 authentication,\n"
	      "7 tunnel I/O error\n",
	      fp);
}

void
options_dump(FILE *fp)
{
	for (const struct option *lo = long_options; lo->name != NULL; lo++)
		if (lo->val != OPT_DUMP_OPTIONS && lo->val != OPT_DUMP_COMMANDS &&
		    lo->val != OPT_DUMP_MODES)
			fprintf(fp, "--%s\n", lo->name);
}

static void usage_say(struct options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A usage error: said on stderr, or with -j kept in o->error for the
 * caller's JSON summary (stderr then carries JSON only). */
static void
usage_say(struct options *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (o->usage_to_json)
		vsnprintf(o->error, sizeof(o->error), fmt, ap);
	else
		term_vsay("sockscope", fmt, ap);
	va_end(ap);
}

static int
parse_seconds(struct options *o, const char *s, const char *opt, int *ms)
{
	char q[QUOTE_BUF];

	if (seconds_parse(s, 86400, ms) == 0)
		return 0;
	usage_say(o, "%s: bad number of seconds '%s' (0 to 86400)", opt,
		secret_quote(s, q, sizeof(q)));
	return -1;
}

/* A bound on a wait: 0 (or less than a millisecond) would give up at once. */
static int
parse_timeout(struct options *o, const char *s, const char *opt, int *ms)
{
	if (parse_seconds(o, s, opt, ms) < 0)
		return -1;
	if (*ms == 0) {
		usage_say(o, "%s: the timeout must be at least 0.001 seconds", opt);
		return -1;
	}
	return 0;
}

/* What getopt refused (c is '?' or ':'), quoted as a message may quote it. */
static void
bad_option(struct options *o, int c, const char *arg)
{
	char q[QUOTE_BUF], shortopt[3] = { '-', (char)optopt, '\0' };
	bool is_long = strncmp(arg, "--", 2) == 0;
	const char *what = is_long ? secret_quote(arg, q, sizeof(q))
				   : quote_shown(shortopt, 2, 2, q, sizeof(q));

	if (c == ':')
		usage_say(o, "option '%s' needs a value", what);
	else if (is_long && optopt != 0) /* glibc: a value given to a flag */
		usage_say(o, "option '%s' takes no value", what);
	else
		usage_say(o, "unknown%s option '%s'", is_long ? " or ambiguous" : "", what);
	if (!o->usage_to_json)
		fprintf(stderr, "try 'sockscope --help'\n");
}

/*
 * Whether a usage error goes to a JSON summary: -j is among the options
 * (a value, as -x's, is not one) and the mode is not probe, whose -j is
 * its report on stdout and whose usage errors are text.
 */
static bool
usage_goes_to_json(int argc, char **argv)
{
	int c, first = options_first_operand(argc, argv);
	bool json = false;
	char **copy;

	if (first < argc && strcmp(argv[first], "probe") == 0)
		return false;
	/* getopt permutes what it scans: were this look at argv itself, an
	   operand moved after a dangling "-x" would become its value in the
	   real scan ("HOST PORT -x"). */
	copy = calloc((size_t)argc + 1, sizeof(*copy));
	if (copy == NULL)
		return false;
	memcpy(copy, argv, (size_t)argc * sizeof(*copy));
	opterr = 0;
	while ((c = getopt_long(argc, copy, ":" SHORT_OPTIONS, long_options, NULL)) != -1)
		json = json || c == 'j';
	optind = 0; /* the real scan starts afresh */
	free(copy);
	return json;
}

/* -x, -U, -w, -q, -4, -6 and the tunnel's: how to reach the server and
 * how long to wait.  0 taken, -1 refused, 1 not one of these. */
static int
take_connection_option(struct options *o, int c)
{
	switch (c) {
	case 'x':
		if (o->nproxies == MAX_HOPS) {
			usage_say(o, "at most %d proxies in a chain", MAX_HOPS);
			return -1;
		}
		o->proxies[o->nproxies++] = optarg;
		return 0;
	case 'U':
		/* The last -U wins; the one it replaces is never read, and
		 * no mode would blank its password from argv later. */
		if (o->user != NULL)
			secret_userpass_blank(o->user);
		o->user = optarg;
		return 0;
	case 'w':
		return parse_timeout(o, optarg, "-w", &o->timeout_ms);
	case 'q':
		return parse_seconds(o, optarg, "-q", &o->quit_after_eof_ms);
	case OPT_IDLE_TIMEOUT:
		return parse_timeout(o, optarg, "--idle-timeout", &o->idle_timeout_ms);
	case OPT_NO_SHUTDOWN:
		o->no_shutdown = true;
		return 0;
	case OPT_NETRC_FILE:
		o->netrc_file = optarg;
		return 0;
	case OPT_BIND_TIMEOUT:
		return parse_timeout(o, optarg, "--bind-timeout", &o->bind_timeout_ms);
	case '4':
	case '6':
		if (o->family != AF_UNSPEC && o->family != (c == '4' ? AF_INET : AF_INET6)) {
			usage_say(o, "-4 and -6 exclude each other: give one");
			return -1;
		}
		o->family = c == '4' ? AF_INET : AF_INET6;
		return 0;
	default:
		return 1;
	}
}

/* What is shown and how: -v, -X, -j, -z, --color, --show-secrets, --dgram-raw. */
static int
take_output_option(struct options *o, int c)
{
	char q[QUOTE_BUF];

	switch (c) {
	case 'v':
		o->verbose++;
		return 0;
	case 'X':
		o->hex = true;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 'z':
		o->zero_io = true;
		return 0;
	case OPT_COLOR:
		if (color_when_parse(optarg, &o->color) == 0)
			return 0;
		usage_say(o, "--color: '%s' is not auto, always or never",
			  secret_quote(optarg, q, sizeof(q)));
		return -1;
	case OPT_SHOW_SECRETS:
		o->show_secrets = true;
		return 0;
	case OPT_DGRAM_RAW:
		o->dgram_raw = true;
		return 0;
	case OPT_TIMELINE:
		o->timeline = true;
		return 0;
	case OPT_PROGRESS:
		o->progress = true;
		return 0;
	default:
		return 1;
	}
}

/* The REPL's and probe's options, and those answered at once (-h, -V,
 * --dump-options): 0 taken, -1 refused, 2 answered, 1 not one of these. */
static int
take_mode_option(struct options *o, int c)
{
	switch (c) {
	case 'c':
		o->commands = optarg;
		return 0;
	case 's':
		o->script = optarg;
		return 0;
	case 'k':
		o->keep_going = true;
		return 0;
	case 'f':
		return probe_take_option("file", optarg) < 0 ? -1 : 0;
	case OPT_PARALLEL:
	case OPT_TARGET:
	case OPT_COMMANDS:
	case OPT_STEPS:
	case OPT_EXPECT:
		return probe_take_option(c == OPT_PARALLEL ? "parallel" :
					 c == OPT_TARGET   ? "target" :
					 c == OPT_COMMANDS ? "commands" :
					 c == OPT_STEPS    ? "steps" : "expect",
					 optarg) < 0 ? -1 : 0;
	case OPT_DUMP_MODES:
		o->dump_modes = true;
		return 0;
	case OPT_DUMP_COMMANDS:
		o->dump_commands = true;
		return 0;
	case 'h':
		options_usage(stdout);
		return 2;
	case 'V':
		printf("sockscope %s\n", SOCKSCOPE_VERSION);
		return 2;
	case OPT_DUMP_OPTIONS:
		options_dump(stdout);
		return 2;
	default:
		return 1;
	}
}

/*
 * The proxies in full: -x's @NAMEs from the config file and, for a
 * one-shot mode without -x, the config's default or the environment's;
 * then netrc's credentials.  probe reads its own operands; the REPL takes
 * no default (its `proxy` command chooses).  -v says where each came from.
 */
/*
 * The proxies chosen live as long as the process: their URLs (copies from
 * the config file, the environment, netrc) are wiped and freed at exit,
 * however the mode ends.  One choice at a time: a second options_parse()
 * (the fuzz harness) frees the first's.
 */
static struct proxy_choice *chosen;

static void
forget_choice(void)
{
	if (chosen != NULL)
		proxy_choice_free(chosen);
	free(chosen);
	chosen = NULL;
}

static int
choose_proxies(struct options *o, int argc, char **argv, int first)
{
	static bool registered;
	bool repl = first == argc || o->commands != NULL || o->script != NULL;
	char why[PATH_MAX + 600], *line, *next;

	if (first < argc && strcmp(argv[first], "probe") == 0)
		return 0;
	forget_choice();
	o->proxy_warning = NULL; /* it pointed into the choice just freed */
	if (!registered)
		registered = atexit(forget_choice) == 0;
	if ((chosen = calloc(1, sizeof(*chosen))) == NULL) {
		usage_say(o, "out of memory");
		return -1;
	}
	if (proxyconf_choose(o->proxies, o->nproxies, !repl, o->user, o->netrc_file, chosen, why,
			     sizeof(why)) < 0) {
		usage_say(o, "%s", why);
		return -1;
	}
	for (int i = 0; i < chosen->n; i++)
		o->proxies[i] = chosen->urls[i];
	o->nproxies = chosen->n;
	if (chosen->warning[0] != '\0' && !o->json)
		term_say("sockscope", "%s", chosen->warning);
	else if (chosen->warning[0] != '\0') /* -j: the mode's summary says it */
		o->proxy_warning = chosen->warning;
	for (line = chosen->notes; o->verbose && !o->json && *line != '\0'; line = next + 1) {
		/* a URL from the environment or a file may hold a terminal control */
		next = strchr(line, '\n');
		fputs("* ", stderr);
		term_put_text(stderr, line, (size_t)(next - line));
		fputc('\n', stderr);
	}
	return 0;
}

static void
options_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = 10000;
	o->quit_after_eof_ms = -1;
	o->idle_timeout_ms = -1;
	o->bind_timeout_ms = 120000;
	o->family = AF_UNSPEC;
	o->color = COLOR_AUTO;
}

int
options_parse(struct options *o, int argc, char **argv, int *first)
{
	int c, rc;

	options_defaults(o);
	o->usage_to_json = usage_goes_to_json(argc, argv);
	/* getopt's own messages would quote an option whole: a password in it
	   ("--proxxy=u:pw@h") and 100 KB alike. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" SHORT_OPTIONS, long_options, NULL)) != -1) {
		if ((rc = take_connection_option(o, c)) == 1 &&
		    (rc = take_output_option(o, c)) == 1 &&
		    (rc = take_mode_option(o, c)) == 1) {
			bad_option(o, c, argv[optind - 1]);
			return -1;
		}
		if (rc != 0)
			return rc < 0 ? -1 : 1;
	}
	*first = optind;
	return choose_proxies(o, argc, argv, optind);
}

int
options_first_operand(int argc, char **argv)
{
	int saved_opterr = opterr;

	/* "+": stop at the first operand instead of moving operands to the end.
	   optind 0 starts glibc afresh: with 1 it would go on from where an
	   earlier scan that stopped inside a cluster ("-wX") left off. */
	opterr = 0;
	optind = 0;
	while (getopt_long(argc, argv, "+" SHORT_OPTIONS, long_options, NULL) != -1)
		;
	int first = optind;
	/* 0, not 1: glibc then forgets the "+" too, and the next scan permutes
	   again (`-w 1 probe -- --target ...` relies on it). */
	optind = 0;
	opterr = saved_opterr;
	return first;
}
