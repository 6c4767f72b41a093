/*
 * `status`: the proxy (and the hops of a chain), the phase, the target,
 * and for an open connection its ends, what was negotiated, what is due,
 * the byte counts and the time each phase took.  It only reads the
 * session, so it is apart from everything that moves it.
 */
#include "repl_engine.h"

#include "net.h"
#include "term.h"


static void
print_ms(FILE *fp, const char *name, int64_t ms, bool *first)
{
	if (ms < 0)
		return;
	fprintf(fp, "%s%s %lld ms", *first ? "" : ", ", name, (long long)ms);
	*first = false;
}

void
rs_status(struct rsess *s)
{
	char buf[HOST_MAX * 4 + 200], list[400];
	bool first = true;

	rs_proxy_text(s, buf, sizeof(buf));
	fprintf(s->out, "proxy     %s\n", buf);
	for (int i = 0; i + 1 < s->nhops; i++) {
		host_format(&s->hops[i].host, buf, sizeof(buf));
		fprintf(s->out, "  hop %d   %s://%s\n", i + 1, socks_version_scheme(s->hops[i].version), buf);
	}
	fprintf(s->out, "phase     %s\n", rs_phase_name(s->phase));
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
		fprintf(s->out, "bound     %s\n", term_host(&s->bound, buf, sizeof(buf)));
	if (s->awaiting)
		fprintf(s->out, "due       %s\n", rs_title_of(s->expect));
	fprintf(s->out, "bytes     %llu sent, %llu received, %zu unread\n",
		(unsigned long long)s->sent, (unsigned long long)s->received, s->conn.have);
	fprintf(s->out, "time      ");
	print_ms(s->out, "connect", s->ms[TM_CONNECT], &first);
	print_ms(s->out, "greeting", s->ms[TM_GREETING], &first);
	print_ms(s->out, "auth", s->ms[TM_AUTH], &first);
	print_ms(s->out, "request", s->ms[TM_REQUEST], &first);
	print_ms(s->out, "bind", s->ms[TM_BIND], &first);
	fprintf(s->out, "; open %lld ms\n", (long long)(now_ms() - s->opened_ms));
}
