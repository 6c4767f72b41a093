/*
 * The client engine.  session_plan() encodes every message of every hop
 * before anything is sent, so bad input is refused with nothing on the wire;
 * session_run() then connects and walks the chain, one bounded phase at a
 * time, each hop as its flow says (hopflow.h): what is sent next, what a
 * reply means and what a close means are the flow's.
 */
#include "handshake.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hopflow.h"
#include "net.h"
#include "session_io.h"
#include "term.h"


/* Where hop i is asked to connect: the next hop, or the target. */
static struct host *
next_of(struct session *s, int i)
{
	return i + 1 < s->nhops ? &s->hops[i + 1].host : &s->target;
}

static int
encode_or_fail(struct session *s, int hop, struct draft *d, uint8_t *out, size_t cap,
	       size_t *len)
{
	struct proto_error err;

	if (proto_encode(d, out, cap, len, NULL, &err) == PROTO_OK)
		return EXIT_OK;
	return session_fail(s, EXIT_USAGE, hop, "cannot encode the %s: %s: %s", d->desc->title,
		    err.field != NULL ? err.field : "?", err.why);
}

static int
plan_address(struct session *s, int i, struct host *next, bool remote_names)
{
	char why[300], addr[64];
	const struct proxy *p = &s->hops[i];
	int family = version_facts(p->version)->has_ipv6 ? s->family : AF_INET;

	if (next->kind != HOST_NAME) {
		if (next->kind == HOST_IPV6 && !version_is_socks5(p->version))
			return session_fail(s, EXIT_USAGE, i + 1,
				    "%s cannot carry an IPv6 address (%s); use socks5:// or socks5h://",
				    version_facts(p->version)->title, next->name);
		return EXIT_OK;
	}
	if (remote_names) {
		trace_note(s->trace, i + 1, "name %s is sent to the proxy to resolve (%s://)",
			   next->name, socks_version_scheme(p->version));
		return EXIT_OK;
	}
	if (!version_facts(p->version)->has_ipv6 && s->family == AF_INET6)
		return session_fail(s, EXIT_USAGE, i + 1,
			    "-6: SOCKS4 carries only IPv4 addresses, so %s cannot be resolved to IPv6 for it; use socks5:// (resolved here), socks4a:// or socks5h:// (the proxy resolves), or drop -6",
			    next->name);
	if (net_resolve(next, family, why, sizeof(why)) < 0)
		return session_fail(s, EXIT_UNREACHABLE, i + 1, "%s (%s:// resolves names here; %s:// sends them to the proxy)",
			    why, socks_version_scheme(p->version),
			    socks_version_scheme(version_facts(p->version)->twin));
	net_addr_string(next, addr, sizeof(addr));
	trace_note(s->trace, i + 1, "resolved %s locally to %s (%s://)", next->name, addr,
		   socks_version_scheme(p->version));
	return EXIT_OK;
}

static const struct {
	const char *name;
	uint8_t socks4, socks5; /* 0: the version has no such command */
} commands[] = {
	[COMMAND_CONNECT] = { "CONNECT", 0x01, 0x01 },
	[COMMAND_BIND] = { "BIND", 0x02, 0x02 },
	[COMMAND_UDP] = { "UDP ASSOCIATE", 0x00, 0x03 },
	[COMMAND_RESOLVE] = { "RESOLVE", 0xf0, 0xf0 },
	[COMMAND_RESOLVE_PTR] = { "RESOLVE_PTR", 0x00, 0xf1 },
};

const char *
socks_command_name(enum socks_command c)
{
	return commands[c].name;
}

static enum socks_command
command_of(const struct session *s, int i)
{
	return i + 1 == s->nhops ? s->command : COMMAND_CONNECT;
}

