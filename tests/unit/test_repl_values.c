/* The REPL's VALUE parsing (cli/repl_values.c) and line splitting (cli/repl_line.c). */
#include <check.h>
#include <string.h>

#include "field.h"
#include "names.h"
#include "repl_line.h"
#include "repl_values.h"

Suite *repl_values_suite(void);

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct field_desc *
field_of(enum msg_type type, const char *name)
{
	const struct msg_desc *d = proto_msg_desc(type);
	int i = proto_field_index(d, name);

	ck_assert_msg(i >= 0, "no field %s", name);
	return &d->fields[i];
}

/* ---- numbers ---- */

static const struct {
	const char *in;
	const struct name_table *names;
	uint32_t max;
	long want; /* -1: refused */
} numbers[] = {
	{ "0", NULL, 255, 0 },
	{ "255", NULL, 255, 255 },
	{ "256", NULL, 255, -1 },
	{ "0x5a", NULL, 255, 0x5a },
	{ "0X5A", NULL, 255, 0x5a },
	{ "0xffff", NULL, 65535, 0xffff },
	{ "0x10000", NULL, 65535, -1 },
	{ "0x", NULL, 255, -1 },
	{ "0xg1", NULL, 255, -1 },
	{ "010", NULL, 255, 10 },         /* decimal, never octal */
	{ "-1", NULL, 255, -1 },
	{ "+1", NULL, 255, -1 },
	{ " 1", NULL, 255, -1 },
	{ "1 ", NULL, 255, -1 },
	{ "", NULL, 255, -1 },
	{ "99999999999999999999", NULL, 0xffffffffu, -1 },
	{ "0x123456789", NULL, 0xffffffffu, -1 },
	{ "4294967295", NULL, 0xffffffffu, 4294967295L },
	{ "connect", &names_s5_command, 255, 1 },
	{ "BIND", &names_s5_command, 255, 2 },
	{ "udp", &names_s5_command, 255, 3 },
	{ "resolve", &names_s5_command, 255, 0xf0 },
	{ "resolve-ptr", &names_s5_command, 255, 0xf1 },
	{ "noauth", &names_s5_method, 255, 0 },
	{ "userpass", &names_s5_method, 255, 2 },
	{ "ipv6", &names_s5_atyp, 255, 4 },
	{ "connect", NULL, 255, -1 },     /* no table, no names */
	{ "udp", &names_s4_command, 255, -1 }, /* SOCKS4 has no UDP */
};

START_TEST(number_vectors)
{
	uint32_t v = 12345;
	char why[VALUE_WHY_MAX];
	int rc = value_parse_number(numbers[_i].in, numbers[_i].names, numbers[_i].max, &v, why,
				    sizeof(why));

	if (numbers[_i].want < 0) {
		ck_assert_msg(rc < 0, "'%s' was taken as %u", numbers[_i].in, v);
		ck_assert_msg(why[0] != '\0', "'%s': refused without a reason", numbers[_i].in);
	} else {
		ck_assert_msg(rc == 0, "'%s' refused: %s", numbers[_i].in, why);
		ck_assert_uint_eq(v, (uint32_t)numbers[_i].want);
	}
}
END_TEST

START_TEST(number_refusal_names_the_keys)
{
	uint32_t v;
	char why[VALUE_WHY_MAX];

	ck_assert_int_lt(value_parse_number("bogus", &names_s5_command, 255, &v, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "bogus"));
	ck_assert_ptr_nonnull(strstr(why, "connect"));
	ck_assert_ptr_nonnull(strstr(why, "udp"));
}
END_TEST

/* ---- text ---- */

static const struct {
	const char *in;
	const char *want; /* NULL: refused */
	size_t wantlen;
} texts[] = {
	{ "Fred", "Fred", 4 },
	{ "", "", 0 },
	{ "a\\x00b", "a\0b", 3 },
	{ "\\x41\\x7e", "A~", 2 },
	{ "\\\\", "\\", 1 },
	{ "tab\\tnl\\ncr\\r", "tab\tnl\ncr\r", 10 },
	{ "\\e[31m", "\x1b[31m", 5 },
	{ "\\0", "\0", 1 },
	{ "\\;\\#\\ \\\"\\'", ";# \"'", 5 },
	{ "\\x4", NULL, 0 },
	{ "\\xzz", NULL, 0 },
	{ "\\q", NULL, 0 },
	{ "end\\", NULL, 0 },
};

