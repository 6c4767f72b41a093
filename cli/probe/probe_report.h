/*
 * sockscope probe, internal: a server's results out, as soon as its last
 * step is done: one row of the table (a header before the first), or one
 * JSON line (-j; the schema is at the top of probe.c).
 */
#ifndef SOCKSCOPE_CLI_PROBE_REPORT_H
#define SOCKSCOPE_CLI_PROBE_REPORT_H

#include "probe_types.h"

/* Judges s and prints it; a verdict that is not ok clears R->all_ok. */
void probe_report(struct run *R, struct server *s);

#endif
