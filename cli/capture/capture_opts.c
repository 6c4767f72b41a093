/* The command line of decode -r FILE / -i IFACE (capture_opts.h). */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "capture_opts.h"

static const char *const outcomes[] = {
	"granted", "refused", "no-method", "auth-failed", "opaque", "violation", "closed",
	"undecided",
};

bool
cap_outcome_known(const char *word)
{
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (strcmp(word, outcomes[i]) == 0)
			return true;
	return false;
}

static const char usage_line[] =
	"usage: sockscope decode -r FILE | -i IFACE [--port N]... [--sniff] [-v | -X]\n"
	"                        [-j | --sessions] [--session N] [--client HOST]\n"
	"                        [--outcome WORD] [-c N] [--absolute-time] [--show-secrets]\n"
	"                        [--color=WHEN] [FILTER]\n";

static void
usage(FILE *fp, bool alone)
{
	if (alone)
		fputs(usage_line, fp);
	else
		fprintf(fp, "\n%s", usage_line);
	fputs("\n"
	      "Every SOCKS session in a pcap or pcapng file (- for standard input) or on a\n"
	      "live interface (root or CAP_NET_RAW), both directions in time order.\n"
	      "A file may also be a text dump by tshark (-x frames, -z follow,tcp,hex),\n"
	      "read up to 16 MiB: the same sessions, without times.\n"
	      "FILTER is a BPF expression, as tcpdump takes it (not for a text dump).\n"
	      "\n"
	      "  -r, --read FILE     read a capture file or a tshark text dump\n"
	      "  -i, --interface IFACE\n"
	      "                      capture on an interface until interrupted (or -c)\n"
	      "      --port N        a SOCKS port, repeatable (default 1080 and 9050)\n"
	      "      --sniff         also any port whose client's first bytes are SOCKS\n"
	      "  -v                  each session's conversation, with phases and closes\n"
	      "  -X, --hex           each session's messages in the annotated hex view\n"
	      "      --sessions      one line per session (the default for a file of more\n"
	      "                      than one)\n"
	      "  -j, --json          one JSON object per session\n"
	      "      --session N     only session N\n"
	      "      --client HOST   only sessions from this client address\n"
	      "      --outcome WORD  only sessions that ended so: granted, refused,\n"
	      "                      no-method, auth-failed, opaque, violation, closed,\n"
	      "                      undecided\n"
	      "  -c N                stop after N sessions shown\n"
	      "      --absolute-time times of day (UTC) instead of times from the session's start\n"
	      "      --show-secrets  show the RFC 1929 password instead of ********\n"
	      "      --color WHEN    auto, always or never (NO_COLOR honoured)\n"
	      "  -h, --help          this help\n"
	      "\n"
	      "exit status: 0 the capture was read, 2 usage, or a file or interface that\n"
	      "cannot be read, 7 standard output failed\n",
	      fp);
}

int
capture_help_after(int argc, char **argv, int rc)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (rc == 0 && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
			usage(stdout, false);
			return term_stdout_status(rc);
		}
	return rc;
}

/* The long options only a capture has: given to decode without -r or -i,
 * the capture's own check says what is missing. */
static bool
capture_only(const char *a)
{
	static const char *const names[] = {
		"--read", "--interface", "--port", "--sniff", "--sessions", "--session",
		"--outcome", "--absolute-time",
	};
	size_t n = strcspn(a, "=");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncmp(a, names[i], n) == 0)
			return true;
	return false;
}

bool
capture_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return false;
		if (strncmp(a, "--", 2) == 0) {
			if (capture_only(a))
				return true;
			continue;
		}
		if (a[0] != '-')
			continue;
		/* flags without a value may come first in a cluster: -vr FILE */
		size_t flags = strspn(a + 1, "vXjh");
		if (a[1 + flags] == 'r' || a[1 + flags] == 'i')
			return true;
	}
	return false;
}

enum {
	OPT_PORT = 256, OPT_SNIFF, OPT_SESSIONS, OPT_SESSION, OPT_CLIENT, OPT_OUTCOME,
	OPT_ABSOLUTE, OPT_SHOW_SECRETS, OPT_COLOR,
};

