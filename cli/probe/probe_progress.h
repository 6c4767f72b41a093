/*
 * sockscope probe, internal: the progress line.  When stderr is a terminal
 * (and neither -j, -v nor -X writes lines of its own there, nor is TERM
 * dumb, nor are the servers typed on the terminal with -f -), one line on
 * stderr says how far the run is: servers done of the
 * total, how many answered as asked and how many failed, the server pending
 * longest with its time so far, and the time since the start.  It is
 * redrawn in place at most PROGRESS_REDRAW_US apart, so a fleet of any size
 * writes a bounded number of lines a second, erased before a row of the
 * table is written, and erased at the end.
 */
#ifndef SOCKSCOPE_CLI_PROBE_PROGRESS_H
#define SOCKSCOPE_CLI_PROBE_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe_types.h"

/* Redraws at most this often: 10 a second. */
#define PROGRESS_REDRAW_US 100000

/* Decides whether the line is drawn at all; the run starts at now_us. */
void probe_progress_start(struct run *R, int64_t now_us);

/* A server is done: ok is its verdict's (answered as asked, or not). */
void probe_progress_count(struct run *R, bool ok);

/* The poll() timeout: timeout_ms, or less, so that the line's times move
   while nothing happens. */
int probe_progress_timeout(const struct run *R, int64_t now_us, int timeout_ms);

/* Redraws the line if the last was PROGRESS_REDRAW_US ago or more. */
void probe_progress_tick(struct run *R, int64_t now_us);

/* SIGINT, SIGTERM or SIGHUP came (caught from probe_progress_start on,
   where they would end the process): the run is to stop and write what it
   holds. */
bool probe_progress_stopped(void);

/* After the run: when such a signal came, stdout flushed, it ends the
   process as it would have (130 for ^C); else nothing. */
void probe_progress_signal_end(void);

/* Erases the line, if it is shown: before other output, and at the end. */
void probe_progress_clear(struct run *R);

/* The line's text for a terminal cols wide (at most cols - 1 characters, so
   that it never wraps), into buf; its length. */
size_t probe_progress_format(const struct run *R, int64_t now_us, int cols, char *buf,
			     size_t len);

#endif
