/* sockscope: entry point; picks the mode from the command line. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "decode_cmd.h"

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "decode") == 0)
		return decode_main(argc - 1, argv + 1);
	fprintf(stderr, "sockscope: only `decode` is built so far\n");
	return 2;
}
