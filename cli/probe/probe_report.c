/*
 * sockscope probe: the table and the JSON lines.  See probe_report.h.
 */
#include "probe_report.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json_out.h"
#include "probe_flow.h"
#include "probe_trace.h"
#include "probe_progress.h"
#include "probe_verdict.h"
#include "term.h"

const char *const probe_step_names[ST_COUNT] = {
	"tcp", "s5-noauth", "s5-gssapi", "s5-userpass", "s5-all", "s5-auth",
	"s5-connect", "s5-connect-domain", "s5-bind", "s5-udp", "s4-connect",
	"s4a-connect", "http-sniff",
};

const char *const probe_outcome_names[] = {
	"not-run", "skipped", "ok", "refused", "timeout", "closed",
	"reset", "malformed", "not-socks", "unreachable", "error", "other-version",
};

static const char *
yn_step(const struct step_res *r, char *buf, size_t len, const char *okword)
{
	switch (r->oc) {
	case OC_OK:
		return okword;
	case OC_REFUSED:
		if (r->code >= 0)
			snprintf(buf, len, "no(%02x)", (unsigned)r->code);
		else
			snprintf(buf, len, "no");
		return buf;
	case OC_SKIPPED:
	case OC_NOT_RUN:
		return "-";
	default:
		return "no";
	}
}

/* Text for the table: bytes that are not printable ASCII (a host name or a
   reason that came from the input) as \xNN, as the terminal views show them. */
static const char *
shown(const char *text, char *buf, size_t len)
{
	term_escape(buf, len, text, strlen(text));
	return buf;
}

/* The table's AUTH column: the JSON "auth" in a word of the table. */
static const char *
auth_column(const struct server *s)
{
	const char *w = probe_auth_word(s);

	if (strcmp(w, "failed") == 0)
		return "fail";
	if (strcmp(w, "none") == 0 || strcmp(w, "skipped") == 0)
		return "-";
	return w; /* ok, error */
}

/* A write to stdout failed (rc < 0, or a flush that failed): the run ends
   (probe_run_loop() looks at R->out_err). */
static void
out_check(struct run *R, bool failed)
{
	if ((failed || ferror(stdout)) && R->out_err == 0)
		R->out_err = errno != 0 ? errno : EIO;
}

/* A row of the table, or its header, to stdout (the progress line erased
   first: both may be on the same terminal). */
static void
put_line(struct run *R, const char *line)
{
	probe_progress_clear(R);
	errno = 0;
	out_check(R, fputs(line, stdout) < 0);
	errno = 0;
	out_check(R, fflush(stdout) != 0);
}

/* The table's row for s, with its newline, in a new string (NULL: out of
   memory). */
static char *
format_row(const struct server *s, const struct verdict *v)
{
	char methods[64] = "", b1[16], b2[16], b3[16], lat[24], verdict[1200];
	char label[sizeof(s->label) * 4], vshown[sizeof(verdict) * 4];
	const struct step_res *tcp = probe_tcp_res(s);
	const char *auth, *s5, *connect;
	char *row = NULL;
	size_t n = 0;

	if (probe_chose(s, ST_S5_NOAUTH, 0))
		n += (size_t)snprintf(methods + n, sizeof(methods) - n, "noauth");
	if (probe_chose(s, ST_S5_GSSAPI, 1))
		n += (size_t)snprintf(methods + n, sizeof(methods) - n, "%sgssapi", n ? "," : "");
	if (probe_chose(s, ST_S5_USERPASS, 2))
		n += (size_t)snprintf(methods + n, sizeof(methods) - n, "%suserpass", n ? "," : "");
	if (n == 0)
		snprintf(methods, sizeof(methods), "-");
	/* "-": not known, because no SOCKS5 step ran */
	s5 = s->error[0] || tcp == NULL || !tcp->connected || !probe_probed5(s) ? "-" :
	     probe_speaks5(s)                                                  ? "yes" :
										 "no";
	auth = s->error[0] ? "-" : auth_column(s);
	/* a CONNECT refused in the method or RFC 1929 phase was never sent: "-" */
	if (!probe_speaks5(s) || probe_refused_before_request(&s->r[ST_S5_CONNECT]))
		connect = "-";
	else
		connect = yn_step(&s->r[ST_S5_CONNECT], b1, sizeof(b1), "ok");
	if (tcp != NULL && tcp->connected)
		snprintf(lat, sizeof(lat), "%.2f", tcp->connect_ms);
	else
		snprintf(lat, sizeof(lat), "-");
	n = (size_t)snprintf(verdict, sizeof(verdict), "%s", v->summary);
	for (int i = 0; i < v->nnotes && n < sizeof(verdict); i++)
		n += (size_t)snprintf(verdict + n, sizeof(verdict) - n, "; %s", v->notes[i]);
	if (asprintf(&row, "%-22s %-3s %-16s %-6s %-9s %-7s %-7s %9s  %s\n",
		     shown(s->label, label, sizeof(label)), s5, methods, auth, connect,
		     yn_step(&s->r[ST_S4], b2, sizeof(b2), "yes"),
		     yn_step(&s->r[ST_S4A], b3, sizeof(b3), "yes"), lat,
		     shown(verdict, vshown, sizeof(vshown))) < 0)
		return NULL;
	return row;
}

