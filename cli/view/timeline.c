/* The phases as a waterfall (timeline.h). */
#include "timeline.h"

#include <string.h>


#define LABEL_MIN 12 /* "first byte" and room */
#define LABEL_MAX 24
#define TIME_W 10    /* "   123.456": ms to the microsecond */

/* Columns besides the bar: label, start, " |", "| ", duration and " ms". */
#define FIXED_W(label_w) ((label_w) + 1 + TIME_W + 2 + 2 + TIME_W + 3)

/* The label column: the longest label, within bounds. */
static int
label_width(const struct timeline_row *rows, size_t n)
{
	size_t w = LABEL_MIN;

	for (size_t i = 0; i < n; i++)
		if (strlen(rows[i].label) > w)
			w = strlen(rows[i].label);
	return w > LABEL_MAX ? LABEL_MAX : (int)w;
}

static int64_t
run_end(const struct timeline_row *rows, size_t n)
{
	int64_t end = 0;

	for (size_t i = 0; i < n; i++)
		if (rows[i].start_us + rows[i].dur_us > end)
			end = rows[i].start_us + rows[i].dur_us;
	return end;
}

/* Cells [*from, *to) of cells cells spanning [0, end] that the row covers:
 * at least one, so that an instant (the first byte) shows. */
static void
span(const struct timeline_row *r, int64_t end, int cells, int *from, int *to)
{
	int64_t f = 0, t = 1;

	if (end > 0) {
		f = r->start_us * cells / end;
		t = ((r->start_us + r->dur_us) * cells + end - 1) / end;
	}
	f = f < 0 ? 0 : f >= cells ? cells - 1 : f;
	t = t > cells ? cells : t <= f ? f + 1 : t;
	*from = (int)f;
	*to = (int)t;
}

static void
bar(FILE *fp, const struct timeline_row *r, int64_t end, int cells)
{
	int from, to;

	span(r, end, cells, &from, &to);
	for (int c = 0; c < cells; c++)
		fputc(c >= from && c < to ? '=' : ' ', fp);
}

void
timeline_print(FILE *fp, const struct timeline_row *rows, size_t n, int width)
{
	int64_t end = run_end(rows, n);
	int label_w = label_width(rows, n);
	int cells = (width < TIMELINE_MIN_WIDTH ? TIMELINE_MIN_WIDTH : width) - FIXED_W(label_w);

	if (cells < TIMELINE_MIN_CELLS)
		cells = TIMELINE_MIN_CELLS;

	for (size_t i = 0; i < n; i++) {
		const struct timeline_row *r = &rows[i];

		fprintf(fp, "%-*.*s %*.3f |", label_w, label_w, r->label, TIME_W,
			(double)r->start_us / 1000.0);
		bar(fp, r, end, cells);
		fprintf(fp, "| %*.3f ms\n", TIME_W, (double)r->dur_us / 1000.0);
	}
	/* The scale: 0 under the bar's start, the run's end under its end. */
	fprintf(fp, "%*s0%*.3f ms\n", label_w + 1 + TIME_W + 2, "", cells - 1,
		(double)end / 1000.0);
}
