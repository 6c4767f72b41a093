/*
 * The user's files (cli/core/conffile.c, netrc.c): words with quotes,
 * escapes and comments; netrc's entries as curl reads them; every refusal
 * of hostile text (NUL, long lines, unterminated quotes, missing values)
 * names file:line.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conffile.h"
#include "netrc.h"
#include "suites.h"

/* The words of text joined with '|', each as "LINE:WORD" ('^' before a
 * line's first word); or "ERR why". */
static const char *
words_of(const char *text, size_t len)
{
	static char out[4096];
	char word[CONF_WORD_MAX + 1], why[300];
	struct conf_words w;
	size_t n, used = 0;
	unsigned line;
	bool first;
	int rc;

	out[0] = '\0';
	if (conf_words_init(&w, text, len, "f", why, sizeof(why)) < 0) {
		snprintf(out, sizeof(out), "ERR %s", why);
		return out;
	}
	while ((rc = conf_word(&w, word, sizeof(word), &n, &line, &first, why, sizeof(why))) > 0) {
		ck_assert_uint_eq(n, strlen(word));
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s%u:%s",
					 used ? "|" : "", first ? "^" : "", line, word);
	}
	if (rc < 0)
		snprintf(out, sizeof(out), "ERR %s", why);
	return out;
}

static const struct {
	const char *text, *want;
} word_shapes[] = {
	{ "", "" },
	{ "   \n\n  \t", "" },
	{ "a b\tc", "^1:a|1:b|1:c" },
	{ "a\nb c\n\nd", "^1:a|^2:b|2:c|^4:d" },
	{ "a # comment b\nc", "^1:a|^2:c" },
	{ "# all comment\n  # indented\nx", "^3:x" },
	{ "a#b", "^1:a#b" }, /* '#' only starts a word's comment */
	{ "\"two words\" x", "^1:two words|1:x" },
	{ "\"q\\\"uote\\\\ \\t\"", "^1:q\"uote\\ \t" },
	{ "\"\"", "^1:" },
	{ "a\r\nb\r\n", "^1:a|^2:b" },
	{ "\"open", "ERR f:1: unterminated quote" },
	{ "x\n\"open\nnext\"", "ERR f:2: unterminated quote" },
	{ "\"ends with backslash\\", "ERR f:1: unterminated quote" },
	{ "\"a\"b", "ERR f:1: text right after a closing quote" },
};

START_TEST(words_every_shape)
{
	ck_assert_str_eq(words_of(word_shapes[_i].text, strlen(word_shapes[_i].text)),
			 word_shapes[_i].want);
}
END_TEST

START_TEST(words_refuse_nul_and_long_lines)
{
	char *text = malloc(CONF_LINE_MAX + 10);

	ck_assert_str_eq(words_of("ab\ncd\0ef", 8), "ERR f:2: a NUL byte (column 3)");
	memset(text, 'x', CONF_LINE_MAX + 9);
	memcpy(text, "ok\n", 3);
	ck_assert_str_eq(words_of(text, CONF_LINE_MAX + 4), "ERR f:2: line longer than 4096 bytes");
	/* exactly the limit is a line like any other, but too long for one word */
	ck_assert_str_eq(words_of(text, CONF_LINE_MAX + 3), "ERR f:2: a word longer than 1100 bytes");
	free(text);
}
END_TEST

START_TEST(skip_paragraph_ends_at_an_empty_line)
{
	struct conf_words w;
	char word[64], why[200];
	const char *text = "macdef m\ncmd one\ncmd two\n\nafter";
	size_t n;
	unsigned line;
	bool first;

	ck_assert_int_eq(conf_words_init(&w, text, strlen(text), "f", why, sizeof(why)), 0);
	ck_assert_int_eq(conf_word(&w, word, sizeof(word), &n, &line, &first, why, sizeof(why)), 1);
	ck_assert_int_eq(conf_word(&w, word, sizeof(word), &n, &line, &first, why, sizeof(why)), 1);
	conf_skip_paragraph(&w);
	ck_assert_int_eq(conf_word(&w, word, sizeof(word), &n, &line, &first, why, sizeof(why)), 1);
	ck_assert_str_eq(word, "after");
	ck_assert_uint_eq(line, 5);
}
END_TEST

