/*
 * The -j summary: proxy and hops, the target, every phase with its time,
 * every message with its fields (a BIND reply titled by its role), the
 * notes, the hints, the outcome, the exit status and the bytes relayed.
 * Built with jansson from the trace's events.
 */
#include "oneshot_json.h"

#include <jansson.h>
#include <signal.h>
#include <string.h>

#include "json_out.h"

static const char *const outcomes[] = {
	[EXIT_OK] = "ok",
	[EXIT_REFUSED] = "refused",
	[EXIT_USAGE] = "usage",
	[EXIT_UNREACHABLE] = "unreachable",
	[EXIT_PROTOCOL] = "protocol-violation",
	[EXIT_TIMEOUT] = "timeout",
	[EXIT_AUTH] = "auth-failed",
	[EXIT_TUNNEL] = "tunnel-error",
};

/* "host:port"; a name as its bytes, a 0x00 among them too (a server's). */
static json_t *
host_json(const struct host *h)
{
	char buf[HOST_MAX + 16];
	size_t len;

	if (h->kind != HOST_NAME) {
		host_format(h, buf, sizeof(buf));
		return json_printable(buf, strlen(buf));
	}
	memcpy(buf, h->name, h->namelen);
	len = h->namelen + (size_t)snprintf(buf + h->namelen, sizeof(buf) - h->namelen, ":%u",
					    h->port);
	return json_printable(buf, len);
}

static json_t *
hops_json(const struct session *s)
{
	json_t *hops = json_array();

	for (int i = 0; i < s->nhops; i++) {
		const struct proxy *p = &s->hops[i];
		json_t *h = json_object();

		json_object_set_new(h, "hop", json_integer(i + 1));
		json_object_set_new(h, "scheme", json_string(socks_version_scheme(p->version)));
		json_object_set_new(h, "address", host_json(&p->host));
		if (p->cred.has_user)
			json_object_set_new(h, "user",
					    json_printable(p->cred.user, p->cred.userlen));
		json_array_append_new(hops, h);
	}
	return hops;
}

/* Each datagram kept, as a message of its own: "hop" the last, "direction"
 * who sent it (the relay's are the server's). */
static void
datagrams_json(json_t *messages, const struct session *s, const struct udp_result *udp,
	       bool show_secrets)
{
	for (size_t i = 0; i < udp->nkept; i++) {
		struct msg m;
		json_t *o;

		proto_decode(MSG_S5_UDP, udp->kept[i].bytes, udp->kept[i].len, NULL, &m);
		o = msg_to_json(&m, show_secrets ? MSG_JSON_SHOW_SECRETS : 0);
		if (o == NULL)
			continue;
		json_object_set_new(o, "direction",
				    json_string(udp->kept[i].received ? "server" : "client"));
		json_object_set_new(o, "hop", json_integer(s->nhops));
		json_array_append_new(messages, o);
	}
}

/* What the flow said answered: the hint, and its evidence (escaped when
 * not printable: it is the peer's bytes). */
static json_t *
hints_json(const struct session *s)
{
	json_t *hints = json_array();

	for (int i = 0; i < s->nhints; i++) {
		const struct session_hint *h = &s->hints[i];
		json_t *o = json_pack("{s:i,s:s,s:o}", "hop", h->hop, "side",
				      h->from_server ? "server" : "client", "text",
				      json_printable(h->text, strlen(h->text)));

		if (o != NULL && h->evidence_len > 0)
			json_object_set_new(o, "evidence",
					    json_printable((const char *)h->evidence, h->evidence_len));
		if (o != NULL)
			json_array_append_new(hints, o);
	}
	return hints;
}

static const char *
signal_name(int sig)
{
	switch (sig) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	case SIGQUIT: return "SIGQUIT";
	default: return "?";
	}
}

void
oneshot_json_bind_listen(FILE *fp, const struct session *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "event", json_string("bind_listen"));
	json_object_set_new(o, "bind_listen", host_json(&s->bound));
	json_dumpf(o, fp, SOCKSCOPE_JSON_FLAGS | JSON_COMPACT);
	fputc('\n', fp);
	fflush(fp);
	json_decref(o);
}

