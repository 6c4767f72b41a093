/* The trace's messages, drawn by the views. */
#include "traceshow.h"

#include "hexview.h"
#include "traceline.h"

void
trace_render_view(FILE *fp, const struct msg *m, const struct view_opts *o, bool hex)
{
	if (hex)
		hexview_print(fp, m, o);
	else
		trace_line(fp, m, o);
}
