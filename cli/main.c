/* sockscope: entry point; picks the mode from the command line. */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "decode_cmd.h"
#include "handshake.h"
#include "oneshot.h"
#include "options.h"
#include "probe.h"
#include "repl.h"

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

/* No core file, and no ptrace or /proc/PID/mem for other processes of the
 * same user, while a password may be in memory.  For good: the limit and
 * the flag are not raised again. */
static void
keep_secrets_in(void)
{
	struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* In a USER:PASS@ URL, the ':' between the scheme and the last '@'; else NULL. */
static char *
url_password(char *arg)
{
	char *start = strstr(arg, "://"), *at = strrchr(arg, '@'), *colon;

	start = start != NULL ? start + 3 : arg;
	if (at == NULL || at < start)
		return NULL;
	colon = memchr(start, ':', (size_t)(at - start));
	return colon;
}

/*
 * Whether the process may hold a password from its start, before the mode
 * has parsed (and blanked) it: SOCKSCOPE_PASSWORD, -U (alone or in a
 * cluster of short options), --proxy-user, a USER:PASS@ URL, `pass` in a
 * -c text, or decode's hex (which may hold an RFC 1929 request).  A
 * false positive only costs a core file.
 */
static bool
may_hold_secret(int argc, char **argv)
{
	if (getenv("SOCKSCOPE_PASSWORD") != NULL)
		return true;
	if (argc > 1 && strcmp(argv[1], "decode") == 0)
		return true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((a[0] == '-' && a[1] != '-' && strchr(a, 'U') != NULL) ||
		    strncmp(a, "--proxy-user", 12) == 0 || url_password(argv[i]) != NULL ||
		    strcasestr(a, "pass") != NULL)
			return true;
	}
	return false;
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
	char *user = NULL, *colon;
	int rc = EXIT_USAGE;

	keep_secrets_in();
	if (copy == NULL)
		goto oom;
	for (int i = 0; i < argc; i++)
		if ((copy[i] = strdup(argv[i])) == NULL)
			goto oom;
	if (o->user != NULL && (user = strdup(o->user)) == NULL)
		goto oom;
	for (int i = 0; i < argc; i++)
		if ((colon = url_password(argv[i])) != NULL)
			memset(colon + 1, '*', (size_t)(strrchr(colon, '@') - colon - 1));
	if (o->user != NULL) {
		if ((colon = strchr(o->user, ':')) != NULL)
			memset(colon + 1, '*', strlen(colon + 1));
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

int
main(int argc, char **argv)
{
	struct options o;
	int first, rc;

	reserve_standard_fds();
	if (may_hold_secret(argc, argv))
		keep_secrets_in();
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "decode") == 0)
		return decode_main(argc - 1, argv + 1);
	rc = options_parse(&o, argc, argv, &first);
	if (rc != 0)
		return rc < 0 ? EXIT_USAGE : EXIT_OK;
	if (o.dump_commands) {
		repl_dump_commands(stdout);
		return EXIT_OK;
	}
	if (first < argc && strcmp(argv[first], "probe") == 0) {
		return run_probe(&o, argc - first, argv + first);
	}
	/* No operands, or commands to run: the REPL, with -x as its proxy. */
	if (first == argc || o.commands != NULL || o.script != NULL)
		return repl_main(&o, argc - first, argv + first);
	if (o.nproxies == 0) {
		fprintf(stderr, "sockscope: no proxy: give -x PROXY\n");
		return EXIT_USAGE;
	}
	return oneshot_main(&o, argc - first, argv + first);
}
