/* sockscope: entry point; picks the mode (modes.c) from the command line. */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handshake.h"
#include "modes.h"
#include "oneshot.h"
#include "options.h"
#include "repl.h"
#include "secrets.h"
#include "term.h"

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
 * A mode with options of its own (decode opens no connection, and its -4
 * means SOCKS4, not IPv4; watch is a server, not a client) takes them after
 * its word only.  Options before
 * it are refused, saying where they go; with -x, `decode` would otherwise
 * become a CONNECT to a host of that name.
 */
static bool
options_before_own(int argc, char **argv)
{
	int first = options_first_operand(argc, argv), namelen;
	const struct mode *m = first < argc ? mode_by_word(argv[first]) : NULL;

	if (m == NULL || !m->own_options)
		return false;
	/* the option without its value, which may be a password (-UU:P,
	   --proxy=URL) */
	namelen = strncmp(argv[1], "--", 2) == 0 ? (int)strcspn(argv[1], "=") : 2;
	term_say("sockscope", "%.*s before %s: %s takes its options after "
		 "the word, as in '%s' (to connect to a host "
		 "named %s, say 'connect %s PORT')", namelen, argv[1], m->word, m->word,
		 m->example, m->word, m->word);
	return true;
}

static const struct mode *
mode_named(const char *name)
{
	for (size_t i = 0; i < nmodes; i++)
		if (strcmp(modes[i].name, name) == 0)
			return &modes[i];
	abort(); /* the table names every mode main() picks by name */
}

int
main(int argc, char **argv)
{
	struct options o;
	const struct mode *m;
	int first, rc;

	reserve_standard_fds();
	if (secret_args_may_hold(argc, argv))
		secret_keep_in();
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && (m = mode_by_word(argv[1])) != NULL && m->own_options)
		return m->run(NULL, argc - 1, argv + 1);
	if (options_before_own(argc, argv))
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
	if (o.dump_modes) {
		modes_dump(stdout);
		return term_stdout_status(EXIT_OK);
	}
	if (first < argc && (m = mode_by_word(argv[first])) != NULL && m->word != NULL)
		return m->run(&o, argc - first, argv + first);
	/* No operands, or commands to run: the REPL, with -x as its proxy. */
	if (first == argc || o.commands != NULL || o.script != NULL)
		return mode_named("REPL")->run(&o, argc - first, argv + first);
	if (o.nproxies == 0) {
		if (o.json)
			return oneshot_usage_json(&o, "no proxy: give -x PROXY");
		fprintf(stderr, "sockscope: no proxy: give -x PROXY\n");
		return EXIT_USAGE;
	}
	return mode_named("one-shot")->run(&o, argc - first, argv + first);
}