START_TEST(text_vectors)
{
	uint8_t out[64];
	size_t len = 999;
	char why[VALUE_WHY_MAX];
	int rc = value_parse_text(texts[_i].in, out, sizeof(out), &len, why, sizeof(why));

	if (texts[_i].want == NULL) {
		ck_assert_msg(rc < 0, "'%s' was taken", texts[_i].in);
		return;
	}
	ck_assert_msg(rc == 0, "'%s' refused: %s", texts[_i].in, why);
	ck_assert_uint_eq(len, texts[_i].wantlen);
	ck_assert_mem_eq(out, texts[_i].want, len);
}
END_TEST

START_TEST(text_too_long)
{
	uint8_t out[4];
	size_t len;
	char why[VALUE_WHY_MAX];

	ck_assert_int_eq(value_parse_text("abcd", out, sizeof(out), &len, why, sizeof(why)), 0);
	ck_assert_int_lt(value_parse_text("abcde", out, sizeof(out), &len, why, sizeof(why)), 0);
}
END_TEST

/* ---- lists ---- */

START_TEST(list_vectors)
{
	uint8_t out[255];
	size_t len = 99;
	char why[VALUE_WHY_MAX];

	ck_assert_int_eq(value_parse_list("noauth,userpass", &names_s5_method, out, sizeof(out), &len,
					  why, sizeof(why)), 0);
	ck_assert_uint_eq(len, 2);
	ck_assert_mem_eq(out, "\x00\x02", 2);
	ck_assert_int_eq(value_parse_list("0 2, 0x80 ,gssapi", &names_s5_method, out, sizeof(out),
					  &len, why, sizeof(why)), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(out, "\x00\x02\x80\x01", 4);
	ck_assert_int_eq(value_parse_list("", &names_s5_method, out, sizeof(out), &len, why,
					  sizeof(why)), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_lt(value_parse_list("0,256", &names_s5_method, out, sizeof(out), &len, why,
					  sizeof(why)), 0);
	ck_assert_int_lt(value_parse_list("noauth,nope", &names_s5_method, out, sizeof(out), &len,
					  why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "nope"));
	ck_assert_int_lt(value_parse_list("1,2,3", NULL, out, 2, &len, why, sizeof(why)), 0);
}
END_TEST

/* ---- by field ---- */

START_TEST(by_field)
{
	struct field_value v;
	char why[VALUE_WHY_MAX];

	/* DSTIP: a dotted quad, or a number. */
	ck_assert_int_eq(value_parse(field_of(MSG_S4_REQUEST, "DSTIP"), "66.102.7.99", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_eq(v.kind, VAL_IPV4);
	ck_assert_mem_eq(v.bytes, "\x42\x66\x07\x63", 4);
	ck_assert_int_eq(value_parse(field_of(MSG_S4_REQUEST, "DSTIP"), "0x00000001", &v, why,
				     sizeof(why)), 0);
	ck_assert_mem_eq(v.bytes, "\x00\x00\x00\x01", 4);
	ck_assert_int_lt(value_parse(field_of(MSG_S4_REQUEST, "DSTIP"), "1.2.3", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_lt(value_parse(field_of(MSG_S4_REQUEST, "DSTIP"), "1.2.3.256", &v, why,
				     sizeof(why)), 0);

	/* DST.ADDR: IPv4, [v6] or bare v6, a name, name: for a name that looks like an address. */
	ck_assert_int_eq(value_parse(field_of(MSG_S5_REQUEST, "DST.ADDR"), "10.0.0.1", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_eq(v.kind, VAL_IPV4);
	ck_assert_int_eq(value_parse(field_of(MSG_S5_REQUEST, "DST.ADDR"), "[::1]", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_eq(v.kind, VAL_IPV6);
	ck_assert_uint_eq(v.len, 16);
	ck_assert_uint_eq(v.bytes[15], 1);
	ck_assert_int_eq(value_parse(field_of(MSG_S5_REQUEST, "DST.ADDR"), "2001:db8::2", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_eq(v.kind, VAL_IPV6);
	ck_assert_int_lt(value_parse(field_of(MSG_S5_REQUEST, "DST.ADDR"), "[::1", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_eq(value_parse(field_of(MSG_S5_REQUEST, "DST.ADDR"), "example.org", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_eq(v.kind, VAL_NAME);
	ck_assert_uint_eq(v.len, 11);
	ck_assert_int_eq(value_parse(field_of(MSG_S5_REQUEST, "DST.ADDR"), "name:1.2.3.4", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_eq(v.kind, VAL_NAME);
	ck_assert_mem_eq(v.bytes, "1.2.3.4", 7);

	/* Numbers by the field's table and width. */
	ck_assert_int_eq(value_parse(field_of(MSG_S5_REQUEST, "CMD"), "udp", &v, why, sizeof(why)), 0);
	ck_assert_uint_eq(v.num, 3);
	ck_assert_int_eq(value_parse(field_of(MSG_S5_REQUEST, "DST.PORT"), "65535", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_lt(value_parse(field_of(MSG_S5_REQUEST, "DST.PORT"), "65536", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_lt(value_parse(field_of(MSG_S5_GREETING, "NMETHODS"), "256", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_eq(value_parse(field_of(MSG_S5_REQUEST, "ATYP"), "domain", &v, why,
				     sizeof(why)), 0);
	ck_assert_uint_eq(v.num, 3);

	/* Lists and text. */
	ck_assert_int_eq(value_parse(field_of(MSG_S5_GREETING, "METHODS"), "noauth,userpass", &v,
				     why, sizeof(why)), 0);
	ck_assert_uint_eq(v.len, 2);
	ck_assert_int_eq(value_parse(field_of(MSG_S4_REQUEST, "USERID"), "Fred", &v, why,
				     sizeof(why)), 0);
	ck_assert_int_eq(v.kind, VAL_BYTES);
	ck_assert_uint_eq(v.len, 4);
}
END_TEST

START_TEST(store_into_drafts)
{
	static struct draft d;
	struct field_value v;
	char why[VALUE_WHY_MAX];
	uint8_t out[64];
	size_t len;
	const struct field_desc *fd;

	/* The classic example, through parse and store. */
	draft_init(&d, MSG_S4_REQUEST);
	fd = field_of(MSG_S4_REQUEST, "DSTPORT");
	ck_assert_int_eq(value_parse(fd, "80", &v, why, sizeof(why)), 0);
	ck_assert_int_eq(value_store(&d, fd, &v, why, sizeof(why)), 0);
	fd = field_of(MSG_S4_REQUEST, "DSTIP");
	ck_assert_int_eq(value_parse(fd, "66.102.7.99", &v, why, sizeof(why)), 0);
	ck_assert_int_eq(value_store(&d, fd, &v, why, sizeof(why)), 0);
	fd = field_of(MSG_S4_REQUEST, "USERID");
	ck_assert_int_eq(value_parse(fd, "Fred", &v, why, sizeof(why)), 0);
	ck_assert_int_eq(value_store(&d, fd, &v, why, sizeof(why)), 0);
	ck_assert_int_eq(proto_encode(&d, out, sizeof(out), &len, NULL, NULL), PROTO_OK);
	ck_assert_uint_eq(len, 13);
	ck_assert_mem_eq(out, "\x04\x01\x00\x50\x42\x66\x07\x63" "Fred\x00", 13);

	/* A NUL inside a NUL-terminated field is refused by name. */
	ck_assert_int_eq(value_parse(fd, "a\\x00b", &v, why, sizeof(why)), 0);
	ck_assert_int_lt(value_store(&d, fd, &v, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "USERID"));

	/* An IPv6 address does not fit SOCKS4's DSTIP. */
	ck_assert_int_lt(value_parse(field_of(MSG_S4_REQUEST, "DSTIP"), "[::1]", &v, why,
				     sizeof(why)), 0);

	/* NMETHODS 3 with one method: stored as an override, encoded as given. */
	draft_init(&d, MSG_S5_GREETING);
	fd = field_of(MSG_S5_GREETING, "METHODS");
	ck_assert_int_eq(value_parse(fd, "noauth", &v, why, sizeof(why)), 0);
	ck_assert_int_eq(value_store(&d, fd, &v, why, sizeof(why)), 0);
	fd = field_of(MSG_S5_GREETING, "NMETHODS");
	ck_assert_int_eq(value_parse(fd, "3", &v, why, sizeof(why)), 0);
	ck_assert_int_eq(value_store(&d, fd, &v, why, sizeof(why)), 0);
	ck_assert_int_eq(proto_encode(&d, out, sizeof(out), &len, NULL, NULL), PROTO_OK);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(out, "\x05\x03\x00", 3);
}
END_TEST

/* ---- command lines ---- */

static const struct {
	const char *line;
	const char *want; /* commands joined by " ; ", words by "|"; NULL: refused */
} lines[] = {
	{ "set dst 1.2.3.4:80", "set|dst|1.2.3.4:80" },
	{ "  open ;greet; request  ", "open ; greet ; request" },
	{ "set USERID 'Fred Smith'", "set|USERID|Fred Smith" },
	{ "set USERID \"a;b\"", "set|USERID|a;b" },
	{ "set USERID a\\;b; show", "set|USERID|a\\;b ; show" },
	{ "set USERID \"q\\\"q\"", "set|USERID|q\\\"q" },
	{ "set USERID ''", "set|USERID|" },
	{ "show # a comment; not a command", "show" },
	{ "# only a comment", "" },
	{ "set x a#b", "set|x|a#b" },
	{ ";;", " ; " },
	{ "set USERID 'open", NULL },
	{ "raw \"05 01", NULL },
};

START_TEST(line_vectors)
{
	static struct words w;
	const char *p = lines[_i].line;
	char got[512] = "", why[200];
	int rc, ncmd = 0;

	while ((rc = line_next_command(&p, &w, why, sizeof(why))) == 1) {
		if (ncmd++ > 0)
			strcat(got, " ; ");
		for (int k = 0; k < w.argc; k++) {
			if (k > 0)
				strcat(got, "|");
			strcat(got, w.argv[k]);
		}
		ck_assert_ptr_null(w.argv[w.argc]);
	}
	if (lines[_i].want == NULL) {
		ck_assert_msg(rc < 0, "'%s' was taken as '%s'", lines[_i].line, got);
		ck_assert_msg(why[0] != '\0', "refused without a reason");
		return;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(got, lines[_i].want);
}
END_TEST

START_TEST(line_limits)
{
	static struct words w;
	static char big[3 * LINE_MAX_WORDS + 10], huge[LINE_MAX_BYTES + 10];
	const char *p;
	char why[200];

	for (int k = 0; k <= LINE_MAX_WORDS; k++)
		strcat(big, "a ");
	p = big;
	ck_assert_int_lt(line_next_command(&p, &w, why, sizeof(why)), 0);
	ck_assert_int_eq(*p, '\0');
	memset(huge, 'x', sizeof(huge) - 1);
	p = huge;
	ck_assert_int_lt(line_next_command(&p, &w, why, sizeof(why)), 0);
	ck_assert_int_eq(*p, '\0');
}
END_TEST

/* What the user typed, echoed in a message: escaped as a server's name
   is, and cut with "..." (never half an escape) when it does not fit. */
START_TEST(typed_text_shown_escaped)
{
	char buf[16];

	ck_assert_str_eq(value_shown("\033[2Jx", buf, sizeof(buf)), "\\x1b[2Jx");
	ck_assert_str_eq(value_shown("a\\b\"", buf, sizeof(buf)), "a\\\\b\\\"");
	ck_assert_str_eq(value_shown("\r\n\177", buf, sizeof(buf)), "\\x0d\\x0a\\x7f");
	ck_assert_str_eq(value_shown("0123456789abcdefghij", buf, sizeof(buf)), "0123456789ab...");
	ck_assert_str_eq(value_shown("\033\033\033\033", buf, sizeof(buf)), "\\x1b\\x1b\\x1b...");
	ck_assert_str_eq(value_shown("abc\033\033\033x", buf, sizeof(buf)), "abc\\x1b\\x1b...");
	ck_assert_ptr_eq(value_shown("x", buf, sizeof(buf)), buf);
}
END_TEST

Suite *
repl_values_suite(void)
{
	Suite *s = suite_create("repl values");
	TCase *tc = tcase_create("values");
	TCase *tl = tcase_create("lines");

	tcase_add_loop_test(tc, number_vectors, 0, (int)NELEM(numbers));
	tcase_add_test(tc, number_refusal_names_the_keys);
	tcase_add_loop_test(tc, text_vectors, 0, (int)NELEM(texts));
	tcase_add_test(tc, text_too_long);
	tcase_add_test(tc, list_vectors);
	tcase_add_test(tc, by_field);
	tcase_add_test(tc, store_into_drafts);
	tcase_add_test(tc, typed_text_shown_escaped);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(tl, line_vectors, 0, (int)NELEM(lines));
	tcase_add_test(tl, line_limits);
	suite_add_tcase(s, tl);
	return s;
}
