/*
 * Hex input as people paste it, and the errors that name the bad character.
 * Dumps are written out as tshark -x, xxd, hexdump -C and sockscope's own
 * hex view print them.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hexparse.h"
#include "suites.h"

/* What one input must parse to. */
struct good {
	const char *name;
	const char *text;
	const char *bytes; /* expected, as a C string of \x escapes */
	size_t len;
};

#define GOOD(name, text, bytes) {name, text, bytes, sizeof(bytes) - 1}

static const struct good goods[] = {
	GOOD("spaces", "05 01 00", "\x05\x01\x00"),
	GOOD("no spaces", "050100", "\x05\x01\x00"),
	GOOD("colons", "05:01:00", "\x05\x01\x00"),
	GOOD("commas and 0x", "0x05, 0x01, 0x00", "\x05\x01\x00"),
	GOOD("0x one digit", "0x5 0x1 0x0", "\x05\x01\x00"),
	GOOD("0x run", "0x050100", "\x05\x01\x00"),
	GOOD("C escapes", "\\x05\\x01\\x00", "\x05\x01\x00"),
	GOOD("upper case", "0A 0B FF", "\x0a\x0b\xff"),
	GOOD("tabs, CRLF, dashes", "05\t01\r\n00-ff", "\x05\x01\x00\xff"),
	GOOD("comment", "05 01 00 # greeting, no auth\n05 00", "\x05\x01\x00\x05\x00"),
	GOOD("xxd -p", "0401005042660763467265640004010050\n42660763\n",
	     "\x04\x01\x00\x50\x42\x66\x07\x63\x46\x72\x65\x64\x00\x04\x01\x00\x50\x42\x66"
	     "\x07\x63"),
	GOOD("empty", "", ""),
	GOOD("blank", "  \n\t\n", ""),
	GOOD("tshark -x, one line",
	     "0000  05 01 00                                          ...\n",
	     "\x05\x01\x00"),
	GOOD("tshark -x, ASCII that looks like hex",
	     "0000  ca fe 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d   cafe............\n"
	     "0010  be ef                                             be\n",
	     "\xca\xfe\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\xbe\xef"),
	GOOD("tshark -x, two packets with summaries",
	     "    1 0.000000    127.0.0.1 -> 127.0.0.1    SOCKS 69 Version: 5\n"
	     "\n"
	     "0000  05 01 00                                          ...\n"
	     "\n"
	     "    2 0.000100    127.0.0.1 -> 127.0.0.1    SOCKS 68 Version: 5\n"
	     "\n"
	     "0000  05 00                                             ..\n",
	     "\x05\x01\x00\x05\x00"),
	GOOD("wireshark copy as hex dump",
	     "0000   05 02 00 02                                       ....\n",
	     "\x05\x02\x00\x02"),
	GOOD("xxd",
	     "00000000: 0401 0050 4266 0763 4672 6564 0000 0000  ...PBf.cFred....\n"
	     "00000010: 5a                                       Z\n",
	     "\x04\x01\x00\x50\x42\x66\x07\x63\x46\x72\x65\x64\x00\x00\x00\x00\x5a"),
	GOOD("hexdump -C",
	     "00000000  05 02 00 02 01 03 62 6f  62 02 70 77 05 01 00 01  |......bob.pw....|\n"
	     "00000010  7f 00 00 01 00 50                                 |.....P|\n"
	     "00000016\n",
	     "\x05\x02\x00\x02\x01\x03\x62\x6f\x62\x02\x70\x77\x05\x01\x00\x01\x7f\x00\x00\x01"
	     "\x00\x50"),
	GOOD("a paste from the middle of a dump",
	     "0010  01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10   ................\n"
	     "0020  11 12                                             ..\n",
	     "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12"),
	GOOD("tshark follow output, both sides in the order printed",
	     "Follow: tcp,hex\n"
	     "Node 0: 127.0.0.1:47676\n"
	     "00000000  05 01 00                                          ...\n"
	     "\t00000000  05 00                                             ..\n"
	     "00000003  05 01 00 01 7f 00 00 01  a0 79                    ........ .y\n"
	     "\t00000002  05 00 00 01 00 00 00 00  00 00                    ........ ..\n",
	     "\x05\x01\x00\x05\x00\x05\x01\x00\x01\x7f\x00\x00\x01\xa0\x79\x05\x00\x00\x01"
	     "\x00\x00\x00\x00\x00\x00"),
	GOOD("sockscope's own hex view",
	     "(guessed SOCKS4 from the first byte)\n"
	     "-> SOCKS4 CONNECT request, 13 bytes\n"
	     "   0000  04           VN       4            SOCKS4\n"
	     "   0001  01           CD       1            CONNECT\n"
	     "   0002  00 50        DSTPORT  80\n"
	     "   0004  42 66 07 63  DSTIP    66.102.7.99\n"
	     "   0008  46 72 65 64  USERID   \"Fred\"\n"
	     "   000c  00                                 end of USERID\n"
	     "<- SOCKS4 reply, 8 bytes\n"
	     "   0000  00           VN       0\n"
	     "   0001  5a           CD       0x5a         request granted\n"
	     "   0002  00 00        DSTPORT  0\n"
	     "   0004  00 00 00 00  DSTIP    0.0.0.0\n",
	     "\x04\x01\x00\x50\x42\x66\x07\x63\x46\x72\x65\x64\x00\x00\x5a\x00\x00\x00\x00\x00"
	     "\x00"),
};

