/*
 * The end of a session (session_view.h): its outcome, hints, latencies on
 * the wire and tunnel, as the conversation's last lines, as a row of the
 * summary table, and as one JSON object.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_out.h"
#include "outcome.h"
#include "session_view.h"
#include "term.h"

static double
ms(int64_t from, int64_t to)
{
	return (double)(to - from) / 1e3;
}

void
sv_outcome_words(const struct sv_session *s, char *buf, size_t cap)
{
	const struct flow_outcome *o = &s->outcome;

	if (!s->decided) {
		snprintf(buf, cap, "undecided%s", s->stopped ? " (decoding stopped at a gap)" : "");
		return;
	}
	outcome_line(o, s->version, o->off, NULL, buf, cap);
}

const char *
sv_outcome_word(const struct sv_session *s)
{
	if (!s->decided)
		return "undecided";
	switch (s->outcome.result) {
	case FLOW_RES_GRANTED:
		return "granted";
	case FLOW_RES_REFUSED:
		return "refused";
	case FLOW_RES_NO_METHOD:
		return "no-method";
	case FLOW_RES_AUTH_FAILED:
		return "auth-failed";
	case FLOW_RES_OPAQUE:
		return "opaque";
	case FLOW_RES_VIOLATION:
		return "violation";
	case FLOW_RES_CLOSED:
		return "closed";
	case FLOW_RES_NONE:
		break;
	}
	return "undecided";
}

/* "greeting -> method 0.212 ms, request -> reply 21.187 ms", or "". */
static void
latency_text(const struct sv_session *s, char *buf, size_t cap)
{
	const struct sv_times *t = &s->t;
	size_t n = 0;

	buf[0] = '\0';
	if (s->o->untimed)
		return;
	if (s->times_back) {
		snprintf(buf, cap, "not measured, the capture's times go back in this session");
		return;
	}
#define LAT(from, to, words)                                                              \
	if (t->from >= 0 && t->to >= t->from && n < cap)                                  \
		n += (size_t)snprintf(buf + n, cap - n, "%s" words " %.3f ms",             \
				      n > 0 ? ", " : "", ms(t->from, t->to));
	if (s->version == 5)
		LAT(greeting, method, "greeting -> method")
	LAT(auth, auth_status, "authentication")
	LAT(request, reply, "request -> reply")
	LAT(reply, bind_second, "BIND's wait for the peer")
#undef LAT
}

/* More of something than a session keeps one by one: said at its end. */
static void
counted_note(struct sv_session *s, int64_t t, unsigned n, const char *what, unsigned shown)
{
	char note[128];

	snprintf(note, sizeof(note), "%u %s, the first %u shown, the rest counted", n, what, shown);
	sv_note_kept(s, t, note, true);
}

/* Whether the session got as far as a tunnel (or a UDP association): a
 * session refused or cut short has no tunnel to count. */
static bool
tunnel_began(const struct sv_session *s)
{
	return s->tunnel_said[0] || s->tunnel_said[1] || s->datagrams > 0 ||
	       (s->decided && s->outcome.result == FLOW_RES_GRANTED);
}

void
sv_end(struct sv_session *s, int64_t t, const char *ended)
{
	char words[512], lat[256];

	if (t > s->last)
		s->last = t;
	if (s->nmessages > SV_MESSAGES_SHOWN)
		counted_note(s, t, s->nmessages, "messages", SV_MESSAGES_SHOWN);
	if (s->anomalies > SV_MESSAGES_SHOWN)
		counted_note(s, t, s->anomalies, "anomalies", SV_MESSAGES_SHOWN);
	if (s->datagrams > SV_DATAGRAMS_SHOWN)
		counted_note(s, t, s->datagrams, "UDP datagrams", SV_DATAGRAMS_SHOWN);
	if (s->counted_gaps > SV_GAPS_SHOWN)
		counted_note(s, t, s->counted_gaps, "gaps past the first stop or in the tunnel",
			     SV_GAPS_SHOWN);
	if (s->resends_differ > SV_RESENDS_SHOWN)
		counted_note(s, t, s->resends_differ, "resends that differ from the first copy",
			     SV_RESENDS_SHOWN);
	if (s->not_kept > 0) {
		char note[160];
		size_t lim = s->budget->limit;
		bool mib = lim % ((size_t)1 << 20) == 0;
		snprintf(note, sizeof(note), "messages and events not kept past the memory budget "
			 "(%zu %s for all open sessions): %u more, counted",
			 mib ? lim >> 20 : lim, mib ? "MiB" : "bytes", s->not_kept);
		sv_note_kept(s, t, note, true);
	}
	snprintf(s->ended, sizeof(s->ended), "%s", ended);
	if (s->o->quiet || s->fp == NULL)
		return;
	sv_outcome_words(s, words, sizeof(words));
	fprintf(s->fp, "  outcome: %s\n", words);
	for (size_t i = 0; i < s->nhints; i++)
		fprintf(s->fp, "  hint: %s\n", s->hints[i]);
	latency_text(s, lat, sizeof(lat));
	if (lat[0] != '\0')
		fprintf(s->fp, "  latency: %s\n", lat);
	if (s->peer[0] != '\0')
		fprintf(s->fp, "  peer: %s connected to the bound address\n", s->peer);
	if (!tunnel_began(s)) {
		fprintf(s->fp, "  ended by %s", ended);
		if (!s->o->untimed)
			fprintf(s->fp, ", %.6f s after its start", (double)(s->last - s->start) / 1e6);
		if (s->gap[0] + s->gap[1] > 0)
			fprintf(s->fp, " (%" PRIu64 " and %" PRIu64 " bytes missing from the capture)",
				s->gap[0], s->gap[1]);
		fputc('\n', s->fp);
		return;
	}
	fprintf(s->fp, "  tunnel: %" PRIu64 " bytes from the client, %" PRIu64
		" from the server", s->tunnel[0], s->tunnel[1]);
	if (s->gap[0] + s->gap[1] > 0)
		fprintf(s->fp, " (%" PRIu64 " and %" PRIu64 " missing from the capture)",
			s->gap[0], s->gap[1]);
	if (s->datagrams > 0)
		fprintf(s->fp, ", %u UDP datagram%s", s->datagrams, s->datagrams == 1 ? "" : "s");
	if (!s->o->untimed)
		fprintf(s->fp, ", %.6f s", (double)(s->last - s->start) / 1e6);
	fprintf(s->fp, ", ended by %s\n", ended);
}