/* What the command needs of the target, before anything is sent. */
static int
check_command(struct session *s, int i)
{
	const struct proxy *p = &s->hops[i];
	enum socks_command c = command_of(s, i);
	const struct host *t = next_of(s, i);

	if (version_is_socks5(p->version) ? commands[c].socks5 == 0 : commands[c].socks4 == 0)
		return session_fail(s, EXIT_USAGE, i + 1, "%s needs SOCKS5 (socks5:// or socks5h://)",
			    commands[c].name);
	if (c == COMMAND_RESOLVE && !version_facts(p->version)->has_name)
		return session_fail(s, EXIT_USAGE, i + 1,
			    "RESOLVE sends a name: use socks4a://, socks5:// or socks5h://");
	if (c == COMMAND_RESOLVE && t->kind != HOST_NAME)
		return session_fail(s, EXIT_USAGE, i + 1, "RESOLVE takes a name, not the address %s",
			    t->name);
	if (c == COMMAND_RESOLVE_PTR && t->kind == HOST_NAME)
		return session_fail(s, EXIT_USAGE, i + 1, "RESOLVE_PTR takes an address, not the name %s",
			    t->name);
	return EXIT_OK;
}

static int
plan_socks4(struct session *s, int i, struct hop_plan *hp, struct draft *d)
{
	const struct proxy *p = &s->hops[i];
	struct host *next = next_of(s, i);
	enum socks_command c = command_of(s, i);
	int rc;

	if ((rc = check_command(s, i)) != EXIT_OK ||
	    (rc = plan_address(s, i, next, version_proxy_resolves(p->version) || c == COMMAND_RESOLVE)) !=
		    EXIT_OK)
		return rc;
	if (next->kind == HOST_IPV4 && next->addr[0] == 0 && next->addr[1] == 0 &&
	    next->addr[2] == 0 && next->addr[3] != 0) {
		char addr[64], from[HOST_MAX + 32];

		net_addr_string(next, addr, sizeof(addr));
		if (strcmp(addr, next->name) != 0)
			snprintf(from, sizeof(from), " (%s resolved here)", next->name);
		else
			from[0] = '\0';
		return session_fail(s, EXIT_USAGE, i + 1,
			    "DSTIP %s%s cannot go in a %s request: 0.0.0.x with x != 0 is SOCKS4a's marker that a HOSTNAME follows, and none would",
			    addr, from, version_facts(p->version)->title);
	}
	draft_init(d, MSG_S4_REQUEST);
	draft_set_num(d, "CD", commands[c].socks4);
	draft_set_num(d, "DSTPORT", next->port);
	if (next->kind == HOST_IPV4)
		draft_set_ipv4(d, "DSTIP", next->addr);
	else if ((rc = draft_set_name(d, "HOSTNAME", next->name, next->namelen)) != PROTO_OK)
		return session_fail(s, EXIT_USAGE, i + 1, "HOSTNAME: %s", proto_strerror(rc));
	if (p->cred.has_user && (rc = draft_set_bytes(d, "USERID", (const uint8_t *)p->cred.user,
						      p->cred.userlen)) != PROTO_OK)
		return session_fail(s, EXIT_USAGE, i + 1, "USERID: %s", proto_strerror(rc));
	if (p->cred.has_pass)
		trace_note(s->trace, i + 1, "SOCKS4 has no password: only the user id is sent");
	return encode_or_fail(s, i + 1, d, hp->request, sizeof(hp->request), &hp->request_len);
}

