/*
 * sockscope probe, internal: -v and -X.  Every message a step sends and
 * receives (-v one line each, -X the annotated hex view), and with -v how
 * each step ended or why it was skipped.  On stderr, each line labelled
 * with its server and step, since many servers run at once.
 */
#ifndef SOCKSCOPE_CLI_PROBE_TRACE_H
#define SOCKSCOPE_CLI_PROBE_TRACE_H

#include "probe_types.h"
#include "view_opts.h"

/* A message the step's flow decoded, sent or received; role: which of
   BIND's replies it is (VIEW_ROLE_NONE for any other message). */
void probe_trace_message(const struct run *R, const struct slot *sl, const struct msg *m,
			 enum view_role role);
/* Bytes that are no SOCKS message: http-sniff's request and what answers it. */
void probe_trace_raw(const struct run *R, const struct slot *sl, bool sent, const uint8_t *p,
		     size_t len);
/* The step the slot ran (or skipped) has its outcome. */
void probe_trace_end(const struct run *R, const struct slot *sl);
/* -v --timeline: the server's steps as a waterfall, once it is done. */
void probe_trace_timeline(const struct run *R, const struct server *s);

#endif
