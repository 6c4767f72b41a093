/*
 * The views of a message: the annotated hex view, the -v trace line, the JSON
 * form, and the terminal helpers under them (colour decision, escaping).
 *
 * Messages come from proto_decode() and proto_encode() of fixed bytes; the
 * expected text is written out here, from the man page's hex view example and
 * doc/PROTOCOL.md, not computed with the code under test.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "field.h"
#include "hexview.h"
#include "json_out.h"
#include "msgtext.h"
#include "suites.h"
#include "term.h"
#include "traceline.h"

/* Everything a view printed, as one NUL-terminated string; free() it. */
typedef void view_fn(FILE *, const struct msg *, const struct view_opts *);

static char *
render(view_fn *view, const struct msg *m, const struct view_opts *o)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(fp);
	view(fp, m, o);
	ck_assert_int_eq(fclose(fp), 0);
	return text;
}

static void
decode(enum msg_type type, const uint8_t *p, size_t len, struct msg *m)
{
	proto_decode(type, p, len, NULL, m);
}

#define DECODE(type, m, ...)                                                  \
	do {                                                                  \
		static const uint8_t bytes_[] = {__VA_ARGS__};                \
		decode((type), bytes_, sizeof(bytes_), (m));                  \
	} while (0)

static bool
has_byte(const char *text, size_t len, unsigned char c)
{
	return memchr(text, c, len) != NULL;
}

/* ---- the hex view ---- */

START_TEST(design_example_request)
{
	struct msg m;
	DECODE(MSG_S4_REQUEST, &m, 0x04, 0x01, 0x00, 0x50, 0x42, 0x66, 0x07, 0x63, 'F', 'r',
	       'e', 'd', 0x00);
	char *out = render(hexview_print, &m, NULL);
	/* The terminator is named as in JSON and `set`: USERID.NUL. */
	ck_assert_str_eq(out, "-> SOCKS4 CONNECT request, 13 bytes\n"
			      "   0000  04           VN          4            SOCKS4\n"
			      "   0001  01           CD          0x01         CONNECT\n"
			      "   0002  00 50        DSTPORT     80\n"
			      "   0004  42 66 07 63  DSTIP       66.102.7.99\n"
			      "   0008  46 72 65 64  USERID      \"Fred\"\n"
			      "   000c  00           USERID.NUL               end of USERID\n");
	free(out);
}
END_TEST

