/* Until the REPL lands: weak stand-ins that say so (cli/repl.c overrides them). */
#include <stdio.h>

#include "handshake.h"
#include "repl.h"

__attribute__((weak)) int
repl_main(struct options *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	fprintf(stderr, "sockscope: the REPL is not built yet: give -x PROXY HOST PORT\n");
	return EXIT_USAGE;
}

__attribute__((weak)) void
repl_dump_commands(FILE *fp)
{
	(void)fp;
}
