/*
 * UDP ASSOCIATE: so that the datagrams can be seen, the relay address in
 * the upstream's reply is rewritten to a UDP socket of watch's own, on the
 * address the application reached watch at.  Datagrams from the
 * application go from there to the upstream's relay, and the relay's back
 * to the application, each unchanged, each header decoded and shown.
 *
 * The reply is held while it arrives (watch_dir_read asks
 * watch_udp_holds()), so no byte of it reaches the application before it
 * is rewritten; the flow sees it as the upstream sent it, and the view
 * shows both.  A relay named by a host name, or a reply already partly
 * passed on, is left as it is, with a note.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fieldtext.h"
#include "watch_int.h"

#define UDP_MAX 65535

struct watch_udp {
	int app_fd, up_fd;                 /* facing the application, the relay */
	struct sockaddr_storage relay;     /* the upstream's relay */
	socklen_t relaylen;
	struct sockaddr_storage app;       /* the application's UDP address, once it sent */
	socklen_t applen;
	bool app_known;
	uint8_t reply[32];                 /* the reply as rewritten */
	size_t nreply;
	uint64_t reply_off;                /* where the upstream's reply starts in its stream */
	size_t reply_len;                  /* its length as the upstream sent it */
	bool rewrite_due;                  /* rewrite it in the buffer, after the feed */
	uint64_t up, down;                 /* datagrams each way */
	uint64_t dropped;                  /* from strangers: said once, counted */
};

bool
watch_udp_holds(const struct watch_session *s)
{
	return s->udp_asked && flow_phase(&s->flow) == FLOW_PH_REPLY;
}

/* The relay's address from BND.ADDR and BND.PORT; 0.0.0.0 or :: means
 * the upstream's own (RFC 1928 leaves it to the client to know). */
static int
relay_address(struct watch_session *s, const struct msg *m, struct watch_udp *u)
{
	const struct field *addr = msg_field(m, "BND.ADDR"), *port = msg_field(m, "BND.PORT");
	enum addr_form form = addr != NULL ? field_addr_form(m, addr) : ADDR_UNKNOWN;
	static const uint8_t zero[16];

	if (port == NULL || (form != ADDR_IPV4 && form != ADDR_IPV6))
		return -1;
	memset(&u->relay, 0, sizeof(u->relay));
	if (memcmp(addr->bytes, zero, addr->len) == 0) {
		u->relaylen = sizeof(u->relay);
		if (s->w->o.nhops > 1 || getpeername(s->up, (struct sockaddr *)&u->relay, &u->relaylen) < 0)
			return -1;
	} else if (form == ADDR_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&u->relay;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr->bytes, 4);
		u->relaylen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&u->relay;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr->bytes, 16);
		u->relaylen = sizeof(*sin6);
	}
	if (u->relay.ss_family == AF_INET)
		((struct sockaddr_in *)&u->relay)->sin_port = htons((uint16_t)port->num);
	else
		((struct sockaddr_in6 *)&u->relay)->sin6_port = htons((uint16_t)port->num);
	return 0;
}

/* Our two sockets, and the reply that names the one the application uses. */
static int
open_sockets(struct watch_session *s, struct watch_udp *u)
{
	struct sockaddr_storage here;
	socklen_t len = sizeof(here);
	uint8_t *r = u->reply;

	if (getsockname(s->app, (struct sockaddr *)&here, &len) < 0)
		return -1;
	if (here.ss_family == AF_INET)
		((struct sockaddr_in *)&here)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&here)->sin6_port = 0;
	u->app_fd = socket(here.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	u->up_fd = socket(u->relay.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->app_fd < 0 || u->up_fd < 0 || bind(u->app_fd, (struct sockaddr *)&here, len) < 0)
		return -1;
	len = sizeof(here);
	if (getsockname(u->app_fd, (struct sockaddr *)&here, &len) < 0)
		return -1;
	r[0] = 5, r[1] = 0, r[2] = 0;
	if (here.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&here;

		r[3] = 1;
		memcpy(r + 4, &sin->sin_addr, 4);
		memcpy(r + 8, &sin->sin_port, 2);
		u->nreply = 10;
	} else if (IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)&here)->sin6_addr)) {
		/* an IPv4 application at a listener on [::]: it is told an IPv4
		   address, which it can send to, not the v4-mapped one */
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&here;

		r[3] = 1;
		memcpy(r + 4, &sin6->sin6_addr.s6_addr[12], 4);
		memcpy(r + 8, &sin6->sin6_port, 2);
		u->nreply = 10;
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&here;

		r[3] = 4;
		memcpy(r + 4, &sin6->sin6_addr, 16);
		memcpy(r + 20, &sin6->sin6_port, 2);
		u->nreply = 22;
	}
	return 0;
}

