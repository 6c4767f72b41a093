/*
 * sockscope probe: what a server's step results add up to.  See
 * probe_verdict.h.
 */
#include "probe_verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe_flow.h"

static const char *const expect_tokens[] = {
	"reachable", "socks5", "socks4", "socks4a", "noauth", "gssapi",
	"userpass", "auth", "connect", "bind", "udp", NULL,
};

bool
probe_expect_known(const char *name)
{
	for (int i = 0; expect_tokens[i] != NULL; i++)
		if (strcmp(name, expect_tokens[i]) == 0)
			return true;
	return false;
}

bool
probe_ran(const struct step_res *r)
{
	return r->oc != OC_NOT_RUN && r->oc != OC_SKIPPED;
}

/* A valid SOCKS5 method selection (in any step, even one that then failed
   on our side); when --steps left out every method step, a valid answer in
   any SOCKS5 step. */
bool
probe_speaks5(const struct server *s)
{
	bool methods_ran = false;

	for (int i = 0; i < ST_COUNT; i++)
		if (s->r[i].s5_seen)
			return true;
	for (int i = ST_S5_NOAUTH; i <= ST_S5_ALL; i++) {
		if (s->r[i].oc == OC_OK || s->r[i].oc == OC_REFUSED)
			return true;
		methods_ran |= probe_ran(&s->r[i]);
	}
	if (!methods_ran)
		for (int i = ST_S5_AUTH; i <= ST_S5_UDP; i++)
			if (s->r[i].oc == OC_OK || s->r[i].oc == OC_REFUSED)
				return true;
	return false;
}

bool
probe_probed5(const struct server *s)
{
	for (int i = ST_S5_NOAUTH; i <= ST_S5_UDP; i++)
		if (probe_ran(&s->r[i]))
			return true;
	return false;
}

bool
probe_refused_before_request(const struct step_res *r)
{
	return r->oc == OC_REFUSED && (r->phase == 1 || r->phase == 2);
}

const char *
probe_connect_word(const struct server *s)
{
	const struct step_res *c = &s->r[ST_S5_CONNECT];

	switch (c->oc) {
	case OC_OK:
		return "ok";
	case OC_REFUSED:
		return probe_refused_before_request(c) ? "skipped" : "refused";
	case OC_NOT_RUN:
	case OC_SKIPPED:
		return "skipped";
	default:
		return "failed";
	}
}

const char *
probe_auth_word(const struct server *s)
{
	const struct step_res *a = &s->r[ST_S5_AUTH];

	if (!probe_has_cred(s))
		return "none";
	if (a->oc == OC_OK)
		return "ok";
	if (a->oc == OC_REFUSED)
		return "failed";
	if (probe_ran(a))
		return "error";
	/* s5-auth did not run: what a request step's RFC 1929 phase showed */
	for (int i = ST_S5_CONNECT; i <= ST_S5_UDP; i++) {
		if (s->r[i].authed)
			return "ok";
		if (s->r[i].oc == OC_REFUSED && s->r[i].phase == 2)
			return "failed";
	}
	return "skipped";
}

/* How the TCP connect went: the tcp step, or when --steps left it out, the
   first step that ran.  NULL when nothing has run (yet). */
const struct step_res *
probe_tcp_res(const struct server *s)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (probe_ran(&s->r[i]))
			return &s->r[i];
	return NULL;
}

/* The server took a TCP connection, or nothing has tried yet. */
bool
probe_reachable(const struct server *s)
{
	const struct step_res *t = probe_tcp_res(s);

	return t == NULL || t->connected;
}

/* A valid SOCKS4 reply (to SOCKS4 or SOCKS4a), granted or not. */
bool
probe_speaks4(const struct server *s)
{
	return s->r[ST_S4].oc == OC_OK || s->r[ST_S4].oc == OC_REFUSED ||
	       s->r[ST_S4A].oc == OC_OK || s->r[ST_S4A].oc == OC_REFUSED;
}