START_TEST(design_example_reply)
{
	struct msg m;
	DECODE(MSG_S4_REPLY, &m, 0x00, 0x5a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
	char *out = render(hexview_print, &m, NULL);
	ck_assert_ptr_nonnull(strstr(out, "<- SOCKS4 reply, 8 bytes\n"));
	ck_assert_ptr_nonnull(strstr(out, "   0001  5a           CD       0x5a     request granted\n"));
	free(out);
}
END_TEST

START_TEST(titles)
{
	struct msg m;
	char title[64];

	DECODE(MSG_S4_REQUEST, &m, 0x04, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x01, 0x00, 'h',
	       0x00);
	msg_title(&m, title, sizeof(title));
	ck_assert_str_eq(title, "SOCKS4a BIND request");
	DECODE(MSG_S5_REQUEST, &m, 0x05, 0xf0, 0x00, 0x03, 0x01, 'h', 0x00, 0x00);
	msg_title(&m, title, sizeof(title));
	ck_assert_str_eq(title, "SOCKS5 RESOLVE request"); /* not "RESOLVE (Tor)" */
	DECODE(MSG_S5_REQUEST, &m, 0x05, 0x03, 0x00, 0x01, 0, 0, 0, 0, 0, 0);
	msg_title(&m, title, sizeof(title));
	ck_assert_str_eq(title, "SOCKS5 UDP ASSOCIATE request");
	DECODE(MSG_S5_REQUEST, &m, 0x05, 0x09, 0x00, 0x01, 0, 0, 0, 0, 0, 0);
	msg_title(&m, title, sizeof(title));
	ck_assert_str_eq(title, "SOCKS5 request"); /* unassigned command: no name */
	DECODE(MSG_S5_REPLY, &m, 0x05, 0x00);
	msg_title(&m, title, sizeof(title));
	ck_assert_str_eq(title, "SOCKS5 reply");
}
END_TEST

START_TEST(long_field_wraps_at_16)
{
	struct msg m;
	/* A 20-byte name: 16 bytes on the field's line, 4 on a line of their own
	 * with their own offset; the bytes column is 16 wide for every field. */
	DECODE(MSG_S5_REQUEST, &m, 0x05, 0x01, 0x00, 0x03, 20, 'a', 'a', 'a', 'a', 'a', 'a',
	       'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 0x01,
	       0xbb);
	ck_assert_int_eq(m.status, PROTO_OK);
	char *out = render(hexview_print, &m, NULL);
	ck_assert_ptr_nonnull(strstr(out, "   0005  61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61  "
					  "DST.ADDR  \"aaaaaaaaaaaaaaaabbbb\"\n"));
	ck_assert_ptr_nonnull(strstr(out, "   0015  62 62 62 62\n"));
	ck_assert_ptr_nonnull(strstr(out, "   0019  01 bb                                            "
					  "DST.PORT  443\n"));
	free(out);
}
END_TEST

START_TEST(list_one_row_per_method)
{
	struct msg m;
	DECODE(MSG_S5_GREETING, &m, 0x05, 0x02, 0x00, 0x02);
	char *out = render(hexview_print, &m, NULL);
	ck_assert_str_eq(out, "-> SOCKS5 greeting, 4 bytes\n"
			      "   0000  05     VER       5     SOCKS5\n"
			      "   0001  02     NMETHODS  2\n"
			      "   0002  00 02  METHODS   0x00  NO AUTHENTICATION REQUIRED\n"
			      "                          0x02  USERNAME/PASSWORD\n");
	free(out);
}
END_TEST

START_TEST(malformed_shows_up_to_fault)
{
	struct msg m;
	char problem[128];

	DECODE(MSG_S5_REQUEST, &m, 0x05, 0x01, 0x00, 0x07, 0x01, 0x02, 0x03, 0x04);
	ck_assert_int_lt(m.status, 0);
	char *out = render(hexview_print, &m, NULL);
	ck_assert_ptr_nonnull(strstr(out, "-> SOCKS5 CONNECT request, 4 bytes, malformed\n"));
	ck_assert_ptr_nonnull(strstr(out, "   0003  07  ATYP  0x07"));
	ck_assert_ptr_nonnull(strstr(out, "   !! malformed at offset 0x0003 in ATYP: "
					  "unknown address type 0x07"));
	ck_assert_ptr_null(strstr(out, "DST.ADDR")); /* nothing past the fault */
	free(out);
	msg_problem(&m, problem, sizeof(problem));
	ck_assert_ptr_nonnull(strstr(problem, "malformed at offset 0x0003 in ATYP: "));
	ck_assert_str_eq(msg_stop_field(&m), "ATYP");
}
END_TEST

START_TEST(truncated_names_the_field)
{
	struct msg m;
	char problem[128];
	bool open_ended;

	DECODE(MSG_S5_REPLY, &m, 0x05, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00);
	ck_assert_int_eq(m.status, PROTO_NEED_MORE);
	msg_problem(&m, problem, sizeof(problem));
	ck_assert_str_eq(problem, "truncated after 7 of 10 bytes (in BND.ADDR)");
	ck_assert_uint_eq(msg_known_total(&m, &open_ended), 10);
	ck_assert(!open_ended);
	char *out = render(hexview_print, &m, NULL);
	ck_assert_ptr_nonnull(strstr(out, "<- SOCKS5 reply, 7 bytes, truncated\n"));
	ck_assert_ptr_nonnull(strstr(out, "   0004  7f 00 00  BND.ADDR        truncated\n"));
	ck_assert_ptr_nonnull(strstr(out, "   !! truncated after 7 of 10 bytes (in BND.ADDR)\n"));
	free(out);

	/* A string's end is unknown until its 0x00: a lower bound. */
	DECODE(MSG_S4_REQUEST, &m, 0x04, 0x01, 0x00, 0x50, 0x42, 0x66, 0x07, 0x63, 'F', 'r');
	msg_problem(&m, problem, sizeof(problem));
	ck_assert_str_eq(problem, "truncated after 10 of at least 11 bytes (in USERID)");

	/* Cut between fields: the next one is named. */
	DECODE(MSG_S5_REPLY, &m, 0x05, 0x00, 0x00);
	ck_assert_str_eq(msg_stop_field(&m), "ATYP");
}
END_TEST

/* The answer a server message carries, whole, even when what follows it
 * was cut short or broke; none when it did not arrive. */
START_TEST(code_that_arrived)
{
	struct msg m;
	char text[96];

	DECODE(MSG_S5_REPLY, &m, 0x05, 0x07);
	ck_assert_int_eq(m.status, PROTO_NEED_MORE);
	ck_assert_ptr_nonnull(msg_code_field(&m));
	ck_assert_uint_eq(msg_code_field(&m)->num, 7);
	msg_code_text(&m, text, sizeof(text));
	ck_assert_str_eq(text, "REP 0x07 command not supported");

	DECODE(MSG_S5_REPLY, &m, 0x05, 0x02, 0x00, 0x07, 0x01);
	ck_assert_int_lt(m.status, 0);
	msg_code_text(&m, text, sizeof(text));
	ck_assert_str_eq(text, "REP 0x02 connection not allowed by ruleset");

	DECODE(MSG_S4_REPLY, &m, 0x00, 0x5b, 0x00);
	msg_code_text(&m, text, sizeof(text));
	ck_assert_str_eq(text, "CD 0x5b request rejected or failed");

	DECODE(MSG_S5_METHOD, &m, 0x05, 0x02);
	msg_code_text(&m, text, sizeof(text));
	ck_assert_str_eq(text, "METHOD 0x02 USERNAME/PASSWORD");

	DECODE(MSG_S5_AUTH_STATUS, &m, 0x01, 0x01);
	msg_code_text(&m, text, sizeof(text));
	ck_assert_str_eq(text, "STATUS 0x01 failure");

	/* not arrived: VER alone */
	DECODE(MSG_S5_REPLY, &m, 0x05);
	ck_assert_ptr_null(msg_code_field(&m));
	ck_assert_uint_eq(msg_code_text(&m, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "");

	/* a client message carries no answer */
	DECODE(MSG_S5_REQUEST, &m, 0x05, 0x01, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x50);
	ck_assert_ptr_null(msg_code_field(&m));
}
END_TEST

START_TEST(secrets_masked)
{
	struct msg m;
	DECODE(MSG_S5_AUTH_REQUEST, &m, 0x01, 0x03, 'b', 'o', 'b', 0x07, 'h', 'u', 'n', 't', 'e',
	       'r', '2');
	char *out = render(hexview_print, &m, NULL);
	ck_assert_ptr_nonnull(strstr(out, "   0006  ** ** ** ** ** ** **  PASSWD  ********\n"));
	ck_assert_ptr_null(strstr(out, "hunter2"));
	ck_assert_ptr_null(strstr(out, "68 75 6e"));
	free(out);
	out = render(trace_line, &m, NULL);
	ck_assert_str_eq(out, "-> username/password request: UNAME \"bob\", PASSWD ********\n");
	free(out);

	struct view_opts show = {.show_secrets = true};
	out = render(hexview_print, &m, &show);
	ck_assert_ptr_nonnull(strstr(out, "68 75 6e 74 65 72 32  PASSWD  \"hunter2\""));
	free(out);
}
END_TEST

START_TEST(network_bytes_escaped)
{
	struct msg m;
	/* A SOCKS5 name may hold anything: ESC, CR, NUL, quotes, backslash. */
	DECODE(MSG_S5_REPLY, &m, 0x05, 0x00, 0x00, 0x03, 9, 'a', 0x1b, '[', '2', 'J', '\r', 0x00,
	       '"', '\\', 0x00, 0x50);
	ck_assert_int_eq(m.status, PROTO_OK);
	char *out = render(hexview_print, &m, NULL);
	size_t len = strlen(out);
	ck_assert(!has_byte(out, len, 0x1b));
	ck_assert(!has_byte(out, len, '\r'));
	ck_assert_ptr_nonnull(strstr(out, "\"a\\x1b[2J\\x0d\\x00\\\"\\\\\""));
	free(out);
	out = render(trace_line, &m, NULL);
	ck_assert(!has_byte(out, strlen(out), 0x1b));
	ck_assert_ptr_nonnull(strstr(out, "BND a\\x1b[2J\\x0d\\x00\\\"\\\\:80"));
	free(out);
}
END_TEST

START_TEST(colour_only_when_asked)
{
	struct msg m;
	DECODE(MSG_S5_REQUEST, &m, 0x05, 0x01, 0x00, 0x07);
	struct view_opts plain = {.color = false}, colour = {.color = true};
	char *out = render(hexview_print, &m, &plain);
	ck_assert(!has_byte(out, strlen(out), 0x1b));
	free(out);
	out = render(hexview_print, &m, &colour);
	ck_assert_ptr_nonnull(strstr(out, "\033["));
	ck_assert_ptr_nonnull(strstr(out, "\033[0m"));
	free(out);
}
END_TEST

START_TEST(anomalies_and_unassigned)
{
	struct msg m;
	DECODE(MSG_S5_REPLY, &m, 0x05, 0x09, 0x01, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x50);
	char *out = render(hexview_print, &m, NULL);
	ck_assert_ptr_nonnull(strstr(out, "<- SOCKS5 reply, 10 bytes, 2 anomalies\n"));
	ck_assert_ptr_nonnull(strstr(out, "REP       0x09       unassigned\n"));
	ck_assert_ptr_nonnull(strstr(out, "RSV       0x01       reserved, should be 0\n"));
	free(out);

	/* A tolerated version says why, not "unassigned". */
	DECODE(MSG_S4_REPLY, &m, 0x04, 0x5a, 0, 0, 0, 0, 0, 0);
	out = render(hexview_print, &m, NULL);
	ck_assert_ptr_nonnull(strstr(out, "VN       4        not the version"));
	free(out);
}
END_TEST

START_TEST(draft_derived_and_override)
{
	struct draft d;
	struct msg m;
	struct proto_error e;
	uint8_t out[64];
	size_t len;
	static const uint8_t methods[] = {0x00, 0x02};

	draft_init(&d, MSG_S5_GREETING);
	ck_assert_int_eq(draft_set_bytes(&d, "METHODS", methods, 2), PROTO_OK);
	ck_assert_int_eq(proto_encode(&d, out, sizeof(out), &len, &m, &e), PROTO_OK);
	char *text = render(hexview_print, &m, NULL);
	ck_assert_ptr_nonnull(strstr(text, "NMETHODS  2     (derived)\n"));
	free(text);

	ck_assert_int_eq(draft_set_num(&d, "NMETHODS", 7), PROTO_OK);
	ck_assert_int_eq(proto_encode(&d, out, sizeof(out), &len, &m, &e), PROTO_OK);
	text = render(hexview_print, &m, NULL);
	ck_assert_ptr_nonnull(strstr(text, "NMETHODS  7     (override)\n"));
	free(text);
}
END_TEST

START_TEST(direction_and_label)
{
	struct msg m;
	DECODE(MSG_GSSAPI, &m, 0x01, 0xff);
	struct view_opts o = {.dir = VIEW_DIR_RECEIVED, .label = "hop 2"};
	char *out = render(hexview_print, &m, &o);
	ck_assert_ptr_nonnull(strstr(out, "<- hop 2: GSSAPI message, 2 bytes\n"));
	free(out);
	ck_assert_str_eq(msg_arrow(&m, NULL), "->");
}
END_TEST

START_TEST(hexdump_of_stray_bytes)
{
	static const char data[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	hexdump_print(fp, (const uint8_t *)data, sizeof(data) - 1, 0x10, NULL);
	fclose(fp);
	ck_assert_str_eq(text, "   0010  47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a  "
			       "GET / HTTP/1.1..\n"
			       "   0020  48 6f 73 74 3a 20 78 0d 0a 0d 0a                 "
			       "Host: x....\n");
	free(text);
}
END_TEST

/* ---- the trace line ---- */

struct trace_vec {
	enum msg_type type;
	uint8_t bytes[32];
	size_t len;
	const char *line;
};

static const struct trace_vec trace_vecs[] = {
	{MSG_S5_REPLY, {0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0x9c, 0x40}, 10,
	 "<- SOCKS5 reply: REP 0x00 succeeded, BND 127.0.0.1:40000\n"},
	{MSG_S5_REPLY, {0x05, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80}, 22,
	 "<- SOCKS5 reply: REP 0x00 succeeded, BND [::1]:80\n"},
	{MSG_S5_REQUEST, {0x05, 0x01, 0x00, 0x03, 3, 'a', '.', 'b', 0x01, 0xbb}, 10,
	 "-> SOCKS5 CONNECT request: CMD 0x01 CONNECT, DST a.b:443\n"},
	{MSG_S5_GREETING, {0x05, 0x02, 0x00, 0x02}, 4,
	 "-> SOCKS5 greeting: METHODS [0x00 NO AUTHENTICATION REQUIRED, 0x02 USERNAME/PASSWORD]\n"},
	{MSG_S5_METHOD, {0x05, 0xff}, 2, "<- SOCKS5 method selection: METHOD 0xff NO ACCEPTABLE METHODS\n"},
	{MSG_S4_REQUEST, {0x04, 0x01, 0x00, 0x50, 0x42, 0x66, 0x07, 0x63, 'F', 'r', 'e', 'd', 0}, 13,
	 "-> SOCKS4 CONNECT request: CD 0x01 CONNECT, DST 66.102.7.99:80, USERID \"Fred\"\n"},
	{MSG_S4_REPLY, {0x00, 0x5b, 0, 0, 0, 0, 0, 0}, 8,
	 "<- SOCKS4 reply: CD 0x5b request rejected or failed, DST 0.0.0.0:0\n"},
	{MSG_S5_REPLY, {0x05, 0x00, 0x00, 0x01, 127, 0, 0}, 7,
	 "<- SOCKS5 reply: REP 0x00 succeeded; truncated after 7 of 10 bytes (in BND.ADDR)\n"},
	{MSG_S5_AUTH_STATUS, {0x01, 0x00}, 2, "<- username/password status: STATUS 0x00 success\n"},
};

START_TEST(trace_lines)
{
	const struct trace_vec *v = &trace_vecs[_i];
	struct msg m;

	decode(v->type, v->bytes, v->len, &m);
	char *out = render(trace_line, &m, NULL);
	ck_assert_str_eq(out, v->line);
	free(out);
}
END_TEST

/* ---- JSON ---- */

static const json_t *
json_field(const json_t *msg, const char *name)
{
	size_t i;
	const json_t *f;

	json_array_foreach(json_object_get(msg, "fields"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0)
			return f;
	ck_abort_msg("no field %s in the JSON", name);
	return NULL;
}

START_TEST(json_complete_reply)
{
	struct msg m;
	DECODE(MSG_S5_REPLY, &m, 0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0x9c, 0x40);
	json_t *j = msg_to_json(&m, 0);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "direction")), "server");
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "complete");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "length")), 10);
	const json_t *rep = json_field(j, "REP");
	ck_assert_int_eq(json_integer_value(json_object_get(rep, "value")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(rep, "meaning")), "succeeded");
	ck_assert_int_eq(json_integer_value(json_object_get(rep, "offset")), 1);
	const json_t *addr = json_field(j, "BND.ADDR");
	ck_assert_str_eq(json_string_value(json_object_get(addr, "value")), "127.0.0.1");
	ck_assert_str_eq(json_string_value(json_object_get(addr, "hex")), "7f000001");
	ck_assert_int_eq(json_integer_value(json_object_get(json_field(j, "BND.PORT"), "value")),
			 40000);
	json_decref(j);
}
END_TEST

