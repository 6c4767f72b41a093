/*
 * Every line watch prints, on standard output: a session's label and
 * timestamp first, then what the flow reported, through the message views
 * (trace_line, hexview_print, msg_to_json_view).  A view that writes
 * several lines is written to memory first and prefixed line by line, so
 * each line says whose it is.  One process writes them all, a whole event
 * at a time: lines of concurrent sessions never mix.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexview.h"
#include "json_out.h"
#include "net.h"
#include "outcome.h"
#include "traceline.h"
#include "watch_int.h"

const char *
watch_side_name(enum flow_side side)
{
	return side == FLOW_CLIENT ? "application" : "upstream";
}

void
watch_addr_text(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(out, cap, "%s:%u", a, ntohs(s4->sin_port));
	}
}

/* Whether ss is a loopback address: 127/8, ::1, or 127/8 v4-mapped. */
bool
watch_is_loopback(const struct sockaddr_storage *ss)
{
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	return IN6_IS_ADDR_LOOPBACK(a6) || (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
}

static double
elapsed(const struct watch_session *s)
{
	return (double)(now_ms() - s->start_ms) / 1000.0;
}

/*
 * One JSON line: session, time and event first, then rest's members (rest
 * is consumed).  The two compact documents are joined as text: the loaded
 * jansson functions (jansson_dl.c) have no object merge.
 */
static void
emit_json(struct watch_session *s, const char *event, json_t *rest)
{
	json_t *j = s != NULL ? json_pack("{s:I, s:f, s:s}", "session", (json_int_t)s->id, "t",
					  elapsed(s), "event", event)
			      : json_pack("{s:s}", "event", event);
	size_t flags = SOCKSCOPE_JSON_FLAGS | JSON_COMPACT | JSON_REAL_PRECISION(9);
	char *head = j != NULL ? json_dumps(j, flags) : NULL;
	char *tail = rest != NULL ? json_dumps(rest, flags) : NULL;

	if (head == NULL || (rest != NULL && tail == NULL)) {
		fprintf(stderr, "sockscope: watch: out of memory for JSON\n");
	} else if (tail == NULL || strcmp(tail, "{}") == 0) {
		printf("%s\n", head);
	} else {
		/* {"session":1,...} and {"a":1} make {"session":1,...,"a":1} */
		printf("%.*s,%s\n", (int)strlen(head) - 1, head, tail + 1);
	}
	free(head);
	free(tail);
	json_decref(j);
	json_decref(rest);
}

/* text, one or more lines, each with the session's label. */
static void
emit_lines(struct watch_session *s, const char *text, size_t len)
{
	double t = elapsed(s);

	while (len > 0) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - text) : len;

		printf("#%u +%.3fs %.*s\n", s->id, t, (int)n, text);
		n += nl != NULL ? 1 : 0;
		text += n;
		len -= n;
	}
}

void
show_note(struct watch_session *s, const char *fmt, ...)
{
	char text[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (s->w->o.json)
		emit_json(s, "note", json_pack("{s:s}", "text", text));
	else
		emit_lines(s, text, strlen(text));
}

void
show_listening(struct watch *w)
{
	char addr[80], up[HOST_MAX + 16];
	const struct host *h = &w->o.hops[w->o.nhops - 1].host;

	watch_addr_text(&w->bound, addr, sizeof(addr));
	host_shown(h, up, sizeof(up));
	if (w->o.json)
		emit_json(NULL, "listening", json_pack("{s:s, s:s, s:i}", "address", addr, "upstream",
							up, "hops", w->o.nhops));
	else
		printf("listening on %s, upstream %s%s\n", addr, up,
		       w->o.nhops > 1 ? " (through the chain)" : "");
	if (!watch_is_loopback(&w->bound))
		fprintf(stderr, "sockscope: watch: listening on %s, not loopback: anyone who reaches "
				"it can use the upstream proxy\n", addr);
	show_flush(w);
}

void
show_open(struct watch_session *s)
{
	if (s->w->o.json)
		emit_json(s, "open", json_pack("{s:s}", "application", s->sum->app));
	else
		printf("#%u %s connected\n", s->id, s->sum->app);
}

/* How a message is to be shown: its direction, its role, colour, secrets. */
static struct view_opts
view_for(const struct watch_session *s, const struct flow_event *ev)
{
	struct view_opts o = {.color = s->w->o.color, .show_secrets = s->w->o.show_secrets};
	enum msg_type t = ev->msg->desc->type;

	o.dir = ev->side == FLOW_CLIENT ? VIEW_DIR_SENT : VIEW_DIR_RECEIVED;
	if ((t == MSG_S4_REPLY || t == MSG_S5_REPLY) && s->flow.cmd_seen && s->flow.cmd == 2)
		o.role = flow_phase(&s->flow) == FLOW_PH_BIND ? VIEW_ROLE_BIND_SECOND
							     : VIEW_ROLE_BIND_FIRST;
	return o;
}

/* A view written to memory, then out line by line with the label. */
static void
show_view(struct watch_session *s, const struct msg *m, const struct view_opts *o, bool hex)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (mem == NULL)
		return;
	if (hex)
		hexview_print(mem, m, o);
	else
		trace_line(mem, m, o);
	if (fclose(mem) == 0)
		emit_lines(s, text, len);
	free(text);
}