/* The upstream's reply to UDP ASSOCIATE, complete: set up the relay. */
bool
watch_udp_rewrite(struct watch_session *s, const struct flow_event *ev)
{
	struct watch_udp *u;

	if (!flow_reply_grants(ev->msg) || s->udp != NULL)
		return false;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return false;
	u->app_fd = u->up_fd = -1;
	s->udp = u;
	if (relay_address(s, ev->msg, u) < 0) {
		show_note(s, "udp: the relay is not an address watch can reach (a name, or 0.0.0.0 "
			     "through a chain): the reply passes unchanged, the datagrams unseen");
		watch_udp_free(s);
		return false;
	}
	if (open_sockets(s, u) < 0) {
		show_note(s, "udp: cannot open the relay's sockets: %s: the reply passes unchanged",
			  strerror(errno));
		watch_udp_free(s);
		return false;
	}
	u->reply_off = ev->off;
	u->reply_len = ev->msg->len;
	u->rewrite_due = true;
	return true;
}

/* After the feed: the reply in the buffer replaced by ours. */
void
watch_udp_apply(struct watch_session *s)
{
	struct watch_udp *u = s->udp;
	struct watch_dir *d = &s->dir[FLOW_SERVER];
	uint64_t base = d->in - d->end; /* the stream offset of buf[0] */
	size_t at;

	if (u == NULL || !u->rewrite_due)
		return;
	u->rewrite_due = false;
	if (u->reply_off < base + d->start || u->reply_off + u->reply_len > d->in) {
		show_note(s, "udp: part of the reply was passed on before it was known to be "
			     "UDP ASSOCIATE's: not rewritten, the datagrams unseen");
		watch_udp_free(s);
		return;
	}
	at = (size_t)(u->reply_off - base);
	memmove(d->buf + at + u->nreply, d->buf + at + u->reply_len, d->end - at - u->reply_len);
	memcpy(d->buf + at, u->reply, u->nreply);
	d->end = d->end - u->reply_len + u->nreply;
	show_reply_rewritten(s, u->reply, u->nreply);
}

void
watch_udp_free(struct watch_session *s)
{
	struct watch_udp *u = s->udp;

	if (u == NULL)
		return;
	if (u->up + u->down + u->dropped > 0)
		show_note(s, "udp: %llu datagrams from the application, %llu from the relay, "
			     "%llu dropped",
			  (unsigned long long)u->up, (unsigned long long)u->down,
			  (unsigned long long)u->dropped);
	if (u->app_fd >= 0)
		close(u->app_fd);
	if (u->up_fd >= 0)
		close(u->up_fd);
	free(u);
	s->udp = NULL;
}

int
watch_udp_fds(const struct watch_session *s, int fds[2])
{
	const struct watch_udp *u = s->udp;

	if (u == NULL || u->rewrite_due || u->app_fd < 0)
		return 0;
	fds[0] = u->app_fd;
	fds[1] = u->up_fd;
	return 2;
}

static bool
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (!same_host(a, b))
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_port ==
		       ((const struct sockaddr_in *)b)->sin_port;
	return ((const struct sockaddr_in6 *)a)->sin6_port ==
	       ((const struct sockaddr_in6 *)b)->sin6_port;
}

/* A datagram waits on socket which (0: the application's side, 1: the relay's). */
void
watch_udp_ready(struct watch_session *s, int which)
{
	static uint8_t dgram[UDP_MAX];
	struct watch_udp *u = s->udp;
	struct sockaddr_storage from, tcp_peer;
	socklen_t fromlen = sizeof(from), plen = sizeof(tcp_peer);
	ssize_t n;

	if (u == NULL)
		return;
	n = recvfrom(which == 0 ? u->app_fd : u->up_fd, dgram, sizeof(dgram), 0,
		     (struct sockaddr *)&from, &fromlen);
	if (n < 0)
		return;
	if (which == 0) {
		/* only the application's host may use the association (RFC 1928, 7) */
		if (getpeername(s->app, (struct sockaddr *)&tcp_peer, &plen) < 0 ||
		    !same_host(&from, &tcp_peer)) {
			if (u->dropped++ == 0)
				show_note(s, "udp: a datagram from another host than the application's: "
					     "dropped (and any more)");
			return;
		}
		u->app = from;
		u->applen = fromlen;
		u->app_known = true;
		u->up++;
		show_datagram(s, dgram, (size_t)n, true);
		(void)sendto(u->up_fd, dgram, (size_t)n, 0, (struct sockaddr *)&u->relay, u->relaylen);
		return;
	}
	if (!same_addr(&from, &u->relay) || !u->app_known) {
		if (u->dropped++ == 0)
			show_note(s, "udp: a datagram from another address than the relay's, or before "
				     "the application's first: dropped (and any more)");
		return;
	}
	u->down++;
	show_datagram(s, dgram, (size_t)n, false);
	(void)sendto(u->app_fd, dgram, (size_t)n, 0, (struct sockaddr *)&u->app, u->applen);
}