static int
plan_socks5(struct session *s, int i, struct hop_plan *hp, struct draft *d)
{
	const struct proxy *p = &s->hops[i];
	struct host *next = next_of(s, i);
	uint8_t methods[2] = { 0x00, 0x02 };
	int rc;

	draft_init(d, MSG_S5_GREETING);
	draft_set_bytes(d, "METHODS", methods, p->cred.has_user ? 2 : 1);
	if ((rc = encode_or_fail(s, i + 1, d, hp->greeting, sizeof(hp->greeting),
				 &hp->greeting_len)) != EXIT_OK)
		return rc;
	if (p->cred.has_user) {
		char user[CRED_MAX * 4 + 1];

		term_escape(user, sizeof(user), p->cred.user, strlen(p->cred.user));
		if (!p->cred.has_pass)
			return session_fail(s, EXIT_USAGE, i + 1,
				    "no password for user '%s': give -U USER:PASS, set SOCKSCOPE_PASSWORD, or run on a terminal to be asked",
				    user);
		draft_init(d, MSG_S5_AUTH_REQUEST);
		draft_set_bytes(d, "UNAME", (const uint8_t *)p->cred.user, p->cred.userlen);
		draft_set_bytes(d, "PASSWD", (const uint8_t *)p->cred.pass, p->cred.passlen);
		rc = encode_or_fail(s, i + 1, d, hp->auth, sizeof(hp->auth), &hp->auth_len);
		explicit_bzero(d, sizeof(*d));
		if (rc != EXIT_OK)
			return rc;
	}
	if ((rc = check_command(s, i)) != EXIT_OK ||
	    (rc = plan_address(s, i, next,
			       version_proxy_resolves(p->version) || command_of(s, i) == COMMAND_RESOLVE)) !=
		    EXIT_OK)
		return rc;
	draft_init(d, MSG_S5_REQUEST);
	draft_set_num(d, "CMD", commands[command_of(s, i)].socks5);
	draft_set_num(d, "DST.PORT", next->port);
	if (next->kind == HOST_IPV4)
		draft_set_ipv4(d, "DST.ADDR", next->addr);
	else if (next->kind == HOST_IPV6)
		draft_set_ipv6(d, "DST.ADDR", next->addr);
	else if ((rc = draft_set_name(d, "DST.ADDR", next->name, next->namelen)) != PROTO_OK)
		return session_fail(s, EXIT_USAGE, i + 1, "DST.ADDR: %s", proto_strerror(rc));
	if (command_of(s, i) == COMMAND_UDP) {
		/* DST says where datagrams will come from; zeros: not known yet.
		 * The target goes in each datagram's header, encoded as here:
		 * refuse it now if it does not fit, before a byte is sent. */
		static const uint8_t any[4];

		if ((rc = encode_or_fail(s, i + 1, d, hp->request, sizeof(hp->request),
					 &hp->request_len)) != EXIT_OK)
			return rc;
		draft_set_ipv4(d, "DST.ADDR", any);
		draft_set_num(d, "DST.PORT", 0);
	}
	return encode_or_fail(s, i + 1, d, hp->request, sizeof(hp->request), &hp->request_len);
}

int
session_plan(struct session *s)
{
	static struct draft d; /* 12 KiB: too big for comfort on the stack */
	int rc = EXIT_OK;

	for (int i = 0; i < s->nhops && rc == EXIT_OK; i++) {
		if (version_is_socks5(s->hops[i].version))
			rc = plan_socks5(s, i, &s->plans[i], &d);
		else
			rc = plan_socks4(s, i, &s->plans[i], &d);
	}
	explicit_bzero(&d, sizeof(d));
	/* No run follows a failed plan: its RFC 1929 requests go now. */
	if (rc != EXIT_OK)
		explicit_bzero(s->plans, (size_t)s->nhops * sizeof(s->plans[0]));
	return rc;
}



/* Copies an address and port out of a reply (its bytes are about to go). */
static void
store_address(struct host *h, const struct msg *m, const char *addr, const char *port)
{
	const struct field *a = msg_field(m, addr), *p = msg_field(m, port);

	memset(h, 0, sizeof(*h));
	h->port = (uint16_t)p->num;
	if (a->desc->kind == FK_IPV4 || (a->num == 1 && a->len == 4)) {
		h->kind = HOST_IPV4;
		memcpy(h->addr, a->bytes, 4);
	} else if (a->num == 4 && a->len == 16) {
		h->kind = HOST_IPV6;
		memcpy(h->addr, a->bytes, 16);
	} else {
		h->kind = HOST_NAME;
		h->namelen = a->len < HOST_MAX ? a->len : HOST_MAX;
		memcpy(h->name, a->bytes, h->namelen);
		h->name[h->namelen] = '\0';
		return;
	}
	net_addr_string(h, h->name, sizeof(h->name));
	h->namelen = strlen(h->name);
}