START_TEST(parses)
{
	const struct good *g = &goods[_i];
	struct hexparse_error err;
	uint8_t *out;
	size_t len;

	int rc = hex_parse(g->text, strlen(g->text), &out, &len, &err);
	if (rc != 0) {
		char why[128];
		hexparse_strerror(&err, why, sizeof(why));
		ck_abort_msg("%s: %s", g->name, why);
	}
	ck_assert_msg(len == g->len, "%s: %zu bytes, want %zu", g->name, len, g->len);
	if (len > 0)
		ck_assert_mem_eq(out, g->bytes, len);
	else
		ck_assert_ptr_null(out);
	free(out);
}
END_TEST

/* What one input must be refused with. */
struct bad {
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *message;
};

static const struct bad bads[] = {
	{"05 0z", 0, "bad hex at position 5: 'z'"},
	{"05 01 g0", 0, "bad hex at position 7: 'g'"},
	{"050", 0, "odd number of hex digits at position 1"},
	{"05 0x123", 0, "odd number of hex digits at position 6"},
	{"0x", 0, "bad hex at position 2: 'x'"},
	{"05 \x01", 0, "bad hex at position 4: '\\x01'"},
	{"05 \"", 0, "bad hex at position 4: '\\\"'"},
	{"05\0 01", 5, "bad hex at position 3: '\\x00'"},
	{"05 01\n00 zz\n", 0, "bad hex at line 2, column 4: 'z'"},
	{"05 01 \xc3\xa9", 0, "bad hex at position 7: '\\xc3'"},
	{"0000  05 01 00 02 01 03 62 6f  62                      |.....bob|\n"
	 "0010  05 01                                             |..|\n",
	 0, "hex dump line 1 has 9 bytes where its offsets say 16"},
	{"0000  05 01 0g 02 01 03 62 6f 62 02 70 77 05 01 00 01   ......\n", 0,
	 "bad hex at position 14: 'g'"},
	{"0000  05 ** 00\n0003  01\n", 0, "bad hex at line 1, column 10: '*'"},
};

START_TEST(refuses)
{
	const struct bad *b = &bads[_i];
	struct hexparse_error err;
	uint8_t *out = (uint8_t *)"untouched";
	size_t len = 99;
	char why[128];

	int rc = hex_parse(b->text, b->len > 0 ? b->len : strlen(b->text), &out, &len, &err);
	ck_assert_msg(rc == -1, "accepted: %s", b->text);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(len, 0);
	hexparse_strerror(&err, why, sizeof(why));
	ck_assert_str_eq(why, b->message);
}
END_TEST

/* Every input of a few characters from the alphabet that matters: no
 * crash, and an answer that is either bytes or an error with a position
 * inside the text. */
START_TEST(small_inputs_are_safe)
{
	static const char alphabet[] = "0a x\\:\n|g ";
	const size_t n = sizeof(alphabet) - 1;
	char text[4];

	for (size_t a = 0; a < n; a++)
		for (size_t b = 0; b < n; b++)
			for (size_t c = 0; c < n; c++) {
				struct hexparse_error err;
				uint8_t *out;
				size_t len;

				text[0] = alphabet[a];
				text[1] = alphabet[b];
				text[2] = alphabet[c];
				if (hex_parse(text, 3, &out, &len, &err) == 0) {
					ck_assert_uint_le(len, 2);
					free(out);
				} else {
					ck_assert_uint_ge(err.pos, 1);
					ck_assert_uint_le(err.pos, 3);
				}
			}
}
END_TEST