START_TEST(json_secret_and_list)
{
	struct msg m;
	DECODE(MSG_S5_AUTH_REQUEST, &m, 0x01, 0x01, 'u', 0x02, 'p', 'w');
	json_t *j = msg_to_json(&m, 0);
	const json_t *pw = json_field(j, "PASSWD");
	ck_assert_str_eq(json_string_value(json_object_get(pw, "value")), "********");
	ck_assert_ptr_null(json_object_get(pw, "hex"));
	char *dump = json_dumps(j, SOCKSCOPE_JSON_FLAGS);
	ck_assert_ptr_null(strstr(dump, "pw"));
	ck_assert_ptr_null(strstr(dump, "7077"));
	free(dump);
	json_decref(j);
	j = msg_to_json(&m, MSG_JSON_SHOW_SECRETS);
	ck_assert_str_eq(json_string_value(json_object_get(json_field(j, "PASSWD"), "value")), "pw");
	json_decref(j);

	DECODE(MSG_S5_GREETING, &m, 0x05, 0x02, 0x00, 0x80);
	j = msg_to_json(&m, 0);
	const json_t *methods = json_object_get(json_field(j, "METHODS"), "value");
	ck_assert_uint_eq(json_array_size(methods), 2);
	ck_assert_int_eq(json_integer_value(json_array_get(methods, 1)), 0x80);
	const json_t *meanings = json_object_get(json_field(j, "METHODS"), "meaning");
	ck_assert_str_eq(json_string_value(json_array_get(meanings, 1)), "private method");
	json_decref(j);
}
END_TEST

