/*
 * What the client engine tells the user: the -v trace, the -X hex view and
 * the -j JSON summary, all fed by the same events from the handshake engine.
 * The trace goes to stderr (stdout carries tunnel data).  The engine sits
 * below the views, so a message is drawn by the renderer its front end
 * hands it (view/traceshow.h), never by a view it includes.
 */
#ifndef SOCKSCOPE_TRACE_H
#define SOCKSCOPE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "field.h"
#include "view_opts.h"

#define TRACE_MAX_EVENTS 96

struct trace_event {
	int hop;                  /* 1-based */
	enum { EV_MESSAGE, EV_PHASE, EV_NOTE } kind;
	enum msg_type type;       /* EV_MESSAGE */
	uint8_t *bytes;           /* EV_MESSAGE: a copy */
	size_t len;
	uint8_t offered[255];     /* EV_MESSAGE: methods offered before it */
	size_t noffered;
	enum view_role role;      /* EV_MESSAGE: BIND's first or second reply */
	const char *phase;        /* EV_PHASE */
	int64_t us;               /* EV_PHASE: how long it took */
	int64_t end_us;           /* EV_PHASE: when it ended, since t0_us */
	bool ok;                  /* EV_PHASE */
	char *text;               /* EV_NOTE, EV_PHASE detail */
};

/* Draws one message: as the hex view when hex, else as a trace line. */
typedef void trace_render_fn(FILE *fp, const struct msg *m, const struct view_opts *o, bool hex);

/* A phase as it was timed, kept whatever the output (--timeline). */
#define TRACE_MAX_SPANS 32
struct trace_span {
	int hop;
	const char *phase;
	int64_t start_us; /* since t0_us */
	int64_t us;
	bool ok;
};

struct trace {
	FILE *fp;
	trace_render_fn *render; /* NULL: messages are kept, not drawn */
	int verbose;   /* -v */
	bool hex;      /* -X */
	bool json;     /* -j: keep events for the summary */
	bool show_secrets;
	bool color;
	int nhops;     /* labels "hop N" appear when more than one */
	int64_t t0_us; /* when the run began (now_us()): phases are placed from it */
	size_t nevents;
	struct trace_event events[TRACE_MAX_EVENTS];
	size_t nspans;
	struct trace_span spans[TRACE_MAX_SPANS];
};

/* A message either side sent (or the part of one that came), shown as a
 * reply in its role when role is not VIEW_ROLE_NONE. */
void trace_message(struct trace *t, int hop, enum msg_type type, const uint8_t *p, size_t len,
		   const struct proto_ctx *ctx, enum view_role role);
/* A message drawn as the trace draws its own (-v or -X), with o as given:
 * the UDP relay's datagrams, which travel both ways. */
void trace_show(const struct trace *t, const struct msg *m, const struct view_opts *o);
/* A phase ended after us microseconds, ok or failed. */
void trace_phase(struct trace *t, int hop, const char *phase, int64_t us, bool ok);
/* Whether notes are shown (-v) or kept (-j): callers skip building them otherwise. */
bool trace_keeps_notes(const struct trace *t);
void trace_note(struct trace *t, int hop, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void trace_free(struct trace *t);

#endif
