/*
 * `status`: the proxy (and the hops of a chain), the phase, the target,
 * and for an open connection its ends, what was negotiated, what the flow
 * says is due from the server or next from the client, how it ended, the
 * byte counts and the time each phase took.  It only reads the
 * session, so it is apart from everything that moves it.
 */
#include "repl_engine.h"

#include "net.h"
#include "term.h"
#include "timeline.h"


static const char *const timer_names[TM_COUNT] = {
	[TM_CONNECT] = "connect", [TM_GREETING] = "greeting", [TM_AUTH] = "auth",
	[TM_REQUEST] = "request", [TM_BIND] = "bind",
};

/* "time" and each phase's duration, then the phases as a waterfall. */
static void
print_times(struct rsess *s)
{
	struct timeline_row rows[TM_COUNT];
	size_t n = 0;

	fprintf(s->out, "time      ");
	for (int i = 0; i < TM_COUNT; i++) {
		if (s->us[i] < 0)
			continue;
		fprintf(s->out, "%s%s %.3f ms", n > 0 ? ", " : "", timer_names[i],
			(double)s->us[i] / 1000.0);
		rows[n++] = (struct timeline_row){ timer_names[i], s->at_us[i], s->us[i] };
	}
	fprintf(s->out, "%sopen %lld ms\n", n > 0 ? "; " : "", (long long)(now_ms() - s->opened_ms));
	if (n > 0)
		timeline_print(s->out, rows, n, term_width(s->out));
}

void
rs_status(struct rsess *s)
{
	const struct flow_outcome *o = flow_outcome(&s->fl);
	char buf[HOST_MAX * 4 + 200], list[400];
	enum msg_type due, next;
	bool owed;

	rs_proxy_text(s, buf, sizeof(buf));
	fprintf(s->out, "proxy     %s\n", buf);
	for (int i = 0; i + 1 < s->nhops; i++) {
		host_format(&s->hops[i].host, buf, sizeof(buf));
		fprintf(s->out, "  hop %d   %s://%s\n", i + 1, socks_version_scheme(s->hops[i].version), buf);
	}
	fprintf(s->out, "phase     %s\n", rs_phase_name(rs_phase(s)));
	if (s->has_target) {
		host_format(&s->target, buf, sizeof(buf));
		fprintf(s->out, "target    %s\n", buf);
	}
	if (s->conn.fd < 0)
		return;
	rs_sock_name(s->conn.fd, false, buf, sizeof(buf));
	fprintf(s->out, "local     %s\n", buf);
	rs_sock_name(s->conn.fd, true, buf, sizeof(buf));
	fprintf(s->out, "remote    %s\n", buf);
	if (s->noffered > 0) {
		rs_offered_text(s, list, sizeof(list));
		fprintf(s->out, "offered   %s\n", list);
	}
	if (s->has_method)
		fprintf(s->out, "method    0x%02x %s\n", s->method,
			rs_code_meaning(&names_s5_method, s->method));
	/* A name in it is the server's bytes: escaped, never raw. */
	if (s->has_bound)
		fprintf(s->out, "bound     %s\n", host_shown(&s->bound, buf, sizeof(buf)));
	next = rs_client_owes(s, &owed);
	if (rs_server_owes(s, &due))
		fprintf(s->out, "due       %s\n", rs_title_of(due));
	else if (owed && rs_phase(s) != PH_CONNECTED) /* "connected" says it */
		fprintf(s->out, "next      %s\n", rs_title_of(next));
	if (o->result != FLOW_RES_NONE)
		fprintf(s->out, "outcome   %s in the %s phase\n", flow_result_name(o->result),
			flow_phase_name(o->phase));
	fprintf(s->out, "bytes     %llu sent, %llu received, %zu unread\n",
		(unsigned long long)s->sent, (unsigned long long)s->received, s->conn.have);
	print_times(s);
}
