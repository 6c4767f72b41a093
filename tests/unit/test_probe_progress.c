/*
 * probe's progress line: its text from the run's counts and slots, cut to
 * the terminal's width, a label from the input escaped; and the poll()
 * timeout that keeps its times moving without redrawing more often than
 * PROGRESS_REDRAW_US.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "probe_progress.h"
#include "suites.h"

static struct server pending[2];
static struct slot slots[3];
static struct options opts;
static struct run R;

/* A run 2.5 s old, 7 servers of 10 done, two in flight: pending[0] started
   at 1.0 s (the slowest), pending[1] at 2.0 s. */
static void
setup(void)
{
	memset(&R, 0, sizeof(R));
	memset(slots, 0, sizeof(slots));
	memset(pending, 0, sizeof(pending));
	R.o = &opts;
	R.slots = slots;
	R.nslots = 3;
	R.progress.on = true;
	R.progress.total = 10;
	R.progress.total_known = true;
	R.progress.done = 7;
	R.progress.answering = 5;
	R.progress.failed = 2;
	R.progress.t0_us = 0;
	snprintf(pending[0].label, sizeof(pending[0].label), "10.0.0.1:1080");
	pending[0].start_us = 1000000;
	snprintf(pending[1].label, sizeof(pending[1].label), "10.0.0.2:1080");
	pending[1].start_us = 2000000;
	slots[0].s = &pending[1]; /* the slowest is not the first slot's */
	slots[2].s = &pending[0];
}

START_TEST(counts_slowest_and_time)
{
	char buf[256];
	size_t n = probe_progress_format(&R, 2500000, 200, buf, sizeof(buf));

	ck_assert_str_eq(buf, "sockscope probe: 7/10 done, 5 answering, 2 failed, "
			      "slowest 10.0.0.1:1080 1.5s, 2.5s");
	ck_assert_uint_eq(n, strlen(buf));
}
END_TEST

START_TEST(nothing_pending_names_none)
{
	char buf[256];

	slots[0].s = slots[2].s = NULL;
	R.progress.done = 10;
	probe_progress_format(&R, 3000000, 200, buf, sizeof(buf));
	ck_assert_str_eq(buf, "sockscope probe: 10/10 done, 5 answering, 2 failed, 3.0s");
}
END_TEST

/* Servers from a pipe: the total is what came so far, "+" until its end. */
START_TEST(a_pipe_total_grows)
{
	char buf[256];

	R.progress.total_known = false;
	R.ninput = 9;
	probe_progress_format(&R, 2500000, 200, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, " 7/9+ done,"));
	R.input_done = true;
	probe_progress_format(&R, 2500000, 200, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, " 7/9 done,"));
}
END_TEST

/* Never as wide as the terminal: the last column would wrap the line, and
   \r would no longer go back to its start. */
START_TEST(cut_to_the_width)
{
	char full[256], cut[256];

	probe_progress_format(&R, 2500000, 200, full, sizeof(full));
	for (int cols = 1; cols < 80; cols++) {
		size_t n = probe_progress_format(&R, 2500000, cols, cut, sizeof(cut));

		ck_assert_uint_eq(n, (size_t)(cols - 1));
		ck_assert_uint_eq(strlen(cut), n);
		ck_assert_int_eq(strncmp(cut, full, n), 0);
	}
}
END_TEST

/* A label from the input reaches the terminal escaped (no control bytes),
   and a long one is cut with "...". */
START_TEST(labels_escaped_and_cut)
{
	char buf[256];

	snprintf(pending[0].label, sizeof(pending[0].label), "ev\033[2Jil:1080");
	probe_progress_format(&R, 2500000, 200, buf, sizeof(buf));
	ck_assert_ptr_null(strchr(buf, '\033'));
	ck_assert_ptr_nonnull(strstr(buf, "slowest ev\\x1b[2Jil:1080 1.5s"));

	memset(pending[0].label, 'a', 100);
	pending[0].label[100] = '\0';
	probe_progress_format(&R, 2500000, 200, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "slowest aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... 1.5s"));
}
END_TEST

START_TEST(poll_waits_for_the_next_redraw)
{
	R.progress.drawn_us = 1000000;
	/* 30 ms after a redraw: at most 70 ms more */
	ck_assert_int_eq(probe_progress_timeout(&R, 1030000, 5000), 70);
	ck_assert_int_eq(probe_progress_timeout(&R, 1030000, 20), 20);
	ck_assert_int_eq(probe_progress_timeout(&R, 1300000, 5000), 0);
	R.progress.on = false;
	ck_assert_int_eq(probe_progress_timeout(&R, 1030000, 5000), 5000);
}
END_TEST

START_TEST(counting)
{
	R.progress.done = R.progress.answering = R.progress.failed = 0;
	probe_progress_count(&R, true);
	probe_progress_count(&R, false);
	probe_progress_count(&R, false);
	ck_assert_uint_eq(R.progress.done, 3);
	ck_assert_uint_eq(R.progress.answering, 1);
	ck_assert_uint_eq(R.progress.failed, 2);
}
END_TEST

Suite *
probe_progress_suite(void)
{
	Suite *s = suite_create("probe_progress");
	TCase *tc = tcase_create("line");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, counts_slowest_and_time);
	tcase_add_test(tc, nothing_pending_names_none);
	tcase_add_test(tc, a_pipe_total_grows);
	tcase_add_test(tc, cut_to_the_width);
	tcase_add_test(tc, labels_escaped_and_cut);
	tcase_add_test(tc, poll_waits_for_the_next_redraw);
	tcase_add_test(tc, counting);
	suite_add_tcase(s, tc);
	return s;
}