/* Row k of the table is written: the header first, before row 1. */
static void
emit_row(struct run *R, char *row)
{
	if (!R->header_done) {
		char header[160];

		snprintf(header, sizeof(header), "%-22s %-3s %-16s %-6s %-9s %-7s %-7s %9s  %s\n",
			 "SERVER", "S5", "METHODS", "AUTH", "CONNECT", "SOCKS4", "SOCKS4A", "TCP_MS",
			 "VERDICT");
		put_line(R, header);
		R->header_done = true;
	}
	if (R->out_err == 0)
		put_line(R, row);
	free(row);
}

/* Makes room in the queue for row `input`: the ring grows to the next power
   of two that spans next..input, its rows kept at their numbers. */
static bool
queue_fit(struct row_queue *q, unsigned long input)
{
	size_t need = (size_t)(input - q->next) + 1, cap = q->cap ? q->cap : 64;
	char **held;

	if (need <= q->cap)
		return true;
	while (cap < need)
		cap *= 2;
	held = calloc(cap, sizeof(*held));
	if (held == NULL)
		return false;
	for (size_t i = 0; i < q->cap; i++) {
		unsigned long k = q->next + i;

		held[k % cap] = q->held[k % q->cap];
	}
	free(q->held);
	q->held = held;
	q->cap = cap;
	return true;
}

/*
 * The table comes in the order of the input: row `input` is written when
 * every earlier server's is, and held until then (servers finish in any
 * order: a silent one takes every step's -w).  Held rows are strings, not
 * servers: a few hundred bytes each.
 */
static void
queue_row(struct run *R, unsigned long input, char *row)
{
	struct row_queue *q = &R->rows;

	if (q->next == 0)
		q->next = 1;
	if (input != q->next) {
		if (input > q->next && queue_fit(q, input)) {
			q->held[input % q->cap] = row;
			return;
		}
		emit_row(R, row); /* no memory to hold it: out of order, not lost */
		return;
	}
	emit_row(R, row);
	q->next++;
	while (q->cap > 0 && q->held[q->next % q->cap] != NULL) {
		char **slot = &q->held[q->next % q->cap];

		row = *slot;
		*slot = NULL;
		emit_row(R, row);
		q->next++;
	}
}

void
probe_report_end(struct run *R)
{
	struct row_queue *q = &R->rows;

	/* rows still held wait for a server the run dropped (stdout failed,
	   poll() failed): what is held is written, in order, unless stdout failed */
	for (size_t i = 0; i < q->cap; i++) {
		char **slot = &q->held[(q->next + i) % q->cap];

		if (*slot != NULL && R->out_err == 0)
			emit_row(R, *slot);
		else
			free(*slot);
		*slot = NULL;
	}
	free(q->held);
	q->held = NULL;
	q->cap = 0;
}

static json_t *
jnum_ms(double ms)
{
	return json_real((double)(int64_t)(ms * 1000.0 + 0.5) / 1000.0);
}

/* A JSON string for text that may hold bytes from the input (a host name, a
   reason that quotes it): as it is when printable UTF-8, else escaped (\xNN),
   as every JSON output of sockscope does; never a dropped key. */
static json_t *
jstr(const char *text)
{
	json_t *j = json_printable(text, strlen(text));

	return j != NULL ? j : json_string("");
}

/* "steps": an object per step that ran or was skipped. */
static json_t *
json_steps(const struct server *s)
{
	json_t *steps = json_array(), *a;

	for (int i = 0; i < ST_COUNT; i++) {
		const struct step_res *r = &s->r[i];
		json_t *st;

		if (r->oc == OC_NOT_RUN)
			continue;
		st = json_object();
		json_object_set_new(st, "step", json_string(probe_step_names[i]));
		json_object_set_new(st, "status", json_string(probe_outcome_names[r->oc]));
		if (r->connected)
			json_object_set_new(st, "connect_ms", jnum_ms(r->connect_ms));
		if (r->oc != OC_SKIPPED)
			json_object_set_new(st, "ms", jnum_ms(r->ms));
		if (r->code >= 0)
			json_object_set_new(st, "code", json_integer(r->code));
		if (r->meaning != NULL)
			json_object_set_new(st, "meaning", jstr(r->meaning));
		if (r->peer != PEER_NONE)
			json_object_set_new(st, "peer", json_string(probe_peer_names[r->peer]));
		if (r->detail[0] != '\0')
			json_object_set_new(st, "detail", jstr(r->detail));
		if (r->nanom > 0) {
			a = json_array();
			for (int k = 0; k < r->nanom; k++)
				json_array_append_new(a, jstr(r->anom[k]));
			json_object_set_new(st, "anomalies", a);
		}
		json_array_append_new(steps, st);
	}
	return steps;
}

