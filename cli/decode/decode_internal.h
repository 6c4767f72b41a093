/*
 * What the parts of `sockscope decode` share: its options, exit statuses
 * and the bytes it read (one side's: a dump of both sides goes to the
 * capture front end, through the hook decode_main() is given).  decode_options.c reads the command line,
 * decode_input.c finds the bytes, decode_cmd.c picks a reading of them,
 * decode_flow.c feeds them to the flow and decode_show.c shows what the
 * flow reports.
 */
#ifndef SOCKSCOPE_CLI_DECODE_INTERNAL_H
#define SOCKSCOPE_CLI_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hexparse.h"
#include "term.h"
#include "view_opts.h"

/* The exit statuses of the man page that decode can end with. */
enum { DECODE_OK = 0, DECODE_USAGE = 2, DECODE_PROTOCOL = 4, DECODE_OUTPUT = 7 };

struct decode_opts {
	bool server;
	bool side_given; /* --client or --server: that side alone, also of a capture */
	int version;     /* 4, 5, or 0 to guess */
	bool udp;        /* a SOCKS5 UDP datagram */
	bool json;
	bool show_secrets;
	enum color_when color;
};

/*
 * The bytes to decode: one side's, from plain hex, or the side of a dump
 * --client or --server (or -4, -5, --udp) asked for.
 */
struct decode_src {
	uint8_t *side[2]; /* malloc'd, or NULL; wipe and free with decode_src_free() */
	size_t len[2];
	int only; /* which side holds them (0 the client, 1 the server) */
};

/* argv[0] is "decode".  0 to go on with *first the first operand, or 1 +
 * the exit status when done (help, version, a usage error). */
int decode_options(int argc, char **argv, struct decode_opts *o, int *first);

/* decode_input() found a dump of both sides for the capture front end. */
#define DECODE_DUMP (-1)

/*
 * The bytes to decode: argv[first..argc) joined, or standard input, as hex.
 * From a dump of whole frames (tshark -x) or tshark's follow output, the
 * side --client or --server (or the client's, with -4, -5 or --udp) asks
 * for, with a note of what was skipped; without those options (and dump
 * not NULL), the whole dump into *dump and DECODE_DUMP.  Returns 0 and src
 * filled, or the exit status after a message.  The arguments are blanked:
 * they may hold a password.
 */
int decode_input(int argc, char **argv, int first, const struct decode_opts *o,
		 struct decode_src *src, struct hex_input *dump);
void decode_src_free(struct decode_src *src);

/* A remark about the input or the reading chosen: "(...)" on stdout before
 * the view, or on stderr with --json (stdout holds only the JSON). */
void decode_note(const struct decode_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Where the view goes. */
struct decode_out {
	const struct decode_opts *o;
	struct view_opts view;
	bool hide_client_data; /* the client's data may be a password (see decode_flow.c) */
	json_t *doc;       /* --json: {"messages": [...], ...}; NULL for the hex view */
	json_t *messages, *anomalies, *hints; /* --json: its arrays */
	bool out_of_memory;
};

#endif