/* A message that is not the flow's (a datagram, the reply as rewritten):
 * decoded here by proto_decode(), shown as the flow's are. */
static void
show_extra(struct watch_session *s, const char *event, enum msg_type type, const uint8_t *p,
	   size_t len, const struct view_opts *o)
{
	struct msg m;

	(void)proto_decode(type, p, len, NULL, &m);
	if (s->w->o.json) {
		emit_json(s, event, json_pack("{s:s, s:o*}", "label", o->label, "message",
					      msg_to_json_view(&m, o)));
		return;
	}
	if (s->w->o.verbose > 0)
		show_view(s, &m, o, false);
	if (s->w->o.hex)
		show_view(s, &m, o, true);
}

void
show_reply_rewritten(struct watch_session *s, const uint8_t *p, size_t len)
{
	struct view_opts o = {.color = s->w->o.color, .dir = VIEW_DIR_RECEIVED,
			      .label = "as rewritten for the application"};

	if (!s->w->o.json && s->w->o.verbose == 0 && !s->w->o.hex)
		show_note(s, "udp: the reply's relay address rewritten to watch's own, "
			     "to show the datagrams (-v shows both replies)");
	show_extra(s, "rewritten", MSG_S5_REPLY, p, len, &o);
}

void
show_datagram(struct watch_session *s, const uint8_t *p, size_t len, bool from_app)
{
	struct view_opts o = {.color = s->w->o.color, .show_secrets = s->w->o.show_secrets,
			      .dir = from_app ? VIEW_DIR_SENT : VIEW_DIR_RECEIVED,
			      .label = from_app ? "udp from the application" : "udp from the relay"};

	show_extra(s, "datagram", MSG_S5_UDP, p, len, &o);
}

static void
show_message(struct watch_session *s, const struct flow_event *ev)
{
	struct view_opts o = view_for(s, ev);

	if (s->w->o.json) {
		json_t *m = msg_to_json_view(ev->msg, &o);

		emit_json(s, "message", json_pack("{s:s, s:I, s:o*}", "side", watch_side_name(ev->side),
						  "offset", (json_int_t)ev->off, "message", m));
		return;
	}
	if (s->w->o.verbose > 0)
		show_view(s, ev->msg, &o, false);
	if (s->w->o.hex)
		show_view(s, ev->msg, &o, true);
}

/* The outcome in words, one line: "granted", "refused: REP 0x05 ...";
 * version 4 or 5 names the reply's code field. */
void
watch_outcome_words(int version, const struct flow_outcome *o, char *buf, size_t cap)
{
	static const char *const sides[2] = { "application", "upstream" };

	outcome_line(o, version, o->off, sides, buf, cap);
}

static void
show_outcome(struct watch_session *s, const struct flow_outcome *o)
{
	char words[sizeof(s->sum->outcome)];

	watch_outcome_words(s->flow.version, o, words, sizeof(words));
	term_escape(s->sum->outcome, sizeof(s->sum->outcome), words, strlen(words));
	if (!s->w->o.json) {
		char line[sizeof(s->sum->outcome) + 16];

		snprintf(line, sizeof(line), "outcome: %s", s->sum->outcome);
		emit_lines(s, line, strlen(line));
		return;
	}
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "result", flow_result_name(o->result), "side",
			      watch_side_name(o->side), "phase", flow_phase_name(o->phase), "text",
			      s->sum->outcome);
	if (j != NULL && o->meaning != NULL)
		json_object_set_new(j, "meaning", json_string(o->meaning));
	if (j != NULL && (o->result == FLOW_RES_REFUSED || o->result == FLOW_RES_NO_METHOD ||
			  o->result == FLOW_RES_AUTH_FAILED || o->result == FLOW_RES_OPAQUE))
		json_object_set_new(j, "code", json_integer(o->code));
	emit_json(s, "outcome", j);
}

