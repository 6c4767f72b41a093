/*
 * UDP ASSOCIATE, after the grant: each line of stdin (or each read, with
 * --dgram-raw) goes to the relay as one datagram with the RFC 1928 header
 * addressed to the target; what the relay sends back is decoded and its
 * payload written to stdout.  Datagrams from anyone but the relay, with
 * FRAG not zero, or too short for their header are dropped and, under -v,
 * said so.  The association lives as long as the TCP control connection.
 */
#include "udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hopflow.h"
#include "net.h"
#include "session_io.h"
#include "term.h"

#define DGRAM_MAX 65535
/* The largest UDP payload over IPv4: 65535 less the IP and UDP headers. */
#define UDP_PAYLOAD_MAX 65507

/* One association's relay: stdin's lines (or reads) out as datagrams, the
 * relay's datagrams to stdout, the control connection watched. */
struct udp_loop {
	struct session *s;
	struct udp_result *r;
	int fd;                         /* our datagram socket */
	struct sockaddr_storage relay;  /* where the server relays from */
	socklen_t rlen;
	bool raw;                       /* --dgram-raw: a read is a datagram */
	size_t room;                    /* the payload one datagram to the target holds */
	size_t have;                    /* bytes of stdin in inbuf, not yet sent */
	bool stdin_done;
	int64_t quit_at;                /* after stdin's end: when to stop waiting, or -1 */
	int linger_ms;
	uint8_t inbuf[DGRAM_MAX];
	uint8_t packet[DGRAM_MAX + 300]; /* a datagram with its header, either way */
	struct draft out;               /* the header each datagram is sent with */
};

