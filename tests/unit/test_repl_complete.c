/* Completion's quoting (cli/repl_edit.c): a completed word reads back,
 * through the REPL's own line splitter (cli/repl_line.c), as the same word;
 * and the word under the cursor is found as that splitter finds it. */
#include <check.h>
#include <string.h>

#include "repl_edit.h"
#include "repl_line.h"

Suite *repl_complete_suite(void);

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *word;
	const char *quoted;
} quotes[] = {
	{ "plain.txt", "plain.txt" },
	{ "dir/sub/", "dir/sub/" },
	{ "sp ace.txt", "'sp ace.txt'" },
	{ "it's", "'it'\"'\"'s'" },
	{ "a\"b", "'a\"b'" },
	{ "semi;colon", "'semi;colon'" },
	{ "#hash", "'#hash'" },
	{ "back\\slash", "'back\\slash'" },
	{ "tab\there", "'tab\there'" },
	{ "''", "''\"'\"''\"'\"''" },
	{ "", "''" },
};

START_TEST(quote_vectors)
{
	char out[256], line[300], why[128];
	static struct words w;
	const char *p = line;
	size_t n = repl_quote_word(quotes[_i].word, out, sizeof(out));

	ck_assert_uint_eq(n, strlen(quotes[_i].quoted));
	ck_assert_str_eq(out, quotes[_i].quoted);
	/* What the splitter reads back: the same word, whole. */
	snprintf(line, sizeof(line), "source %s", out);
	ck_assert_int_eq(line_next_command(&p, &w, why, sizeof(why)), 1);
	ck_assert_int_eq(w.argc, 2);
	ck_assert_str_eq(w.argv[1], quotes[_i].word);
}
END_TEST

START_TEST(quote_truncates_like_snprintf)
{
	char out[4];

	ck_assert_uint_eq(repl_quote_word("a b", out, sizeof(out)), 5);
	ck_assert_str_eq(out, "'a ");
	ck_assert_uint_eq(repl_quote_word("abcdef", out, sizeof(out)), 6);
	ck_assert_uint_eq(repl_quote_word("x", NULL, 0), 1);
}
END_TEST

static const struct {
	const char *line;
	int idx;       /* the word under the cursor, or -1 */
	int argc;
	const char *word; /* argv[idx] when idx < argc */
	size_t start;
} splits[] = {
	{ "source comp/sp", 1, 2, "comp/sp", 7 },
	{ "source 'comp/sp", 1, 2, "comp/sp", 7 },       /* an open quote */
	{ "source 'my dir/'sp", 1, 2, "my dir/sp", 7 },
	{ "source \"it's/x", 1, 2, "it's/x", 7 },
	{ "show; source a\\ b", 1, 2, "a\\ b", 13 },    /* backslashes stay */
	{ "set METHODS ", 2, 2, NULL, 12 },
	{ "proxy 'a;b' c", 2, 3, "c", 12 },
	{ "show # comm", -1, 0, NULL, 0 },
};

START_TEST(split_vectors)
{
	static char buf[LINE_MAX_BYTES];
	const char *argv[LINE_MAX_WORDS + 1];
	int argc = -1, idx;
	size_t start = 0;
	const char *line = splits[_i].line;

	idx = repl_completion_words(line, strlen(line), buf, sizeof(buf), argv, LINE_MAX_WORDS,
				    &argc, &start);
	ck_assert_int_eq(idx, splits[_i].idx);
	if (idx < 0)
		return;
	ck_assert_int_eq(argc, splits[_i].argc);
	ck_assert_uint_eq(start, splits[_i].start);
	if (splits[_i].word != NULL)
		ck_assert_str_eq(argv[idx], splits[_i].word);
}
END_TEST

Suite *
repl_complete_suite(void)
{
	Suite *s = suite_create("repl completion");
	TCase *tc = tcase_create("quoting");

	tcase_add_loop_test(tc, quote_vectors, 0, (int)NELEM(quotes));
	tcase_add_test(tc, quote_truncates_like_snprintf);
	tcase_add_loop_test(tc, split_vectors, 0, (int)NELEM(splits));
	suite_add_tcase(s, tc);
	return s;
}
