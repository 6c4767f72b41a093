/*
 * A session as a conversation (session_view.h): a line per message, note
 * and gap as it comes, then the outcome, the latencies on the wire and the
 * tunnel; and what the summary table and JSON need, gathered on the way.
 * Messages are shown by the views every front end uses (trace_line,
 * hexview_print, msg_to_json_view); nothing here reads a message's bytes
 * except through its fields.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fieldtext.h"
#include "hexview.h"
#include "json_out.h"
#include "session_view.h"
#include "term.h"
#include "traceline.h"

#define CMD_BIND 0x02
#define ATYP_DOMAIN 0x03

static const char *const side_arrow[] = {"->", "<-"};

/* "+1.234567" from the session's start, or "05:50:01.123456" with -o absolute. */
static void
time_text(const struct sv_session *s, int64_t t, char *buf, size_t cap)
{
	if (s->o->absolute) {
		time_t sec = (time_t)(t / 1000000);
		struct tm tm;
		gmtime_r(&sec, &tm);
		snprintf(buf, cap, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (long)(t % 1000000));
		return;
	}
	/* a capture's clock may step back: such a time is before the start */
	int64_t d = t - s->start;
	char sign = d < 0 ? '-' : '+';
	if (d < 0)
		d = -d;
	snprintf(buf, cap, "%c%" PRId64 ".%06" PRId64, sign, d / 1000000, d % 1000000);
}

static double
seconds(int64_t us)
{
	return (double)us / 1e6;
}

static bool
printing(const struct sv_session *s)
{
	return !s->o->quiet && s->fp != NULL;
}

/* The start of an event's line: indent and time (none when untimed). */
static void
line_head(const struct sv_session *s, int64_t t)
{
	char when[32];

	if (s->o->untimed) {
		fputs("  ", s->fp);
		return;
	}
	time_text(s, t, when, sizeof(when));
	fprintf(s->fp, "  %s ", when);
}

/* An event's "time" for JSON: seconds from the start, or null when the
 * source holds no times. */
static json_t *
json_time(const struct sv_session *s, int64_t t)
{
	return s->o->untimed ? json_null() : json_real(seconds(t - s->start));
}

static void
charge(struct sv_session *s, size_t n)
{
	if (s->budget == NULL)
		return;
	s->budget->used += n;
	s->charged += n;
}

/* The kept text's growth since it was last charged. */
static void
settle(struct sv_session *s)
{
	if (s->budget == NULL || !s->text_kept || s->fp == NULL)
		return;
	long pos = ftell(s->fp);
	if (pos > 0 && (size_t)pos > s->text_charged) {
		charge(s, 2 * ((size_t)pos - s->text_charged));
		s->text_charged = (size_t)pos;
	}
}

/* Whether s may keep one more line or JSON object: not past the budget
 * (the item is then counted as not kept).  A session that keeps nothing
 * (no JSON, its lines printed as they come) is never stopped. */
static bool
keeping(struct sv_session *s)
{
	if (s->budget == NULL || (!s->o->json && !s->text_kept))
		return true;
	settle(s);
	if (s->budget->used < s->budget->limit)
		return true;
	s->not_kept++;
	return false;
}

/* The same for an event whose line only -v shows: one that would keep
 * nothing is not counted as not kept. */
static bool
keeping_verbose(struct sv_session *s)
{
	return !(s->o->json || (s->o->verbose && printing(s))) || keeping(s);
}

/* An event for sv_json(), built only when JSON is gathered: a run without
 * -j never maps libjansson (cli/core/jansson_dl.c). */
#define JSON_EVENT(s, t, ...)                                        \
	do {                                                         \
		if ((s)->o->json)                                    \
			json_event((s), (t), json_pack(__VA_ARGS__)); \
	} while (0)

void
sv_json_text_free(struct sv_json_text *kept)
{
	if (kept->p != NULL)
		explicit_bzero(kept->p, kept->len);
	free(kept->p);
	*kept = (struct sv_json_text){ NULL, 0, 0 };
}

/* obj (taken) appended to kept as text, its "time" set; what the
 * buffer grows by is charged to the budget. */