static socklen_t
to_sockaddr(const struct host *h, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (h->kind == HOST_IPV6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(h->port);
		memcpy(&s6->sin6_addr, h->addr, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(h->port);
	memcpy(&s4->sin_addr, h->addr, 4);
	return sizeof(*s4);
}

static bool
same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

	return x->sin6_port == y->sin6_port &&
	       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}

static bool
unspecified(const struct host *h)
{
	static const uint8_t zero[16];

	return (h->kind == HOST_IPV4 && memcmp(h->addr, zero, 4) == 0) ||
	       (h->kind == HOST_IPV6 && memcmp(h->addr, zero, 16) == 0);
}

static void
show(struct session *s, const struct msg *m, enum view_dir dir)
{
	struct view_opts v;

	if (s->trace == NULL)
		return;
	memset(&v, 0, sizeof(v));
	v.color = s->trace->color;
	v.show_secrets = s->trace->show_secrets;
	v.dir = dir;
	trace_show(s->trace, m, &v);
}

/*
 * For -j, every datagram as it crossed the wire, as a message of its own;
 * bounded: past UDP_KEEP_MAX of them, or UDP_KEEP_BYTES in all, they are
 * only counted (r->kept_omitted).
 */
#define UDP_KEEP_MAX 1024
#define UDP_KEEP_BYTES (8u * 1024 * 1024)

static void
keep(struct session *s, struct udp_result *r, const uint8_t *p, size_t len, bool received)
{
	struct udp_kept *k;

	if (s->trace == NULL || !s->trace->json)
		return;
	if (r->nkept == UDP_KEEP_MAX || r->kept_bytes + len > UDP_KEEP_BYTES) {
		r->kept_omitted++;
		return;
	}
	if (r->kept == NULL && (r->kept = calloc(UDP_KEEP_MAX, sizeof(*r->kept))) == NULL) {
		r->kept_omitted++;
		return;
	}
	k = &r->kept[r->nkept];
	if ((k->bytes = malloc(len > 0 ? len : 1)) == NULL) {
		r->kept_omitted++;
		return;
	}
	memcpy(k->bytes, p, len);
	k->len = len;
	k->received = received;
	r->kept_bytes += len;
	r->nkept++;
}

void
udp_result_free(struct udp_result *r)
{
	for (size_t i = 0; i < r->nkept; i++)
		free(r->kept[i].bytes);
	free(r->kept);
	r->kept = NULL;
	r->nkept = 0;
}

/* Wraps data in the UDP request header and sends it to the relay. */
static int
send_datagram(struct udp_loop *u, const uint8_t *data, size_t len)
{
	struct session *s = u->s;
	struct udp_result *r = u->r;
	struct draft *dr = &u->out;
	uint8_t *packet = u->packet;
	struct proto_error err;
	struct msg m;
	size_t n;

	draft_init(dr, MSG_S5_UDP);
	draft_set_num(dr, "DST.PORT", s->target.port);
	if (s->target.kind == HOST_IPV4)
		draft_set_ipv4(dr, "DST.ADDR", s->target.addr);
	else if (s->target.kind == HOST_IPV6)
		draft_set_ipv6(dr, "DST.ADDR", s->target.addr);
	else
		draft_set_name(dr, "DST.ADDR", s->target.name, s->target.namelen);
	if (len > PROTO_MAX_BYTES) {
		/* Big payloads skip the draft: the header is built, then the data follows. */
		if (proto_encode(dr, packet, sizeof(u->packet), &n, NULL, &err) != PROTO_OK)
			goto refused;
		memcpy(packet + n, data, len);
		n += len;
	} else {
		draft_set_bytes(dr, "DATA", data, len);
		if (proto_encode(dr, packet, sizeof(u->packet), &n, NULL, &err) != PROTO_OK)
			goto refused;
	}
	if (n > DGRAM_MAX - 28) {
		snprintf(r->error, sizeof(r->error), "a datagram of %zu bytes is too large for UDP", n);
		return EXIT_USAGE;
	}
	proto_decode(MSG_S5_UDP, packet, n, NULL, &m);
	show(s, &m, VIEW_DIR_SENT);
	keep(s, r, packet, n, false);
	if (sendto(u->fd, packet, n, 0, (const struct sockaddr *)&u->relay, u->rlen) < 0) {
		snprintf(r->error, sizeof(r->error), "sending a datagram to the relay: %s",
			 strerror(errno));
		return EXIT_TUNNEL;
	}
	r->sent++;
	r->bytes_sent += len;
	return EXIT_OK;
refused:
	snprintf(r->error, sizeof(r->error), "cannot encode the UDP header: %s: %s",
		 err.field != NULL ? err.field : "?", err.why);
	return EXIT_USAGE;
}

/* RSV FRAG ATYP, the address, the port. */
static size_t
udp_header_size(const struct host *target)
{
	size_t addr = target->kind == HOST_IPV4 ? 4
		      : target->kind == HOST_IPV6 ? 16
						  : 1 + target->namelen;

	return 4 + addr + 2;
}

static void
drop(struct session *s, struct udp_result *r, const char *why)
{
	r->dropped++;
	if (s->trace != NULL && s->trace->verbose && !s->quiet)
		fprintf(stderr, "* udp: dropped a datagram: %s\n", why);
}

static int
receive_datagram(struct udp_loop *u)
{
	struct session *s = u->s;
	struct udp_result *r = u->r;
	const struct sockaddr_storage *relay = &u->relay;
	bool raw = u->raw;
	uint8_t *packet = u->packet;
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	const struct field *frag, *data;
	char why[300];
	struct msg m;
	ssize_t n;

	n = recvfrom(u->fd, packet, sizeof(u->packet), 0, (struct sockaddr *)&from, &flen);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR || errno == ECONNREFUSED)
			return EXIT_OK;
		snprintf(r->error, sizeof(r->error), "receiving a datagram: %s", strerror(errno));
		return EXIT_TUNNEL;
	}
	if (!same_peer(&from, relay)) {
		drop(s, r, "it came from someone other than the relay");
		return EXIT_OK;
	}
	proto_decode(MSG_S5_UDP, packet, (size_t)n, NULL, &m);
	show(s, &m, VIEW_DIR_RECEIVED);
	keep(s, r, packet, (size_t)n, true);
	if (m.status != PROTO_OK) {
		msg_problem(&m, why, sizeof(why));
		drop(s, r, why);
		return EXIT_OK;
	}
	frag = msg_field(&m, "FRAG");
	if (frag->num != 0) {
		snprintf(why, sizeof(why), "FRAG is %u: fragments are not reassembled", frag->num);
		drop(s, r, why);
		return EXIT_OK;
	}
	data = msg_field(&m, "DATA");
	r->received++;
	r->bytes_received += data->len;
	if ((data->len > 0 && fwrite(data->bytes, 1, data->len, stdout) != data->len) ||
	    (!raw && fputc('\n', stdout) == EOF) || fflush(stdout) == EOF) {
		if (errno == EPIPE) { /* the reader went away: an orderly end */
			r->stdout_gone = true;
			return EXIT_OK;
		}
		snprintf(r->error, sizeof(r->error), "standard output: %s", strerror(errno));
		return EXIT_TUNNEL;
	}
	return EXIT_OK;
}