static void
show_hint(struct watch_session *s, const struct hint *h)
{
	char ev[4 * HINT_PREFIX + 1], line[sizeof(ev) + HINT_TEXT_MAX + 32];

	term_escape(ev, sizeof(ev), h->evidence, h->evidence_len);
	if (s->w->o.json) {
		emit_json(s, "hint", json_pack("{s:s, s:s, s:s}", "side",
					       watch_side_name(h->from_server ? FLOW_SERVER : FLOW_CLIENT),
					       "text", h->text, "evidence", ev));
		return;
	}
	snprintf(line, sizeof(line), h->evidence_len > 0 ? "hint: %s: \"%s\"" : "hint: %s%s",
		 h->text, ev); /* nothing sent, no evidence: no empty quotes */
	emit_lines(s, line, strlen(line));
}

/* --dump-data: the first N tunnel bytes each way, as a hex dump. */
static void
show_tunnel(struct watch_session *s, const struct flow_event *ev)
{
	struct watch_dir *d = &s->dir[ev->side];
	uint64_t room = s->w->o.dump_data - d->dumped;
	size_t n = room < ev->len ? (size_t)room : ev->len;
	char *text = NULL, head[80];
	size_t len = 0;
	FILE *mem;

	if (n == 0)
		return;
	if (s->w->o.json) {
		char *hex = malloc(2 * n + 1);

		for (size_t i = 0; hex != NULL && i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", ev->data[i]);
		if (hex != NULL)
			emit_json(s, "data", json_pack("{s:s, s:I, s:s}", "side",
						       watch_side_name(ev->side), "offset",
						       (json_int_t)d->dumped, "hex", hex));
		free(hex);
		d->dumped += n;
		return;
	}
	snprintf(head, sizeof(head), "%s data, %zu bytes from tunnel offset %" PRIu64 ":",
		 watch_side_name(ev->side), n, d->dumped);
	emit_lines(s, head, strlen(head));
	if ((mem = open_memstream(&text, &len)) == NULL)
		return;
	hexdump_print(mem, ev->data, n, (size_t)d->dumped, NULL);
	if (fclose(mem) == 0)
		emit_lines(s, text, len);
	free(text);
	d->dumped += n;
}

static void
show_anomaly(struct watch_session *s, const struct flow_event *ev)
{
	char line[300];

	if (s->w->o.json) {
		emit_json(s, "anomaly", json_pack("{s:s, s:I, s:s?, s:s}", "side",
						  watch_side_name(ev->side), "offset",
						  (json_int_t)ev->off, "field", ev->field, "text",
						  ev->text));
		return;
	}
	snprintf(line, sizeof(line), "anomaly: %s at offset %" PRIu64 "%s%s: %s",
		 watch_side_name(ev->side), ev->off, ev->field != NULL ? " in " : "",
		 ev->field != NULL ? ev->field : "", ev->text);
	emit_lines(s, line, strlen(line));
}

static void
show_phase_or_close(struct watch_session *s, const struct flow_event *ev)
{
	char line[200];

	if (s->w->o.json) {
		if (ev->kind == FLOW_EV_PHASE)
			emit_json(s, "phase", json_pack("{s:s}", "phase", flow_phase_name(ev->phase)));
		else
			emit_json(s, "close", json_pack("{s:s, s:s, s:s}", "side",
							watch_side_name(ev->side), "how",
							ev->close == FLOW_RESET ? "RST" : "FIN",
							"phase", flow_phase_name(ev->phase)));
		return;
	}
	/* -v: closes; -vv: phases too */
	if (s->w->o.verbose < (ev->kind == FLOW_EV_PHASE ? 2 : 1))
		return;
	if (ev->kind == FLOW_EV_PHASE)
		snprintf(line, sizeof(line), "phase: %s", flow_phase_name(ev->phase));
	else
		snprintf(line, sizeof(line), "%s %s in %s", watch_side_name(ev->side),
			 ev->close == FLOW_RESET ? "reset" : "closed (FIN)", flow_phase_name(ev->phase));
	emit_lines(s, line, strlen(line));
}

void
show_event(struct watch_session *s, const struct flow_event *ev)
{
	switch (ev->kind) {
	case FLOW_EV_MESSAGE:
		show_message(s, ev);
		break;
	case FLOW_EV_OUTCOME:
		show_outcome(s, ev->outcome);
		break;
	case FLOW_EV_HINT:
		show_hint(s, ev->hint);
		break;
	case FLOW_EV_ANOMALY:
		show_anomaly(s, ev);
		break;
	case FLOW_EV_TUNNEL:
		if (s->w->o.dump_data > s->dir[ev->side].dumped)
			show_tunnel(s, ev);
		break;
	case FLOW_EV_PHASE:
	case FLOW_EV_CLOSE:
		show_phase_or_close(s, ev);
		break;
	}
}

void
show_summary(struct watch_session *s)
{
	const struct watch_sum *m = s->sum;

	if (s->w->o.json) {
		emit_json(s, "summary", json_pack("{s:I, s:I, s:I, s:I, s:f, s:s, s:s}", "bytes_up",
						  (json_int_t)m->up, "bytes_down", (json_int_t)m->down,
						  "tunnel_up", (json_int_t)m->tunnel_up, "tunnel_down",
						  (json_int_t)m->tunnel_down,
						  "duration", (double)m->ms / 1000.0, "closed", m->closed,
						  "outcome", m->outcome[0] != '\0' ? m->outcome
										   : "undecided"));
		return;
	}
	printf("#%u +%.3fs end: %" PRIu64 " bytes up, %" PRIu64 " bytes down (tunnel %" PRIu64
	       " up, %" PRIu64 " down), %.3f s, %s\n", s->id, (double)m->ms / 1000.0, m->up, m->down,
	       m->tunnel_up, m->tunnel_down, (double)m->ms / 1000.0, m->closed);
}

static void
table_json(struct watch *w)
{
	for (size_t i = 0; i < w->nsums; i++) {
		const struct watch_sum *m = w->sums[i];

		emit_json(NULL, "session", json_pack("{s:I, s:s, s:i, s:s, s:s, s:s, s:I, s:I, s:f, s:s}",
						     "session", (json_int_t)m->id, "application", m->app,
						     "version", m->version, "command", m->command,
						     "target", m->target, "outcome",
						     m->outcome[0] != '\0' ? m->outcome : "undecided",
						     "bytes_up", (json_int_t)m->up, "bytes_down",
						     (json_int_t)m->down, "duration",
						     (double)m->ms / 1000.0, "closed", m->closed));
	}
}

/* ^C: a line per session seen, oldest first. */
void
show_table(struct watch *w)
{
	if (w->o.json) {
		table_json(w);
		return;
	}
	printf("%zu session%s\n", w->nsums, w->nsums == 1 ? "" : "s");
	if (w->sums_unkept > 0)
		printf("(and %" PRIu64 " more after them, not kept: the table keeps the first %d)\n",
		       w->sums_unkept, WATCH_TABLE_MAX);
	if (w->nsums == 0)
		return;
	printf("%5s  %-22s %-3s %-13s %-28s %10s %10s %9s  %-16s %s\n", "#", "application", "ver",
	       "command", "target", "up", "down", "seconds", "closed", "outcome");
	for (size_t i = 0; i < w->nsums; i++) {
		const struct watch_sum *m = w->sums[i];
		char ver[8];

		snprintf(ver, sizeof(ver), "%d", m->version);
		printf("%5u  %-22s %-3s %-13s %-28s %10" PRIu64 " %10" PRIu64 " %9.3f  %-16s %s\n",
		       m->id, m->app, m->version != 0 ? ver : "-",
		       m->command[0] != '\0' ? m->command : "-", m->target[0] != '\0' ? m->target : "-",
		       m->up, m->down, (double)m->ms / 1000.0, m->closed,
		       m->outcome[0] != '\0' ? m->outcome : "undecided");
	}
}

void
show_flush(struct watch *w)
{
	if (w->out_failed || w->out_gone || fflush(stdout) == 0)
		return;
	/* the reader went away (| head): an orderly end, as everywhere else */
	if (errno == EPIPE) {
		w->out_gone = true;
		return;
	}
	fprintf(stderr, "sockscope: standard output: %s\n", strerror(errno));
	w->out_failed = true;
}