/* tshark -q -z follow,tcp,hex,0 of a SOCKS5 CONNECT through microsocks,
 * as tshark printed it: the server's lines indented by a tab, each side
 * with offsets of its own. */
static const char follow_text[] =
	"\n"
	"===================================================================\n"
	"Follow: tcp,hex\n"
	"Filter: tcp.stream eq 0\n"
	"Node 0: 127.0.0.1:47676\n"
	"Node 1: 127.0.0.1:41080\n"
	"00000000  05 01 00                                          ...\n"
	"\t00000000  05 00                                             ..\n"
	"00000003  05 01 00 01 7f 00 00 01  a0 79                    ........ .y\n"
	"\t00000002  05 00 00 01 00 00 00 00  00 00                    ........ ..\n"
	"0000000D  68 65 6c 6c 6f 0a                                 hello.\n"
	"===================================================================\n";

/* The bytes of the segments of one side, joined. */
static size_t
side_bytes(const struct hex_input *in, bool indented, uint8_t *out)
{
	size_t n = 0, at = 0;

	for (size_t i = 0; i < in->nsegs; i++) {
		ck_assert_uint_eq(in->segs[i].off, at); /* in order, no gaps */
		at += in->segs[i].len;
		if (in->segs[i].indented == indented) {
			memcpy(out + n, in->bytes + in->segs[i].off, in->segs[i].len);
			n += in->segs[i].len;
		}
	}
	ck_assert_uint_eq(at, in->len); /* they cover every byte */
	return n;
}

