/* sockscope probe: -v and -X.  See probe_trace.h. */
#include "probe_trace.h"

#include <string.h>

#include "hexview.h"
#include "term.h"
#include "timeline.h"
#include "traceline.h"

static bool
tracing(const struct run *R)
{
	return R->o->verbose > 0 || R->o->hex;
}

/* "127.0.0.1:1080 s5-noauth" */
static void
label_of(const struct slot *sl, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s %s", sl->s->label, probe_step_names[sl->step]);
}

static void
view_of(const struct run *R, const char *label, struct view_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->color = term_wants_color(R->o->color, stderr);
	o->show_secrets = R->o->show_secrets;
	o->label = label;
}

void
probe_trace_message(const struct run *R, const struct slot *sl, const struct msg *m,
		    enum view_role role)
{
	char label[HOST_MAX + 48];
	struct view_opts o;

	if (!tracing(R))
		return;
	label_of(sl, label, sizeof(label));
	view_of(R, label, &o);
	o.role = role;
	if (R->o->hex)
		hexview_print(stderr, m, &o);
	else
		trace_line(stderr, m, &o);
}

void
probe_trace_raw(const struct run *R, const struct slot *sl, bool sent, const uint8_t *p,
		size_t len)
{
	char label[HOST_MAX + 48];
	struct view_opts o;

	if (!tracing(R))
		return;
	label_of(sl, label, sizeof(label));
	view_of(R, label, &o);
	o.dir = sent ? VIEW_DIR_SENT : VIEW_DIR_RECEIVED;
	fprintf(stderr, "%s %s: %zu bytes %s\n", sent ? "->" : "<-", label, len,
		sent ? "that are no SOCKS message" : "that are no SOCKS reply");
	if (R->o->hex)
		hexdump_print(stderr, p, len, 0, &o);
}

void
probe_trace_end(const struct run *R, const struct slot *sl)
{
	const struct step_res *r = &sl->s->r[sl->step];
	char label[HOST_MAX + 48];

	if (R->o->verbose == 0)
		return;
	label_of(sl, label, sizeof(label));
	if (r->oc == OC_SKIPPED)
		fprintf(stderr, "* %s: skipped: %s\n", label, r->detail);
	else
		fprintf(stderr, "* %s: %s in %.2f ms%s%s\n", label, probe_outcome_names[r->oc],
			r->ms, r->detail[0] != '\0' ? ": " : "", r->detail);
}

void
probe_trace_timeline(const struct run *R, const struct server *s)
{
	struct timeline_row rows[ST_COUNT];
	size_t n = 0;

	if (R->o->verbose == 0 || !R->o->timeline)
		return;
	for (int i = 0; i < ST_COUNT; i++) {
		const struct step_res *r = &s->r[i];

		if (r->oc == OC_SKIPPED || r->oc == OC_NOT_RUN)
			continue;
		rows[n++] = (struct timeline_row){ probe_step_names[i], r->start_us,
						   (int64_t)(r->ms * 1000.0) };
	}
	if (n == 0)
		return;
	fprintf(stderr, "* %s: timeline\n", s->label);
	timeline_print(stderr, rows, n, term_width(stderr));
}