int
oneshot_json_print(FILE *fp, const struct session *s, const struct trace *t, int status,
		   unsigned known, uint64_t up, uint64_t down, const struct udp_result *udp,
		   bool show_secrets, int signo)
{
	json_t *root = json_object(), *phases = json_array(), *messages = json_array(),
	       *notes = json_array(), *bytes = json_object();

	if (known & ONESHOT_JSON_HOPS)
		json_object_set_new(root, "hops", hops_json(s));
	json_object_set_new(root, "command", json_string(socks_command_name(s->command)));
	if (known & ONESHOT_JSON_TARGET)
		json_object_set_new(root, "target", host_json(&s->target));
	if (s->bound.namelen > 0 &&
	    (s->command == COMMAND_RESOLVE || s->command == COMMAND_RESOLVE_PTR))
		json_object_set_new(root, "answer", json_printable(s->bound.name, s->bound.namelen));
	else if (s->bound.namelen > 0)
		json_object_set_new(root, s->command == COMMAND_UDP ? "relay"
				    : s->command == COMMAND_BIND ? "bind_listen"
								  : "bound",
				    host_json(&s->bound));
	if (s->peer.namelen > 0)
		json_object_set_new(root, "bind_peer", host_json(&s->peer));
	for (size_t i = 0; i < t->nevents; i++) {
		const struct trace_event *e = &t->events[i];
		json_t *o;
		struct msg m;
		struct proto_ctx ctx = { e->offered, e->noffered };

		switch (e->kind) {
		case EV_PHASE:
			o = json_object();
			json_object_set_new(o, "hop", json_integer(e->hop));
			json_object_set_new(o, "phase", json_string(e->phase));
			json_object_set_new(o, "ms", json_real((double)e->us / 1000.0));
			json_object_set_new(o, "ok", json_boolean(e->ok));
			json_array_append_new(phases, o);
			break;
		case EV_MESSAGE:
			if (e->bytes == NULL)
				break;
			proto_decode(e->type, e->bytes, e->len, e->noffered > 0 ? &ctx : NULL, &m);
			o = msg_to_json_view(&m, &(struct view_opts){ .show_secrets = show_secrets,
								      .role = e->role });
			if (o == NULL)
				break;
			json_object_set_new(o, "hop", json_integer(e->hop));
			json_array_append_new(messages, o);
			break;
		case EV_NOTE:
			if (e->text != NULL)
				json_array_append_new(notes, json_pack("{s:i,s:o}", "hop", e->hop, "text",
								       json_printable(e->text, strlen(e->text))));
			break;
		}
	}
	if (udp != NULL)
		datagrams_json(messages, s, udp, show_secrets);
	json_object_set_new(root, "phases", phases);
	json_object_set_new(root, "messages", messages);
	json_object_set_new(root, "notes", notes);
	json_object_set_new(root, "hints", hints_json(s));
	json_object_set_new(root, "outcome",
			    json_string(signo != 0 ? "interrupted"
					: status >= 0 && status <= EXIT_TUNNEL ? outcomes[status]
									  : "?"));
	json_object_set_new(root, "exit", json_integer(status));
	if (signo != 0)
		json_object_set_new(root, "signal", json_string(signal_name(signo)));
	if (s->error[0] != '\0' && status != EXIT_OK)
		json_object_set_new(root, "error", json_printable(s->error, strlen(s->error)));
	json_object_set_new(bytes, "sent", json_integer((json_int_t)up));
	json_object_set_new(bytes, "received", json_integer((json_int_t)down));
	json_object_set_new(root, "bytes", bytes);
	if (udp != NULL)
		json_object_set_new(root, "datagrams",
				    json_pack("{s:I,s:I,s:I,s:I}", "sent", (json_int_t)udp->sent,
					      "received", (json_int_t)udp->received, "dropped",
					      (json_int_t)udp->dropped, "not_shown",
					      (json_int_t)udp->kept_omitted));
	int rc = json_dumpf(root, fp, SOCKSCOPE_JSON_FLAGS | JSON_COMPACT | JSON_REAL_PRECISION(9));
	if (fputc('\n', fp) == EOF || fflush(fp) != 0)
		rc = -1;
	json_decref(root);
	return rc < 0 ? -1 : 0;
}