static void
print_json(struct run *R, const struct server *s, const struct verdict *v)
{
	json_t *o = json_object(), *a;
	const struct step_res *tcp = probe_tcp_res(s);
	enum outcome s4;
	char *text;

	if (o == NULL)
		return;
	json_object_set_new(o, "server", jstr(s->label));
	json_object_set_new(o, "input", json_integer((json_int_t)s->input));
	if (s->error[0] != '\0') {
		json_object_set_new(o, "verdict", json_string("error"));
		json_object_set_new(o, "detail", jstr(s->error));
		json_object_set_new(o, "ok", json_false());
		goto out;
	}
	json_object_set_new(o, "target", jstr(s->tlabel));
	json_object_set_new(o, "verdict", json_string(v->kind));
	if (v->peer != NULL)
		json_object_set_new(o, "peer", json_string(v->peer));
	json_object_set_new(o, "summary", jstr(v->summary));
	if (s->local_error)
		json_object_set_new(o, "detail", jstr(s->local_detail));
	a = json_array();
	for (int i = 0; i < v->nnotes; i++)
		json_array_append_new(a, jstr(v->notes[i]));
	json_object_set_new(o, "notes", a);
	json_object_set_new(o, "socks5", json_boolean(probe_speaks5(s)));
	json_object_set_new(o, "socks4", json_boolean(probe_speaks4(s)));
	/* s4-connect left out by --steps is "skipped", as in "connect" and "auth";
	   "not-run" is no status that "steps" can show */
	s4 = s->r[ST_S4].oc == OC_NOT_RUN ? OC_SKIPPED : s->r[ST_S4].oc;
	json_object_set_new(o, "socks4_connect", json_string(probe_outcome_names[s4]));
	json_object_set_new(o, "socks4a", json_boolean(s->r[ST_S4A].oc == OC_OK));
	a = json_array();
	if (probe_chose(s, ST_S5_NOAUTH, 0))
		json_array_append_new(a, json_string("noauth"));
	if (probe_chose(s, ST_S5_GSSAPI, 1))
		json_array_append_new(a, json_string("gssapi"));
	if (probe_chose(s, ST_S5_USERPASS, 2))
		json_array_append_new(a, json_string("userpass"));
	json_object_set_new(o, "methods", a);
	json_object_set_new(o, "auth", json_string(probe_auth_word(s)));
	json_object_set_new(o, "connect", json_string(probe_connect_word(s)));
	if (tcp != NULL && tcp->connected)
		json_object_set_new(o, "tcp_ms", jnum_ms(tcp->connect_ms));
	else
		json_object_set_new(o, "tcp_ms", json_null());
	if (R->cfg.expect_given) {
		json_t *e = json_object(), *f = json_array();
		char buf[512], *save = NULL;

		strcpy(buf, v->failed);
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			json_array_append_new(f, jstr(t));
		json_object_set_new(e, "met", json_boolean(v->failed[0] == '\0'));
		json_object_set_new(e, "failed", f);
		json_object_set_new(o, "expect", e);
	}
	json_object_set_new(o, "ok", json_boolean(v->ok));
	json_object_set_new(o, "steps", json_steps(s));
out:
	text = json_dumps(o, SOCKSCOPE_JSON_FLAGS | JSON_COMPACT | JSON_REAL_PRECISION(9));
	errno = 0;
	if (text != NULL) {
		out_check(R, printf("%s\n", text) < 0);
		free(text);
	} else {
		fprintf(stderr, "sockscope probe: out of memory\n");
		R->all_ok = false;
	}
	errno = 0;
	out_check(R, fflush(stdout) != 0);
	json_decref(o);
}

void
probe_report(struct run *R, struct server *s)
{
	struct verdict v;

	probe_judge(R, s, &v);
	probe_trace_timeline(R, s);
	if (!v.ok)
		R->all_ok = false;
	probe_progress_count(R, v.ok);
	if (R->out_err != 0)
		return; /* stdout failed: the run is ending */
	if (R->o->json) {
		print_json(R, s, &v);
	} else {
		char *row = format_row(s, &v);

		if (row == NULL) {
			probe_progress_clear(R);
			fprintf(stderr, "sockscope probe: out of memory\n");
			R->all_ok = false;
			return;
		}
		queue_row(R, s->input, row);
	}
}
