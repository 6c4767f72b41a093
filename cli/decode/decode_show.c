/*
 * What decode shows of a run through the flow.  The hex view goes to
 * stdout, problems to stderr; with --json, stdout holds one JSON object:
 * the messages, the tunnel bytes counted per side, the outcome, the
 * anomalies and the hints.
 */
#include <stdio.h>
#include <string.h>

#include "decode_show.h"
#include "hexview.h"
#include "json_out.h"
#include "msgtext.h"
#include "outcome.h"
#include "term.h"

static const char *const side_word[2] = {"client", "server"};

/* Appends v (a new reference, or NULL: out of memory) to array a. */
static void
json_add(struct decode_out *out, json_t *a, json_t *v)
{
	if (v == NULL || json_array_append_new(a, v) != 0)
		out->out_of_memory = true;
}

static void
set_view(struct decode_out *out, int side, enum view_role role)
{
	out->view.dir = side == 1 ? VIEW_DIR_RECEIVED : VIEW_DIR_SENT;
	out->view.role = role;
}

void
show_message(struct decode_out *out, const struct msg *m, int side, size_t off,
	     enum view_role role)
{
	set_view(out, side, role);
	if (out->doc == NULL) {
		hexview_print(stdout, m, &out->view);
		return;
	}
	json_t *j = msg_to_json_view(m, &out->view);
	if (j != NULL && json_object_set_new(j, "stream_offset", json_integer((json_int_t)off)) != 0)
		out->out_of_memory = true;
	json_add(out, out->messages, j);
}

void
show_broken(struct decode_out *out, const struct msg *m, int side, size_t off,
	    const uint8_t *p, size_t len, bool say)
{
	char title[128], problem[256];

	show_message(out, m, side, off, VIEW_ROLE_NONE);
	if (say) {
		msg_title(m, title, sizeof(title));
		msg_problem(m, problem, sizeof(problem));
		fprintf(stderr, "sockscope: %s %s\n", title, problem);
	}
	if (out->doc != NULL || m->status >= 0)
		return;
	size_t extent = msg_extent(m);
	size_t left = len > extent ? len - extent : 0;
	if (left == 0)
		return;
	/* After a broken username/password request the rest is likely its
	 * password, which no field marks as one any more; so after a client's
	 * message that starts as one (version 0x01) where it was not owed. */
	if ((m->desc->type == MSG_S5_AUTH_REQUEST || (side == 0 && p[0] == 0x01)) &&
	    !out->o->show_secrets) {
		printf("   %zu more byte%s not decoded, not shown: they may hold the password "
		       "(--show-secrets shows them)\n", left, left == 1 ? "" : "s");
		return;
	}
	printf("   %zu more byte%s not decoded:\n", left, left == 1 ? "" : "s");
	hexdump_print(stdout, p + extent, left, extent, &out->view);
}

void
show_tunnel(struct decode_out *out, int side, const uint8_t *p, size_t len, size_t base)
{
	if (out->doc != NULL)
		return;
	set_view(out, side, VIEW_ROLE_NONE);
	if (side == 0 && out->hide_client_data) {
		printf("   %zu byte%s of tunnel data, not shown: they may hold a password "
		       "(--show-secrets shows them)\n", len, len == 1 ? "" : "s");
		return;
	}
	printf("   %zu byte%s of tunnel data, not decoded:\n", len, len == 1 ? "" : "s");
	/* Offsets count from the first byte of the message above, here as in
	 * every other line of the view. */
	hexdump_print(stdout, p, len, base, &out->view);
}

void
show_rest(struct decode_out *out, int side, const uint8_t *p, size_t len, size_t base,
	  bool must_close)
{
	if (out->doc != NULL)
		return;
	set_view(out, side, VIEW_ROLE_NONE);
	/* The client's bytes held for an answer that never came may be a
	 * username/password request (version 0x01): its password. */
	if (side == 0 && p[0] == 0x01 && !out->o->show_secrets) {
		printf("   %zu byte%s not decoded, not shown: they may hold the password "
		       "(--show-secrets shows them)\n", len, len == 1 ? "" : "s");
		return;
	}
	printf("   %zu byte%s %s:\n", len, len == 1 ? "" : "s",
	       must_close ? "that should not be there" : "not decoded");
	hexdump_print(stdout, p, len, base, &out->view);
}

void
show_anomaly(struct decode_out *out, int side, size_t off, const char *field,
	     const char *text, bool in_view)
{
	if (out->doc == NULL) {
		if (!in_view)
			printf("   ! the %s at offset 0x%04zx%s%s: %s\n", side_word[side], off,
			       field != NULL ? " in " : "", field != NULL ? field : "", text);
		return;
	}
	json_t *j = json_pack("{s:s, s:I, s:s?, s:s}", "side", side_word[side], "offset",
			      (json_int_t)off, "field", field, "text", text);
	json_add(out, out->anomalies, j);
}

/*
 * The end: the outcome, hints, and what went wrong.
 */

