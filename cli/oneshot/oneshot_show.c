/* The one-shot's timeline and progress line (oneshot_show.h). */
#include "oneshot_show.h"

#include <stdio.h>

#include "net.h"
#include "term.h"
#include "timeline.h"

void
oneshot_timeline(FILE *fp, const struct trace *t, const struct tunnel_result *tr)
{
	struct timeline_row rows[TRACE_MAX_SPANS + 1];
	char labels[TRACE_MAX_SPANS][16];
	size_t n = 0;

	for (size_t i = 0; i < t->nspans; i++) {
		const struct trace_span *sp = &t->spans[i];

		/* "2:request" in a chain: the label column is narrow. */
		if (t->nhops > 1)
			snprintf(labels[i], sizeof(labels[i]), "%d:%s", sp->hop, sp->phase);
		else
			snprintf(labels[i], sizeof(labels[i]), "%s%s", sp->phase, sp->ok ? "" : "!");
		rows[n++] = (struct timeline_row){ labels[i], sp->start_us, sp->us };
	}
	if (tr != NULL && tr->first_down_us > 0)
		rows[n++] = (struct timeline_row){ "first byte", tr->first_down_us - t->t0_us, 0 };
	if (n > 0)
		timeline_print(fp, rows, n, term_width(fp));
}

/* 1536 -> "1.5 KiB": a byte count as pv writes it. */
static void
human(char *buf, size_t cap, double v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, cap, u == 0 ? "%.0f %s" : "%.1f %s", v, unit[u]);
}

void
oneshot_progress(void *ctx, uint64_t up, uint64_t down, bool done)
{
	struct progress_line *p = ctx;
	int64_t now = now_us();
	double secs = (double)(now - p->last_us) / 1e6;
	char sent[32], rsent[32], got[32], rgot[32];

	if (done) {
		if (p->drawn) /* the line goes: what stays is the run's own output */
			fputs("\r\033[K", p->fp);
		fflush(p->fp);
		return;
	}
	human(sent, sizeof(sent), (double)up);
	human(got, sizeof(got), (double)down);
	human(rsent, sizeof(rsent), secs > 0 ? (double)(up - p->last_up) / secs : 0);
	human(rgot, sizeof(rgot), secs > 0 ? (double)(down - p->last_down) / secs : 0);
	fprintf(p->fp, "\r\033[Ksent %s (%s/s), received %s (%s/s), %.1f s", sent, rsent, got,
		rgot, (double)(now - p->t0_us) / 1e6);
	fflush(p->fp);
	p->drawn = true;
	p->last_up = up;
	p->last_down = down;
	p->last_us = now;
}