bool
probe_chose(const struct server *s, int st, int method)
{
	return s->r[st].oc == OC_OK && s->r[st].code == method;
}

bool
probe_has_cred(const struct server *s)
{
	return s->p.cred.has_user && s->p.cred.has_pass;
}

enum peer
probe_identified_peer(const struct server *s)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (s->r[i].oc == OC_NOT_SOCKS && s->r[i].peer != PEER_NONE)
			return s->r[i].peer;
	return PEER_NONE;
}

static bool
any_socksish(const struct server *s)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (s->r[i].oc == OC_MALFORMED && s->r[i].socksish)
			return true;
	return false;
}

bool
probe_any_socks_answer(const struct server *s)
{
	return probe_speaks5(s) || s->r[ST_S4].oc == OC_OK || s->r[ST_S4].oc == OC_REFUSED ||
	       s->r[ST_S4A].oc == OC_OK || s->r[ST_S4A].oc == OC_REFUSED;
}

/* Some SOCKS step (SOCKS5, SOCKS4 or SOCKS4a) ran: was neither left out by
   --steps nor skipped. */
static bool
any_socks_step_ran(const struct server *s)
{
	for (int i = ST_S5_NOAUTH; i <= ST_S4A; i++)
		if (probe_ran(&s->r[i]))
			return true;
	return false;
}

/* Each word means what the JSON key of its name says (probe_report.c):
   reachable is "tcp_ms" not null; noauth, gssapi and userpass are in
   "methods"; auth and connect are "ok"; bind and udp, which have no key, are
   their steps' status "ok". */
static bool
expect_holds(const struct server *s, const char *tok)
{
	if (strcmp(tok, "reachable") == 0)
		return probe_tcp_res(s) != NULL && probe_reachable(s);
	if (strcmp(tok, "socks5") == 0)
		return probe_speaks5(s);
	if (strcmp(tok, "socks4") == 0)
		return probe_speaks4(s);
	if (strcmp(tok, "socks4a") == 0)
		return s->r[ST_S4A].oc == OC_OK;
	if (strcmp(tok, "noauth") == 0)
		return probe_chose(s, ST_S5_NOAUTH, 0x00);
	if (strcmp(tok, "gssapi") == 0)
		return probe_chose(s, ST_S5_GSSAPI, 0x01);
	if (strcmp(tok, "userpass") == 0)
		return probe_chose(s, ST_S5_USERPASS, 0x02);
	if (strcmp(tok, "auth") == 0)
		return strcmp(probe_auth_word(s), "ok") == 0;
	if (strcmp(tok, "connect") == 0)
		return strcmp(probe_connect_word(s), "ok") == 0;
	if (strcmp(tok, "bind") == 0)
		return s->r[ST_S5_BIND].oc == OC_OK;
	if (strcmp(tok, "udp") == 0)
		return s->r[ST_S5_UDP].oc == OC_OK;
	return false;
}

__attribute__((format(printf, 2, 3))) static void
note(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->nnotes >= 8)
		return;
	va_start(ap, fmt);
	vsnprintf(v->notes[v->nnotes++], sizeof(v->notes[0]), fmt, ap);
	va_end(ap);
}

/* Each method step whose answer chose a method the greeting did not offer. */
static void
not_offered_notes(const struct server *s, struct verdict *v)
{
	for (int i = ST_S5_NOAUTH; i <= ST_S5_ALL; i++)
		if (s->r[i].unoffered)
			note(v, "chose method 0x%02x, which was not offered (%s)",
			     (unsigned)s->r[i].code, probe_step_names[i]);
}

/* --commands bind,udp: what became of a command that was asked for and not
   granted; the table has no column for them. */