START_TEST(private_names_file_and_mode)
{
	char why[300];

	ck_assert_int_eq(conf_private("/h/.netrc", 0600, why, sizeof(why)), 0);
	ck_assert_int_eq(conf_private("/h/.netrc", 0400, why, sizeof(why)), 0);
	ck_assert_int_eq(conf_private("/h/.netrc", 0644, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "/h/.netrc: mode 0644 lets others read the password it holds: "
			      "refused (chmod 600 /h/.netrc)");
	ck_assert_int_eq(conf_private("/h/.netrc", 0640, why, sizeof(why)), -1);
	ck_assert_int_eq(conf_private("/h/.netrc", 0602, why, sizeof(why)), -1);
}
END_TEST

START_TEST(read_is_bounded)
{
	char path[] = "/tmp/sockscope-conf-XXXXXX", why[600], *text;
	int fd = mkstemp(path);
	size_t len;
	mode_t mode;
	char *big = calloc(1, CONF_FILE_MAX + 1);

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', CONF_FILE_MAX);
	ck_assert_int_eq(write(fd, big, CONF_FILE_MAX), CONF_FILE_MAX);
	ck_assert_int_eq(conf_read(path, &text, &len, &mode, why, sizeof(why)), 0);
	ck_assert_uint_eq(len, CONF_FILE_MAX);
	ck_assert_uint_eq(mode, 0600);
	ck_assert_int_eq(text[len], '\0');
	free(text);
	ck_assert_int_eq(write(fd, "y", 1), 1);
	ck_assert_int_eq(conf_read(path, &text, &len, &mode, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, ": larger than 262144 bytes"));
	ck_assert_ptr_null(text);
	close(fd);
	unlink(path);
	ck_assert_int_eq(conf_read(path, &text, &len, &mode, why, sizeof(why)), 1); /* gone */
	ck_assert_int_eq(conf_read("/tmp", &text, &len, &mode, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "/tmp: Is a directory");
	free(big);
}
END_TEST

static int
netrc_of(const char *text, struct netrc *nr, char *why)
{
	return netrc_parse(text, strlen(text), "n", nr, why, 300);
}

START_TEST(netrc_entries)
{
	struct netrc nr;
	char why[300];
	const struct netrc_entry *e;
	const char *text = "machine a.example login alice password pw1\n"
			   "default login anonymous password guest\n"
			   "machine B.example\n  login bob\n  password \"p w\\\"2\"\n  account x\n"
			   "macdef init\nlogin evil password evil\n\n"
			   "machine b.example login carol password pw3\n"
			   "machine c.example login dave\n";

	ck_assert_int_eq(netrc_of(text, &nr, why), 0);
	ck_assert(nr.has_password);
	e = netrc_find(&nr, "a.example", NULL);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->login, "alice");
	ck_assert_str_eq(e->password, "pw1");
	ck_assert_uint_eq(e->line, 1);
	/* host names match case aside; the first entry wins, unless a login is asked */
	e = netrc_find(&nr, "b.EXAMPLE", NULL);
	ck_assert_str_eq(e->login, "bob");
	ck_assert_str_eq(e->password, "p w\"2");
	ck_assert_uint_eq(e->line, 3);
	e = netrc_find(&nr, "b.example", "carol");
	ck_assert_str_eq(e->password, "pw3");
	ck_assert_uint_eq(e->line, 10);
	ck_assert_ptr_null(netrc_find(&nr, "b.example", "nobody"));
	e = netrc_find(&nr, "c.example", NULL);
	ck_assert(e->has_login && !e->has_password);
	/* default is never a proxy's; macdef's body is no entry */
	ck_assert_ptr_null(netrc_find(&nr, "elsewhere", NULL));
	ck_assert_ptr_null(netrc_find(&nr, "evil", NULL));
	netrc_free(&nr);
	ck_assert_ptr_null(nr.entries);
}
END_TEST

static const struct {
	const char *text, *why;
} netrc_refusals[] = {
	{ "login alice", "n:1: 'login' before any machine" },
	{ "machine", "n:1: 'machine' without a value" },
	{ "machine a\nlogin", "n:2: 'login' without a value" },
	{ "machine a login x password", "n:1: 'password' without a value" },
	{ "machine a port 22", "n:1: a word of 4 bytes where machine, default, login, password, account or macdef was expected" },
	{ "machine a password \"open", "n:1: unterminated quote" },
	{ "\n\nmachine a\0", "n:3: a NUL byte (column 10)" },
};

START_TEST(netrc_refuses_with_file_line)
{
	struct netrc nr;
	char why[300];
	size_t len = strlen(netrc_refusals[_i].text);

	if (_i == 6)
		len = 13; /* the NUL is part of the text */
	ck_assert_int_eq(netrc_parse(netrc_refusals[_i].text, len, "n", &nr, why, sizeof(why)), -1);
	ck_assert_str_eq(why, netrc_refusals[_i].why);
	ck_assert_ptr_null(nr.entries);
}
END_TEST

START_TEST(netrc_password_longer_than_rfc1929)
{
	char text[400], why[300];
	struct netrc nr;

	snprintf(text, sizeof(text), "machine a password %0256d", 7);
	ck_assert_int_eq(netrc_of(text, &nr, why), -1);
	ck_assert_str_eq(why, "n:1: the password is longer than 255 bytes");
	ck_assert_ptr_null(strstr(why, "0000")); /* never quoted */
}
END_TEST

Suite *
conffile_suite(void)
{
	Suite *s = suite_create("conffile");
	TCase *tc = tcase_create("words");

	tcase_add_loop_test(tc, words_every_shape, 0,
			    (int)(sizeof(word_shapes) / sizeof(word_shapes[0])));
	tcase_add_test(tc, words_refuse_nul_and_long_lines);
	tcase_add_test(tc, skip_paragraph_ends_at_an_empty_line);
	tcase_add_test(tc, private_names_file_and_mode);
	tcase_add_test(tc, read_is_bounded);
	suite_add_tcase(s, tc);
	tc = tcase_create("netrc");
	tcase_add_test(tc, netrc_entries);
	tcase_add_loop_test(tc, netrc_refuses_with_file_line, 0,
			    (int)(sizeof(netrc_refusals) / sizeof(netrc_refusals[0])));
	tcase_add_test(tc, netrc_password_longer_than_rfc1929);
	suite_add_tcase(s, tc);
	return s;
}
