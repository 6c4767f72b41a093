/*
 * Hex as people paste it: "05 01 00", "05:01:00", "0x05 0x01", "\x05\x01",
 * `xxd -p` lines, and the dumps of tshark -x, Wireshark's "copy as hex dump",
 * xxd and hexdump -C, whose offset and ASCII columns are dropped, and
 * tshark's `-z follow,tcp,hex`, whose two sides are told apart.
 */
#ifndef SOCKSCOPE_CLI_HEXPARSE_H
#define SOCKSCOPE_CLI_HEXPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hexparse_fault {
	HEX_BAD_CHAR,   /* a character that is no hex digit or separator */
	HEX_ODD_DIGITS, /* a run of digits that does not make whole bytes */
	HEX_SHORT_LINE, /* a dump line with fewer bytes than its offsets say */
	HEX_NO_MEMORY,
	HEX_FOLLOW_FORM, /* tshark follow output in a form other than hex, or UDP's */
	HEX_FOLLOW_MANY, /* more than HEX_FOLLOW_MAX follow headers */
	HEX_UTF16,       /* UTF-16 text (a byte order mark FF FE or FE FF) */
};

struct hexparse_error {
	enum hexparse_fault fault;
	size_t pos;       /* 1-based character position in the whole text */
	size_t line, col; /* 1-based */
	bool multiline;   /* the text had more than one line: name line and column */
	unsigned char ch; /* HEX_BAD_CHAR: the character */
	size_t have, want; /* HEX_SHORT_LINE: bytes found, bytes the offsets say */
	char follow[48];   /* HEX_FOLLOW_FORM: "tcp,ascii", escaped */
};

/*
 * Parse text[0..len) (it need not be NUL-terminated and may hold NULs).
 * Returns 0 and a malloc'd *out (free it; NULL when *outlen is 0), or -1
 * with err filled in.  "#" starts a comment to the end of the line in plain
 * hex.
 */
int hex_parse(const char *text, size_t len, uint8_t **out, size_t *outlen,
	      struct hexparse_error *err);

/* What the text looked like. */
enum hex_shape {
	HEX_SHAPE_PLAIN,  /* digits and separators */
	HEX_SHAPE_DUMP,   /* offset lines; each packet (block from offset 0) a segment */
	HEX_SHAPE_FOLLOW, /* tshark -z follow,tcp,hex: unindented lines are the side
			     that spoke first, indented lines the other side */
};

#define HEX_NODE_MAX 80

/* A run of the bytes from one place in the text: a packet of a dump, or a
 * turn of one side in follow output. */
struct hex_segment {
	size_t off, len;   /* in hex_input.bytes */
	bool indented;     /* its lines were indented (follow: the second side) */
	unsigned block;    /* follow: which connection (hex_input.nblocks) */
};

/* Follow output pasted from several runs of tshark -z follow: one
 * connection each, "Follow:" header starting each; at most this many. */
#define HEX_FOLLOW_MAX 32

struct hex_input {
	uint8_t *bytes; /* malloc'd; NULL when len is 0 */
	size_t len;
	struct hex_segment *segs; /* in order; they cover bytes exactly */
	size_t nsegs;
	enum hex_shape shape;
	/* HEX_SHAPE_FOLLOW: the connections (one a "Follow:" header, one
	 * when there is none), and the ends each one's header names ("Node 0:
	 * 127.0.0.1:40522", "Node 1: 127.0.0.1:1080"), node 0 the side of the
	 * unindented lines; "" when the text has no such line (a paste
	 * trimmed by hand).  As written: not checked to be an address. */
	size_t nblocks;
	char node[HEX_FOLLOW_MAX][2][HEX_NODE_MAX];
};

/* As hex_parse(), keeping where each packet or turn begins.  Free with
 * hex_input_free(), which wipes the bytes (they may hold a password). */
int hex_parse_input(const char *text, size_t len, struct hex_input *in,
		    struct hexparse_error *err);
void hex_input_free(struct hex_input *in);

/* "bad hex at position 5: 'z'", "bad hex at line 2, column 7: '\x01'" */
void hexparse_strerror(const struct hexparse_error *err, char *buf, size_t cap);

/* The value of one hex digit, or -1. */
int hex_digit_value(int c);

#endif