static void
command_notes(const struct server *s, struct verdict *v)
{
	static const struct {
		int step;
		const char *name;
	} cmds[] = { { ST_S5_BIND, "BIND" }, { ST_S5_UDP, "UDP ASSOCIATE" } };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const struct step_res *r = &s->r[cmds[i].step];

		if (r->oc == OC_NOT_RUN || r->oc == OC_SKIPPED || r->oc == OC_OK)
			continue;
		if (r->oc == OC_REFUSED && r->phase == 3)
			note(v, "%s refused (0x%02x)", cmds[i].name, (unsigned)r->code);
		else
			note(v, "%s: %s", cmds[i].name, probe_outcome_names[r->oc]);
	}
}

/* The notes on a server that speaks SOCKS: what it refused, and why. */
static void
socks_notes(const struct server *s, struct verdict *v)
{
	bool s5 = probe_speaks5(s);
	const struct step_res *c = &s->r[ST_S5_CONNECT];

	if (s->r[ST_S4].oc == OC_OK && s->r[ST_S4A].oc != OC_OK)
		note(v, "SOCKS4 but not 4a");
	if (s->r[ST_S4].oc == OC_REFUSED)
		note(v, "SOCKS4 CONNECT%s refused (0x%02x)",
		     s->target_self ? " to the server's own address" : "",
		     (unsigned)s->r[ST_S4].code);
	not_offered_notes(s, v);
	if (s->r[ST_S5_AUTH].oc == OC_REFUSED || (c->oc == OC_REFUSED && c->phase == 2))
		note(v, "credentials rejected");
	if (s5 && !probe_chose(s, ST_S5_NOAUTH, 0) && probe_chose(s, ST_S5_USERPASS, 2) &&
	    !probe_has_cred(s))
		note(v, "requires username/password: give -U or USER:PASS@");
	/* a refusal in the method or RFC 1929 phase: no request was sent, so
	   its code is no REP */
	if (c->oc == OC_REFUSED && c->phase == 2)
		note(v, "CONNECT not attempted: authentication failed");
	else if (c->oc == OC_REFUSED && c->phase == 1)
		note(v, "CONNECT not attempted: no acceptable method");
	else if (c->oc == OC_REFUSED && s->target_self)
		/* the default target far from here: a refusal of it is common,
		   and no fault (dante: "the same address we listen to") */
		note(v, "CONNECT to the server's own address refused (0x%02x), as many do: "
			"give --target",
		     (unsigned)c->code);
	else if (c->oc == OC_REFUSED)
		note(v, "CONNECT refused (0x%02x)", (unsigned)c->code);
	else if (s5 && c->oc > OC_REFUSED && c->oc != OC_OTHER_VERSION && c->phase == 3 &&
		 c->code >= 0) /* what did arrive of a reply cut short or broken */
		note(v, "CONNECT: %s after REP 0x%02x %s", probe_outcome_names[c->oc],
		     (unsigned)c->code, c->meaning != NULL ? c->meaning : "(unassigned)");
	else if (s5 && c->oc > OC_REFUSED && c->oc != OC_OTHER_VERSION)
		note(v, "CONNECT: %s", probe_outcome_names[c->oc]);
	command_notes(s, v);
}

/* --expect: the words that did not hold, and whether the server is ok. */
static void
judge_expect(const struct run *R, const struct server *s, struct verdict *v)
{
	char buf[512], *save = NULL;

	strcpy(buf, R->cfg.expect);
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		bool neg = false;
		const char *name = t;

		if (name[0] == '!')
			neg = true, name++;
		else if (strncmp(name, "no-", 3) == 0)
			neg = true, name += 3;
		if (expect_holds(s, name) == neg) {
			size_t n = strlen(v->failed);

			snprintf(v->failed + n, sizeof(v->failed) - n, "%s%s", n ? "," : "", t);
		}
	}
	/* the expectation is the definition of success: a server that met
	   it is ok whatever its verdict (--expect '!reachable' on a closed
	   port), one that did not is not */
	v->ok = v->failed[0] == '\0' && strcmp(v->kind, "error") != 0;
	if (v->failed[0] != '\0')
		note(v, "expected %s", v->failed);
}