/* A relay named by the server (ATYP 03): resolved here, as -4 / -6 say. */
static int
resolve_relay_name(struct session *s, char *why, size_t whylen)
{
	char name[HOST_MAX * 4 + 1], err[HOST_MAX + 100];
	struct host relay = s->bound;
	const char *reason;

	term_escape(name, sizeof(name), s->bound.name, s->bound.namelen);
	if (memchr(relay.name, '\0', relay.namelen) != NULL) {
		snprintf(why, whylen, "the relay is given by name (%s), which holds a 0x00 byte: no such host", name);
		return EXIT_UNREACHABLE;
	}
	if (net_resolve(&relay, s->family, err, sizeof(err)) < 0) {
		/* net_resolve's words quote the name raw: only its reason is kept. */
		reason = strrchr(err, ':');
		snprintf(why, whylen, "the relay is given by name (%s), which does not resolve here: %s",
			 name, reason != NULL ? reason + 2 : err);
		return EXIT_UNREACHABLE;
	}
	net_addr_string(&relay, relay.name, sizeof(relay.name));
	relay.namelen = strlen(relay.name);
	session_say(s, "the relay is given by name, %s: resolved here to %s port %u", name, relay.name,
		    relay.port);
	trace_note(s->trace, s->nhops, "the relay is given by name, %s: resolved here to %s", name,
		   relay.name);
	s->bound = relay;
	return EXIT_OK;
}

int
udp_relay_address(struct session *s, char *why, size_t whylen)
{
	const struct host *last = &s->hops[s->nhops - 1].host;
	struct host relay;
	char how[HOST_MAX * 4 + 32], err[400];

	if (s->bound.kind == HOST_NAME)
		return resolve_relay_name(s, why, whylen);
	if (!unspecified(&s->bound))
		return EXIT_OK;
	if (session_proxy_address(s, &relay, err, sizeof(err)) < 0) {
		snprintf(why, whylen,
			 "the relay address is %s (the proxy's own), and the proxy's name does not resolve here: %s",
			 s->bound.name, err);
		return EXIT_UNREACHABLE;
	}
	relay.port = s->bound.port;
	how[0] = '\0';
	if (s->nhops > 1 && strcmp(last->name, relay.name) != 0) {
		char name[HOST_MAX * 4 + 1];

		term_escape(name, sizeof(name), last->name, last->namelen);
		snprintf(how, sizeof(how), " (%s, resolved here)", name);
	}
	session_say(s, "the relay address is %s: using the proxy's, %s port %u%s", s->bound.name,
		    relay.name, relay.port, how);
	trace_note(s->trace, s->nhops, "the relay address is %s: using the proxy's, %s%s",
		   s->bound.name, relay.name, how);
	s->bound = relay;
	return EXIT_OK;
}


/* What stdin brought: each whole line (or the read, raw) as a datagram. */
static int
on_stdin(struct udp_loop *u)
{
	struct udp_result *r = u->r;
	/* In line mode, room for a line of room bytes and its newline. */
	size_t cap = u->raw ? u->room : u->room + 1;
	ssize_t n = read(STDIN_FILENO, u->inbuf + u->have, cap - u->have);
	size_t start = 0;
	int rc = EXIT_OK;

	if (n < 0 && errno != EINTR && errno != EAGAIN) {
		snprintf(r->error, sizeof(r->error), "reading stdin: %s", strerror(errno));
		return EXIT_TUNNEL;
	}
	if (n > 0)
		u->have += (size_t)n;
	for (size_t i = 0; !u->raw && i < u->have && rc == EXIT_OK; i++)
		if (u->inbuf[i] == '\n') {
			rc = send_datagram(u, u->inbuf + start, i - start);
			start = i + 1;
		}
	if (rc == EXIT_OK && !u->raw && start == 0 && u->have == cap) {
		/* Split, it would reach the far end as two datagrams. */
		snprintf(r->error, sizeof(r->error),
			 "a line longer than %zu bytes does not fit in one datagram "
			 "to this target (--dgram-raw sends each read as it comes); "
			 "not sent, nor anything after it, but the association was "
			 "granted and %llu datagram%s before it went",
			 u->room, (unsigned long long)r->sent, r->sent == 1 ? "" : "s");
		return EXIT_USAGE;
	}
	if (rc == EXIT_OK && (u->raw || n == 0) && u->have > start) {
		/* A whole read, or a last line without its newline. */
		rc = send_datagram(u, u->inbuf + start, u->have - start);
		start = u->have;
	}
	memmove(u->inbuf, u->inbuf + start, u->have - start);
	u->have -= start;
	if (n == 0) {
		u->stdin_done = true;
		u->quit_at = now_ms() + (u->linger_ms >= 0 ? u->linger_ms : 1000);
	}
	return rc;
}

