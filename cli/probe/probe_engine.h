/*
 * sockscope probe, internal: the event loop.  One poll() over every slot's
 * descriptor; each slot runs one step of one server at a time, bounded by
 * -w, and moves on to the server's next step (or skips the steps an earlier
 * answer makes moot) until the server is done and reported; then the slot
 * takes the next server from the input.
 */
#ifndef SOCKSCOPE_CLI_PROBE_ENGINE_H
#define SOCKSCOPE_CLI_PROBE_ENGINE_H

#include "probe_types.h"

/* The result of the step the slot is running. */
struct step_res *probe_cur(struct slot *sl);

/* Ends the slot's step with this outcome (and detail, if fmt is not NULL),
   closes its connection, and goes on to the next step or server. */
__attribute__((format(printf, 4, 5))) void probe_finish(struct run *R, struct slot *sl,
							 enum outcome oc, const char *fmt, ...);

/* Probes every server of the input, R->nslots at once; returns when all
   are reported. */
void probe_run_loop(struct run *R);

#endif