void
probe_judge(const struct run *R, const struct server *s, struct verdict *v)
{
	const struct step_res *tcp = probe_tcp_res(s);
	enum peer peer;
	int nanom = 0, nbad = 0;

	memset(v, 0, sizeof(*v));
	v->ok = true;
	if (s->error[0] != '\0') {
		v->kind = "error";
		snprintf(v->summary, sizeof(v->summary), "error: %s", s->error);
		v->ok = false;
		return;
	}
	if (s->local_error) {
		/* not the server's doing: no verdict on it, and no --expect */
		v->kind = "error";
		snprintf(v->summary, sizeof(v->summary), "error: %s", s->local_detail);
		v->ok = false;
		return;
	}
	if (tcp == NULL) {
		const char *why = "";

		for (int i = 0; i < ST_COUNT && why[0] == '\0'; i++)
			if (s->r[i].oc == OC_SKIPPED)
				why = s->r[i].detail;
		v->kind = "error";
		snprintf(v->summary, sizeof(v->summary), "error: no step ran: %s", why);
		v->ok = false;
	} else if (!tcp->connected) {
		v->kind = "unreachable";
		snprintf(v->summary, sizeof(v->summary), "unreachable: %s", tcp->detail);
		v->ok = false;
	} else if ((peer = probe_identified_peer(s)) != PEER_NONE) {
		v->kind = "not-socks";
		v->peer = probe_peer_names[peer];
		snprintf(v->summary, sizeof(v->summary), "not SOCKS: %s", probe_peer_words[peer]);
		v->ok = false;
	} else if (!any_socks_step_ran(s)) {
		/* --steps ran no SOCKS step (or every one was skipped): reached,
		   but nothing said whether it speaks SOCKS */
		v->kind = "reachable";
		snprintf(v->summary, sizeof(v->summary), "reachable: not probed for SOCKS");
	} else if (!probe_any_socks_answer(s) && any_socksish(s)) {
		v->kind = "broken";
		snprintf(v->summary, sizeof(v->summary), "broken SOCKS: only malformed replies");
		not_offered_notes(s, v);
		v->ok = false;
	} else if (!probe_any_socks_answer(s)) {
		v->kind = "not-socks";
		if (s->r[ST_SNIFF].oc == OC_TIMEOUT) {
			v->peer = "silent";
			snprintf(v->summary, sizeof(v->summary), "not SOCKS: silent");
		} else if (s->r[ST_SNIFF].oc == OC_CLOSED ||
			   (s->r[ST_SNIFF].oc == OC_RESET && s->r[ST_SNIFF].peer == PEER_NONE)) {
			/* closed or reset without a byte: which of the two a step sees
			   is a race (a request that reaches a socket the server is
			   closing draws a reset), so both are "closes" */
			v->peer = "closes";
			snprintf(v->summary, sizeof(v->summary),
				 "not SOCKS: closes without answering");
		} else {
			v->peer = "other";
			snprintf(v->summary, sizeof(v->summary), "not SOCKS");
		}
		v->ok = false;
	} else {
		bool s5 = probe_speaks5(s), s4 = probe_speaks4(s);

		v->kind = "socks";
		snprintf(v->summary, sizeof(v->summary), "%s",
			 s5 && s4 ? "SOCKS4 and SOCKS5" : s5 ? "SOCKS5" : "SOCKS4");
		socks_notes(s, v);
	}
	for (int i = 0; i < ST_COUNT; i++) {
		nanom += s->r[i].nanom;
		if (s->r[i].oc == OC_MALFORMED && s->r[i].socksish)
			nbad++;
	}
	if (nbad > 0)
		note(v, "%d malformed repl%s", nbad, nbad == 1 ? "y" : "ies");
	if (nanom > 0)
		note(v, "%d anomal%s (see the steps)", nanom, nanom == 1 ? "y" : "ies");
	if (R->cfg.expect_given && s->error[0] == '\0')
		judge_expect(R, s, v);
}