/* outcome_line()'s words, or "undecided (phase: reply)". */
static void
outcome_words(const struct flow_outcome *o, int version, bool decided, enum flow_phase phase,
	      size_t off, char *buf, size_t cap)
{
	if (!decided) {
		snprintf(buf, cap, "undecided (phase: %s)", flow_phase_name(phase));
		return;
	}
	outcome_line(o, version, off, NULL, buf, cap);
}

/* The hint's evidence, escaped: it came from the network. */
static void
evidence_text(const struct hint *h, char *buf, size_t cap)
{
	term_escape(buf, cap, h->evidence, h->evidence_len);
}

static json_t *
outcome_json(const struct decode_end *e, const char *words)
{
	const struct flow_outcome *o = e->outcome;

	/* One side alone: where the session stands depends on the stand-in. */
	if (!e->decided)
		return json_pack("{s:s}", "result", "undecided");
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "result", flow_result_name(o->result),
			      "side", flow_side_name(o->side), "phase", flow_phase_name(o->phase),
			      "text", words);
	if (j == NULL)
		return NULL;
	int bad = 0;
	if (o->result != FLOW_RES_GRANTED && o->result != FLOW_RES_VIOLATION &&
	    o->result != FLOW_RES_CLOSED)
		bad |= json_object_set_new(j, "code", json_integer(o->code));
	if (o->meaning != NULL)
		bad |= json_object_set_new(j, "meaning", json_string(o->meaning));
	if (o->result == FLOW_RES_VIOLATION || o->result == FLOW_RES_CLOSED) {
		bad |= json_object_set_new(j, "offset", json_integer((json_int_t)e->off));
		bad |= json_object_set_new(j, "field",
					   o->field != NULL ? json_string(o->field) : json_null());
		bad |= json_object_set_new(j, "why", json_string(o->why));
	}
	if (bad != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* On stderr: what went wrong, unless a broken message said it already. */
static void
say_violation(const struct decode_end *e)
{
	const struct flow_outcome *o = e->outcome;
	char words[256];

	if (!e->decided || o->result != FLOW_RES_VIOLATION || e->broken)
		return;
	/* After a refusal, no method or a failed status, the server must close. */
	if (o->side == FLOW_SERVER && e->before->result != FLOW_RES_NONE &&
	    e->before->result != FLOW_RES_GRANTED) {
		size_t n = e->side_len > e->off ? e->side_len - e->off : 0;
		outcome_words(e->before, e->version, true, e->phase, 0, words, sizeof(words));
		fprintf(stderr, "sockscope: %zu byte%s after the answer that ended the session "
			"(%s), where the server must close the connection\n", n, n == 1 ? "" : "s",
			words);
		return;
	}
	outcome_words(o, e->version, true, e->phase, e->off, words, sizeof(words));
	fprintf(stderr, "sockscope: %s\n", words);
}

static void
show_hints(struct decode_out *out, const struct decode_end *e)
{
	char ev[4 * HINT_PREFIX + 1];

	for (size_t i = 0; i < e->nhints; i++) {
		const struct hint *h = e->hints[i];
		evidence_text(h, ev, sizeof(ev));
		if (out->doc != NULL)
			json_add(out, out->hints,
				 json_pack("{s:s, s:s, s:s}", "side", h->from_server ? "server" :
					   "client", "text", h->text, "evidence", ev));
		else
			printf(h->evidence_len > 0 ? "hint: %s: \"%s\"\n" : "hint: %s%s\n", h->text, ev);
		if (e->outcome->result == FLOW_RES_VIOLATION || e->outcome->result == FLOW_RES_CLOSED)
			fprintf(stderr, h->evidence_len > 0 ? "sockscope: %s: \"%s\"\n" : "sockscope: %s%s\n",
				h->text, ev);
	}
}

/* With --json the tunnel's bytes are counted, not shown: said on stderr. */
static void
json_tunnel(struct decode_out *out, const struct decode_end *e)
{
	if (e->tunnel[0] + e->tunnel[1] == 0)
		return;
	if (json_object_set_new(out->doc, "tunnel",
				json_pack("{s:I, s:I}", "client", (json_int_t)e->tunnel[0],
					  "server", (json_int_t)e->tunnel[1])) != 0)
		out->out_of_memory = true;
	size_t n = e->tunnel[0] + e->tunnel[1];
	fprintf(stderr, "sockscope: %zu byte%s of tunnel data after the handshake, not decoded\n",
		n, n == 1 ? "" : "s");
}

void
show_end(struct decode_out *out, const struct decode_end *e)
{
	char words[256];

	outcome_words(e->outcome, e->version, e->decided, e->phase, e->off, words,
		      sizeof(words));
	if (out->doc == NULL && e->decided)
		printf("outcome: %s\n", words);
	say_violation(e);
	show_hints(out, e);
	if (out->doc == NULL)
		return;
	json_tunnel(out, e);
	if (json_object_set_new(out->doc, "outcome", outcome_json(e, words)) != 0)
		out->out_of_memory = true;
}