static const struct option longopts[] = {
	{"read", required_argument, NULL, 'r'},
	{"interface", required_argument, NULL, 'i'},
	{"port", required_argument, NULL, OPT_PORT},
	{"sniff", no_argument, NULL, OPT_SNIFF},
	{"hex", no_argument, NULL, 'X'},
	{"json", no_argument, NULL, 'j'},
	{"sessions", no_argument, NULL, OPT_SESSIONS},
	{"session", required_argument, NULL, OPT_SESSION},
	{"client", required_argument, NULL, OPT_CLIENT},
	{"outcome", required_argument, NULL, OPT_OUTCOME},
	{"absolute-time", no_argument, NULL, OPT_ABSOLUTE},
	{"show-secrets", no_argument, NULL, OPT_SHOW_SECRETS},
	{"color", required_argument, NULL, OPT_COLOR},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* A decimal number from 1 to max, all of arg. */
static bool
number(const char *arg, unsigned long max, unsigned long *out)
{
	char *end;

	if (arg[0] < '0' || arg[0] > '9')
		return false;
	unsigned long v = strtoul(arg, &end, 10);
	if (*end != '\0' || v == 0 || v > max)
		return false;
	*out = v;
	return true;
}

__attribute__((format(printf, 1, 2))) static int
bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	term_vsay("sockscope", fmt, ap);
	va_end(ap);
	fputs(usage_line, stderr);
	return 1 + 2;
}

static int
one_option(int c, struct cap_opts *o)
{
	unsigned long v;

	switch (c) {
	case 'r': o->file = optarg; break;
	case 'i': o->iface = optarg; break;
	case 'v': o->verbose = true; break;
	case 'X': o->hex = true; break;
	case 'j': o->json = true; break;
	case OPT_SESSIONS: o->table = true; break;
	case OPT_SNIFF: o->sniff = true; break;
	case OPT_ABSOLUTE: o->absolute = true; break;
	case OPT_SHOW_SECRETS: o->show_secrets = true; break;
	case OPT_CLIENT: o->client = optarg; break;
	case OPT_PORT:
		if (!number(optarg, 65535, &v))
			return bad("--port: '%s' is not a port from 1 to 65535", optarg);
		if (o->nports == CAP_PORTS_MAX)
			return bad("--port: at most 32 ports (%s is one too many)", optarg);
		o->ports[o->nports++] = (uint16_t)v;
		break;
	case OPT_SESSION:
		if (!number(optarg, 4000000000ul, &v))
			return bad("--session: '%s' is not a session number (1, 2, ...)", optarg);
		o->session = (unsigned)v;
		break;
	case 'c':
		if (!number(optarg, 4000000000ul, &v))
			return bad("-c: '%s' is not a number of sessions (1, 2, ...)", optarg);
		o->count = v;
		break;
	case OPT_OUTCOME:
		if (!cap_outcome_known(optarg))
			return bad("--outcome: '%s' is not granted, refused, no-method, auth-failed, "
				   "opaque, violation, closed or undecided", optarg);
		o->outcome = optarg;
		break;
	case OPT_COLOR:
		if (color_when_parse(optarg, &o->color) < 0)
			return bad("--color: '%s' is not auto, always or never", optarg);
		break;
	default:
		return -1;
	}
	return 0;
}

/* The operands, joined by spaces as tcpdump joins them, form the filter. */
static int
join_filter(int argc, char **argv, struct cap_opts *o)
{
	size_t len = 0;

	if (optind >= argc)
		return 0;
	for (int i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if ((o->filter = malloc(len)) == NULL) {
		fprintf(stderr, "sockscope: out of memory\n");
		return 1 + 2;
	}
	o->filter[0] = '\0';
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			strcat(o->filter, " ");
		strcat(o->filter, argv[i]);
	}
	return 0;
}

static int
check(struct cap_opts *o)
{
	if ((o->file == NULL) == (o->iface == NULL))
		return bad("%s", o->file == NULL ? "decode: give -r FILE or -i IFACE (-r - reads a capture or "
						   "a tshark dump on standard input)"
						 : "decode: -r and -i exclude each other");
	if (o->json && o->table)
		return bad("%s", "decode: -j and --sessions exclude each other");
	if ((o->json || o->table) && (o->verbose || o->hex))
		return bad("%s", "decode: -v and -X show conversations; -j and --sessions "
			   "summaries: give one kind");
	if (o->nports == 0) {
		o->ports[o->nports++] = 1080;
		o->ports[o->nports++] = 9050;
	}
	/* A live capture has no end to count its sessions by: each is shown
	 * as it ends, as a conversation. */
	o->mode = o->json ? MODE_JSON : o->table ? MODE_TABLE :
		  (o->verbose || o->hex || o->session != 0 || o->iface != NULL) ? MODE_CONVERSE
									       : MODE_AUTO;
	return 0;
}

int
cap_options(int argc, char **argv, struct cap_opts *o)
{
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->color = COLOR_AUTO;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:i:vXjc:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout, true);
			return 1 + term_stdout_status(0);
		}
		if (c == ':')
			return bad("decode: %s needs an argument", argv[optind - 1]);
		rc = one_option(c, o);
		if (rc > 0)
			return rc;
		if (rc < 0) {
			char opt[3] = {'-', (char)optopt, '\0'};
			return bad("decode: unknown option %s", optopt != 0 ? opt : argv[optind - 1]);
		}
	}
	if ((rc = check(o)) != 0)
		return rc;
	return join_filter(argc, argv, o);
}
