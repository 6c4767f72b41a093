/*
 * The renderer the client engine's trace draws messages with (core/trace.h):
 * the hex view for -X, the trace line for -v.
 */
#ifndef SOCKSCOPE_CLI_TRACESHOW_H
#define SOCKSCOPE_CLI_TRACESHOW_H

#include "trace.h"

trace_render_fn trace_render_view;

#endif