START_TEST(follow_output_has_two_sides)
{
	struct hexparse_error err;
	struct hex_input in;
	uint8_t side[64];
	char why[128] = "";

	int rc = hex_parse_input(follow_text, strlen(follow_text), &in, &err);
	if (rc != 0)
		hexparse_strerror(&err, why, sizeof(why));
	ck_assert_msg(rc == 0, "%s", why);
	ck_assert_int_eq(in.shape, HEX_SHAPE_FOLLOW);
	ck_assert_uint_eq(side_bytes(&in, false, side), 19);
	ck_assert_mem_eq(side, "\x05\x01\x00\x05\x01\x00\x01\x7f\x00\x00\x01\xa0\x79hello\n", 19);
	ck_assert_uint_eq(side_bytes(&in, true, side), 12);
	ck_assert_mem_eq(side, "\x05\x00\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	ck_assert_str_eq(in.node[0][0], "127.0.0.1:47676");
	ck_assert_str_eq(in.node[0][1], "127.0.0.1:41080");
	hex_input_free(&in);
	ck_assert_ptr_null(in.bytes);
	ck_assert_str_eq(in.node[0][0], "");
}
END_TEST

/* The Node lines of follow output: kept as written (trimmed), only when
 * printable and short; absent, or in a dump that is no follow output, "". */
static const struct {
	const char *text;
	const char *node0, *node1;
} nodes[] = {
	{ "Node 0: [::1]:40522  \r\nNode 1:\t::1:1080\r\n00000000  05 01 00\n\t00000000  05 00\n",
	  "[::1]:40522", "::1:1080" },
	/* a hand-trimmed paste: no header */
	{ "00000000  05 01 00\n\t00000000  05 00\n", "", "" },
	/* Node 2 is no end; a control character, an empty value: not kept */
	{ "Node 2: 10.0.0.1:1\nNode 0: 10.0.0.1:\x01\nNode 1:   \n"
	  "00000000  05 01 00\n\t00000000  05 00\n", "", "" },
	/* longer than HEX_NODE_MAX - 1 */
	{ "Node 0: 11111111112222222222333333333344444444445555555555666666666677777777778888888888:1\n"
	  "Node 1: 10.0.0.2:1080\n00000000  05 01 00\n\t00000000  05 00\n", "", "10.0.0.2:1080" },
	/* not follow output (one side only): no ends */
	{ "Node 0: 10.0.0.1:5\n0000  05 01 00\n", "", "" },
};

START_TEST(follow_nodes)
{
	struct hexparse_error err;
	struct hex_input in;

	ck_assert_int_eq(hex_parse_input(nodes[_i].text, strlen(nodes[_i].text), &in, &err), 0);
	ck_assert_str_eq(in.node[0][0], nodes[_i].node0);
	ck_assert_str_eq(in.node[0][1], nodes[_i].node1);
	hex_input_free(&in);
}
END_TEST

/* Each packet of a tshark -x dump is a segment of its own. */
START_TEST(dump_packets_are_segments)
{
	static const char text[] =
		"0000  00 00 00 00 00 00 00 00 00 00 00 00 08 00 45 00   ..............E.\n"
		"0010  00 37                                             .7\n"
		"\n"
		"0000  05 00                                             ..\n";
	struct hexparse_error err;
	struct hex_input in;

	ck_assert_int_eq(hex_parse_input(text, strlen(text), &in, &err), 0);
	ck_assert_int_eq(in.shape, HEX_SHAPE_DUMP);
	ck_assert_uint_eq(in.nsegs, 2);
	ck_assert_uint_eq(in.segs[0].off, 0);
	ck_assert_uint_eq(in.segs[0].len, 18);
	ck_assert_uint_eq(in.segs[1].off, 18);
	ck_assert_uint_eq(in.segs[1].len, 2);
	hex_input_free(&in);

	ck_assert_int_eq(hex_parse_input("05 01 00", 8, &in, &err), 0);
	ck_assert_int_eq(in.shape, HEX_SHAPE_PLAIN);
	ck_assert_uint_eq(in.nsegs, 1);
	ck_assert_uint_eq(in.segs[0].len, 3);
	hex_input_free(&in);
}
END_TEST

/* tshark's follow output in another form than hex, or of UDP: refused,
 * the form named (escaped), rather than read as hex ("bad hex at line 2")
 * or as a TCP stream. */
static const struct {
	const char *text, *why;
} follow_forms[] = {
	{ "\n=====\nFollow: tcp,ascii\nFilter: tcp.stream eq 0\nNode 0: 10.0.0.1:4\n"
	  "Node 1: 10.0.0.2:1080\n3\n...\n\t2\n..\n=====\n",
	  "tshark follow,tcp,ascii output is not read: give the output of "
	  "tshark -q -z follow,tcp,hex,N" },
	{ "Follow: tcp,raw\n050100\n\t0500\n",
	  "tshark follow,tcp,raw output is not read: give the output of "
	  "tshark -q -z follow,tcp,hex,N" },
	{ "Follow: udp,hex  \n00000000  05 01 00\n\t00000000  05 00\n",
	  "tshark follow,udp,hex output is not read: give the output of "
	  "tshark -q -z follow,tcp,hex,N" },
	{ "Follow: tcp,\x1b[2J\n00000000  05 01 00\n",
	  "tshark follow,tcp,\\x1b[2J output is not read: give the output of "
	  "tshark -q -z follow,tcp,hex,N" },
};

START_TEST(follow_other_forms)
{
	struct hexparse_error err;
	struct hex_input in;
	char why[160];
	const char *text = follow_forms[_i].text;

	ck_assert_int_eq(hex_parse_input(text, strlen(text), &in, &err), -1);
	ck_assert_int_eq(err.fault, HEX_FOLLOW_FORM);
	hexparse_strerror(&err, why, sizeof(why));
	ck_assert_str_eq(why, follow_forms[_i].why);
}
END_TEST

/* The hex form of TCP follow output is read, its header too. */
START_TEST(follow_hex_form_read)
{
	static const char text[] = "Follow: tcp,hex\nFilter: tcp.stream eq 0\n"
				   "00000000  05 01 00\n\t00000000  05 00\n";
	struct hexparse_error err;
	struct hex_input in;

	ck_assert_int_eq(hex_parse_input(text, strlen(text), &in, &err), 0);
	ck_assert_int_eq(in.shape, HEX_SHAPE_FOLLOW);
	ck_assert_uint_eq(in.len, 5);
	hex_input_free(&in);
}
END_TEST

/* Follow output of several tshark runs pasted together: each "Follow:"
 * header starts a connection of its own, with its own Node lines (they
 * were one connection: the second's bytes went on the first's turns). */
START_TEST(follow_blocks_are_connections)
{
	static const char text[] =
		"=====\nFollow: tcp,hex\nFilter: tcp.stream eq 0\n"
		"Node 0: 10.0.0.1:40000\nNode 1: 10.0.0.2:1080\n"
		"00000000  05 01 00\n\t00000000  05 00\n"
		"00000003  05 01 00 01\n=====\n"
		"=====\nFollow: tcp,hex\nFilter: tcp.stream eq 1\n"
		"Node 0: 10.0.0.1:40001\nNode 1: 10.0.0.2:1081\n"
		"00000000  04 01 00 50\n\t00000000  00 5b\n=====\n";
	struct hexparse_error err;
	struct hex_input in;

	ck_assert_int_eq(hex_parse_input(text, strlen(text), &in, &err), 0);
	ck_assert_int_eq(in.shape, HEX_SHAPE_FOLLOW);
	ck_assert_uint_eq(in.nblocks, 2);
	ck_assert_uint_eq(in.nsegs, 5);
	static const struct { size_t len; bool indented; unsigned block; } want[] = {
		{3, false, 0}, {2, true, 0}, {4, false, 0}, {4, false, 1}, {2, true, 1},
	};
	for (size_t i = 0; i < 5; i++) {
		ck_assert_uint_eq(in.segs[i].len, want[i].len);
		ck_assert_int_eq(in.segs[i].indented, want[i].indented);
		ck_assert_uint_eq(in.segs[i].block, want[i].block);
	}
	ck_assert_str_eq(in.node[0][0], "10.0.0.1:40000");
	ck_assert_str_eq(in.node[0][1], "10.0.0.2:1080");
	ck_assert_str_eq(in.node[1][0], "10.0.0.1:40001");
	ck_assert_str_eq(in.node[1][1], "10.0.0.2:1081");
	hex_input_free(&in);
}
END_TEST

/* More follow headers than HEX_FOLLOW_MAX: refused, said. */
START_TEST(follow_blocks_bounded)
{
	static const char block[] = "Follow: tcp,hex\n00000000  05 01 00\n\t00000000  05 00\n";
	size_t n = strlen(block);
	char *text = malloc(n * (HEX_FOLLOW_MAX + 1) + 1);
	struct hexparse_error err;
	struct hex_input in;
	char why[128];

	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i <= HEX_FOLLOW_MAX; i++)
		memcpy(text + i * n, block, n);
	ck_assert_int_eq(hex_parse_input(text, n * HEX_FOLLOW_MAX, &in, &err), 0);
	ck_assert_uint_eq(in.nblocks, HEX_FOLLOW_MAX);
	ck_assert_uint_eq(in.segs[in.nsegs - 1].block, HEX_FOLLOW_MAX - 1);
	hex_input_free(&in);
	ck_assert_int_eq(hex_parse_input(text, n * (HEX_FOLLOW_MAX + 1), &in, &err), -1);
	ck_assert_int_eq(err.fault, HEX_FOLLOW_MANY);
	hexparse_strerror(&err, why, sizeof(why));
	ck_assert_str_eq(why, "more than 32 connections of tshark follow output: give at most 32");
	free(text);
}
END_TEST