static void
keep_json(struct sv_session *s, struct sv_json_text *kept, json_t *obj, int64_t t)
{
	char *text = NULL;

	if (obj != NULL && json_object_set_new(obj, "time", json_time(s, t)) == 0)
		text = json_dumps(obj, SOCKSCOPE_JSON_FLAGS); /* as sv_json_write() writes */
	json_decref(obj);
	if (text == NULL) {
		s->out_of_memory = true;
		return;
	}
	size_t n = strlen(text), need = kept->len + n + 2;
	if (need > kept->cap) {
		size_t cap = kept->cap == 0 ? 256 : kept->cap;
		while (cap < need)
			cap *= 2;
		char *p = malloc(cap);
		if (p == NULL) {
			s->out_of_memory = true;
			explicit_bzero(text, n);
			free(text);
			return;
		}
		/* copied and wiped, not realloc()ed: --show-secrets keeps a password here */
		if (kept->len > 0)
			memcpy(p, kept->p, kept->len);
		size_t len = kept->len;
		charge(s, cap - kept->cap);
		sv_json_text_free(kept);
		kept->p = p;
		kept->cap = cap;
		kept->len = len;
	}
	if (kept->len > 0) {
		kept->p[kept->len++] = ',';
		kept->p[kept->len++] = ' ';
	}
	memcpy(kept->p + kept->len, text, n);
	kept->len += n;
	explicit_bzero(text, n);
	free(text);
}

/* ev built by JSON_EVENT, taken here. */
static void
json_event(struct sv_session *s, int64_t t, json_t *ev)
{
	keep_json(s, &s->events, ev, t);
}

void
sv_begin(struct sv_session *s, const struct sv_opts *o, FILE *fp, unsigned number,
	 const char *client, const char *server, int64_t start, bool partial)
{
	memset(s, 0, sizeof(*s));
	s->o = o;
	s->fp = fp;
	s->number = number;
	snprintf(s->client, sizeof(s->client), "%s", client);
	snprintf(s->server, sizeof(s->server), "%s", server);
	s->start = s->last = start;
	s->partial = partial;
	s->t = (struct sv_times){ -1, -1, -1, -1, -1, -1, -1 };
	if (!printing(s))
		return;
	if (o->untimed) {
		fprintf(fp, "session %u: %s -> %s (the dump holds no times%s)\n", number, client,
			server, partial ? "; joined in its middle: its start is not in the dump" : "");
		return;
	}
	time_t sec = (time_t)(start / 1000000);
	struct tm tm;
	char day[32];
	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(fp, "session %u: %s -> %s, %s.%06ld UTC%s\n", number, client, server, day,
		(long)(start % 1000000),
		partial ? " (joined in its middle: its start is not in the capture)" : "");
}

/* f's bytes as text for people, escaped. */
static void
field_text(const struct field *f, char *buf, size_t cap)
{
	term_escape(buf, cap, f->bytes, f->len);
}

/* "ADDR:PORT" from the named address and port fields of m, or "". */
static void
endpoint_text(const struct msg *m, const char *addr, const char *port, char *buf, size_t cap)
{
	const struct field *a = msg_field(m, addr), *p = msg_field(m, port);
	char text[SV_TEXT_MAX];

	buf[0] = '\0';
	if (a == NULL || p == NULL || !field_complete(a) || !field_complete(p))
		return;
	/* a name as it is (escaped), not quoted as the field views show text */
	if (field_addr_form(m, a) == ADDR_NAME)
		field_text(a, text, sizeof(text));
	else
		field_value_text(m, a, NULL, text, sizeof(text));
	if (field_addr_form(m, a) == ADDR_IPV6)
		snprintf(buf, cap, "[%s]:%u", text, (unsigned)p->num);
	else
		snprintf(buf, cap, "%s:%u", text, (unsigned)p->num);
}

static void
gather_command(struct sv_session *s, const struct field *f)
{
	const char *name;

	if (f == NULL || !field_complete(f))
		return;
	s->cmd = (uint8_t)f->num;
	s->cmd_seen = true;
	name = field_code_meaning(f, f->num);
	if (name != NULL)
		snprintf(s->command, sizeof(s->command), "%s", name);
	else
		snprintf(s->command, sizeof(s->command), "0x%02x", (unsigned)f->num);
}

