/*
 * `sockscope decode`: decode SOCKS bytes offline, for teaching and for
 * pasted captures.  No socket is opened.
 */
#ifndef SOCKSCOPE_CLI_DECODE_CMD_H
#define SOCKSCOPE_CLI_DECODE_CMD_H

#include <stdbool.h>

#include "hexparse.h"
#include "term.h"

/* What reads a tshark dump of both sides of connections (frames, or
 * follow output) as a capture: cli/modes.c gives the capture front end's.
 * Returns the exit status. */
typedef int (*decode_dump_fn)(const struct hex_input *in, bool json, bool show_secrets,
			      enum color_when color);

/* argv[0] is "decode".  Returns the exit status: 0 every byte decoded,
 * 2 usage or bad hex, 4 malformed or truncated, 7 standard output failed;
 * a dump given to dump, its status. */
int decode_main(int argc, char **argv, decode_dump_fn dump);

#endif