/* tshark -x -P: the summary line of frame 1000 and on starts as an offset
 * line would ("1000" and blanks) but no hex follows: it is skipped (it
 * was "bad hex at line 1, column 10: '.'"). */
START_TEST(summary_line_is_no_offset_line)
{
	static const char text[] =
		" 1000   0.019980     10.0.0.2 \xe2\x86\x92 10.1.0.103   Socks 64 Version: 5\n"
		"\n"
		"0000  05 00                                             ..\n"
		"\n"
		"10000   1.5     10.0.0.2 \xe2\x86\x92 10.1.0.103   TCP 54\n"
		"\n"
		"0000  05 01 00                                          ...\n";
	struct hexparse_error err;
	struct hex_input in;

	ck_assert_int_eq(hex_parse_input(text, strlen(text), &in, &err), 0);
	ck_assert_int_eq(in.shape, HEX_SHAPE_DUMP);
	ck_assert_uint_eq(in.nsegs, 2);
	ck_assert_uint_eq(in.segs[0].len, 2);
	ck_assert_uint_eq(in.segs[1].len, 3);
	hex_input_free(&in);
}
END_TEST

/* sockscope's own view with a masked password fed back: its masked line
 * is still an offset line, and its '*' no hex (not a message cut short). */
START_TEST(masked_view_line_is_bad_hex)
{
	static const char text[] =
		"   0000  01                 VER     1\n"
		"   0001  05                 ULEN    5\n"
		"   0002  61 6c 69 63 65     UNAME   \"alice\"\n"
		"   0007  06                 PLEN    6\n"
		"   0008  ** ** ** ** ** **  PASSWD  ********\n";
	struct hexparse_error err;
	struct hex_input in;

	ck_assert_int_eq(hex_parse_input(text, strlen(text), &in, &err), -1);
	ck_assert_int_eq(err.fault, HEX_BAD_CHAR);
	ck_assert_uint_eq(err.line, 5);
	ck_assert_int_eq(err.ch, '*');
}
END_TEST

