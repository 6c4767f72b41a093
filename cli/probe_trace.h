/*
 * sockscope probe, internal: -v and -X.  Every message a step sends and
 * receives (-v one line each, -X the annotated hex view), and with -v how
 * each step ended or why it was skipped.  On stderr, each line labelled
 * with its server and step, since many servers run at once.
 */
#ifndef SOCKSCOPE_CLI_PROBE_TRACE_H
#define SOCKSCOPE_CLI_PROBE_TRACE_H

#include "probe_types.h"

/* The slot's message (sl->out) has been written in full. */
void probe_trace_sent(const struct run *R, const struct slot *sl);
/* A reply decoded, whole or faulty (m says which). */
void probe_trace_received(const struct run *R, const struct slot *sl, const struct msg *m);
/* Bytes that are no SOCKS message: http-sniff's request and what answers it. */
void probe_trace_raw(const struct run *R, const struct slot *sl, bool sent, const uint8_t *p,
		     size_t len);
/* The step the slot ran (or skipped) has its outcome. */
void probe_trace_end(const struct run *R, const struct slot *sl);

#endif
