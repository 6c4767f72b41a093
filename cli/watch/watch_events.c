/*
 * What the flow reports about a session, taken in: the summary's version,
 * command and target from the request, the phase clock for -w, the UDP
 * ASSOCIATE reply to rewrite; then shown (watch_show.c).
 */
#include <stdio.h>
#include <string.h>

#include "fieldtext.h"
#include "net.h"
#include "watch_int.h"

static const char *
command_name(int version, uint32_t cmd)
{
	switch (cmd) {
	case 1:
		return "CONNECT";
	case 2:
		return "BIND";
	case 3:
		return version == 5 ? "UDP ASSOCIATE" : "0x03";
	case 0xf0:
		return "RESOLVE";
	case 0xf1:
		return "RESOLVE_PTR";
	default:
		return NULL;
	}
}

/* "host:port" of a request, as the views show its address (escaped). */
static void
request_target(const struct msg *m, char *out, size_t cap)
{
	bool s4 = m->desc->type == MSG_S4_REQUEST;
	const struct field *addr = msg_field(m, s4 ? "DSTIP" : "DST.ADDR");
	const struct field *host = s4 ? msg_field(m, "HOSTNAME") : NULL;
	const struct field *port = msg_field(m, s4 ? "DSTPORT" : "DST.PORT");
	char a[HOST_MAX * 4 + 8];

	if (host != NULL && host->len > 0)
		addr = host;
	if (addr == NULL || port == NULL) {
		out[0] = '\0';
		return;
	}
	field_value_text(m, addr, NULL, a, sizeof(a));
	if (a[0] == '"' && strlen(a) >= 2) /* a name, quoted by the view: the table's column is bare */
		snprintf(out, cap, "%.*s:%u", (int)strlen(a) - 2, a + 1, (unsigned)port->num);
	else
		snprintf(out, cap, "%s:%u", a, (unsigned)port->num);
}

/*
 * Whether a UDP ASSOCIATE request names the address the application will
 * send from (not 0.0.0.0 or :: port 0): the upstream may then accept
 * datagrams from there only (danted does), and watch's own socket would be
 * a stranger to it.
 */
static bool
udp_declared(const struct msg *m)
{
	const struct field *addr = msg_field(m, "DST.ADDR"), *port = msg_field(m, "DST.PORT");

	if (addr == NULL || port == NULL || port->num != 0)
		return true;
	for (size_t i = 0; i < addr->len; i++)
		if (addr->bytes[i] != 0)
			return true;
	return false;
}

static void
note_request(struct watch_session *s, const struct msg *m)
{
	const struct field *cmd = msg_field(m, m->desc->type == MSG_S4_REQUEST ? "CD" : "CMD");
	int version = m->desc->type == MSG_S4_REQUEST ? 4 : 5;
	const char *name;

	s->sum->version = version;
	if (cmd != NULL) {
		name = command_name(version, cmd->num);
		if (name != NULL)
			snprintf(s->sum->command, sizeof(s->sum->command), "%s", name);
		else
			snprintf(s->sum->command, sizeof(s->sum->command), "0x%02x",
				 (unsigned)cmd->num);
		s->udp_asked = version == 5 && cmd->num == 3 && !udp_declared(m);
		if (version == 5 && cmd->num == 3 && !s->udp_asked)
			show_note(s, "udp: the application names the address it will send from: "
				     "a relay of watch's own would be refused by the upstream, so the "
				     "reply passes unchanged and the datagrams go past unseen");
	}
	request_target(m, s->sum->target, sizeof(s->sum->target));
}

void
watch_on_event(void *ctx, const struct flow_event *ev)
{
	struct watch_session *s = ctx;

	switch (ev->kind) {
	case FLOW_EV_MESSAGE:
		if (ev->msg->desc->type == MSG_S4_REQUEST || ev->msg->desc->type == MSG_S5_REQUEST)
			note_request(s, ev->msg);
		if (ev->msg->desc->type == MSG_S5_GREETING && s->sum->version == 0)
			s->sum->version = 5;
		show_event(s, ev);
		if (ev->side == FLOW_SERVER && ev->msg->desc->type == MSG_S5_REPLY && s->udp_asked)
			(void)watch_udp_rewrite(s, ev);
		return;
	case FLOW_EV_PHASE:
		s->phase_ms = now_ms();
		s->read_ms[0] = s->read_ms[1] = 0;
		break;
	case FLOW_EV_TUNNEL:
		*(ev->side == FLOW_CLIENT ? &s->sum->tunnel_up : &s->sum->tunnel_down) += ev->len;
		break;
	default:
		break;
	}
	show_event(s, ev);
}