/* Text saved on Windows: a UTF-8 byte order mark before the first offset
 * line is no character (the first frame's first line was lost); UTF-16
 * is said (it was "bad hex at position 1: '\xff'"). */
START_TEST(byte_order_marks)
{
	static const char bom_dump[] = "\xef\xbb\xbf" "0000  05 01 00\n\n0000  05 00\n";
	static const char bom_bad[] = "\xef\xbb\xbf" "05 zz";
	static const char utf16[] = "\xff\xfe" "0\0" "5\0";
	struct hexparse_error err;
	struct hex_input in;
	char why[128];

	ck_assert_int_eq(hex_parse_input(bom_dump, strlen(bom_dump), &in, &err), 0);
	ck_assert_int_eq(in.shape, HEX_SHAPE_DUMP);
	ck_assert_uint_eq(in.nsegs, 2);
	ck_assert_uint_eq(in.segs[0].len, 3);
	hex_input_free(&in);
	ck_assert_int_eq(hex_parse_input(bom_bad, strlen(bom_bad), &in, &err), -1);
	ck_assert_int_eq(err.fault, HEX_BAD_CHAR);
	ck_assert_uint_eq(err.pos, 4); /* counted after the mark */
	ck_assert_int_eq(hex_parse_input(utf16, sizeof(utf16) - 1, &in, &err), -1);
	ck_assert_int_eq(err.fault, HEX_UTF16);
	hexparse_strerror(&err, why, sizeof(why));
	ck_assert_str_eq(why, "the text is UTF-16 (as PowerShell's > writes it): give it as "
			      "UTF-8 or ASCII");
}
END_TEST

/* Follow output of a connection whose server never answered: one side's
 * lines only, under tshark's header (it was read as a dump of one packet,
 * "no follow output" to decode -r). */
START_TEST(follow_one_side)
{
	static const char text[] = "===\nFollow: tcp,hex\nFilter: tcp.stream eq 0\n"
				   "Node 0: 10.0.0.1:40000\nNode 1: 10.0.0.2:1080\n"
				   "00000000  05 01 00                 ...\n===\n";
	struct hexparse_error err;
	struct hex_input in;

	ck_assert_int_eq(hex_parse_input(text, strlen(text), &in, &err), 0);
	ck_assert_int_eq(in.shape, HEX_SHAPE_FOLLOW);
	ck_assert_uint_eq(in.nsegs, 1);
	ck_assert(!in.segs[0].indented);
	ck_assert_str_eq(in.node[0][1], "10.0.0.2:1080");
	hex_input_free(&in);
}
END_TEST

Suite *
hexparse_suite(void)
{
	Suite *s = suite_create("hexparse");
	TCase *tc = tcase_create("hexparse");

	tcase_add_loop_test(tc, parses, 0, (int)(sizeof(goods) / sizeof(goods[0])));
	tcase_add_loop_test(tc, refuses, 0, (int)(sizeof(bads) / sizeof(bads[0])));
	tcase_add_test(tc, small_inputs_are_safe);
	tcase_add_test(tc, follow_output_has_two_sides);
	tcase_add_loop_test(tc, follow_nodes, 0, (int)(sizeof(nodes) / sizeof(nodes[0])));
	tcase_add_test(tc, dump_packets_are_segments);
	tcase_add_loop_test(tc, follow_other_forms, 0,
			    (int)(sizeof(follow_forms) / sizeof(follow_forms[0])));
	tcase_add_test(tc, follow_hex_form_read);
	tcase_add_test(tc, follow_blocks_are_connections);
	tcase_add_test(tc, follow_blocks_bounded);
	tcase_add_test(tc, summary_line_is_no_offset_line);
	tcase_add_test(tc, byte_order_marks);
	tcase_add_test(tc, masked_view_line_is_bad_hex);
	tcase_add_test(tc, follow_one_side);
	suite_add_tcase(s, tc);
	return s;
}
