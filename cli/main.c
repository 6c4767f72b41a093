/* sockscope: entry point; picks the mode from the command line. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "decode_cmd.h"
#include "handshake.h"
#include "oneshot.h"
#include "options.h"
#include "probe.h"
#include "repl.h"

/* With 0, 1 or 2 closed at start, the next socket would take its number and
 * a trace meant for stderr would go to the server. */
static void
reserve_standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			int null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);

			if (null >= 0 && null != fd)
				close(null);
		}
}

int
main(int argc, char **argv)
{
	struct options o;
	int first, rc;

	reserve_standard_fds();
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
		return probe_main(&o, argc - first, argv + first);
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
