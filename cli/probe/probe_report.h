/*
 * sockscope probe, internal: a server's results out: one JSON line (-j; the
 * schema is at the top of probe.c) as soon as its last step is done, or one
 * row of the table (a header before the first) once every earlier server
 * of the input has its row: the table is in the order of the input.
 */
#ifndef SOCKSCOPE_CLI_PROBE_REPORT_H
#define SOCKSCOPE_CLI_PROBE_REPORT_H

#include "probe_types.h"

/* Judges s and prints it; a verdict that is not ok clears R->all_ok. */
void probe_report(struct run *R, struct server *s);

/* The run is over: rows still held (behind a server the run dropped) are
   written in order, and the queue freed. */
void probe_report_end(struct run *R);

#endif
