/*
 * What the one-shot shows beside the trace: the phases as a waterfall
 * (--timeline) and the tunnel's progress line (--progress).
 */
#ifndef SOCKSCOPE_CLI_ONESHOT_SHOW_H
#define SOCKSCOPE_CLI_ONESHOT_SHOW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"
#include "tunnel.h"

/* The timed phases of t, and the first byte of the tunnel when tr has one
 * (tr may be NULL), as a waterfall on fp the terminal's width. */
void oneshot_timeline(FILE *fp, const struct trace *t, const struct tunnel_result *tr);

/* The progress line's state: tunnel_opts.progress with it as its ctx. */
struct progress_line {
	FILE *fp;
	int64_t t0_us;
	uint64_t last_up, last_down;
	int64_t last_us;
	bool drawn;
};
void oneshot_progress(void *ctx, uint64_t up, uint64_t down, bool done);

#endif
