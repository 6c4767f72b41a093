/*
 * sockscope probe, internal: the steps themselves.  Each step's first
 * message once its connection is up, then one message after another as the
 * replies decode (greeting, RFC 1929 authentication, request), each reply
 * turned into the step's outcome.  Bytes go through the slot's buffers; the
 * engine does the I/O and calls back here.
 */
#ifndef SOCKSCOPE_CLI_PROBE_STEPS_H
#define SOCKSCOPE_CLI_PROBE_STEPS_H

#include <stdbool.h>

#include "probe_types.h"

/* Adds a line to the step's "anomalies" (at most NANOM; the rest are dropped). */
__attribute__((format(printf, 2, 3))) void probe_anomaly(struct step_res *r, const char *fmt, ...);

/* The slot's connection is up: the step's first message into sl->out (the
   tcp step ends here). */
void probe_step_begin(struct run *R, struct slot *sl);

/* Bytes arrived in sl->in, or (eof) no more come, err being the errno that
   ended them or 0: a reply, the next message, or the step's end. */
void probe_step_input(struct run *R, struct slot *sl, bool eof, int err);

/* The deadline passed with part of a reply in sl->in: the step's timeout,
   with what did arrive (its bytes, and its code if that came whole). */
void probe_step_stalled(struct run *R, struct slot *sl);

#endif