START_TEST(json_problems)
{
	struct msg m;
	DECODE(MSG_S5_REPLY, &m, 0x05, 0x00, 0x00, 0x01, 127, 0, 0);
	json_t *j = msg_to_json(&m, 0);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "truncated");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "need")), 10);
	ck_assert_str_eq(json_string_value(json_object_get(j, "truncated_in")), "BND.ADDR");
	json_decref(j);

	DECODE(MSG_S5_REQUEST, &m, 0x05, 0x01, 0x00, 0x07);
	j = msg_to_json(&m, 0);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "malformed");
	const json_t *err = json_object_get(j, "error");
	ck_assert_int_eq(json_integer_value(json_object_get(err, "offset")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(err, "field")), "ATYP");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(err, "reason")),
				     "unknown address type 0x07"));
	json_decref(j);

	/* Bytes that are no UTF-8: a null value, the bytes in hex, ASCII out. */
	DECODE(MSG_S5_REPLY, &m, 0x05, 0x00, 0x00, 0x03, 2, 0xff, 0x1b, 0x00, 0x50);
	j = msg_to_json(&m, 0);
	const json_t *addr = json_field(j, "BND.ADDR");
	ck_assert(json_is_null(json_object_get(addr, "value")));
	ck_assert_str_eq(json_string_value(json_object_get(addr, "hex")), "ff1b");
	json_decref(j);
}
END_TEST

