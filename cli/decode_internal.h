/*
 * What the parts of `sockscope decode` share: its options and exit
 * statuses.  decode_options.c reads the command line, decode_input.c finds
 * the bytes, decode_cmd.c decodes them.
 */
#ifndef SOCKSCOPE_CLI_DECODE_INTERNAL_H
#define SOCKSCOPE_CLI_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "term.h"

/* The exit statuses of the man page that decode can end with. */
enum { DECODE_OK = 0, DECODE_USAGE = 2, DECODE_PROTOCOL = 4, DECODE_OUTPUT = 7 };

struct decode_opts {
	bool server;
	int version; /* 4, 5, or 0 to guess */
	bool udp;    /* a SOCKS5 UDP datagram */
	bool json;
	bool show_secrets;
	enum color_when color;
};

/* argv[0] is "decode".  0 to go on with *first the first operand, or 1 +
 * the exit status when done (help, version, a usage error). */
int decode_options(int argc, char **argv, struct decode_opts *o, int *first);

/*
 * The bytes to decode: argv[first..argc) joined, or standard input, as hex.
 * From a dump of whole frames (tshark -x) or tshark's follow output, only
 * the side o->server asks for, with a note of what was skipped.  Returns 0
 * and a malloc'd *bytes (wipe and free it), or the exit status after a
 * message.  The arguments are blanked: they may hold a password.
 */
int decode_input(int argc, char **argv, int first, const struct decode_opts *o,
		 uint8_t **bytes, size_t *len);

/* A remark about the input or the reading chosen: "(...)" on stdout before
 * the view, or on stderr with --json (stdout holds only the JSON). */
void decode_note(const struct decode_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
