/* The -v trace and the -X hex view, and the events kept for -j. */
#include "trace.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "term.h"

static struct trace_event *
new_event(struct trace *t, int hop)
{
	struct trace_event *e;

	if (!t->json || t->nevents == TRACE_MAX_EVENTS)
		return NULL;
	e = &t->events[t->nevents++];
	memset(e, 0, sizeof(*e));
	e->hop = hop;
	return e;
}

static void
hop_label(const struct trace *t, int hop, char *buf, size_t cap)
{
	if (t->nhops > 1)
		snprintf(buf, cap, "hop %d", hop);
	else
		buf[0] = '\0';
}

void
trace_message(struct trace *t, int hop, enum msg_type type, const uint8_t *p, size_t len,
	      const struct proto_ctx *ctx, enum view_role role)
{
	struct trace_event *e;
	char label[16];
	struct view_opts o;
	struct msg m;

	if (t == NULL)
		return;
	if ((e = new_event(t, hop)) != NULL) {
		e->kind = EV_MESSAGE;
		e->type = type;
		e->role = role;
		e->bytes = malloc(len > 0 ? len : 1);
		if (e->bytes != NULL) {
			memcpy(e->bytes, p, len);
			e->len = len;
		}
		if (ctx != NULL && ctx->offered != NULL) {
			e->noffered = ctx->noffered > sizeof(e->offered) ? sizeof(e->offered)
									 : ctx->noffered;
			memcpy(e->offered, ctx->offered, e->noffered);
		}
	}
	if (t->fp == NULL || (!t->verbose && !t->hex))
		return;
	hop_label(t, hop, label, sizeof(label));
	memset(&o, 0, sizeof(o));
	o.color = t->color;
	o.show_secrets = t->show_secrets;
	o.label = label[0] != '\0' ? label : NULL;
	o.role = role;
	proto_decode(type, p, len, ctx, &m);
	trace_show(t, &m, &o);
}

void
trace_show(const struct trace *t, const struct msg *m, const struct view_opts *o)
{
	if (t == NULL || t->fp == NULL || t->render == NULL || (!t->verbose && !t->hex))
		return;
	t->render(t->fp, m, o, t->hex);
}

void
trace_phase(struct trace *t, int hop, const char *phase, int64_t us, bool ok)
{
	struct trace_event *e;
	char label[16];

	if (t == NULL)
		return;
	if (t->nspans < TRACE_MAX_SPANS)
		t->spans[t->nspans++] = (struct trace_span){ .hop = hop, .phase = phase,
							      .start_us = now_us() - t->t0_us - us,
							      .us = us, .ok = ok };
	if ((e = new_event(t, hop)) != NULL) {
		e->kind = EV_PHASE;
		e->phase = phase;
		e->us = us;
		e->end_us = now_us() - t->t0_us;
		e->ok = ok;
	}
	if (t->fp == NULL || !t->verbose)
		return;
	hop_label(t, hop, label, sizeof(label));
	fprintf(t->fp, "* %s%s%s %s in %.3f ms\n", label, label[0] ? ": " : "", phase,
		ok ? "done" : "failed", (double)us / 1000.0);
}

bool
trace_keeps_notes(const struct trace *t)
{
	return t != NULL && ((t->fp != NULL && t->verbose) || t->json);
}

void
trace_note(struct trace *t, int hop, const char *fmt, ...)
{
	struct trace_event *e;
	char text[512], label[16], shown[sizeof(text) * 4];
	va_list ap;

	if (!trace_keeps_notes(t))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if ((e = new_event(t, hop)) != NULL) {
		e->kind = EV_NOTE;
		e->text = strdup(text);
	}
	if (t->fp == NULL || !t->verbose)
		return;
	hop_label(t, hop, label, sizeof(label));
	/* A note may name what the user typed, bytes a terminal would obey. */
	fprintf(t->fp, "* %s%s%s\n", label, label[0] ? ": " : "",
		term_printable(text, shown, sizeof(shown)));
}

void
trace_free(struct trace *t)
{
	for (size_t i = 0; i < t->nevents; i++) {
		if (t->events[i].bytes != NULL)
			explicit_bzero(t->events[i].bytes, t->events[i].len);
		free(t->events[i].bytes);
		free(t->events[i].text);
	}
	t->nevents = 0;
}