/* The control connection: nothing should come on it, and its close ends
 * the association.  *stop when that end is orderly. */
static int
on_control(struct udp_loop *u, bool *stop)
{
	struct session *s = u->s;
	uint8_t junk[512];
	ssize_t n = recv(s->conn.fd, junk, sizeof(junk), 0);
	char why[400];

	if (n > 0 && hop_control_bytes(s, junk, (size_t)n, why, sizeof(why))) {
		session_say(s, "warning: udp: control connection: %s", why);
		trace_note(s->trace, s->nhops, "udp: control connection: %s", why);
	}
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return EXIT_OK;
	if (u->stdin_done) {
		/* Every datagram was sent and stdin had ended: only answers were
		   awaited, so the end is orderly, but it is not -q's, and -v says
		   whose it was. */
		trace_note(s->trace, s->nhops,
			   "the server closed the control connection during the wait for "
			   "answers after standard input's end: the association ended");
		*stop = true;
		return EXIT_OK;
	}
	snprintf(u->r->error, sizeof(u->r->error),
		 "the server closed the control connection: the association ended");
	return EXIT_TUNNEL;
}

/* -1 to wait for ever, 0 when -q's time after stdin's end is up. */
static int
poll_timeout(const struct udp_loop *u)
{
	int64_t left;

	if (u->quit_at < 0)
		return -1;
	left = u->quit_at - now_ms();
	return left <= 0 ? 0 : (int)left;
}

static int
relay_loop(struct udp_loop *u)
{
	struct udp_result *r = u->r;
	int rc = EXIT_OK;
	bool stop = false;

	while (rc == EXIT_OK && !stop) {
		struct pollfd pfd[3] = {
			{ .fd = u->stdin_done ? -1 : STDIN_FILENO, .events = POLLIN },
			{ .fd = u->fd, .events = POLLIN },
			{ .fd = u->s->conn.fd, .events = POLLIN },
		};
		int timeout = poll_timeout(u);

		if (timeout == 0)
			break;
		int w = net_poll(pfd, 3, timeout, net_stop);

		if (w == -2) {
			r->interrupted = true;
			break;
		}
		if (w < 0) {
			if (errno == EINTR)
				continue;
			snprintf(r->error, sizeof(r->error), "poll: %s", strerror(errno));
			return EXIT_TUNNEL;
		}
		if (pfd[1].revents != 0)
			rc = receive_datagram(u);
		if (r->stdout_gone)
			break;
		if (rc == EXIT_OK && pfd[0].revents != 0)
			rc = on_stdin(u);
		if (rc == EXIT_OK && pfd[2].revents != 0)
			rc = on_control(u, &stop);
	}
	return rc;
}

int
udp_run(struct session *s, bool raw, int linger_ms, struct udp_result *r)
{
	struct udp_loop *u;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = udp_relay_address(s, r->error, sizeof(r->error))) != EXIT_OK)
		return rc;
	if (s->trace != NULL && s->trace->verbose && !s->quiet)
		fprintf(stderr, "* udp: relay at %s port %u\n", s->bound.name, s->bound.port);
	if ((u = calloc(1, sizeof(*u))) == NULL) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return EXIT_TUNNEL;
	}
	u->s = s;
	u->r = r;
	u->raw = raw;
	u->linger_ms = linger_ms;
	u->quit_at = -1;
	u->rlen = to_sockaddr(&s->bound, &u->relay);
	/* A read (or a line) never exceeds what one datagram can carry. */
	u->room = UDP_PAYLOAD_MAX - udp_header_size(&s->target);
	u->fd = socket(u->relay.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->fd < 0) {
		snprintf(r->error, sizeof(r->error), "udp socket: %s", strerror(errno));
		free(u);
		return EXIT_TUNNEL;
	}
	rc = relay_loop(u);
	close(u->fd);
	free(u);
	return rc;
}
