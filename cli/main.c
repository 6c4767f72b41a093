/* sockscope: entry point; picks the mode from the command line. */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "decode_cmd.h"
#include "handshake.h"
#include "oneshot.h"
#include "options.h"
#include "term.h"
#include "probe.h"
#include "repl.h"
#include "secrets.h"

/* With 0, 1 or 2 closed at start, the next socket would take its number and
 * a trace meant for stderr would go to the server.  A closed stdin reads as
 * empty; a closed stdout or stderr is opened read-only, so that writing
 * there still fails (EBADF) as it would have: output asked for and lost is
 * an error, not a success. */
static void
reserve_standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			int null = open("/dev/null", O_RDONLY);

			if (null >= 0 && null != fd)
				close(null);
		}
}

/*
 * probe keeps the URLs it is given (its operands, -U) until it is done and
 * parses them as it goes, so it works on copies, and the process arguments
 * lose their passwords at once: ps and /proc/PID/cmdline never show them.
 * Its credentials can also come from a file, SOCKSCOPE_PASSWORD or a
 * prompt, so core dumps are off for the whole run.
 */
static int
run_probe(struct options *o, int argc, char **argv)
{
	char **copy = calloc((size_t)argc + 1, sizeof(*copy));
	char *user = NULL;
	int rc = EXIT_USAGE;

	secret_keep_in();
	if (copy == NULL)
		goto oom;
	for (int i = 0; i < argc; i++)
		if ((copy[i] = strdup(argv[i])) == NULL)
			goto oom;
	if (o->user != NULL && (user = strdup(o->user)) == NULL)
		goto oom;
	for (int i = 0; i < argc; i++)
		secret_url_blank(argv[i]);
	if (o->user != NULL) {
		secret_userpass_blank(o->user);
		o->user = user;
	}
	rc = probe_main(o, argc, copy);
	goto out;
oom:
	fprintf(stderr, "sockscope: out of memory\n");
out:
	for (int i = 0; copy != NULL && i < argc; i++)
		if (copy[i] != NULL) {
			explicit_bzero(copy[i], strlen(copy[i]));
			free(copy[i]);
		}
	free(copy);
	if (user != NULL) {
		explicit_bzero(user, strlen(user));
		free(user);
	}
	return rc;
}

/*
 * decode opens no connection and has options of its own (its -4 means
 * SOCKS4, not IPv4), so it takes them after the word only.  Options before
 * it are refused, saying where they go; with -x, `decode` would otherwise
 * become a CONNECT to a host of that name.
 */
static bool
decode_after_options(int argc, char **argv)
{
	int first = options_first_operand(argc, argv), namelen;

	if (first >= argc || strcmp(argv[first], "decode") != 0)
		return false;
	/* the option without its value, which may be a password (-UU:P,
	   --proxy=URL) */
	namelen = strncmp(argv[1], "--", 2) == 0 ? (int)strcspn(argv[1], "=") : 2;
	term_say("sockscope", "%.*s before decode: decode takes its options after "
		 "the word, as in 'sockscope decode -j HEX' (to connect to a host "
		 "named decode, say 'connect decode PORT')", namelen, argv[1]);
	return true;
}

int
main(int argc, char **argv)
{
	struct options o;
	int first, rc;

	reserve_standard_fds();
	if (secret_args_may_hold(argc, argv))
		secret_keep_in();
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "decode") == 0) {
		if (capture_wanted(argc - 1, argv + 1))
			return capture_main(argc - 1, argv + 1);
		return capture_help_after(argc - 1, argv + 1, decode_main(argc - 1, argv + 1));
	}
	if (decode_after_options(argc, argv))
		return EXIT_USAGE;
	rc = options_parse(&o, argc, argv, &first);
	if (rc < 0 && o.error[0] != '\0') /* -j: stderr carries JSON only */
		return oneshot_usage_json(&o, o.error);
	if (rc != 0) /* --help, --version */
		return rc < 0 ? EXIT_USAGE : term_stdout_status(EXIT_OK);
	if (o.dump_commands) {
		repl_dump_commands(stdout);
		return term_stdout_status(EXIT_OK);
	}
	if (first < argc && strcmp(argv[first], "probe") == 0) {
		return run_probe(&o, argc - first, argv + first);
	}
	/* No operands, or commands to run: the REPL, with -x as its proxy. */
	if (first == argc || o.commands != NULL || o.script != NULL)
		return repl_main(&o, argc - first, argv + first);
	if (o.nproxies == 0) {
		if (o.json)
			return oneshot_usage_json(&o, "no proxy: give -x PROXY");
		fprintf(stderr, "sockscope: no proxy: give -x PROXY\n");
		return EXIT_USAGE;
	}
	return oneshot_main(&o, argc - first, argv + first);
}
