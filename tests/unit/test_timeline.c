/*
 * The timeline view: rows, bars scaled to the run, the scale line.  The
 * expected text is written out by hand from the layout: 12 columns of
 * label, the start in ms, the bar between | |, the duration.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "timeline.h"

static char *
draw(const struct timeline_row *rows, size_t n, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	timeline_print(fp, rows, n, width);
	fclose(fp);
	return buf;
}

START_TEST(bars_follow_the_times)
{
	/* width 80: 40 cells over 10 ms, 0.25 ms a cell */
	static const struct timeline_row rows[] = {
		{ "connect", 0, 1000 },
		{ "greeting", 1000, 500 },
		{ "request", 1500, 8500 },
		{ "first byte", 10000, 0 },
	};
	char *out = draw(rows, 4, 80);

	ck_assert_str_eq(out,
			 "connect           0.000 |====                                    |      1.000 ms\n"
			 "greeting          1.000 |    ==                                  |      0.500 ms\n"
			 "request           1.500 |      ==================================|      8.500 ms\n"
			 "first byte       10.000 |                                       =|      0.000 ms\n"
			 "                         0                                 10.000 ms\n");
	free(out);
}
END_TEST

START_TEST(a_phase_shorter_than_a_cell_still_shows)
{
	static const struct timeline_row rows[] = {
		{ "connect", 0, 3 },
		{ "request", 3, 99997 },
	};
	char *out = draw(rows, 2, 80);

	/* 3 us of 100 ms: less than one 2.5 ms cell, drawn as one */
	ck_assert_ptr_nonnull(strstr(out, "connect           0.000 |=                                       |"));
	ck_assert_ptr_nonnull(strstr(out, "      0.003 ms\n"));
	ck_assert_ptr_nonnull(strstr(out, "request           0.003 |========================================|"));
	free(out);
}
END_TEST

START_TEST(narrow_widths_are_widened)
{
	static const struct timeline_row rows[] = { { "connect", 0, 1000 } };
	char *out = draw(rows, 1, 10);
	char *nl = strchr(out, '\n');

	ck_assert_ptr_nonnull(nl);
	ck_assert_int_eq((int)(nl - out), TIMELINE_MIN_WIDTH);
	free(out);
}
END_TEST

START_TEST(an_empty_run_draws_its_scale)
{
	static const struct timeline_row rows[] = { { "connect", 0, 0 } };
	char *out = draw(rows, 1, 60);

	ck_assert_str_eq(out, "connect           0.000 |=                   |      0.000 ms\n"
			      "                         0              0.000 ms\n");
	free(out);
}
END_TEST

START_TEST(long_labels_widen_their_column)
{
	static const struct timeline_row rows[] = {
		{ "s5-connect-domain", 0, 1000 },
		{ "tcp", 1000, 1000 },
	};
	char *out = draw(rows, 2, 80);

	/* 17 columns of label; 80 - 17 - 28 = 35 cells */
	ck_assert_str_eq(out,
			 "s5-connect-domain      0.000 |==================                 |      1.000 ms\n"
			 "tcp                    1.000 |                 ==================|      1.000 ms\n"
			 "                              0                             2.000 ms\n");
	free(out);
}
END_TEST

START_TEST(a_narrow_width_keeps_some_cells)
{
	static const struct timeline_row rows[] = {
		{ "a-label-of-twenty-four-c", 0, 1000 },
	};
	char *out = draw(rows, 1, 50);
	const char *bar = strchr(out, '|');

	ck_assert_ptr_nonnull(bar);
	ck_assert_int_eq((int)(strchr(bar + 1, '|') - bar - 1), TIMELINE_MIN_CELLS);
	free(out);
}
END_TEST

Suite *
timeline_suite(void)
{
	Suite *s = suite_create("timeline");
	TCase *tc = tcase_create("waterfall");

	tcase_add_test(tc, bars_follow_the_times);
	tcase_add_test(tc, a_phase_shorter_than_a_cell_still_shows);
	tcase_add_test(tc, narrow_widths_are_widened);
	tcase_add_test(tc, an_empty_run_draws_its_scale);
	tcase_add_test(tc, long_labels_widen_their_column);
	tcase_add_test(tc, a_narrow_width_keeps_some_cells);
	suite_add_tcase(s, tc);
	return s;
}
