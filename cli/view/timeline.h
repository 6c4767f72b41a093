/*
 * A waterfall of a session's phases (--timeline, the REPL's `status`,
 * probe -v): one row per phase with its start and its duration, the bars
 * scaled so that the whole run fills the width given.
 */
#ifndef SOCKSCOPE_CLI_TIMELINE_H
#define SOCKSCOPE_CLI_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct timeline_row {
	const char *label;  /* "connect", "greeting", "first byte" */
	int64_t start_us;   /* since the run began */
	int64_t dur_us;     /* 0 for an instant */
};

/* The narrowest a timeline is drawn: below it the bars say nothing. */
#define TIMELINE_MIN_WIDTH 50
/* ... and the fewest cells a bar has, whatever the labels' width. */
#define TIMELINE_MIN_CELLS 10

/* Draws rows in width columns (at least TIMELINE_MIN_WIDTH), with a scale
 * line under them; the label column is the longest label's (12 to 24).  Times are shown to the microsecond, in milliseconds. */
void timeline_print(FILE *fp, const struct timeline_row *rows, size_t n, int width);

#endif