/* ---- the terminal ---- */

START_TEST(escape_rules)
{
	char out[64];
	static const uint8_t in[] = {'a', '"', '\\', 0x00, 0x1b, 0x7f, 0xff, ' ', '~'};

	ck_assert_uint_eq(term_escape(out, sizeof(out), in, sizeof(in)), 23);
	ck_assert_str_eq(out, "a\\\"\\\\\\x00\\x1b\\x7f\\xff ~");
	ck_assert_uint_eq(term_escaped_len(in, sizeof(in)), 23);
	/* Cut short: never half an escape, always terminated. */
	ck_assert_uint_eq(term_escape(out, 8, in, sizeof(in)), 23);
	ck_assert_str_eq(out, "a\\\"\\\\");
	ck_assert_uint_eq(term_escape(out, 1, in, sizeof(in)), 23);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(colour_decision)
{
	enum color_when w;
	FILE *fp = tmpfile();

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(color_when_parse("always", &w), 0);
	ck_assert_int_eq(w, COLOR_ALWAYS);
	ck_assert_int_eq(color_when_parse("never", &w), 0);
	ck_assert_int_eq(w, COLOR_NEVER);
	ck_assert_int_eq(color_when_parse("auto", &w), 0);
	ck_assert_int_eq(w, COLOR_AUTO);
	ck_assert_int_eq(color_when_parse("sometimes", &w), -1);

	setenv("NO_COLOR", "1", 1);
	ck_assert(term_wants_color(COLOR_ALWAYS, fp)); /* the flag is the user's word */
	ck_assert(!term_wants_color(COLOR_AUTO, fp));
	unsetenv("NO_COLOR");
	ck_assert(!term_wants_color(COLOR_AUTO, fp)); /* a file is no terminal */
	ck_assert(!term_wants_color(COLOR_NEVER, fp));
	ck_assert_str_eq(term_on(false, TS_ERROR), "");
	ck_assert_str_eq(term_off(false), "");
	fclose(fp);
}
END_TEST

Suite *
hexview_suite(void)
{
	Suite *s = suite_create("hexview");
	TCase *tc = tcase_create("hexview");

	tcase_add_test(tc, design_example_request);
	tcase_add_test(tc, design_example_reply);
	tcase_add_test(tc, titles);
	tcase_add_test(tc, long_field_wraps_at_16);
	tcase_add_test(tc, list_one_row_per_method);
	tcase_add_test(tc, malformed_shows_up_to_fault);
	tcase_add_test(tc, truncated_names_the_field);
	tcase_add_test(tc, code_that_arrived);
	tcase_add_test(tc, secrets_masked);
	tcase_add_test(tc, network_bytes_escaped);
	tcase_add_test(tc, colour_only_when_asked);
	tcase_add_test(tc, anomalies_and_unassigned);
	tcase_add_test(tc, draft_derived_and_override);
	tcase_add_test(tc, direction_and_label);
	tcase_add_test(tc, hexdump_of_stray_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("trace");
	tcase_add_loop_test(tc, trace_lines, 0, (int)(sizeof(trace_vecs) / sizeof(trace_vecs[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, json_complete_reply);
	tcase_add_test(tc, json_secret_and_list);
	tcase_add_test(tc, json_problems);
	suite_add_tcase(s, tc);

	tc = tcase_create("term");
	tcase_add_test(tc, escape_rules);
	tcase_add_test(tc, colour_decision);
	suite_add_tcase(s, tc);
	return s;
}
