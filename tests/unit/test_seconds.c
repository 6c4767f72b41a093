/* seconds_parse (cli/core/seconds.c): what -w, -q, --idle-timeout, watch's
 * -w and the REPL's recv take, and what they refuse. */
#include <check.h>

#include "seconds.h"
#include "suites.h"

static const struct {
	const char *text;
	int ms; /* -1: refused */
} cases[] = {
	{ "0", 0 },      { "5", 5000 },      { "0.5", 500 },     { "1.234", 1234 },
	{ "0.001", 1 },  { "86400", 86400000 }, { "007", 7000 },
	{ "86400.5", -1 }, { "", -1 },        { ".5", -1 },       { "5.", -1 },
	{ "-1", -1 },    { "+1", -1 },       { " 1", -1 },       { "1 ", -1 },
	{ "0x10", -1 },  { "1e3", -1 },      { "inf", -1 },      { "nan", -1 },
	{ "1.2.3", -1 }, { "1,5", -1 },      { "99999999999999999999", -1 },
};

START_TEST(each_text)
{
	int ms = 12345;
	int rc = seconds_parse(cases[_i].text, 86400, &ms);

	if (cases[_i].ms < 0) {
		ck_assert_msg(rc < 0, "'%s' taken as %d ms", cases[_i].text, ms);
		ck_assert_int_eq(ms, 12345); /* untouched */
	} else {
		ck_assert_msg(rc == 0, "'%s' refused", cases[_i].text);
		ck_assert_int_eq(ms, cases[_i].ms);
	}
}
END_TEST

START_TEST(the_bound_is_the_callers)
{
	int ms;

	ck_assert_int_eq(seconds_parse("3600", 3600, &ms), 0);
	ck_assert_int_eq(ms, 3600000);
	ck_assert_int_lt(seconds_parse("3600.001", 3600, &ms), 0);
}
END_TEST

Suite *
seconds_suite(void)
{
	Suite *s = suite_create("seconds");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, each_text, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, the_bound_is_the_callers);
	suite_add_tcase(s, tc);
	return s;
}