/* The message the plan has for what the client owes; NULL when none. */
static const uint8_t *
planned(struct hop_plan *hp, enum msg_type type, size_t *len)
{
	switch (type) {
	case MSG_S5_GREETING:
		*len = hp->greeting_len;
		return hp->greeting;
	case MSG_S5_AUTH_REQUEST:
		*len = hp->auth_len;
		return hp->auth;
	case MSG_S4_REQUEST:
	case MSG_S5_REQUEST:
		*len = hp->request_len;
		return hp->request;
	default:
		return NULL;
	}
}

/* Sends what hop i's flow says the client owes, if anything. */
static int
send_owed(struct session *s, int i, int64_t deadline)
{
	struct hop_plan *hp = &s->plans[i];
	struct flow_expect x = flow_expect(&s->flows[i].flow, FLOW_CLIENT);
	const uint8_t *p;
	size_t len = 0;
	int rc;

	if (x.kind != FLOW_X_MESSAGE)
		return EXIT_OK;
	if ((p = planned(hp, x.type, &len)) == NULL)
		return session_fail(s, EXIT_PROTOCOL, i + 1, "the server asks for a %s, which sockscope cannot send",
				    proto_msg_desc(x.type)->title);
	rc = hop_send(s, i, p, len, deadline);
	/* Sent (or not): the password has no more use here. */
	if (x.type == MSG_S5_AUTH_REQUEST)
		explicit_bzero(hp->auth, sizeof(hp->auth));
	return rc;
}

/* The last hop's (first) reply, granted: where it bound, or the answer. */
static int
take_reply(struct session *s, int i)
{
	const struct hop_flow *h = &s->flows[i];
	struct msg m;

	if (i + 1 != s->nhops || h->nlast == 0)
		return EXIT_OK;
	proto_decode(h->server_type, h->last, h->nlast, NULL, &m);
	if (m.status != PROTO_OK)
		return EXIT_OK;
	if (h->server_type == MSG_S4_REPLY) {
		store_address(&s->bound, &m, "DSTIP", "DSTPORT");
		return EXIT_OK;
	}
	store_address(&s->bound, &m, "BND.ADDR", "BND.PORT");
	return EXIT_OK;
}

/*
 * Walks hop i as its flow says: send what the client owes, read what the
 * server owes, until the flow decides (or waits for BIND's second reply).
 * Each phase is bounded by its own deadline and traced when it ends.
 */
static int
run_hop(struct session *s, int i)
{
	struct hop_flow *h = &s->flows[i];
	const struct hop_plan *hp = &s->plans[i];
	bool five = version_is_socks5(s->hops[i].version);
	int64_t t0 = now_ms(), t0_us = now_us();

	hop_start(s, i, five ? 5 : 4, five ? hp->greeting + 2 : NULL,
		  five ? hp->greeting_len - 2 : 0);
	for (;;) {
		const char *word = hop_phase_word(h);
		bool decided;
		int rc;

		if (flow_expect(&h->flow, FLOW_CLIENT).kind != FLOW_X_MESSAGE &&
		    flow_expect(&h->flow, FLOW_SERVER).kind != FLOW_X_MESSAGE)
			return session_fail(s, EXIT_PROTOCOL, i + 1, "%s phase: nothing more is owed, and nothing was decided",
					    word != NULL ? word : "?");
		if ((rc = send_owed(s, i, t0 + s->timeout_ms)) == EXIT_OK &&
		    (rc = hop_read(s, i, t0 + s->timeout_ms)) == EXIT_OK)
			rc = hop_verdict(s, i);
		decided = flow_outcome(&h->flow)->result != FLOW_RES_NONE ||
			  flow_phase(&h->flow) == FLOW_PH_BIND;
		if (rc == EXIT_OK && decided)
			rc = take_reply(s, i);
		if (rc != EXIT_OK || decided || hop_phase_word(h) != word) {
			trace_phase(s->trace, i + 1, word, now_us() - t0_us, rc == EXIT_OK);
			t0 = now_ms();
			t0_us = now_us();
		}
		if (rc != EXIT_OK || decided)
			return rc;
	}
}

