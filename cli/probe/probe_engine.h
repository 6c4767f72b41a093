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

/* Probes every server of the input, R->nslots at once; returns when all
   are reported. */
void probe_run_loop(struct run *R);

#endif