static void
gather_s4_request(struct sv_session *s, const struct msg *m)
{
	const struct field *user = msg_field(m, "USERID"), *host = msg_field(m, "HOSTNAME");

	s->version = 4;
	gather_command(s, msg_field(m, "CD"));
	if (user != NULL && user->len > 0)
		field_text(user, s->user, sizeof(s->user));
	if (host != NULL && field_complete(host)) {
		char name[SV_TEXT_MAX];
		const struct field *port = msg_field(m, "DSTPORT");
		s->socks4a = true;
		field_text(host, name, sizeof(name));
		snprintf(s->target, sizeof(s->target), "%s:%u", name,
			 port != NULL ? (unsigned)port->num : 0u);
		s->resolved_by = "proxy";
	} else {
		endpoint_text(m, "DSTIP", "DSTPORT", s->target, sizeof(s->target));
		s->resolved_by = "client";
	}
}

static void
gather_s5_request(struct sv_session *s, const struct msg *m)
{
	const struct field *atyp = msg_field(m, "ATYP");

	s->version = 5;
	gather_command(s, msg_field(m, "CMD"));
	endpoint_text(m, "DST.ADDR", "DST.PORT", s->target, sizeof(s->target));
	if (atyp != NULL && field_complete(atyp))
		s->resolved_by = atyp->num == ATYP_DOMAIN ? "proxy" : "client";
}

static enum view_role
reply_role(const struct sv_session *s)
{
	if (!s->cmd_seen || s->cmd != CMD_BIND)
		return VIEW_ROLE_NONE;
	return s->replies <= 1 ? VIEW_ROLE_BIND_FIRST : VIEW_ROLE_BIND_SECOND;
}

/* What the summary needs from m, and when it came. */
static void
gather(struct sv_session *s, int64_t t, const struct msg *m)
{
	bool v4 = m->desc->type == MSG_S4_REPLY;

	switch (m->desc->type) {
	case MSG_S4_REQUEST:
		gather_s4_request(s, m);
		s->t.greeting = s->t.request = t;
		break;
	case MSG_S5_GREETING:
		s->version = 5;
		s->t.greeting = t;
		break;
	case MSG_S5_METHOD:
		s->t.method = t;
		break;
	case MSG_S5_AUTH_REQUEST: {
		const struct field *u = msg_field(m, "UNAME");
		if (u != NULL && u->len > 0)
			field_text(u, s->user, sizeof(s->user));
		s->t.auth = t;
		break;
	}
	case MSG_S5_AUTH_STATUS:
		s->t.auth_status = t;
		break;
	case MSG_S5_REQUEST:
		gather_s5_request(s, m);
		s->t.request = t;
		break;
	case MSG_S4_REPLY:
	case MSG_S5_REPLY:
		s->replies++;
		if (reply_role(s) == VIEW_ROLE_BIND_SECOND) {
			endpoint_text(m, v4 ? "DSTIP" : "BND.ADDR", v4 ? "DSTPORT" : "BND.PORT",
				      s->peer, sizeof(s->peer));
			s->t.bind_second = t;
		} else {
			endpoint_text(m, v4 ? "DSTIP" : "BND.ADDR", v4 ? "DSTPORT" : "BND.PORT",
				      s->bound, sizeof(s->bound));
			s->t.reply = t;
		}
		break;
	default:
		break;
	}
}

/* m, sent by side at its stream offset off (-1 for a datagram: none). */
static void
show_message(struct sv_session *s, int64_t t, const struct msg *m, enum flow_side side,
	     enum view_role role, int64_t off)
{
	struct view_opts vo = {
		.color = s->o->color,
		.show_secrets = s->o->show_secrets,
		.dir = side == FLOW_CLIENT ? VIEW_DIR_SENT : VIEW_DIR_RECEIVED,
		.role = role,
	};

	if (s->o->json) {
		json_t *j = msg_to_json_view(m, &vo);
		if (j != NULL && off >= 0 &&
		    json_object_set_new(j, "stream_offset", json_integer(off)) != 0) {
			json_decref(j);
			j = NULL;
		}
		keep_json(s, &s->messages, j, t);
	}
	if (!printing(s))
		return;
	if (s->o->hex) {
		char when[32];
		time_text(s, t, when, sizeof(when));
		if (!s->o->untimed)
			fprintf(s->fp, "  %s\n", when);
		hexview_print(s->fp, m, &vo);
		return;
	}
	line_head(s, t);
	trace_line(s->fp, m, &vo);
}

