/*
 * How a session ended, in one line for people: the words every observer
 * (decode, the capture reader, watch) writes for the flow's outcome.
 *
 *   granted
 *   refused: REP 0x05 connection refused
 *   authentication failed: STATUS 0x01 failure
 *   protocol violation by the server in the method selection phase at
 *     offset 0x0001 in METHOD: method 0x02 was not offered
 *   closed by the client (reset) in the greeting phase at offset 0x0000
 */
#ifndef SOCKSCOPE_CLI_OUTCOME_H
#define SOCKSCOPE_CLI_OUTCOME_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* The outcome o in words; off: where it happened in its side's stream, as
 * the view counts it; version: 4 or 5, the field the code is in (CD or
 * REP), 0 when not known.  side_names: what to call the client and the server
 * ("application" and "upstream" for a relay), or NULL for "client" and
 * "server".  Returns the length of the whole text, as snprintf does. */
size_t outcome_line(const struct flow_outcome *o, int version, uint64_t off,
		    const char *const side_names[2], char *buf, size_t cap);

#endif