/* The numeric address (and port) fd is connected to; h unchanged if unknown. */
static void
peer_address(int fd, struct host *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		h->kind = HOST_IPV4;
		memcpy(h->addr, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		h->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		h->kind = HOST_IPV6;
		memcpy(h->addr, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		h->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else {
		return;
	}
	net_addr_string(h, h->name, sizeof(h->name));
	h->namelen = strlen(h->name);
}

int
session_run(struct session *s)
{
	char why[400];
	int64_t t0 = now_ms(), t0_us = now_us();
	int timed_out, rc = EXIT_OK;

	s->conn.have = 0;
	s->conn.fd = net_connect(&s->hops[0].host, s->family, t0 + s->timeout_ms, &timed_out, why,
				 sizeof(why));
	if (s->conn.fd < 0)
		return session_fail(s, timed_out ? EXIT_TIMEOUT : EXIT_UNREACHABLE, 0, "%s", why);
	if (trace_keeps_notes(s->trace)) {
		char where[HOST_MAX + 16];
		struct host reached;

		/* Hop 1 is the one this socket reached, whatever the chain's length. */
		reached = s->hops[0].host;
		peer_address(s->conn.fd, &reached);
		host_format(&reached, where, sizeof(where));
		trace_note(s->trace, 1, "connected to the proxy at %s", where);
	}
	trace_phase(s->trace, 1, "connect", now_us() - t0_us, true);
	for (int i = 0; i < s->nhops && rc == EXIT_OK; i++)
		rc = run_hop(s, i);
	explicit_bzero(s->plans, (size_t)s->nhops * sizeof(s->plans[0]));
	/* The flows hold what was sent, RFC 1929 requests too.  BIND's are
	 * still needed for the second reply, UDP's for the control connection:
	 * the one-shot client wipes them when it is done. */
	if (rc != EXIT_OK || (s->command != COMMAND_BIND && s->command != COMMAND_UDP))
		hop_wipe_all(s);
	return rc;
}

int
session_bind_wait(struct session *s, int timeout_ms)
{
	int last = s->nhops - 1;
	const struct hop_flow *h = &s->flows[last];
	int64_t t0 = now_ms(), t0_us = now_us();
	int rc, saved = s->timeout_ms;
	struct msg m;

	/* The wait has its own bound: servers give the peer about two minutes. */
	s->timeout_ms = timeout_ms;
	rc = hop_read(s, last, t0 + timeout_ms);
	s->timeout_ms = saved;
	if (rc == EXIT_OK)
		rc = hop_verdict(s, last);
	if (rc == EXIT_OK && !hop_granted(s, last))
		rc = session_fail(s, EXIT_PROTOCOL, s->nhops, "bind-wait phase: no second BIND reply came");
	if (rc == EXIT_OK) {
		proto_decode(h->server_type, h->last, h->nlast, NULL, &m);
		if (h->server_type == MSG_S5_REPLY)
			store_address(&s->peer, &m, "BND.ADDR", "BND.PORT");
		else
			store_address(&s->peer, &m, "DSTIP", "DSTPORT");
	}
	trace_phase(s->trace, s->nhops, "bind-wait", now_us() - t0_us, rc == EXIT_OK);
	hop_wipe_all(s);
	return rc;
}

int
session_proxy_address(const struct session *s, struct host *out, char *why, size_t whylen)
{
	uint16_t port;

	*out = s->hops[s->nhops - 1].host;
	port = out->port;
	/* One hop: the address we really reached, even when given by name.
	 * More: the last hop was reached through the others, and its address
	 * is the one given (the socket's peer is hop 1); a name is resolved
	 * here, as -4 / -6 say, for a numeric address to send to. */
	if (s->nhops == 1) {
		peer_address(s->conn.fd, out);
		out->port = port;
	}
	if (out->kind == HOST_NAME && net_resolve(out, s->family, why, whylen) < 0) {
		*out = s->hops[s->nhops - 1].host;
		return -1;
	}
	net_addr_string(out, out->name, sizeof(out->name));
	out->namelen = strlen(out->name);
	out->port = port;
	return 0;
}