static void
on_anomaly(struct sv_session *s, int64_t t, const struct flow_event *ev)
{
	if (++s->anomalies > SV_MESSAGES_SHOWN || !keeping(s))
		return; /* counted; sv_end says so */
	JSON_EVENT(s, t, "{s:s, s:s, s:I, s:s?, s:s}", "event", "anomaly", "side",
				   flow_side_name(ev->side), "offset", (json_int_t)ev->off,
				   "field", ev->field, "text", ev->text);
	if (!printing(s))
		return;
	line_head(s, t);
	fprintf(s->fp, "%s%s anomaly%s: %s%s%s\n", term_on(s->o->color, TS_WARN),
		side_arrow[ev->side], term_off(s->o->color), ev->field != NULL ? ev->field : "",
		ev->field != NULL ? ": " : "", ev->text);
}

static void
on_hint(struct sv_session *s, int64_t t, const struct hint *h)
{
	char ev[4 * HINT_PREFIX + 1];

	term_escape(ev, sizeof(ev), h->evidence, h->evidence_len);
	if (s->o->json && keeping(s))
		JSON_EVENT(s, t, "{s:s, s:s, s:s, s:s}", "event", "hint", "side",
			   h->from_server ? "server" : "client", "text", h->text, "evidence", ev);
	if (s->nhints < SV_HINTS_MAX) /* nothing sent, no evidence: no empty quotes */
		snprintf(s->hints[s->nhints++], sizeof(s->hints[0]), h->evidence_len > 0 ?
			 "%s: \"%s\"" : "%s%s", h->text, ev);
}

static void
on_tunnel(struct sv_session *s, int64_t t, const struct flow_event *ev)
{
	s->tunnel[ev->side] += ev->len;
	if (s->tunnel_said[ev->side])
		return;
	s->tunnel_said[ev->side] = true;
	if (!keeping_verbose(s))
		return;
	JSON_EVENT(s, t, "{s:s, s:s, s:I}", "event", "tunnel", "side",
				   flow_side_name(ev->side), "offset", (json_int_t)ev->off);
	if (printing(s) && s->o->verbose) {
		line_head(s, t);
		fprintf(s->fp, "%s tunnel data begins (the %s's byte %" PRIu64 ")\n",
			side_arrow[ev->side], flow_side_name(ev->side), ev->off);
	}
}

static void
on_phase_or_close(struct sv_session *s, int64_t t, const struct flow_event *ev)
{
	bool close = ev->kind == FLOW_EV_CLOSE;
	const char *how = ev->close == FLOW_RESET ? "reset" : "FIN";

	if (!keeping_verbose(s))
		return;
	if (close)
		JSON_EVENT(s, t, "{s:s, s:s, s:s, s:s}", "event", "close", "side",
					   flow_side_name(ev->side), "how", how, "phase",
					   flow_phase_name(ev->phase));
	else
		JSON_EVENT(s, t, "{s:s, s:s}", "event", "phase", "phase",
					   flow_phase_name(ev->phase));
	if (!printing(s) || !s->o->verbose)
		return;
	line_head(s, t);
	if (close)
		fprintf(s->fp, "%s %s from the %s in phase %s\n", side_arrow[ev->side], how,
			flow_side_name(ev->side), flow_phase_name(ev->phase));
	else
		fprintf(s->fp, "   phase: %s\n", flow_phase_name(ev->phase));
}

void
sv_event(struct sv_session *s, int64_t t, const struct flow_event *ev)
{
	enum view_role role = VIEW_ROLE_NONE;

	/* a second's leeway: captures on many CPUs order times only roughly */
	if (t < s->last - 1000000)
		s->times_back = true;
	if (t > s->last)
		s->last = t;
	switch (ev->kind) {
	case FLOW_EV_MESSAGE:
		gather(s, t, ev->msg);
		if (++s->nmessages > SV_MESSAGES_SHOWN || !keeping(s))
			break; /* counted; sv_end says so */
		if (ev->msg->desc->type == MSG_S4_REPLY || ev->msg->desc->type == MSG_S5_REPLY)
			role = reply_role(s);
		show_message(s, t, ev->msg, ev->side, role, (int64_t)ev->off);
		break;
	case FLOW_EV_OUTCOME:
		s->outcome = *ev->outcome;
		s->decided = true;
		break;
	case FLOW_EV_ANOMALY:
		on_anomaly(s, t, ev);
		break;
	case FLOW_EV_HINT:
		on_hint(s, t, ev->hint);
		break;
	case FLOW_EV_TUNNEL:
		on_tunnel(s, t, ev);
		break;
	case FLOW_EV_PHASE:
	case FLOW_EV_CLOSE:
		on_phase_or_close(s, t, ev);
		break;
	}
	settle(s);
}