void
sv_table_header(FILE *fp)
{
	fprintf(fp, "%-4s %-15s %-21s %-21s %-3s %-13s %-10s %-28s %-6s %-21s %9s %9s %9s  %s\n",
		"#", "time", "client", "proxy", "ver", "command", "user", "target", "by",
		"bound", "up", "down", "seconds", "outcome");
}

/* "-" for an empty cell.  Widths are minimums; the outcome, of any length,
 * comes last so that the other columns stay aligned. */
static const char *
cell(const char *text)
{
	return text[0] != '\0' ? text : "-";
}

void
sv_row(FILE *fp, const struct sv_session *s)
{
	char when[32] = "-", secs[32] = "-", ver[8], outcome[512];
	time_t sec = (time_t)(s->start / 1000000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	if (!s->o->untimed) {
		snprintf(when, sizeof(when), "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (long)(s->start % 1000000));
		snprintf(secs, sizeof(secs), "%.3f", (double)(s->last - s->start) / 1e6);
	}
	snprintf(ver, sizeof(ver), "%s", s->version == 0 ? "-" : s->socks4a ? "4a" :
						       s->version == 4 ? "4" : "5");
	sv_outcome_words(s, outcome, sizeof(outcome));
	if (s->partial)
		strncat(outcome, " (partial)", sizeof(outcome) - strlen(outcome) - 1);
	if (s->resends_differ > 0) {
		size_t n = strlen(outcome);
		snprintf(outcome + n, sizeof(outcome) - n, " (%u resend%s differ%s)",
			 s->resends_differ, s->resends_differ == 1 ? "" : "s",
			 s->resends_differ == 1 ? "s" : "");
	}
	fprintf(fp, "%-4u %-15s %-21s %-21s %-3s %-13s %-10s %-28s %-6s %-21s %9" PRIu64
		" %9" PRIu64 " %9s  %s\n", s->number, when, s->client, s->server, ver,
		cell(s->command), cell(s->user), cell(s->target),
		s->resolved_by != NULL ? s->resolved_by : "-", cell(s->bound), s->tunnel[0],
		s->tunnel[1], secs, outcome);
}

static int
set_text(json_t *o, const char *key, const char *text)
{
	json_t *v = text[0] != '\0' ? json_printable(text, strlen(text)) : json_null();

	return v == NULL ? -1 : json_object_set_new(o, key, v);
}

static json_t *
outcome_json(const struct sv_session *s)
{
	char words[512];
	const struct flow_outcome *o = &s->outcome;

	sv_outcome_words(s, words, sizeof(words));
	json_t *j = json_pack("{s:s, s:s}", "result", sv_outcome_word(s), "text", words);
	if (j == NULL || !s->decided)
		return j;
	int bad = json_object_set_new(j, "side", json_string(flow_side_name(o->side)));
	bad |= json_object_set_new(j, "phase", json_string(flow_phase_name(o->phase)));
	if (o->result == FLOW_RES_REFUSED || o->result == FLOW_RES_NO_METHOD ||
	    o->result == FLOW_RES_AUTH_FAILED || o->result == FLOW_RES_OPAQUE)
		bad |= json_object_set_new(j, "code", json_integer(o->code));
	if (o->meaning != NULL)
		bad |= json_object_set_new(j, "meaning", json_string(o->meaning));
	if (o->result == FLOW_RES_VIOLATION || o->result == FLOW_RES_CLOSED) {
		bad |= json_object_set_new(j, "offset", json_integer((json_int_t)o->off));
		bad |= json_object_set_new(j, "field", o->field != NULL ? json_string(o->field)
									 : json_null());
	}
	if (bad != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *
latency_json(const struct sv_session *s)
{
	const struct sv_times *t = &s->t;
	json_t *j;
	int bad = 0;

	if (s->times_back || s->o->untimed)
		return json_null();
	if ((j = json_object()) == NULL)
		return NULL;
#define LATJ(from, to, key)                                                   \
	if (t->from >= 0 && t->to >= t->from)                                  \
		bad |= json_object_set_new(j, key, json_real(ms(t->from, t->to)));
	if (s->version == 5)
		LATJ(greeting, method, "greeting_method_ms")
	LATJ(auth, auth_status, "auth_ms")
	LATJ(request, reply, "request_reply_ms")
	LATJ(reply, bind_second, "bind_wait_ms")
#undef LATJ
	if (bad != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The session's summary: every member but its messages and events. */
static json_t *
summary_json(const struct sv_session *s)
{
	bool untimed = s->o->untimed;
	json_t *j = json_pack("{s:I, s:o, s:s, s:s, s:b}", "session", (json_int_t)s->number,
			      "start", untimed ? json_null() : json_real((double)s->start / 1e6),
			      "client", s->client, "proxy", s->server, "partial", s->partial);
	int bad = 0;

	if (j == NULL)
		return NULL;
	bad |= json_object_set_new(j, "version", s->version == 0 ? json_null() :
				   json_string(s->socks4a ? "4a" : s->version == 4 ? "4" : "5"));
	bad |= set_text(j, "command", s->command);
	bad |= set_text(j, "user", s->user);
	bad |= set_text(j, "target", s->target);
	bad |= json_object_set_new(j, "resolved_by", s->resolved_by != NULL ?
				   json_string(s->resolved_by) : json_null());
	bad |= json_object_set_new(j, "outcome", outcome_json(s));
	bad |= set_text(j, "bound", s->bound);
	bad |= set_text(j, "peer", s->peer);
	bad |= json_object_set_new(j, "bytes", json_pack("{s:I, s:I}", "client",
				   (json_int_t)s->tunnel[0], "server", (json_int_t)s->tunnel[1]));
	bad |= json_object_set_new(j, "missing", json_pack("{s:I, s:I}", "client",
				   (json_int_t)s->gap[0], "server", (json_int_t)s->gap[1]));
	bad |= json_object_set_new(j, "duration", untimed ? json_null() :
				   json_real((double)(s->last - s->start) / 1e6));
	bad |= json_object_set_new(j, "ended", json_string(s->ended));
	bad |= json_object_set_new(j, "latency", latency_json(s));
	bad |= json_object_set_new(j, "resends_differ", json_integer(s->resends_differ));
	bad |= json_object_set_new(j, "not_kept", json_integer(s->not_kept));
	if (bad != 0 || s->out_of_memory) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static void
put_kept(FILE *fp, const char *key, const struct sv_json_text *kept)
{
	fprintf(fp, ", \"%s\": [", key);
	if (kept->len > 0)
		fwrite(kept->p, 1, kept->len, fp);
	fputc(']', fp);
}

/* The summary as jansson writes it, then the kept messages and events as
 * they were kept (text, in the same form): the one place that composes a
 * session's JSON, and no tree of all its messages is ever built. */
int
sv_json_write(FILE *fp, const struct sv_session *s)
{
	json_t *j = s->out_of_memory ? NULL : summary_json(s);
	char *head = j != NULL ? json_dumps(j, SOCKSCOPE_JSON_FLAGS) : NULL;
	size_t n = head != NULL ? strlen(head) : 0;

	json_decref(j);
	if (n < 2 || head[n - 1] != '}') {
		free(head);
		return -1;
	}
	fwrite(head, 1, n - 1, fp);
	free(head);
	if (s->o->json) {
		put_kept(fp, "messages", &s->messages);
		put_kept(fp, "events", &s->events);
	}
	fputc('}', fp);
	return ferror(fp) ? -1 : 0;
}

json_t *
sv_json(const struct sv_session *s)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);
	json_t *j = NULL;

	if (fp == NULL)
		return NULL;
	int rc = sv_json_write(fp, s);
	if (fclose(fp) == 0 && rc == 0)
		j = json_loadb(p, n, 0, NULL);
	if (p != NULL)
		explicit_bzero(p, n);
	free(p);
	return j;
}

void
sv_free(struct sv_session *s)
{
	sv_json_text_free(&s->messages);
	sv_json_text_free(&s->events);
	if (s->budget != NULL)
		s->budget->used -= s->charged;
	s->charged = 0;
	s->budget = NULL;
}
