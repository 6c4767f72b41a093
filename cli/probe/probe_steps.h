/*
 * sockscope probe, internal: the steps themselves.  Each step's first
 * message once its connection is up, then the next message whenever the
 * step's flow says the client owes one (RFC 1929 authentication, the
 * request), until probe_flow.c turns what the flow says into the step's
 * result.  Bytes go through the slot's buffers; the engine does the I/O and
 * calls back here.
 */
#ifndef SOCKSCOPE_CLI_PROBE_STEPS_H
#define SOCKSCOPE_CLI_PROBE_STEPS_H

#include <stdbool.h>

#include "probe_types.h"

/* The slot's connection is up: the step's first message into sl->out (the
   tcp step ends here). */
/* The clock the steps are timed by, in microseconds; milliseconds since t0. */
int64_t probe_now_us(void);
double probe_ms_since(int64_t t0_us);
/* Closes the slot's connection, if it has one. */
void probe_close(struct slot *sl);

/* The result of the step the slot is running. */
struct step_res *probe_cur(struct slot *sl);

/* Ends the slot's step with this outcome (and detail, if fmt is not NULL),
   closes its connection, and hands the slot to R->next_step: the engine
   (probe_engine.c) goes on to the next step or server. */
__attribute__((format(printf, 4, 5))) void probe_finish(struct run *R, struct slot *sl,
							 enum outcome oc, const char *fmt, ...);

void probe_step_begin(struct run *R, struct slot *sl);

/* The message in sl->out has been written in full: it goes to the flow. */
void probe_step_sent(struct run *R, struct slot *sl);

/* Bytes arrived in sl->in, or (eof) no more come, err being the errno that
   ended them or 0: the next message, or the step's end. */
void probe_step_input(struct run *R, struct slot *sl, bool eof, int err);

/* sl->in is full: the step ends with what the flow says of it. */
void probe_step_full(struct run *R, struct slot *sl);

/* The deadline passed on a connected step: its timeout, with what did
   arrive (its bytes, and its code if that came whole). */
void probe_step_stalled(struct run *R, struct slot *sl);

/* The run is over: the slot's flow goes. */
void probe_step_free(struct slot *sl);

#endif