void
sv_gap(struct sv_session *s, int64_t t, enum flow_side side, uint64_t off, uint64_t len,
       const char *why, enum sv_gap_effect effect)
{
	static const char *const effect_text[] = {
		[SV_GAP_STOPS] = "decoding stops here, the rest is only counted",
		[SV_GAP_TUNNEL] = "tunnel data, counted on",
		[SV_GAP_UNDECODED] = "in bytes not decoded, counted on",
	};
	bool stops = effect == SV_GAP_STOPS;

	s->gap[side] += len;
	if (stops)
		s->stopped = true;
	else if (++s->counted_gaps > SV_GAPS_SHOWN)
		return; /* counted in gap[]; sv_end says so */
	if (!keeping(s))
		return;
	JSON_EVENT(s, t, "{s:s, s:s, s:I, s:I, s:s, s:b}", "event", "gap", "side",
				   flow_side_name(side), "offset", (json_int_t)off, "length",
				   (json_int_t)len, "why", why, "stops", stops);
	if (!printing(s))
		return;
	line_head(s, t);
	fprintf(s->fp, "%s%s gap of %" PRIu64 " byte%s%s in the %s's stream at byte %" PRIu64
		" (%s): %s\n", term_on(s->o->color, TS_ERROR), side_arrow[side], len,
		len == 1 ? "" : "s", term_off(s->o->color), flow_side_name(side), off, why,
		effect_text[effect]);
	settle(s);
}

void
sv_datagram(struct sv_session *s, int64_t t, bool to_relay, const struct msg *m, size_t n)
{
	s->datagrams++;
	if (t > s->last)
		s->last = t;
	if (s->datagrams > SV_DATAGRAMS_SHOWN || !keeping(s))
		return; /* counted; sv_end says so */
	if (m != NULL) {
		show_message(s, t, m, to_relay ? FLOW_CLIENT : FLOW_SERVER, VIEW_ROLE_NONE, -1);
		settle(s);
		return;
	}
	JSON_EVENT(s, t, "{s:s, s:s, s:I}", "event", "datagram", "side",
				   to_relay ? "client" : "server", "length", (json_int_t)n);
	if (printing(s)) {
		line_head(s, t);
		fprintf(s->fp, "%s UDP datagram of %zu bytes, no SOCKS header\n",
			side_arrow[to_relay ? 0 : 1], n);
	}
	settle(s);
}

void
sv_resend_differs(struct sv_session *s, int64_t t, enum flow_side side, uint64_t off,
		  uint64_t len)
{
	if (++s->resends_differ > SV_RESENDS_SHOWN || !keeping(s))
		return; /* counted; sv_end says so */
	JSON_EVENT(s, t, "{s:s, s:s, s:I, s:I}", "event", "resend_differs", "side",
		   flow_side_name(side), "offset", (json_int_t)off, "length", (json_int_t)len);
	if (printing(s)) {
		line_head(s, t);
		fprintf(s->fp, "%s%s anomaly%s: resent bytes differ from the first copy: %" PRIu64
			" byte%s at offset 0x%04" PRIx64 " of the %s's stream; the first copy is "
			"kept\n", term_on(s->o->color, TS_WARN), side_arrow[side],
			term_off(s->o->color), len, len == 1 ? "" : "s", off, flow_side_name(side));
	}
	settle(s);
}

/* A note past the budget too when `always` (a session's last lines). */
void
sv_note_kept(struct sv_session *s, int64_t t, const char *text, bool always)
{
	if (!always && !keeping(s))
		return;
	JSON_EVENT(s, t, "{s:s, s:s}", "event", "note", "text", text);
	if (printing(s)) {
		line_head(s, t);
		fprintf(s->fp, "   note: %s\n", text);
	}
	settle(s);
}

void
sv_note(struct sv_session *s, int64_t t, const char *text)
{
	sv_note_kept(s, t, text, false);
}
